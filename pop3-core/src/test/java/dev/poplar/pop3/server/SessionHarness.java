package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.AccessControl;
import dev.poplar.pop3.server.internal.Events;
import dev.poplar.pop3.server.internal.Metrics;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.codec.ContentEncoder;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.codec.ReplyStream;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.session.ProtocolSession;
import dev.poplar.pop3.server.internal.session.SessionServices;
import dev.poplar.pop3.server.internal.session.Transport;
import dev.poplar.pop3.store.MessageContent;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A protocol session without a socket: a real {@link ProtocolSession} built from a real server configuration, driven
 * line by line on the test's thread. Calls that may block run at once; delays wait for {@link #advance} (a manual
 * clock, which the failed-login penalty reads too). What the session sends is rendered as the wire would carry it.
 * Sessions opened from one {@link Server} share its services (the penalty) and its clock, as connections to one
 * server do.
 */
final class SessionHarness implements Transport {

    private final Server server;
    private final ProtocolSession session;
    private final ArrayDeque<Line> input = new ArrayDeque<>();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private boolean pumping;
    EndReason closedWith;
    boolean tlsStarted;
    Duration idleTimeout;

    /** A server without sockets: the services its sessions share, and a manual clock. */
    static final class Server {
        final ServerConfig config;
        final SessionServices services;
        private final List<Timer> timers = new ArrayList<>();
        private long nowMillis;
        private int connections;

        Server(Pop3Server.Builder builder) {
            this.config = builder.config();
            this.services = SessionServices.create(config, new Events(config.observers()), new Metrics(),
                    new AccessControl(config.accessRules(), config.listeners()), Runnable::run,
                    () -> nowMillis * 1_000_000L);
        }

        /**
         * A new session from a client address, greeted.
         *
         * @param address the client's IP address
         * @return the harness, with the greeting already read
         */
        SessionHarness connect(String address) {
            return start(new SessionHarness(this, client(address, false, List.of())));
        }

        /**
         * A new session on a connection that is already encrypted (implicit TLS), greeted.
         *
         * @param address the client's IP address
         * @param certificates the client's verified certificate chain
         * @param channelBinding the connection's tls-server-end-point binding, or {@code null}
         * @return the harness, with the greeting already read
         */
        SessionHarness connectSecure(String address, List<X509Certificate> certificates, byte[] channelBinding) {
            SessionHarness harness = new SessionHarness(this, client(address, false, List.of()));
            harness.session.secured(client(address, true, certificates), channelBinding);
            return start(harness);
        }

        /**
         * Lets time pass for every session of the server: runs the delayed tasks that fall due.
         *
         * @param time how long
         */
        void advance(Duration time) {
            nowMillis += time.toMillis();
            timers.sort(Comparator.comparingLong(Timer::due));
            while (!timers.isEmpty() && timers.get(0).due() <= nowMillis) {
                Timer timer = timers.remove(0);
                timer.task().run();
                timer.owner().pump();
            }
        }

        private ClientInfo client(String address, boolean secure, List<X509Certificate> certificates) {
            connections++;
            return new ClientInfo("test-" + connections, "pop3", new InetSocketAddress(address, 40000 + connections),
                    new InetSocketAddress("127.0.0.1", 110), secure, certificates);
        }
    }

    private record Timer(long due, Runnable task, SessionHarness owner) {
    }

    private SessionHarness(Server server, ClientInfo client) {
        this.server = server;
        this.session = new ProtocolSession(server.services, this, client, false);
    }

    /**
     * A session of a server configured by the builder, from 127.0.0.1, greeted.
     *
     * @param builder the server's configuration
     * @return the harness, with the greeting already read
     */
    static SessionHarness of(Pop3Server.Builder builder) {
        return new Server(builder).connect("127.0.0.1");
    }

    /**
     * A session on a connection that is already encrypted (implicit TLS).
     *
     * @param builder the server's configuration
     * @return the harness, with the greeting already read
     */
    static SessionHarness secure(Pop3Server.Builder builder) {
        return new Server(builder).connectSecure("127.0.0.1", List.of(), null);
    }

    private static SessionHarness start(SessionHarness harness) {
        harness.session.start(null);
        harness.take();
        return harness;
    }

