package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MailboxStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RetentionTest {

    static final Instant ARRIVED = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);

    @Nested
    class Expired {
        final Retention policy = Retention.afterRetrieval(Duration.ofDays(14)).orAfterArrival(Duration.ofDays(90));

        @Test
        void aRetrievedMessageExpiresWhenItsTimeAfterTheFirstRetrievalIsUp() {
            Instant retrieved = ARRIVED.plus(DAY);
            assertThat(policy.expired(ARRIVED, retrieved, retrieved.plus(Duration.ofDays(14)).minusSeconds(1)))
                    .isFalse();
            assertThat(policy.expired(ARRIVED, retrieved, retrieved.plus(Duration.ofDays(14)))).isTrue();
        }

        @Test
        void anyMessageExpiresWhenItsTimeAfterArrivalIsUp() {
            assertThat(policy.expired(ARRIVED, null, ARRIVED.plus(Duration.ofDays(90)).minusSeconds(1))).isFalse();
            assertThat(policy.expired(ARRIVED, null, ARRIVED.plus(Duration.ofDays(90)))).isTrue();
        }

        @Test
        void aMessageWhoseTimesAreUnknownNeverExpires() {
            assertThat(policy.expired(null, null, ARRIVED.plus(Duration.ofDays(10_000)))).isFalse();
        }

        @Test
        void keepingForeverExpiresNothing() {
            assertThat(Retention.keepForever().expired(ARRIVED, ARRIVED, ARRIVED.plus(Duration.ofDays(10_000))))
                    .isFalse();
        }
    }

    @Test
    void theExpireValueIsTheShortestRuleInWholeDaysRoundedDown() {
        assertThat(Retention.afterRetrieval(Duration.ofDays(14)).expire()).isEqualTo(Expire.days(14));
        assertThat(Retention.afterRetrieval(Duration.ofDays(14)).orAfterArrival(Duration.ofDays(7)).expire())
                .isEqualTo(Expire.days(7));
        assertThat(Retention.afterArrival(Duration.ofHours(36)).expire().capability()).isEqualTo("EXPIRE 1");
        assertThat(Retention.afterRetrieval(Duration.ZERO).expire().capability()).isEqualTo("EXPIRE 0");
        assertThat(Retention.keepForever().expire().capability()).isEqualTo("EXPIRE NEVER");
        assertThat(Retention.afterArrival(Duration.ofDays(1_000_000)).expire()).isEqualTo(Expire.days(99_999));
    }

    @Test
    void aPolicyNeedsTheTimesItsRulesCountFrom() {
        assertThat(Retention.afterRetrieval(Duration.ofDays(14)).requiredTimes())
                .containsExactly(MailboxStore.MessageTime.FIRST_RETRIEVAL);
        assertThat(Retention.afterRetrieval(Duration.ZERO).requiredTimes()).as("removed at QUIT").isEmpty();
        assertThat(Retention.afterArrival(DAY).requiredTimes()).containsExactly(MailboxStore.MessageTime.ARRIVAL);
        assertThat(Retention.afterRetrieval(DAY).orAfterArrival(DAY).requiredTimes())
                .containsExactlyInAnyOrder(MailboxStore.MessageTime.ARRIVAL, MailboxStore.MessageTime.FIRST_RETRIEVAL);
        assertThat(Retention.keepForever().requiredTimes()).isEmpty();
    }

    @Test
    void durationsThatMakeNoSenseAreRefusedNamingTheRule() {
        assertThatIllegalArgumentException().isThrownBy(() -> Retention.afterRetrieval(Duration.ofDays(-1)))
                .withMessageContaining("afterRetrieval");
        assertThatIllegalArgumentException().isThrownBy(() -> Retention.afterArrival(Duration.ZERO))
                .withMessageContaining("afterArrival");
        assertThatIllegalArgumentException().isThrownBy(
                () -> Retention.afterRetrieval(DAY).orAfterArrival(Duration.ofDays(-1)))
                .withMessageContaining("afterArrival");
    }

    @Test
    void policiesWithTheSameRulesAreEqualAndSaySo() {
        assertThat(Retention.afterRetrieval(DAY).orAfterArrival(DAY))
                .isEqualTo(Retention.afterRetrieval(DAY).orAfterArrival(DAY))
                .hasSameHashCodeAs(Retention.afterRetrieval(DAY).orAfterArrival(DAY))
                .isNotEqualTo(Retention.afterRetrieval(DAY))
                .hasToString("Retention[delete PT24H after first retrieval, or PT24H after arrival]");
        assertThat(Retention.keepForever()).hasToString("Retention[keep forever]");
    }
}
