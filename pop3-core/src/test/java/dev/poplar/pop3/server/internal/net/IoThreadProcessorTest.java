package dev.poplar.pop3.server.internal.net;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The processor skips the selector wake-ups its own thread asks for (work queued by that thread at any stage of the
 * loop must still go out at once, not after the next one-second {@code select}), and its loop lasts until disposal.
 */
class IoThreadProcessorTest {

    /** Well under the one second a missed wake-up costs (MINA's select timeout), well over a busy machine's delays. */
    private static final long PROMPT_MILLIS = 500;

    private final SimpleIoProcessorPool<NioSession> pool = new SimpleIoProcessorPool<>(IoThreadProcessor.class, 1);
    private final NioSocketAcceptor acceptor = new NioSocketAcceptor((Executor) null, pool);

    @AfterEach
    void stop() {
        acceptor.dispose(true);
        pool.dispose();
    }

    /** An idle event comes after the loop's flush stage: a reply and a close made there are the late case. */
    @Test
    void aReplyAndACloseMadeOnAnIdleEventGoOutAtOnce() throws Exception {
        CompletableFuture<Long> idleAt = new CompletableFuture<>();
        acceptor.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, 1);
        InetSocketAddress address = start(new IoHandlerAdapter() {
            @Override
            public void sessionIdle(IoSession session, IdleStatus status) {
                idleAt.complete(System.nanoTime());
                session.write(line("-ERR idle"));
                session.closeOnFlush();
            }
        });

        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(10_000);
            BufferedReader in = reader(client);

            assertThat(in.readLine()).isEqualTo("-ERR idle");
            assertThat(in.readLine()).isNull();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleAt.get(1, TimeUnit.SECONDS));
            assertThat(elapsed).isLessThan(PROMPT_MILLIS);
        }
    }

    /** A write from another thread (a worker handing back) still wakes the selector, as MINA's processor does. */
    @Test
    void aWriteFromAnotherThreadWakesTheLoop() throws Exception {
        CompletableFuture<Long> writtenAt = new CompletableFuture<>();
        InetSocketAddress address = start(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession session, Object message) {
                Thread other = new Thread(() -> {
                    writtenAt.complete(System.nanoTime());
                    session.write(line("+OK from a worker"));
                });
                other.start();
            }
        });

        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(reader(client).readLine()).isEqualTo("+OK from a worker");
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writtenAt.get(1, TimeUnit.SECONDS));
            assertThat(elapsed).isLessThan(PROMPT_MILLIS);
        }
    }

    /** Connections one after another, the processor idle in between, are each served at once. */
    @Test
    void connectionsOneAfterAnotherAreEachServedAtOnce() throws Exception {
        InetSocketAddress address = start(new IoHandlerAdapter() {
            @Override
            public void sessionOpened(IoSession session) {
                session.write(line("+OK hello"));
            }

            @Override
            public void messageReceived(IoSession session, Object message) {
                session.write(line("+OK bye"));
                session.closeOnFlush();
            }
        });

        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            try (Socket client = new Socket(address.getAddress(), address.getPort())) {
                client.setSoTimeout(10_000);
                BufferedReader in = reader(client);
                assertThat(in.readLine()).isEqualTo("+OK hello");
                client.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("+OK bye");
                assertThat(in.readLine()).isNull();
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(PROMPT_MILLIS);
            awaitNoSessions();
        }
    }

    /** After a read that took all the socket held, what the client sends later is still read, in order. */
    @Test
    void inputThatArrivesAfterAShortReadIsStillRead() throws Exception {
        StringBuffer received = new StringBuffer();
        InetSocketAddress address = start(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession session, Object message) {
                received.append(new String(octets(message), StandardCharsets.US_ASCII));
                if (received.indexOf("\n") >= 0) {
                    session.write(line("+OK " + received.toString().strip()));
                    received.setLength(0);
                }
            }
        });

        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(10_000);
            client.setTcpNoDelay(true);
            BufferedReader in = reader(client);
            for (int i = 0; i < 20; i++) {
                client.getOutputStream().write(("RE" + i).getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Thread.sleep(2);
                client.getOutputStream().write(("TR " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("+OK RE" + i + "TR " + i);
            }
        }
    }

    /** Input larger than any read buffer arrives whole and in order, and the end of input after it is seen. */
    @Test
    void aLargeInputArrivesWholeAndTheEndOfInputAfterIt() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        CompletableFuture<byte[]> atEnd = new CompletableFuture<>();
        InetSocketAddress address = start(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession session, Object message) {
                received.writeBytes(octets(message));
            }

            @Override
            public void inputClosed(IoSession session) {
                atEnd.complete(received.toByteArray());
                session.closeNow();
            }
        });
        byte[] sent = new byte[300_000];
        new Random(7).nextBytes(sent);

        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.getOutputStream().write(sent, 0, 1000);
            client.getOutputStream().flush();
            Thread.sleep(20);
            client.getOutputStream().write(sent, 1000, sent.length - 1000);
            client.shutdownOutput();

            assertThat(atEnd.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
        }
    }

    /** MINA ends the loop with the last session (its pool thread gets its own name back); this one keeps it. */
    @Test
    void theLoopOutlivesItsLastSessionAndEndsWhenDisposed() throws Exception {
        CompletableFuture<Thread> ioThread = new CompletableFuture<>();
        InetSocketAddress address = start(new IoHandlerAdapter() {
            @Override
            public void sessionOpened(IoSession session) {
                ioThread.complete(Thread.currentThread());
                session.closeNow();
            }
        });
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(10_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        awaitNoSessions();
        Thread.sleep(100);

        Thread thread = ioThread.get(1, TimeUnit.SECONDS);
        assertThat(thread.isAlive()).isTrue();
        assertThat(thread.getName()).startsWith(IoThreadProcessor.class.getSimpleName());

        acceptor.dispose(true);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> pool.dispose());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getName().startsWith(IoThreadProcessor.class.getSimpleName()) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(thread.getName()).doesNotStartWith(IoThreadProcessor.class.getSimpleName());
    }

    private InetSocketAddress start(IoHandlerAdapter handler) throws IOException {
        acceptor.setHandler(handler);
        acceptor.bind(new InetSocketAddress("127.0.0.1", 0));
        return acceptor.getLocalAddress();
    }

    private void awaitNoSessions() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (acceptor.getManagedSessionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(acceptor.getManagedSessionCount()).isZero();
    }

    private static byte[] octets(Object message) {
        IoBuffer buffer = (IoBuffer) message;
        byte[] octets = new byte[buffer.remaining()];
        buffer.get(octets);
        return octets;
    }

    private static IoBuffer line(String text) {
        return IoBuffer.wrap((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static BufferedReader reader(Socket client) throws IOException {
        return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    }
}
