package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password guessing as an attacker does it, over real sockets: one guess per connection, hanging up when the answer
 * is late (a server that delays only failures gives itself away that way). The failed-login penalty holds the next
 * attempt from the address whatever its outcome, so the attacker learns nothing from hanging up and is slowed to one
 * guess per penalty.
 */
class BruteForceWireTest {

    static final Duration PATIENCE = Duration.ofMillis(100);

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final List<Pop3Server> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(Pop3Server::close);
    }

    Pop3Server start(Duration penalty) throws IOException {
        Pop3Server server = TestServers.start(TestServers.builder(store)
                .authFailureDelay(penalty, penalty.multipliedBy(10), Duration.ofMinutes(1))
                .authFailureDelayPerUser(penalty));
        servers.add(server);
        return server;
    }

    /** What the attacker saw. */
    record Attack(String found, int guesses, int answered, Duration took) {
    }

    /**
     * Tries the guesses in order, one connection each, for at most the time given; a guess not answered within
     * {@link #PATIENCE} is taken as wrong.
     */
    static Attack attack(Pop3Server server, List<String> guesses, Duration budget) throws IOException {
        long start = System.nanoTime();
        int tried = 0;
        int answered = 0;
        for (String guess : guesses) {
            if (System.nanoTime() - start > budget.toNanos()) {
                break;
            }
            tried++;
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                client.write("USER alice\r\nPASS " + guess + "\r\n");
                assertThat(client.line()).isEqualTo("+OK send PASS");
                client.socket().setSoTimeout((int) PATIENCE.toMillis());
                String answer;
                try {
                    answer = client.line();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                answered++;
                if (answer.startsWith("+OK")) {
                    return new Attack(guess, tried, answered, Duration.ofNanos(System.nanoTime() - start));
                }
            }
        }
        return new Attack(null, tried, answered, Duration.ofNanos(System.nanoTime() - start));
    }

    static List<String> guesses() {
        List<String> guesses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            guesses.add(i == 12 ? "s3cret" : "guess-" + i);
        }
        return guesses;
    }

    @Test
    void withoutAPenaltyTheAttackFindsThePassword() throws IOException {
        Attack attack = attack(start(Duration.ZERO), guesses(), Duration.ofSeconds(20));
        assertThat(attack.found()).isEqualTo("s3cret");
        assertThat(attack.guesses()).isEqualTo(13);
    }

    @Test
    void withThePenaltyGuessingAndHangingUpLearnsNothing() throws IOException {
        Pop3Server server = start(Duration.ofMillis(300));
        Attack attack = attack(server, guesses(), Duration.ofSeconds(3));
        assertThat(attack.found()).isNull();
        assertThat(attack.guesses()).isGreaterThan(12);
        // The first guess is answered at once; later ones are either late or refused for the penalty.
        assertThat(attack.answered()).isGreaterThanOrEqualTo(1);
        // The real user, from another address, gets in at once or after the short per-user penalty.
        long t0 = System.nanoTime();
        try (WireClient alice = WireClient.connectFrom("127.0.0.2", server)) {
            alice.greeting();
            assertThat(alice.login("alice", "s3cret")).startsWith("+OK maildrop has");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aPatientAttackerGetsOneAnswerPerPenalty() throws IOException {
        Pop3Server server = start(Duration.ofMillis(100));
        long start = System.nanoTime();
        int answered = 0;
        while (System.nanoTime() - start < Duration.ofSeconds(2).toNanos()) {
            try (WireClient client = WireClient.connect(server)) {
                client.greeting();
                String answer = client.login("alice", "guess-" + answered);
                assertThat(answer).startsWith("-ERR");
                if (answer.startsWith("-ERR [AUTH]")) {
                    answered++;
                }
            }
        }
        // Penalties 0, 0.1, 0.2, 0.4, 0.8, 1 s...: at most 6 guesses checked in 2 s (unthrottled: hundreds).
        assertThat(answered).isBetween(2, 6);
    }
}
