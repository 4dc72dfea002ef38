package dev.poplar.pop3.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poplar.pop3.store.MailboxStore.Operation;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrackingStoreTest {

    private final InMemoryMailboxStore memory = new InMemoryMailboxStore();
    private final TrackingStore store = new TrackingStore(memory, new Journal(memory), Duration.ofSeconds(30), false);

    @Test
    void onlyOpeningMayWaitSoContentAndTheEndOfASessionStayOnTheNetworkThread() {
        assertThat(store.mayBlock(Operation.OPEN)).isTrue();
        assertThat(store.mayBlock(Operation.CONTENT)).isFalse();
        assertThat(store.mayBlock(Operation.UPDATE)).isFalse();
    }

    @Test
    void anOpenWaitsForTheSessionThatHoldsTheMailboxToEnd() throws Exception {
        memory.add("alice", "Subject: one\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        Maildrop first = store.open("alice");
        CompletableFuture<Maildrop> second = CompletableFuture.supplyAsync(() -> {
            try {
                return store.open("alice");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(second).isNotDone();

        first.update(Set.of(first.messages().get(0)), Set.of());
        first.close();

        try (Maildrop next = second.get(10, TimeUnit.SECONDS)) {
            assertThat(next.messages()).isEmpty();
        }
    }
}
