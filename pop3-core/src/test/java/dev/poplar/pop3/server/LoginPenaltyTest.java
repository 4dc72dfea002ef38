package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.poplar.pop3.server.SaslMechanismsTest.FAILED;
import static dev.poplar.pop3.server.SaslMechanismsTest.LOGGED_IN;
import static dev.poplar.pop3.server.ScramClient.b64;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failed-login penalty across the sessions of one server, on a manual clock: it holds the next attempt from a
 * penalised address whatever its outcome, so hanging up early teaches nothing, while the real user elsewhere gets in.
 */
class LoginPenaltyTest {

    static final String REFUSED = "-ERR [SYS/TEMP] too many failed logins from your address, try again later\r\n";

    final EveryKind authenticator = EveryKind.standard();

    Pop3Server.Builder builder() {
        return Pop3Server.builder().store(new InMemoryMailboxStore()).authenticator(authenticator)
                .plaintextAuth(PlaintextAuth.ALLOW)
                .authFailureDelay(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(15))
                .authFailureDelayPerUser(Duration.ofSeconds(5));
    }

    @Test
    void aGuessThatHangsUpBeforeTheAnswerLearnsNothingEvenWhenItIsRight() {
        SessionHarness.Server server = new SessionHarness.Server(builder());
        SessionHarness first = server.connect("192.0.2.66");
        assertThat(first.send("USER alice", "PASS guess-0")).isEqualTo("+OK send PASS\r\n" + FAILED);
        first.drop();
        // The attacker now waits 300 ms for each answer and takes silence for "wrong". It hears silence, or a
        // refusal that says nothing of the password.
        for (String guess : List.of("guess-1", "guess-2", "s3cret", "guess-4", "guess-5")) {
            SessionHarness next = server.connect("192.0.2.66");
            String heard = next.send("USER alice", "PASS " + guess) + next.advance(Duration.ofMillis(300));
            assertThat(heard).as(guess).isIn("+OK send PASS\r\n", "+OK send PASS\r\n" + REFUSED);
            next.drop();
        }
        assertThat(authenticator.seen).hasSize(1);
    }

