package dev.poplar.pop3.auth.passwd.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class VerifiedPasswordsTest {

    @TempDir
    Path dir;

    private UserTable table(String line) throws Exception {
        return UserTable.parse(Files.writeString(dir.resolve("users-" + System.nanoTime()), line + "\n"));
    }

    private static byte[] octets(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDigestMatchesOnlyForItsUserItsPasswordAndTheFileThatAcceptedIt() throws Exception {
        VerifiedPasswords cache = new VerifiedPasswords(Duration.ofHours(1), 10, Ticker.systemTicker());
        UserTable file = table("alice:{PLAIN}secret");
        byte[] digest = cache.digest("alice", octets("secret"));
        cache.remember("alice", file, digest);

        assertThat(cache.matches("alice", file, cache.digest("alice", octets("secret")))).isTrue();
        assertThat(cache.matches("alice", file, cache.digest("alice", octets("secreT")))).isFalse();
        assertThat(cache.matches("bob", file, cache.digest("bob", octets("secret")))).isFalse();
        assertThat(cache.matches("alice", table("alice:{PLAIN}secret"), digest)).isFalse();
        // Another instance draws another key: its digests of the same password differ.
        assertThat(new VerifiedPasswords(Duration.ofHours(1), 10, Ticker.systemTicker())
                .digest("alice", octets("secret"))).isNotEqualTo(digest);
    }

    @Test
    void entriesOfAnEarlierFileDoNotKeepItInMemory() throws Exception {
        VerifiedPasswords cache = new VerifiedPasswords(Duration.ofHours(1), 10, Ticker.systemTicker());
        UserTable earlier = table("alice:{PLAIN}secret");
        cache.remember("alice", earlier, cache.digest("alice", octets("secret")));
        WeakReference<UserTable> watched = new WeakReference<>(earlier);
        earlier = null;

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (watched.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }

        assertThat(watched.get()).as("the earlier file, referenced by the cache only").isNull();
        assertThat(cache.size()).isEqualTo(1);
    }
}
