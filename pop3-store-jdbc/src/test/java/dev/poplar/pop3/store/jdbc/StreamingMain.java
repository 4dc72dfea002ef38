package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.DigestInputStream;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Delivers a generated message and reads it back, in a process of its own whose heap is smaller than the message:
 * proof that neither direction holds it whole. Prints {@code DELIVERED <pop3 size> <sha-256>} and
 * {@code READ <octets> <sha-256> <wire ready>}. Arguments: JDBC URL, schema, length in octets.
 */
public final class StreamingMain {

    private StreamingMain() {
    }

    /**
     * Runs the round trip.
     *
     * @param args URL, schema, length
     * @throws Exception if anything fails (the process then exits non-zero)
     */
    public static void main(String[] args) throws Exception {
        long length = Long.parseLong(args[2]);
        try (JdbcMailboxStore store = JdbcMailboxStore.builder(args[0], PostgresServer.SUPERUSER, "")
                .schema(args[1])
                .poolSize(2)
                .connectionTimeout(Duration.ofSeconds(30))
                .statementTimeout(Duration.ofSeconds(30))
                .build()) {
            MessageDigest in = MessageDigest.getInstance("SHA-256");
            long start = System.nanoTime();
            MessageInfo info;
            try (InputStream message = new DigestInputStream(new GeneratedMessage(length), in)) {
                info = store.deliver("big", message);
            }
            long delivered = System.nanoTime();
            System.out.println("DELIVERED " + info.size() + " " + HexFormat.of().formatHex(in.digest()));
            MessageDigest out = MessageDigest.getInstance("SHA-256");
            long octets = 0;
            boolean wireReady;
            try (Maildrop maildrop = store.open("big");
                 MessageContent content = maildrop.content(maildrop.messages().get(0))) {
                wireReady = content.wireReady();
                ReadableByteChannel channel = content.channel();
                ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
                for (int n; (n = channel.read(buffer)) >= 0; ) {
                    octets += n;
                    buffer.flip();
                    out.update(buffer);
                    buffer.clear();
                }
            }
            long read = System.nanoTime();
            System.out.println("READ " + octets + " " + HexFormat.of().formatHex(out.digest()) + " " + wireReady);
            System.out.println("MILLIS " + (delivered - start) / 1_000_000 + " " + (read - delivered) / 1_000_000
                    + " HEAP " + Runtime.getRuntime().maxMemory());
        }
    }
}
