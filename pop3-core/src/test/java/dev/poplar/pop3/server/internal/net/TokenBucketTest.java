package dev.poplar.pop3.server.internal.net;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {

    static final long SECOND = 1_000_000_000L;

    @Nested
    class AFullBucket {
        final TokenBucket bucket = new TokenBucket(1000, 100, true, 0);

        @Test
        void letsItsCapacityGoAtOnce() {
            assertThat(bucket.reserve(100, 0)).isZero();
        }

        @Test
        void makesTheOctetsBeyondItsCapacityWaitForTheRate() {
            bucket.reserve(100, 0);
            assertThat(bucket.reserve(50, 0)).isEqualTo(SECOND / 20);
            assertThat(bucket.reserve(50, 0)).as("the debt adds up").isEqualTo(SECOND / 10);
        }

        @Test
        void refillsAtTheRateUpToItsCapacity() {
            bucket.reserve(100, 0);
            assertThat(bucket.reserve(50, SECOND / 20)).isZero();
            assertThat(bucket.reserve(100, 10 * SECOND)).as("capped at the capacity after a long pause").isZero();
            assertThat(bucket.reserve(1, 10 * SECOND)).isEqualTo(SECOND / 1000);
        }

        @Test
        void takesAChunkLargerThanItsCapacityAsDebt() {
            assertThat(bucket.reserve(1100, 0)).isEqualTo(SECOND);
            assertThat(bucket.reserve(100, SECOND)).isEqualTo(SECOND / 10);
        }
    }

    @Test
    void anEmptyBucketMakesTheFirstChunkWait() {
        TokenBucket bucket = new TokenBucket(1000, 100, false, 0);
        assertThat(bucket.reserve(100, 0)).isEqualTo(SECOND / 10);
    }

    @Test
    void aReservationWithAnOlderClockReadingThanTheLastDoesNotDrainTheBucket() {
        TokenBucket bucket = new TokenBucket(1000, 100, false, 0);
        bucket.reserve(0, SECOND);
        assertThat(bucket.reserve(100, SECOND / 2)).as("another thread read the clock earlier").isZero();
    }

    @Test
    void overAnyStretchTheOctetsSentStayWithinTheRateAndTheCapacity() {
        TokenBucket bucket = new TokenBucket(10_000, 1000, true, 0);
        long now = 0;
        long sent = 0;
        for (int i = 0; i < 500; i++) {
            now += bucket.reserve(700, now);
            sent += 700;
            assertThat(sent).isLessThanOrEqualTo(1000 + 10_000 * now / SECOND + 1);
        }
        assertThat(sent).isGreaterThanOrEqualTo(10_000 * now / SECOND);
    }

    @Nested
    class TheBandwidthOfAServer {
        final Bandwidth bandwidth = new Bandwidth(Bandwidth.UNLIMITED, 10_000);

        @Test
        void givesTheConnectionsOfOneUserOneBucketAndForgetsItWithTheLastConnection() {
            Throttle first = bandwidth.throttle();
            Throttle second = bandwidth.throttle();
            assertThat(first.limited()).as("before login").isFalse();
            first.user("alice");
            second.user("alice");
            assertThat(bandwidth.users()).isEqualTo(1);
            long now = System.nanoTime();
            assertThat(first.reserve(1000, now)).isZero();
            assertThat(second.reserve(1000, now)).as("the first connection used the user's burst").isPositive();
            first.release();
            assertThat(bandwidth.users()).isEqualTo(1);
            second.release();
            second.release();
            assertThat(bandwidth.users()).isZero();
        }

        @Test
        void keepsUsersApart() {
            Throttle alice = bandwidth.throttle();
            Throttle bob = bandwidth.throttle();
            alice.user("alice");
            bob.user("bob");
            long now = System.nanoTime();
            assertThat(alice.reserve(1000, now)).isZero();
            assertThat(bob.reserve(1000, now)).isZero();
        }

        @Test
        void limitsChunksToWhatTheBucketsLetGoAtOnce() {
            Throttle both = new Bandwidth(20_000, 10_000).throttle();
            assertThat(both.chunkOctets(64 * 1024)).isEqualTo(2000);
            both.user("alice");
            assertThat(both.chunkOctets(64 * 1024)).isEqualTo(1000);
            assertThat(new Bandwidth(Bandwidth.UNLIMITED, Bandwidth.UNLIMITED).throttle().chunkOctets(64 * 1024))
                    .isEqualTo(64 * 1024);
        }
    }
}
