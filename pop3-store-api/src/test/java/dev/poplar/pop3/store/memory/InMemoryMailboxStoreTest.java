package dev.poplar.pop3.store.memory;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryMailboxStoreTest {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();

    static String read(MessageContent content) throws IOException {
        ReadableByteChannel channel = content.channel();
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        StringBuilder text = new StringBuilder();
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            text.append(StandardCharsets.UTF_8.decode(buffer));
            buffer.clear();
        }
        content.close();
        return text.toString();
    }

    @Test
    void aMailboxOpensAsASnapshotWithExactSizes() throws Exception {
        MessageInfo a = store.add("alice", "Subject: a\n\nbody\n");
        try (Maildrop drop = store.open("alice")) {
            assertThat(drop.messages()).containsExactly(a);
            assertThat(a.size()).isEqualTo(17 + 3);
            assertThat(read(drop.content(a))).isEqualTo("Subject: a\n\nbody\n");
            store.add("alice", "late");
            assertThat(drop.messages()).containsExactly(a);
        }
        assertThat(store.messages("alice")).hasSize(2);
    }

    @Test
    void anUnknownMailboxOpensEmpty() throws Exception {
        try (Maildrop drop = store.open("nobody")) {
            assertThat(drop.messages()).isEmpty();
        }
    }

    @Test
    void aSecondOpenIsRefusedAsInUseUntilTheFirstCloses() throws Exception {
        Maildrop first = store.open("alice");
        assertThat(store.isLocked("alice")).isTrue();
        assertThatThrownBy(() -> store.open("alice")).isInstanceOf(StoreException.class)
                .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.IN_USE);
        first.close();
        first.close();
        assertThat(store.isLocked("alice")).isFalse();
        store.open("alice").close();
    }

    @Test
    void updateRemovesOnlyTheDeletedMessages() throws Exception {
        MessageInfo a = store.add("alice", "a");
        MessageInfo b = store.add("alice", "b");
        try (Maildrop drop = store.open("alice")) {
            assertThat(drop.update(Set.of(a), Set.of(b)).isComplete()).isTrue();
        }
        assertThat(store.messages("alice")).containsExactly(b);
    }

    @Test
    void aMessageRemovedDuringASessionReadsAsGone() throws Exception {
        MessageInfo a = store.add("alice", "a");
        try (Maildrop drop = store.open("alice")) {
            assertThat(store.remove("alice", a.uid())).isTrue();
            assertThatThrownBy(() -> drop.content(a)).isInstanceOf(StoreException.class)
                    .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.GONE);
        }
    }

    @Test
    void uniqueIdsAreUniqueAcrossMailboxesThreadsAndStores() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<MessageInfo>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int n = i;
            futures.add(pool.submit(() -> store.add("box" + (n % 7), "m" + n)));
        }
        Set<String> uids = new HashSet<>();
        for (Future<MessageInfo> f : futures) {
            uids.add(f.get().uid());
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(uids).hasSize(2000);
        assertThat(uids).doesNotContain(new InMemoryMailboxStore().add("box0", "x").uid());
    }

    @Nested
    class Times {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T08:00:00Z"));
        final InMemoryMailboxStore timed = new InMemoryMailboxStore(((InstantSource) now::get).withZone(ZoneOffset.UTC));

        @Test
        void aMessageArrivesAtTheTimeOfTheStoresClockAndIsNotRetrievedYet() throws Exception {
            MessageInfo a = timed.add("alice", "a");
            now.set(now.get().plus(Duration.ofHours(1)));
            try (Maildrop drop = timed.open("alice")) {
                assertThat(drop.arrived(a)).contains(Instant.parse("2026-03-01T08:00:00Z"));
                assertThat(drop.firstRetrieved(a)).isEmpty();
            }
        }

        @Test
        void theFirstUpdateThatRetrievedAMessageRecordsTheTimeAndLaterOnesKeepIt() throws Exception {
            MessageInfo a = timed.add("alice", "a");
            MessageInfo b = timed.add("alice", "b");
            now.set(now.get().plus(Duration.ofDays(1)));
            try (Maildrop drop = timed.open("alice")) {
                drop.update(Set.of(), Set.of(a));
                assertThat(drop.firstRetrieved(a)).as("as of the open").isEmpty();
            }
            Instant first = now.get();
            now.set(now.get().plus(Duration.ofDays(1)));
            try (Maildrop drop = timed.open("alice")) {
                assertThat(drop.firstRetrieved(a)).contains(first);
                assertThat(drop.firstRetrieved(b)).isEmpty();
                drop.update(Set.of(), Set.of(a, b));
            }
            assertThat(timed.firstRetrieved("alice", a.uid())).contains(first);
            assertThat(timed.firstRetrieved("alice", b.uid())).contains(now.get());
            assertThat(timed.messages("alice")).as("message infos stay equal across sessions").containsExactly(a, b);
        }

        @Test
        void expireRemovesTheMessagesAtOnce() throws Exception {
            MessageInfo a = timed.add("alice", "a");
            MessageInfo b = timed.add("alice", "b");
            try (Maildrop drop = timed.open("alice")) {
                assertThat(drop.expire(Set.of(a)).isComplete()).isTrue();
                assertThat(drop.messages()).as("the snapshot stays").containsExactly(a, b);
            }
            assertThat(timed.messages("alice")).containsExactly(b);
        }
    }

    @Test
    void addedContentIsCopied() {
        byte[] content = "abc".getBytes(StandardCharsets.US_ASCII);
        MessageInfo info = store.add("alice", content);
        content[0] = 'X';
        assertThat(store.content("alice", info.uid())).hasValueSatisfying(
                c -> assertThat(new String(c, StandardCharsets.US_ASCII)).isEqualTo("abc"));
    }
}
