package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.ContentFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A 50 MiB message goes in and comes out through a JVM with a 32 MiB heap. */
@ExtendWith(PostgresExtension.class)
class StreamingTest {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingTest.class);
    private static final long LENGTH = 50L * 1024 * 1024;

    @Test
    void aFiftyMebibyteMessageIsDeliveredAndReadBackWithinA32MebibyteHeap(TestSchema db) throws Exception {
        db.store();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process round = new ProcessBuilder(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp",
                TestClassPath.full(), StreamingMain.class.getName(),
                db.server().jdbcUrl("postgres"), db.name(), Long.toString(LENGTH))
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream out = round.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(round.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(round.exitValue()).as(output).isZero();

        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        ContentFacts facts;
        try (InputStream generated = new DigestInputStream(new GeneratedMessage(LENGTH), digest)) {
            facts = ContentFacts.scan(generated);
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        List<String> lines = output.lines().filter(l -> l.matches("^(DELIVERED|READ|MILLIS) .*")).toList();
        assertThat(lines).as(output).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("DELIVERED " + facts.size() + " " + sha);
        assertThat(lines.get(1)).isEqualTo("READ " + LENGTH + " " + sha + " false");
        LOG.info("50 MiB through a 32 MiB heap: {}", lines.get(2));
        assertThat(db.number("SELECT pop3_size FROM %s.message")).isEqualTo(facts.size());
    }
}