    @Test
    void attemptsFromAPenalisedAddressTakeTurnsWhateverTheNumberOfConnections() {
        SessionHarness.Server server = new SessionHarness.Server(builder());
        server.connect("192.0.2.66").send("USER alice", "PASS guess-0");
        // Penalty 1 s, then 2 s, 4 s, 8 s: each turn goes to one waiting attempt; others meanwhile are refused.
        Duration[] penalties = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8)};
        for (Duration penalty : penalties) {
            SessionHarness waiting = server.connect("192.0.2.66");
            assertThat(waiting.send("USER alice", "PASS guess")).isEqualTo("+OK send PASS\r\n");
            SessionHarness meanwhile = server.connect("192.0.2.66");
            assertThat(meanwhile.send("USER alice", "PASS s3cret")).isEqualTo("+OK send PASS\r\n" + REFUSED);
            assertThat(waiting.advance(penalty.minusMillis(1))).isEmpty();
            assertThat(waiting.advance(Duration.ofMillis(1))).isEqualTo(FAILED);
        }
        assertThat(authenticator.seen).hasSize(5);
    }

    @Test
    void theRealUserFromAnotherAddressWaitsALittleAtWorstAndGetsIn() {
        SessionHarness.Server server = new SessionHarness.Server(builder());
        List<SessionHarness> attackers = new ArrayList<>();
        assertThat(server.connect("198.51.100.1").send("USER alice", "PASS guess-0")).endsWith(FAILED);
        for (int i = 1; i < 8; i++) {
            SessionHarness attacker = server.connect("198.51.100." + (i + 1));
            assertThat(attacker.send("USER alice", "PASS guess-" + i)).isEqualTo("+OK send PASS\r\n");
            attackers.add(attacker);
        }
        // The first failure put 1 s on attempts for alice from anywhere; then the other seven fail.
        server.advance(Duration.ofSeconds(1));
        assertThat(attackers).allSatisfy(a -> assertThat(a.received()).isEqualTo(FAILED));
        // Eight failures for her name: her own attempt from elsewhere waits the per-user cap, 5 s, no more.
        SessionHarness alice = server.connect("203.0.113.7");
        assertThat(alice.send("USER alice", "PASS s3cret")).isEqualTo("+OK send PASS\r\n");
        assertThat(alice.advance(Duration.ofMillis(4999))).isEmpty();
        assertThat(alice.advance(Duration.ofMillis(1))).isEqualTo(LOGGED_IN);
        alice.drop();
        // Her success forgets the failures of her name.
        assertThat(server.connect("203.0.113.8").send("USER alice", "PASS s3cret"))
                .isEqualTo("+OK send PASS\r\n" + LOGGED_IN);
    }

    @Test
    void trustedNetworksAreExempt() {
        SessionHarness.Server server = new SessionHarness.Server(builder()
                .accessRules(AccessRules.builder().trust("192.0.2.0/24").build()));
        SessionHarness office = server.connect("192.0.2.10");
        office.send("USER alice", "PASS wrong", "USER alice", "PASS wrong");
        assertThat(server.connect("192.0.2.10").send("USER alice", "PASS s3cret"))
                .isEqualTo("+OK send PASS\r\n" + LOGGED_IN);
    }

    @Test
    void theSessionStillClosesAfterTooManyFailures() {
        SessionHarness.Server server = new SessionHarness.Server(builder().maxAuthFailures(2));
        SessionHarness session = server.connect("192.0.2.66");
        session.send("USER alice", "PASS a", "USER alice", "PASS b");
        session.advance(Duration.ofSeconds(1));
        assertThat(session.closedWith).isEqualTo(EndReason.TOO_MANY_ERRORS);
    }

    @Test
    void everyMechanismWaitsItsTurnAndScramWaitsBeforeTheLookup() {
        SessionHarness.Server server = new SessionHarness.Server(builder());
        server.connect("192.0.2.66").send("USER alice", "PASS guess-0");
        SessionHarness plain = server.connect("192.0.2.66");
        assertThat(plain.send("AUTH PLAIN " + b64("\0alice\0s3cret"))).isEmpty();
        assertThat(plain.advance(Duration.ofSeconds(1))).isEqualTo(LOGGED_IN);
        plain.drop();
        SessionHarness scram = server.connect("192.0.2.66");
        ScramClient client = ScramClient.of(ScramSecret.Algorithm.SHA_256, "bob");
        assertThat(scram.send("AUTH SCRAM-SHA-256 " + client.first())).isEmpty();
        assertThat(authenticator.secretsAskedFor).isEmpty();
        assertThat(scram.advance(Duration.ofSeconds(1))).startsWith("+ ");
        assertThat(authenticator.secretsAskedFor).containsExactly("bob");
        SessionHarness oauth = server.connect("192.0.2.66");
        assertThat(oauth.send("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer ya29.alice-token\u0001\u0001")))
                .isEmpty();
        assertThat(oauth.advance(Duration.ofSeconds(1))).isEqualTo(LOGGED_IN);
    }

    @Test
    void aRefusedTokenCountsAtOnceEvenIfTheClientHangsUpAfterTheError() {
        SessionHarness.Server server = new SessionHarness.Server(builder());
        SessionHarness guesser = server.connect("192.0.2.66");
        assertThat(guesser.send("AUTH XOAUTH2 " + b64("user=alice\u0001auth=Bearer guess\u0001\u0001")))
                .startsWith("+ ");
        guesser.drop();
        assertThat(server.connect("192.0.2.66").send("AUTH XOAUTH2 "
                + b64("user=alice\u0001auth=Bearer ya29.alice-token\u0001\u0001"))).isEmpty();
    }
}
