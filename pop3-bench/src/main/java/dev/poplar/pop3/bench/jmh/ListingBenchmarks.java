package dev.poplar.pop3.bench.jmh;

import dev.poplar.pop3.server.internal.codec.LinesEncoder;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.ScanListing;
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
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * UIDL and LIST of a large maildrop: the listing lines, formatted into 64 KiB chunks exactly as the server streams
 * them. The score is the time for one complete listing.
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

    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    private MaildropView view;

    @Setup
    public void setUp() {
        List<MessageInfo> infos = new ArrayList<>(messages);
        for (int i = 0; i < messages; i++) {
            infos.add(new MessageInfo("1764000000.M" + i + "P1000.bench", 512 + i % 100));
        }
        view = new MaildropView(new FixedMaildrop(infos), "bench");
    }

    @Benchmark
    public long uidl() {
        return stream(ScanListing.uidl(view));
    }

    @Benchmark
    public long list() {
        return stream(ScanListing.list(view));
    }

    private long stream(Iterator<String> lines) {
        LinesEncoder encoder = new LinesEncoder(lines);
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
}
