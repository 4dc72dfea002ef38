package dev.poplar.pop3.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw POP3 client for wire tests: sends exact octets and reads exact replies, with a timeout on every read. */
final class WireClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    WireClient(InetSocketAddress address) throws IOException {
        Socket plain = new Socket();
        plain.connect(address, 5000);
        use(plain);
    }

    WireClient(Socket connected) throws IOException {
        use(connected);
    }

    /** Continues over another socket, e.g. the TLS socket layered on this one after STLS. */
    void use(Socket next) throws IOException {
        socket = next;
        socket.setSoTimeout(10_000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static WireClient connect(Pop3Server server) throws IOException {
        return new WireClient(server.localAddress());
    }

    /** Connects, reads the greeting and logs in with USER/PASS, which must succeed. */
    static WireClient loggedIn(Pop3Server server, String user, String password) throws IOException {
        WireClient client = connect(server);
        client.greeting();
        String reply = client.login(user, password);
        if (!reply.startsWith("+OK")) {
            client.close();
            throw new IOException("login as " + user + " failed: " + reply);
        }
        return client;
    }

    /**
     * Connects from a given local address, e.g. {@code 127.0.0.2}: another client address on loopback.
     *
     * @param local the local address to bind
     * @param server the server
     * @return the client
     */
    static WireClient connectFrom(String local, Pop3Server server) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(server.localAddress(), 5000);
        return new WireClient(socket);
    }

    /** Reads the greeting. */
    String greeting() throws IOException {
        return line();
    }

    /** Sends one command line with CRLF and returns the status line of the reply. */
    String send(String command) throws IOException {
        write(command + "\r\n");
        return line();
    }

    void write(String octets) throws IOException {
        write(octets.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] octets) throws IOException {
        out.write(octets);
        out.flush();
    }

    /** Reads one line, without its CRLF; fails if the line end is not CRLF. */
    String line() throws IOException {
        return new String(lineBytes(), StandardCharsets.UTF_8);
    }

    byte[] lineBytes() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + line.size() + " octets: " + line);
            }
            if (b == '\n') {
                if (previous != '\r') {
                    throw new IOException("line not ended by CRLF: " + line);
                }
                byte[] bytes = line.toByteArray();
                return java.util.Arrays.copyOf(bytes, bytes.length - 1);
            }
            line.write(b);
            previous = b;
        }
    }

    /** Reads the lines of a multi-line reply up to the terminating ".", un-stuffed. */
    List<String> lines() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            if (line.equals(".")) {
                return lines;
            }
            lines.add(line.startsWith("..") ? line.substring(1) : line);
        }
    }

    /** Reads a multi-line body as raw octets up to the terminator, un-stuffed, CRLF kept. */
    byte[] body() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            byte[] line = lineBytes();
            if (line.length == 1 && line[0] == '.') {
                return body.toByteArray();
            }
            int from = line.length > 0 && line[0] == '.' ? 1 : 0;
            body.write(line, from, line.length - from);
            body.write('\r');
            body.write('\n');
        }
    }

    /** Logs in with USER/PASS and returns the PASS reply. */
    String login(String user, String password) throws IOException {
        String reply = send("USER " + user);
        if (!reply.startsWith("+OK")) {
            return reply;
        }
        return send("PASS " + password);
    }

    /** Whether the server closed the connection (reads EOF within the timeout). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    InputStream input() {
        return in;
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
