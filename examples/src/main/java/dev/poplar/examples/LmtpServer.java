package dev.poplar.examples;

import dev.poplar.pop3.store.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An LMTP listener (RFC 2033) that delivers into a {@link Delivery} store, for a mail transfer agent on the same host
 * or a trusted network (Postfix: {@code mailbox_transport = lmtp:inet:127.0.0.1:24}). It authenticates nobody: bind it
 * to loopback or a private address.
 *
 * <p>A recipient's mailbox is the local part of its address ({@code alice@example.org} is {@code alice}). After
 * {@code DATA} each recipient gets its own reply, as RFC 2033 section 4.2 asks: {@code 250} with the new message's
 * unique id, {@code 451 4.3.0} to retry, {@code 550 5.1.1} for a mailbox the store refuses, {@code 552 5.3.4} for a
 * message it refuses. The message is streamed: with one recipient straight from the socket into the store, with
 * several through a temporary file; never whole in memory.
 *
 * <p>Threading: one accepting thread and a bounded pool of connection threads; {@link #close()} stops both.
 */
final class LmtpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LmtpServer.class);
    private static final int MAX_LINE = 2048;
    private static final int MAX_RECIPIENTS = 1000;
    private static final int MAX_CONNECTIONS = 32;
    private static final Duration IDLE = Duration.ofMinutes(5);

    private final Delivery store;
    private final String hostName;
    private final ServerSocket socket;
    private final ExecutorService connections = Executors.newFixedThreadPool(MAX_CONNECTIONS, r -> {
        Thread t = new Thread(r, "poplar-lmtp");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Thread acceptor;

    private LmtpServer(Delivery store, String hostName, ServerSocket socket) {
        this.store = store;
        this.hostName = hostName;
        this.socket = socket;
        this.acceptor = new Thread(this::accept, "poplar-lmtp-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds and starts accepting.
     *
     * @param store where mail goes
     * @param hostName the name in the greeting
     * @param address where to listen; port 0 picks a free one
     * @return the running listener
     * @throws IOException if the address cannot be bound
     */
    static LmtpServer start(Delivery store, String hostName, InetSocketAddress address) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address);
        LmtpServer server = new LmtpServer(store, hostName, socket);
        server.acceptor.start();
        return server;
    }

    /** @return the bound address */
    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void accept() {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("LMTP accept failed: {}", e.toString());
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                refuse(client);
                continue;
            }
            try {
                connections.execute(() -> {
                    try (client) {
                        serve(client);
                    } catch (IOException e) {
                        LOG.info("LMTP connection from {} ended: {}", client.getRemoteSocketAddress(), e.toString());
                    } finally {
                        slots.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                slots.release();
                refuse(client);
            }
        }
    }

    private static void refuse(Socket client) {
        try (client) {
            client.getOutputStream().write("421 4.3.2 too many connections\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // The client is gone already.
        }
    }

    private void serve(Socket client) throws IOException {
        client.setSoTimeout((int) IDLE.toMillis());
        InputStream in = new BufferedInputStream(client.getInputStream());
        OutputStream out = client.getOutputStream();
        reply(out, "220 " + hostName + " Poplar LMTP ready");
        boolean greeted = false;
        String sender = null;
        List<String> recipients = new ArrayList<>();
        for (String line; (line = readLine(in)) != null; ) {
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (verb) {
                case "LHLO" -> {
                    greeted = true;
                    sender = null;
                    recipients.clear();
                    reply(out, "250-" + hostName + "\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME");
                }
                case "MAIL" -> {
                    if (!greeted) {
                        reply(out, "503 5.5.1 LHLO first");
                    } else if (sender != null) {
                        reply(out, "503 5.5.1 sender already given");
                    } else if (!line.toUpperCase(Locale.ROOT).startsWith("MAIL FROM:")) {
                        reply(out, "501 5.5.4 MAIL FROM:<address>");
                    } else {
                        sender = line.substring(10).strip();
                        reply(out, "250 2.1.0 sender OK");
                    }
                }
                case "RCPT" -> {
                    String mailbox = line.toUpperCase(Locale.ROOT).startsWith("RCPT TO:")
                            ? mailbox(line.substring(8)) : null;
                    if (sender == null) {
                        reply(out, "503 5.5.1 MAIL first");
                    } else if (mailbox == null) {
                        reply(out, "501 5.1.3 RCPT TO:<user@domain>");
                    } else if (recipients.size() >= MAX_RECIPIENTS) {
                        reply(out, "452 4.5.3 too many recipients");
                    } else {
                        recipients.add(mailbox);
                        reply(out, "250 2.1.5 recipient OK");
                    }
                }
                case "DATA" -> {
                    if (recipients.isEmpty()) {
                        reply(out, "503 5.5.1 no valid recipients");
                    } else {
                        reply(out, "354 end with <CRLF>.<CRLF>");
                        for (String r : data(in, recipients)) {
                            reply(out, r);
                        }
                        sender = null;
                        recipients.clear();
                    }
                }
                case "RSET" -> {
                    sender = null;
                    recipients.clear();
                    reply(out, "250 2.0.0 OK");
                }
                case "NOOP" -> reply(out, "250 2.0.0 OK");
                case "QUIT" -> {
                    reply(out, "221 2.0.0 bye");
                    return;
                }
                default -> reply(out, "500 5.5.2 unknown command");
            }
        }
    }

    /** The mailbox of {@code <local@domain>}: its local part; null if there is none. */
    static String mailbox(String path) {
        String address = path.strip();
        int space = address.indexOf(' ');
        if (space > 0) {
            address = address.substring(0, space);
        }
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1);
        }
        int at = address.lastIndexOf('@');
        String local = at >= 0 ? address.substring(0, at) : address;
        return local.isEmpty() ? null : local;
    }

    /** Reads the message and delivers it to every recipient; one reply each, in order (RFC 2033 section 4.2). */
    private List<String> data(InputStream in, List<String> recipients) throws IOException {
        List<String> replies = new ArrayList<>();
        DotStuffedInput message = new DotStuffedInput(in);
        if (recipients.size() == 1) {
            replies.add(reply(DeliveryAttempt.deliver(store, recipients.get(0), message)));
            message.transferTo(OutputStream.nullOutputStream());
            return replies;
        }
        Path spool = Files.createTempFile("poplar-lmtp", ".eml");
        try {
            try (OutputStream file = Files.newOutputStream(spool)) {
                message.transferTo(file);
            }
            for (String recipient : recipients) {
                try (InputStream copy = Files.newInputStream(spool)) {
                    replies.add(reply(DeliveryAttempt.deliver(store, recipient, copy)));
                }
            }
        } finally {
            Files.deleteIfExists(spool);
        }
        return replies;
    }

    private static String reply(DeliveryAttempt.Result result) {
        if (result.delivered().isPresent()) {
            return "250 2.0.0 " + result.delivered().get().uid() + " delivered";
        }
        LOG.warn("LMTP delivery failed: {}", result.problem());
        return switch (result.failure().orElseThrow()) {
            case NO_MAILBOX -> "550 5.1.1 mailbox unavailable";
            case REFUSED_MESSAGE -> "552 5.3.4 message refused";
            case TEMPORARY -> "451 4.3.0 temporary failure, try again later";
        };
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** A command line without its CRLF (or LF); null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); ; b = in.read()) {
            if (b == -1) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("command line longer than " + MAX_LINE + " octets");
            }
            line.write(b);
        }
    }

    /** Stops accepting and ends open connections. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the LMTP socket: {}", e.toString());
        }
        connections.shutdownNow();
        try {
            connections.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The message of a {@code DATA} command: the lines up to the one that is a single {@code .}, with the leading
     * {@code .} of dot-stuffed lines removed (RFC 5321 section 4.5.2), read byte by byte as it arrives. It ends at the
     * terminating line, which it consumes; the end of the connection before it is an {@link IOException}.
     */
    static final class DotStuffedInput extends InputStream {
        private final InputStream in;
        private boolean lineStart = true;
        private boolean ended;
        private int pending = -1;

        DotStuffedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (ended) {
                return -1;
            }
            int b = pending >= 0 ? pending : in.read();
            pending = -1;
            if (lineStart && b == '.') {
                b = in.read();
                if (b == '\r') {
                    int lf = in.read();
                    if (lf == '\n') {
                        ended = true;
                        return -1;
                    }
                    pending = lf;
                } else if (b == '\n') {
                    ended = true;
                    return -1;
                }
                // Otherwise a dot-stuffed line: its first dot is dropped.
            }
            if (b == -1) {
                throw new SocketException("connection ended in the middle of DATA");
            }
            lineStart = b == '\n';
            return b;
        }
    }
}