    /** @return the configuration of the server the session belongs to */
    ServerConfig config() {
        return server.config;
    }

    /** @return the session under test */
    ProtocolSession session() {
        return session;
    }

    /**
     * Sends lines as one pipelined write and returns everything the session answered meanwhile.
     *
     * @param lines command lines, without CRLF
     * @return the octets sent back, as text
     */
    String send(String... lines) {
        for (String line : lines) {
            input.add(new Line(line, line.getBytes(StandardCharsets.UTF_8).length + 2, false));
        }
        pump();
        return take();
    }

    /**
     * Hands the session one line as the decoder cut it (an over-long one included) and returns what it answered.
     *
     * @param line the line
     * @return the octets sent back, as text
     */
    String send(Line line) {
        input.add(line);
        pump();
        return take();
    }

    /**
     * The delayed tasks of this session still waiting on the server's clock.
     *
     * @return how many
     */
    long delaysWaiting() {
        return server.timers.stream().filter(timer -> timer.owner() == this).count();
    }

    /**
     * Lets time pass: runs the delayed tasks that fall due.
     *
     * @param time how long
     * @return everything the session answered meanwhile
     */
    String advance(Duration time) {
        server.advance(time);
        return take();
    }

    /** @return everything the session sent since the last look, e.g. after another session let time pass */
    String received() {
        return take();
    }

    /**
     * Ends the connection as a dropped client would.
     *
     * @return the session's summary
     */
    SessionSummary drop() {
        closedWith = EndReason.CLIENT_DISCONNECTED;
        return session.closed(EndReason.CLIENT_DISCONNECTED);
    }

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (closedWith == null && session.ready() && !input.isEmpty()) {
                session.line(input.poll());
            }
        } finally {
            pumping = false;
        }
    }

    private String take() {
        String text = output.toString(StandardCharsets.UTF_8);
        output.reset();
        return text;
    }

    @Override
    public void send(Reply reply, Sent done) {
        ReplyStream stream;
        MessageContent content = null;
        try {
            if (reply instanceof Reply.Content message) {
                content = message.source().open();
                ContentEncoder encoder = message.bodyLines() < 0 ? ContentEncoder.whole(content.wireReady())
                        : ContentEncoder.top(message.bodyLines());
                stream = ReplyStream.content(message.statusLine(), content.channel(), encoder,
                        ByteBuffer.allocate(64));
            } else if (reply instanceof Reply.Lines lines) {
                stream = ReplyStream.lines(lines.statusLine(), lines.lines());
            } else if (reply instanceof Reply.Verbatim verbatim && verbatim.multiLine()) {
                stream = ReplyStream.lines(verbatim.statusLine(), verbatim.lines().iterator());
            } else {
                stream = ReplyStream.single(reply.statusLine());
            }
            ByteBuffer chunk = ByteBuffer.allocate(16);
            boolean complete;
            do {
                complete = stream.fill(chunk.clear());
                output.write(chunk.array(), 0, chunk.position());
            } while (!complete);
        } catch (Exception e) {
            done.failed(e, false);
            return;
        } finally {
            if (content != null) {
                try {
                    content.close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        done.sent();
    }

    @Override
    public void startTls() {
        tlsStarted = true;
    }

    @Override
    public void close(EndReason reason) {
        closedWith = reason;
    }

    @Override
    public <T> void call(boolean mayBlock, Callable<T> call, BiConsumer<T, Exception> then, Consumer<T> orphan) {
        T result;
        try {
            result = call.call();
        } catch (Exception e) {
            then.accept(null, e);
            return;
        }
        then.accept(result, null);
    }

    @Override
    public Runnable later(Duration delay, Runnable task) {
        Timer timer = new Timer(server.nowMillis + delay.toMillis(), () -> {
            if (closedWith == null) {
                task.run();
            }
        }, this);
        server.timers.add(timer);
        return () -> server.timers.remove(timer);
    }

    @Override
    public void when(CompletionStage<?> stage, Duration timeout, Runnable task) {
        boolean[] once = new boolean[1];
        Runnable fire = () -> {
            if (!once[0]) {
                once[0] = true;
                task.run();
            }
        };
        stage.whenComplete((v, e) -> fire.run());
        later(timeout, fire);
    }

    @Override
    public void idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
    }
}
