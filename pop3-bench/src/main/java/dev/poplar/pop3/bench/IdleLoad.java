package dev.poplar.pop3.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle sessions: one selector thread opens and logs in N sessions (at most {@code inFlight} logging in at a
 * time), lets the caller measure the server, then sends NOOP on every session and counts the {@code +OK}s, and
 * ends them all with QUIT. Plain connections only.
 */
final class IdleLoad {

    private enum Phase { CONNECTING, GREETING, USER, PASS, IDLE, NOOP, SERVED, QUIT, CLOSED, FAILED }

    private IdleLoad() {
    }

    /**
     * Runs the load once.
     *
     * @param users      one user per session
     * @param inFlight   how many sessions may be logging in at once
     * @param timeout    how long each phase may take
     * @param afterLogin called once every session has logged in (or failed), before the NOOPs
     * @throws IOException if the selector fails or {@code afterLogin} does
     */
    static Result run(InetSocketAddress address, List<String> users, int inFlight, Duration timeout,
                      Measure afterLogin) throws IOException {
        RunFailures failures = new RunFailures();
        List<Session> sessions = new ArrayList<>(users.size());
        try (Selector selector = Selector.open()) {
            long start = System.nanoTime();
            int next = 0;
            int settled = 0;
            int loggingIn = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (settled < users.size()) {
                while (loggingIn < inFlight && next < users.size()) {
                    Session session = new Session(users.get(next++));
                    sessions.add(session);
                    try {
                        session.open(selector, address);
                        loggingIn++;
                    } catch (IOException e) {
                        session.fail(e, failures);
                        settled++;
                    }
                }
                int done = step(selector, deadline, failures, Phase.IDLE);
                loggingIn -= done;
                settled += done;
            }
            double openSeconds = (System.nanoTime() - start) / 1e9;
            long loggedIn = sessions.stream().filter(s -> s.phase == Phase.IDLE).count();
            afterLogin.measure();

            everyone(selector, sessions, Phase.IDLE, "NOOP", Phase.NOOP, Phase.SERVED, timeout, failures);
            long served = sessions.stream().filter(s -> s.phase == Phase.SERVED).count();
            everyone(selector, sessions, Phase.SERVED, "QUIT", Phase.QUIT, Phase.CLOSED, timeout, failures);
            return new Result(users.size(), loggedIn, served, openSeconds, failures);
        } finally {
            for (Session session : sessions) {
                session.close();
            }
        }
    }

    /** Sends a command on every session in phase {@code from} and waits until each reached {@code goal}. */
    private static void everyone(Selector selector, List<Session> sessions, Phase from, String command, Phase sent,
                                 Phase goal, Duration timeout, RunFailures failures) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int pending = 0;
        for (Session session : sessions) {
            if (session.phase == from) {
                session.send(command, sent, failures);
                pending += session.phase == sent ? 1 : 0;
            }
        }
        while (pending > 0) {
            pending -= step(selector, deadline, failures, goal);
        }
    }

    /**
     * Waits for readiness once and advances sessions; fails every unsettled session when the deadline passed.
     *
     * @return how many sessions reached {@code goal} or failed in this step
     */
    private static int step(Selector selector, long deadline, RunFailures failures, Phase goal) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            int failed = 0;
            for (SelectionKey key : selector.keys()) {
                Session session = (Session) key.attachment();
                if (session.phase != goal && session.phase != Phase.FAILED && session.waiting()) {
                    session.fail(new IOException("no reply in time while in " + session.phase), failures);
                    failed++;
                }
            }
            return failed;
        }
        selector.select(left);
        int settled = 0;
        for (SelectionKey key : selector.selectedKeys()) {
            Session session = (Session) key.attachment();
            Phase before = session.phase;
            try {
                session.advance(key, failures);
            } catch (IOException e) {
                session.fail(e, failures);
            }
            if (before != session.phase && (session.phase == goal || session.phase == Phase.FAILED)) {
                settled++;
            }
        }
        selector.selectedKeys().clear();
        return settled;
    }

    /** A measurement taken while all sessions are logged in and idle. */
    @FunctionalInterface
    interface Measure {
        void measure() throws IOException;
    }

    /**
     * One run's outcome.
     *
     * @param sessions    sessions attempted
     * @param loggedIn    sessions that logged in
     * @param served      logged-in sessions whose NOOP got {@code +OK}
     * @param openSeconds time to open and log in all sessions
     * @param failures    failed sessions
     */
    record Result(int sessions, long loggedIn, long served, double openSeconds, RunFailures failures) {
    }

    private static final class Session {
        private final String user;
        private final ByteBuffer in = ByteBuffer.allocate(512);
        private SocketChannel channel;
        private SelectionKey key;
        private ByteBuffer out;
        private Phase phase = Phase.CONNECTING;

        Session(String user) {
            this.user = user;
        }

        void open(Selector selector, InetSocketAddress address) throws IOException {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            key = channel.register(selector, SelectionKey.OP_CONNECT, this);
            if (channel.connect(address)) {
                connected();
            }
        }

        /** Whether the session waits for the server (not idle between phases). */
        boolean waiting() {
            return phase != Phase.IDLE && phase != Phase.SERVED && phase != Phase.CLOSED;
        }

        void advance(SelectionKey ready, RunFailures failures) throws IOException {
            if (ready.isConnectable() && channel.finishConnect()) {
                connected();
                return;
            }
            if (ready.isWritable()) {
                flush();
            }
            if (ready.isReadable()) {
                int n = channel.read(in);
                if (n < 0) {
                    if (phase == Phase.QUIT) {
                        phase = Phase.CLOSED;
                        close();
                        return;
                    }
                    throw new IOException("server closed the connection while in " + phase);
                }
                String line = line();
                if (line != null) {
                    reply(line, failures);
                }
            }
        }

        private void connected() {
            phase = Phase.GREETING;
            key.interestOps(SelectionKey.OP_READ);
        }

        private void reply(String line, RunFailures failures) throws IOException {
            if (!line.startsWith("+OK")) {
                throw new IOException("in " + phase + ": " + line);
            }
            switch (phase) {
                case GREETING -> send("USER " + user, Phase.USER, failures);
                case USER -> send("PASS " + Fixture.PASSWORD, Phase.PASS, failures);
                case PASS -> phase = Phase.IDLE;
                case NOOP -> phase = Phase.SERVED;
                case QUIT -> { /* wait for the server to close */ }
                default -> throw new IOException("unexpected reply in " + phase + ": " + line);
            }
        }

        void send(String command, Phase then, RunFailures failures) {
            out = ByteBuffer.wrap((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            phase = then;
            try {
                flush();
            } catch (IOException e) {
                fail(e, failures);
            }
        }

        private void flush() throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private String line() throws IOException {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    String line = new String(in.array(), 0, i, StandardCharsets.ISO_8859_1).strip();
                    in.flip();
                    in.position(i + 1);
                    in.compact();
                    return line;
                }
            }
            if (!in.hasRemaining()) {
                throw new IOException("reply line too long in " + phase);
            }
            return null;
        }

        void fail(Exception e, RunFailures failures) {
            phase = Phase.FAILED;
            failures.add(new IOException(user + ": " + e.getMessage(), e));
            close();
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing is best effort: the session is over either way
                }
            }
        }
    }
}
