package dev.poplar.pop3.bench.jmh;

import dev.poplar.pop3.server.internal.codec.ContentEncoder;
import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.codec.LineDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The byte-level hot paths of a POP3 session: splitting pipelined command lines, and turning a stored message into a
 * RETR body (CRLF conversion and dot-stuffing) compared with a plain copy of the same octets, the floor any encoder
 * pays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmarks {

    /** 1,000 pipelined commands, as a client downloading a mailbox sends them. */
    private ByteBuffer commands;
    /** A 50 KiB message stored with LF line ends, a few lines starting with a dot. */
    private byte[] lfMessage;
    /** The same message stored with CRLF line ends and no dot lines: wire-ready. */
    private byte[] crlfMessage;
    private ByteBuffer out;

    @Setup
    public void setUp() {
        StringBuilder batch = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            batch.append("RETR ").append(i).append("\r\n");
        }
        commands = ByteBuffer.wrap(batch.toString().getBytes(StandardCharsets.US_ASCII));
        StringBuilder message = new StringBuilder("From: a@example.org\nSubject: benchmark\n\n");
        for (int i = 0; message.length() < 50 * 1024; i++) {
            message.append(i % 50 == 0 ? "." : "").append("line ").append(i)
                    .append(" of a message body, long enough to look like text\n");
        }
        lfMessage = message.toString().getBytes(StandardCharsets.US_ASCII);
        crlfMessage = message.toString().replace("\n.", "\n").replace("\n", "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        out = ByteBuffer.allocate(64 * 1024);
    }

    /** Lines per second through the decoder (the score is batches of 1,000 lines). */
    @Benchmark
    public void decodeCommandLines(Blackhole bh) {
        LineDecoder decoder = new LineDecoder(16 * 1024);
        ByteBuffer in = commands.duplicate();
        for (Line line; (line = decoder.next(in)) != null; ) {
            bh.consume(line);
        }
    }

    /** Baseline: copying the 50 KiB message into output chunks without looking at it. */
    @Benchmark
    public int copyMessage() {
        return encode(null, crlfMessage);
    }

    /** RETR of a wire-ready (CRLF, no dot lines) message: copied as is. */
    @Benchmark
    public int encodeWireReadyMessage() {
        return encode(ContentEncoder.whole(true), crlfMessage);
    }

    /** RETR of an LF message: every line end converted, dot lines stuffed. */
    @Benchmark
    public int encodeLfMessage() {
        return encode(ContentEncoder.whole(false), lfMessage);
    }

    /** RETR of a CRLF message through the converting path (its wire-readiness unknown). */
    @Benchmark
    public int encodeCrlfMessageUnknownForm() {
        return encode(ContentEncoder.whole(false), crlfMessage);
    }

    private int encode(ContentEncoder encoder, byte[] message) {
        ByteBuffer in = ByteBuffer.wrap(message);
        int total = 0;
        while (in.hasRemaining()) {
            out.clear();
            if (encoder == null) {
                int n = Math.min(in.remaining(), out.remaining());
                out.put(in.array(), in.position(), n);
                in.position(in.position() + n);
            } else {
                encoder.encode(in, out);
            }
            total += out.position();
        }
        if (encoder != null) {
            out.clear();
            encoder.finish(out);
            total += out.position();
        }
        return total;
    }
}
