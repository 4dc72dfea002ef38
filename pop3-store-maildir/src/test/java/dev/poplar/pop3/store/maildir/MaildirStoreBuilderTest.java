package dev.poplar.pop3.store.maildir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaildirStoreBuilderTest {

    @TempDir
    Path root;

    @Test
    void theDefaultsBuildAStoreOverTheRealPathOfTheRoot() throws Exception {
        try (MaildirStore store = MaildirStore.builder(root.resolve(".")).build()) {
            assertThat(store.root()).isEqualTo(root.toRealPath());
        }
    }

    @Test
    void aMissingRootIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> MaildirStore.builder(root.resolve("absent")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("root: ")
                .hasMessageContaining("does not exist");
    }

    @Test
    void aRootThatIsAFileIsRefusedNamingTheSetting() throws Exception {
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThatThrownBy(() -> MaildirStore.builder(file).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root: ")
                .hasMessageContaining("not a directory");
    }

    @Test
    void aHeartbeatNotShorterThanTheStaleTimeIsRefused() {
        assertThatThrownBy(() -> MaildirStore.builder(root).lockHeartbeat(Duration.ofMinutes(2))
                .lockStaleAfter(Duration.ofMinutes(2)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockHeartbeat").hasMessageContaining("lockStaleAfter");
    }

    @Test
    void durationsMustBePositive() {
        assertThatThrownBy(() -> MaildirStore.builder(root).lockStaleAfter(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockStaleAfter");
        assertThatThrownBy(() -> MaildirStore.builder(root).lockHeartbeat(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockHeartbeat");
        assertThatThrownBy(() -> MaildirStore.builder(root).lockHeartbeat(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("lockHeartbeat");
    }

    @Test
    void cacheSizesMustNotBeNegative() {
        assertThatThrownBy(() -> MaildirStore.builder(root).listingCache(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listingCache");
        assertThatThrownBy(() -> MaildirStore.builder(root).sizeCache(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sizeCache");
    }

    @Test
    void aLockHostNameWithWhiteSpaceIsRefused() {
        assertThatThrownBy(() -> MaildirStore.builder(root).lockHostName("two words").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockHostName");
        assertThatThrownBy(() -> MaildirStore.builder(root).lockHostName("").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockHostName");
    }

    @Test
    void aNullDeletionModeIsRefusedAtOnce() {
        assertThatThrownBy(() -> MaildirStore.builder(root).deletedMessages(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("deletedMessages");
    }
}
