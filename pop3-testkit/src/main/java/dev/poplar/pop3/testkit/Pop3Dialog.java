package dev.poplar.pop3.testkit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A raw POP3 client for wire-level tests: sends exact command lines and reads exact replies, each read bounded by a
 * timeout (10 seconds unless {@linkplain #timeout(Duration) changed}). Use it to see precisely what a server sends,
 * octet for octet, where a mail library would hide it.
 *
 * <pre>{@code
 * try (Pop3Dialog pop3 = Pop3Dialog.connect(server)) {
 *     assertThat(pop3.greeting()).startsWith("+OK");
 *     assertThat(pop3.login("alice", "s3cret")).startsWith("+OK");
 *     assertThat(pop3.send("RETR 1")).startsWith("+OK");
 *     byte[] message = pop3.readBody();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one test thread drives one dialog.
 */
public final class Pop3Dialog implements AutoCloseable {

    private static final int DEFAULT_TIMEOUT_MILLIS = 10_000;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

    private Pop3Dialog(Socket socket) throws IOException {
        use(socket);
    }

    /**
     * Connects to a test server's plain listener. The greeting is not read yet.
     *
     * @param server the server
     * @return the dialog
     * @throws IOException if the connection fails
     */
    public static Pop3Dialog connect(Pop3TestServer server) throws IOException {
        return connect(new InetSocketAddress(server.host(), server.port()));
    }

    /**
     * Connects in clear. The greeting is not read yet.
     *
     * @param address the server's address
     * @return the dialog
     * @throws IOException if the connection fails within the timeout
     */
    public static Pop3Dialog connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, DEFAULT_TIMEOUT_MILLIS);
            return new Pop3Dialog(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Connects with implicit TLS (pop3s) and completes the handshake. The greeting is not read yet.
     *
     * @param address the server's address
     * @param context the client context, e.g. {@link Pop3TestServer#clientSslContext()}
     * @return the dialog
     * @throws IOException if the connection or the handshake fails
     */
    public static Pop3Dialog connectTls(InetSocketAddress address, SSLContext context) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(address, DEFAULT_TIMEOUT_MILLIS);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, address.getHostString(),
                    address.getPort(), true);
            tls.setSoTimeout(DEFAULT_TIMEOUT_MILLIS);
            tls.startHandshake();
            return new Pop3Dialog(tls);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    private void use(Socket next) throws IOException {
        socket = next;
        socket.setSoTimeout(timeoutMillis);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Sets the timeout of every following read.
     *
     * @param timeout at least 1 millisecond
     * @return this dialog
     * @throws IOException if the socket refuses it
     */
    public Pop3Dialog timeout(Duration timeout) throws IOException {
        timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        socket.setSoTimeout(timeoutMillis);
        return this;
    }

    /**
     * Reads the greeting.
     *
     * @return the greeting line
     * @throws IOException if it does not come within the timeout ({@link SocketTimeoutException}) or the
     *     connection closes
     */
    public String greeting() throws IOException {
        return readLine();
    }

    /**
     * Sends a command line (CRLF is added) and reads the status line of the reply.
     *
     * @param command the command, e.g. {@code "STAT"}
     * @return the status line
     * @throws IOException if the reply does not come or the connection closes
     */
    public String send(String command) throws IOException {
        write(command + "\r\n");
        return readLine();
    }

    /**
     * Sends {@code USER} and, if accepted, {@code PASS}.
     *
     * @param user the user name
     * @param password the password
     * @return the reply to {@code PASS}, or the refusal of {@code USER}
     * @throws IOException if a reply does not come
     */
    public String login(String user, String password) throws IOException {
        String reply = send("USER " + user);
        return reply.startsWith("+OK") ? send("PASS " + password) : reply;
    }

    /**
     * Sends {@code STLS} and, if the server agrees, performs the TLS handshake over this connection.
     *
     * @param context the client context, e.g. {@link Pop3TestServer#clientSslContext()}
     * @return the reply to {@code STLS}
     * @throws IOException if the handshake fails (e.g. {@code javax.net.ssl.SSLException})
     */
    public String startTls(SSLContext context) throws IOException {
        String reply = send("STLS");
        if (reply.startsWith("+OK")) {
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, remote.getHostString(),
                    remote.getPort(), true);
            tls.setSoTimeout(timeoutMillis);
            tls.startHandshake();
            use(tls);
        }
        return reply;
    }

    /**
     * Sends octets exactly as given (no CRLF is added): for pipelining, or for malformed input.
     *
     * @param octets the text, encoded as UTF-8
     * @throws IOException if writing fails
     */
    public void write(String octets) throws IOException {
        out.write(Objects.requireNonNull(octets, "octets").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Reads one line.
     *
     * @return the line without its CRLF
     * @throws IOException if no full line comes, the connection closes first, or the line ends with a bare LF
     */
    public String readLine() throws IOException {
        return new String(readLineOctets(), StandardCharsets.UTF_8);
    }

    private byte[] readLineOctets() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection after " + line.size() + " octets of a line: "
                        + line.toString(StandardCharsets.UTF_8));
            }
            if (b == '\n') {
                if (previous != '\r') {
                    throw new IOException("a line ended without CR: " + line.toString(StandardCharsets.UTF_8));
                }
                byte[] octets = line.toByteArray();
                return java.util.Arrays.copyOf(octets, octets.length - 1);
            }
            line.write(b);
            previous = b;
        }
    }

    /**
     * Reads the lines of a multi-line reply after its status line, up to the terminating {@code .}, with
     * dot-stuffing removed (RFC 1939 section 3).
     *
     * @return the lines
     * @throws IOException if the reply does not end
     */
    public List<String> readLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); !line.equals("."); line = readLine()) {
            lines.add(line.startsWith(".") ? line.substring(1) : line);
        }
        return lines;
    }

    /**
     * Reads a multi-line reply's body as octets, up to the terminating {@code .}, with dot-stuffing removed and CRLF
     * line ends kept: for {@code RETR}, exactly the message.
     *
     * @return the octets
     * @throws IOException if the reply does not end
     */
    public byte[] readBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] line = readLineOctets(); !(line.length == 1 && line[0] == '.'); line = readLineOctets()) {
            int from = line.length > 0 && line[0] == '.' ? 1 : 0;
            body.write(line, from, line.length - from);
            body.write('\r');
            body.write('\n');
        }
        return body.toByteArray();
    }

    /**
     * Reads everything until the server closes the connection.
     *
     * @return the octets received
     * @throws IOException if the server does not close within the timeout
     */
    public byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    /**
     * Whether the server closes the connection within the timeout, sending nothing more.
     *
     * @return {@code true} on end of stream or a reset, {@code false} if data or nothing arrives in time
     * @throws IOException never for a closed connection; only if the socket fails otherwise
     */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Whether the connection is encrypted now.
     *
     * @return {@code true} after {@link #connectTls} or a successful {@link #startTls}
     */
    public boolean secure() {
        return socket instanceof SSLSocket;
    }

    /**
     * Closes the connection without {@code QUIT}: for the server, the client went away.
     *
     * @throws IOException if closing fails
     */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
