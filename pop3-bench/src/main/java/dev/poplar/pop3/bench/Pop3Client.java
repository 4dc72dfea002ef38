package dev.poplar.pop3.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One blocking POP3 client connection, plain or implicit TLS, that reads replies into its own buffer so that
 * multi-line bodies are scanned in place and never materialised.
 *
 * <p>Not thread-safe: one thread drives one connection.
 */
final class Pop3Client implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 60_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[64 * 1024];
    private final boolean resumed;
    private int position;
    private int limit;

    private Pop3Client(Socket socket, boolean resumed) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.resumed = resumed;
    }

    /**
     * Connects and reads the greeting.
     *
     * @param tls the client context for implicit TLS, or {@code null} for a plain connection
     * @throws IOException if the connection, the handshake or the greeting fails
     */
    static Pop3Client connect(InetSocketAddress address, SSLContext tls) throws IOException {
        return connect(address, tls, null);
    }

    /**
     * Connects from a given local address (another loopback address is another client to the server) and reads
     * the greeting.
     *
     * @param tls   the client context for implicit TLS, or {@code null} for a plain connection
     * @param local the local address to connect from, or {@code null} for the system's choice
     * @throws IOException if the connection, the handshake or the greeting fails
     */
    static Pop3Client connect(InetSocketAddress address, SSLContext tls, InetAddress local) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            if (local != null) {
                socket.bind(new InetSocketAddress(local, 0));
            }
            socket.connect(address, READ_TIMEOUT_MILLIS);
            boolean resumed = false;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory()
                        .createSocket(socket, address.getHostString(), address.getPort(), true);
                long before = System.currentTimeMillis();
                ssl.startHandshake();
                // A resumed session keeps the creation time of the full handshake that made it.
                resumed = ssl.getSession().getCreationTime() < before;
                socket = ssl;
            }
            Pop3Client client = new Pop3Client(socket, resumed);
            client.expectOk("greeting");
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether the TLS handshake resumed an earlier session; {@code false} for plain connections. */
    boolean resumed() {
        return resumed;
    }

    /** Sends USER and PASS and expects {@code +OK} to both. */
    void login(String user, String password) throws IOException {
        command("USER " + user);
        command("PASS " + password);
    }

    /**
     * Sends one command and expects a single-line {@code +OK}.
     *
     * @return the reply line without its line end
     * @throws IOException on a {@code -ERR} or a broken connection
     */
    String command(String command) throws IOException {
        send(command);
        return expectOk(command);
    }

    /**
     * Sends one command and returns its status line, {@code +OK} or {@code -ERR}.
     *
     * @return the reply line without its line end
     * @throws IOException if the connection breaks or closes before the reply
     */
    String reply(String command) throws IOException {
        send(command);
        String line = readLine();
        if (line == null) {
            throw new IOException("connection closed before the reply to " + abbreviate(command));
        }
        return line;
    }

    /**
     * Sends a command whose reply is a short multi-line listing (LIST, UIDL) and returns its lines, dot-stuffing
     * removed.
     *
     * @throws IOException on a {@code -ERR}, a broken connection or a reply of more than {@code maxLines} lines
     */
    List<String> lines(String command, int maxLines) throws IOException {
        send(command);
        expectOk(command);
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed inside the reply to " + command);
            }
            if (line.equals(".")) {
                return lines;
            }
            if (lines.size() == maxLines) {
                throw new IOException("reply to " + command + " longer than " + maxLines + " lines");
            }
            lines.add(line.startsWith(".") ? line.substring(1) : line);
        }
    }

    /**
     * Sends a command whose reply is multi-line and reads its status line and at least {@code octets} octets of
     * the body (or all of it, if shorter), then returns: the caller drops the connection in the middle of the reply.
     *
     * @return the octets received after the status line
     * @throws IOException on a {@code -ERR} or a broken connection
     */
    long partial(String command, long octets) throws IOException {
        send(command);
        expectOk(command);
        long received = limit - position;
        while (received < octets) {
            position = limit;
            int n = fill();
            if (n < 0) {
                break;
            }
            received += n;
        }
        return received;
    }

    /**
     * Sends a command whose reply is multi-line, reads it to its end and returns what the body held.
     *
     * @throws IOException on a {@code -ERR} or a broken connection
     */
    Body multiLine(String command) throws IOException {
        send(command);
        expectOk(command);
        MultiLineScanner scanner = new MultiLineScanner();
        long wire = 0;
        while (true) {
            if (position == limit && fill() < 0) {
                throw new IOException("connection closed inside the reply to " + command);
            }
            int end = scanner.feed(buffer, position, limit - position);
            if (end >= 0) {
                wire += end - position;
                position = end;
                return new Body(scanner.octets(), scanner.lines(), wire);
            }
            wire += limit - position;
            position = limit;
        }
    }

    /**
     * Sends QUIT, expects {@code +OK} and waits for the server to close the connection (so that the server, which
     * closes first, keeps the TIME_WAIT and the generator's ports are free again at once).
     */
    void quit() throws IOException {
        command("QUIT");
        try {
            while (position < limit || fill() >= 0) {
                position = limit;
            }
        } catch (IOException closedAbruptly) {
            // the session is complete with +OK; how the server then drops the connection is its business
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void send(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private String expectOk(String what) throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("connection closed before the reply to " + abbreviate(what));
        }
        if (!line.startsWith("+OK")) {
            throw new IOException("reply to " + abbreviate(what) + ": " + line);
        }
        return line;
    }

    private static String abbreviate(String command) {
        return command.startsWith("PASS ") ? "PASS" : command;
    }

    private String readLine() throws IOException {
        int searchFrom = position;
        while (true) {
            for (int i = searchFrom; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                    position = i + 1;
                    return line;
                }
            }
            searchFrom = limit - position;
            if (fill() < 0) {
                return null;
            }
            searchFrom += position;
        }
    }

    /** Compacts the buffer and reads more; returns the bytes read or -1 at the end of the stream. */
    private int fill() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        if (limit == buffer.length) {
            throw new IOException("reply line longer than " + buffer.length + " octets");
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n > 0) {
            limit += n;
        }
        return n;
    }

    /**
     * What a multi-line reply held.
     *
     * @param octets body octets after removing dot-stuffing, line ends included
     * @param lines  body lines
     * @param wire   octets received after the status line, terminator included
     */
    record Body(long octets, long lines, long wire) {
    }
}
