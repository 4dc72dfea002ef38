package dev.poplar.pop3.bench.jmh;

import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.codec.LinesEncoder;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.command.SessionContext;
import dev.poplar.pop3.server.internal.command.State;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.UpdateResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * UIDL and LIST of a large maildrop: the dispatcher's reply, formatted line by line into 64 KiB chunks exactly as the
 * server streams it. The score is the time for one complete listing.
 */
@org.openjdk.jmh.annotations.State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ListingBenchmarks {

    @Param({"100000"})
    public int messages;

    private final Dispatcher dispatcher = new Dispatcher();
    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    private SessionContext session;

    @Setup
    public void setUp() {
        List<MessageInfo> infos = new ArrayList<>(messages);
        for (int i = 0; i < messages; i++) {
            infos.add(new MessageInfo("1764000000.M" + i + "P1000.bench", 512 + i % 100));
        }
        MaildropView view = new MaildropView(new FixedMaildrop(infos), "bench");
        session = new TransactionContext(view);
    }

    @Benchmark
    public long uidl() {
        return stream(dispatcher.dispatch(session, "UIDL").reply());
    }

    @Benchmark
    public long list() {
        return stream(dispatcher.dispatch(session, "LIST").reply());
    }

    private long stream(Reply reply) {
        LinesEncoder encoder = new LinesEncoder(((Reply.Lines) reply).lines());
        long octets = 0;
        boolean done = false;
        while (!done) {
            chunk.clear();
            done = encoder.fill(chunk);
            octets += chunk.position();
        }
        return octets;
    }

    /** A maildrop that only lists. */
    private record FixedMaildrop(List<MessageInfo> messages) implements Maildrop {
        @Override
        public MessageContent content(MessageInfo message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) {
            return UpdateResult.complete();
        }

        @Override
        public void close() {
        }
    }

    /** A logged-in session without a network, enough for the listing commands. */
    private record TransactionContext(MaildropView maildrop) implements SessionContext {
        @Override
        public ServerConfig config() {
            throw new UnsupportedOperationException();
        }

        @Override
        public State state() {
            return State.TRANSACTION;
        }

        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public boolean stlsAvailable() {
            return false;
        }

        @Override
        public boolean plaintextAllowed() {
            return false;
        }

        @Override
        public String apopTimestamp() {
            return null;
        }

        @Override
        public List<SaslMechanism> mechanisms() {
            return List.of();
        }

        @Override
        public boolean knownMechanism(String name) {
            return false;
        }

        @Override
        public String pendingUser() {
            return null;
        }

        @Override
        public void pendingUser(String user) {
        }

        @Override
        public Reply login(Credentials credentials, String mechanism) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Reply loginFailed(String username, String mechanism, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Reply quit() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void startTlsAfterReply() {
        }

        @Override
        public void saslInProgress(SaslExchange exchange, String mechanism) {
        }
    }
}
