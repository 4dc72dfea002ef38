package dev.poplar.pop3.server.internal;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The failed-login penalty on a manual clock. */
class LoginThrottleTest {

    long nanos;
    final LoginThrottle throttle = new LoginThrottle(Duration.ofSeconds(1), Duration.ofSeconds(8),
            Duration.ofSeconds(2), Duration.ofMinutes(15), () -> nanos);

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    void pass(Duration time) {
        nanos += time.toNanos();
    }

    Optional<Duration> admit(String address, String user) {
        return throttle.admit(ip(address), user);
    }

    @Nested
    class PerAddress {
        @Test
        void anAddressWithoutFailuresIsNeverHeld() {
            for (int i = 0; i < 100; i++) {
                assertThat(admit("192.0.2.1", "alice")).contains(Duration.ZERO);
            }
        }

        @Test
        void theNextAttemptAfterAFailureWaitsThePenaltyCountedFromTheFailure() {
            throttle.failed(ip("192.0.2.1"), "");
            assertThat(throttle.failures(ip("192.0.2.1"))).isEqualTo(1);
            pass(Duration.ofMillis(300));
            assertThat(admit("192.0.2.1", "")).contains(Duration.ofMillis(700));
        }

        @Test
        void thePenaltyDoublesWithEachFailureUpToTheCap() {
            Duration[] expected = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8)};
            for (Duration penalty : expected) {
                throttle.failed(ip("192.0.2.1"), "");
                assertThat(admit("192.0.2.1", "")).contains(penalty);
                pass(penalty);
            }
            assertThat(throttle.failures(ip("192.0.2.1"))).isEqualTo(6);
        }

        @Test
        void oneAttemptFromAPenalisedAddressWaitsItsTurnAndOthersMeanwhileAreRefused() {
            throttle.failed(ip("192.0.2.1"), "");
            throttle.failed(ip("192.0.2.1"), "");
            // Penalty 2 s: one attempt takes the next turn; more connections do not get more turns.
            assertThat(admit("192.0.2.1", "")).contains(Duration.ofSeconds(2));
            assertThat(admit("192.0.2.1", "")).isEmpty();
            assertThat(admit("192.0.2.1", "")).isEmpty();
            pass(Duration.ofMillis(1500));
            assertThat(admit("192.0.2.1", "")).isEmpty();
            // Once the turn has come, the next one is a penalty later, whether the attempt ran or its client left.
            pass(Duration.ofMillis(500));
            assertThat(admit("192.0.2.1", "")).contains(Duration.ofSeconds(2));
        }

        @Test
        void aFailureDoublesTheSpacingOfTheVeryNextAttempt() {
            throttle.failed(ip("192.0.2.1"), "");
            assertThat(admit("192.0.2.1", "")).contains(Duration.ofSeconds(1));
            pass(Duration.ofSeconds(1));
            throttle.failed(ip("192.0.2.1"), "");
            assertThat(admit("192.0.2.1", "")).contains(Duration.ofSeconds(2));
        }

        @Test
        void otherAddressesAreNotHeld() {
            for (int i = 0; i < 5; i++) {
                throttle.failed(ip("192.0.2.1"), "");
            }
            assertThat(admit("192.0.2.2", "")).contains(Duration.ZERO);
            assertThat(admit("2001:db8::1", "")).contains(Duration.ZERO);
        }

        @Test
        void ipv6ClientsCountByTheirSlash64() {
            throttle.failed(ip("2001:db8:1:2::1"), "");
            assertThat(admit("2001:db8:1:2:ffff::9", "")).contains(Duration.ofSeconds(1));
            assertThat(admit("2001:db8:1:3::1", "")).contains(Duration.ZERO);
        }

        @Test
        void anIpv4ClientOnAnIpv6SocketIsTheSameClient() {
            throttle.failed(ip("::ffff:192.0.2.1"), "");
            assertThat(admit("192.0.2.1", "")).contains(Duration.ofSeconds(1));
        }

        @Test
        void failuresExpireAWindowAfterTheLastOne() {
            throttle.failed(ip("192.0.2.1"), "");
            pass(Duration.ofMinutes(10));
            throttle.failed(ip("192.0.2.1"), "");
            pass(Duration.ofMinutes(14));
            assertThat(throttle.failures(ip("192.0.2.1"))).isEqualTo(2);
            pass(Duration.ofMinutes(1));
            assertThat(throttle.failures(ip("192.0.2.1"))).isZero();
            assertThat(admit("192.0.2.1", "")).contains(Duration.ZERO);
        }

        @Test
        void aSuccessDoesNotForgiveTheAddress() {
            throttle.failed(ip("192.0.2.1"), "mallory");
            throttle.succeeded("mallory");
            assertThat(admit("192.0.2.1", "mallory")).contains(Duration.ofSeconds(1));
        }

        @Test
        void aZeroPenaltyHoldsNothingAndCountsNothing() {
            LoginThrottle none = new LoginThrottle(Duration.ZERO, Duration.ZERO, Duration.ZERO,
                    Duration.ofMinutes(1), () -> nanos);
            for (int i = 0; i < 10; i++) {
                none.failed(ip("192.0.2.1"), "alice");
            }
            assertThat(none.admit(ip("192.0.2.1"), "alice")).contains(Duration.ZERO);
            assertThat(none.failures(ip("192.0.2.1"))).isZero();
        }
    }

    @Nested
    class PerUser {
        @Test
        void failuresForAUserSlowItsAttemptsFromAnyAddressUpToTheSmallerCap() {
            for (int i = 0; i < 6; i++) {
                throttle.failed(ip("198.51.100." + (i + 1)), "alice");
            }
            assertThat(admit("203.0.113.7", "alice")).contains(Duration.ofSeconds(2));
            assertThat(admit("203.0.113.7", "bob")).contains(Duration.ZERO);
        }

        @Test
        void attemptsForAUserAreNeitherQueuedNorRefused() {
            for (int i = 0; i < 6; i++) {
                throttle.failed(ip("198.51.100." + (i + 1)), "alice");
            }
            for (int i = 0; i < 20; i++) {
                assertThat(admit("203.0.113." + (i + 1), "alice")).contains(Duration.ofSeconds(2));
            }
        }

        @Test
        void aSuccessfulLoginForgetsTheUsersFailures() {
            throttle.failed(ip("198.51.100.1"), "alice");
            throttle.succeeded("alice");
            assertThat(admit("203.0.113.7", "alice")).contains(Duration.ZERO);
        }

        @Test
        void theUserPenaltyCountsFromTheLastFailure() {
            throttle.failed(ip("198.51.100.1"), "alice");
            pass(Duration.ofMillis(600));
            assertThat(admit("203.0.113.7", "alice")).contains(Duration.ofMillis(400));
            pass(Duration.ofSeconds(1));
            assertThat(admit("203.0.113.7", "alice")).contains(Duration.ZERO);
        }
    }
}
