package dev.poplar.pop3.server.internal.sasl;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.internal.ServerConfig;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the SASL message parsers: every mechanism the server implements gets arbitrary client responses. Runs its seeds
 * in every build (regression mode); {@code JAZZER_FUZZ=1} fuzzes (see the README's "Fuzzing" section).
 *
 * <p>A new mechanism is fuzzed by adding it to {@link #MECHANISMS}: the first input octet picks the mechanism, so
 * seeds of existing mechanisms keep their meaning when one is appended.
 */
class SaslMechanismsFuzzTest {

    /** Every mechanism to fuzz; append new ones at the end. */
    static final List<SaslMechanism> MECHANISMS = mechanisms();
    /** The connection the exchanges run on: encrypted, with a channel binding, so that every mechanism may run. */
    static final SaslContext CONNECTION = new SaslContext(new ClientInfo("fuzz-1", "pop3s",
            new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", 995), true, List.of()),
            new byte[32]);
    /** More steps than any mechanism needs: an exchange that asks for more never ends. */
    static final int MAX_STEPS = 8;

    /**
     * Whatever the client sends, an exchange answers with a challenge or credentials, or fails with a
     * {@link SaslException}, and ends within a few steps; credentials name a user.
     *
     * <p>The input: one octet picks the mechanism, one octet of flags (1: the first response is absent, as
     * {@code AUTH} without an initial response), then the client's responses separated by octets 0xFF.
     *
     * @param input the fuzzer's input
     */
    @FuzzTest(maxDuration = "5m")
    void anyResponseIsAChallengeCredentialsOrASaslException(byte[] input) {
        if (input.length < 2) {
            return;
        }
        SaslMechanism mechanism = MECHANISMS.get((input[0] & 0xFF) % MECHANISMS.size());
        List<byte[]> responses = split(Arrays.copyOfRange(input, 2, input.length));
        if ((input[1] & 1) != 0) {
            responses.add(0, null);
        }
        SaslExchange exchange = mechanism.start(CONNECTION);
        int steps = 0;
        for (byte[] response : responses) {
            SaslExchange.Step step;
            try {
                step = exchange.next(response);
                while (step instanceof SaslExchange.Lookup<?> lookup) {
                    step = resume(lookup);
                }
            } catch (SaslException e) {
                assertThat(e.username()).as("the user name a failed exchange reports").isNotNull();
                return;
            }
            steps++;
            assertThat(step).isNotNull();
            if (step instanceof SaslExchange.Done done) {
                Credentials credentials = done.credentials();
                assertThat(credentials).isNotNull();
                // Tokens and certificates may name no user; nobody's name carries a NUL.
                assertThat(credentials.username()).doesNotContain("\0");
                return;
            }
            assertThat(((SaslExchange.Challenge) step).challenge()).isNotNull();
            assertThat(steps).as("steps of %s", mechanism.name()).isLessThan(MAX_STEPS);
        }
    }

    private static <T> SaslExchange.Step resume(SaslExchange.Lookup<T> lookup) throws SaslException {
        T result;
        try {
            result = lookup.call().call();
        } catch (Exception e) {
            throw new AssertionError("a lookup failed: " + e, e);
        }
        return lookup.then().resume(result);
    }

    private static List<SaslMechanism> mechanisms() {
        List<SaslMechanism> all = new ArrayList<>();
        all.add(PlainMechanism.create());
        all.add(LoginMechanism.create());
        all.add(CramMd5Mechanism.create());
        all.add(ExternalMechanism.create());
        ServerConfig.OAuthErrors errors = new ServerConfig.OAuthErrors(Optional.of("mail"), Optional.empty());
        all.add(BearerMechanisms.oauthBearer(errors));
        all.add(BearerMechanisms.xoauth2(errors));
        all.addAll(ScramMechanism.all(Authenticator.fromMap(Map.of("user", "pencil"))));
        return List.copyOf(all);
    }

    private static List<byte[]> split(byte[] octets) {
        List<byte[]> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= octets.length; i++) {
            if (i == octets.length || octets[i] == (byte) 0xFF) {
                parts.add(Arrays.copyOfRange(octets, from, i));
                from = i + 1;
            }
        }
        return parts;
    }
}
