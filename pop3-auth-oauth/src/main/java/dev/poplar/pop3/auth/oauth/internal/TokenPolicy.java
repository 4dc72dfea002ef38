package dev.poplar.pop3.auth.oauth.internal;

import com.nimbusds.jose.JWSAlgorithm;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a valid access token must be, as configured on the authenticator's builder (already validated there).
 *
 * @param issuer the exact {@code iss}
 * @param audiences accepted {@code aud} values: one of them must be in the token
 * @param algorithms accepted JWS algorithms, all asymmetric
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param requiredScope a scope the token must carry, if any
 * @param mailboxClaim the claim naming the user
 * @param mailboxMapping from that claim's value to the mailbox; empty refuses the login
 * @param clock the time source
 */
public record TokenPolicy(String issuer, Set<String> audiences, Set<JWSAlgorithm> algorithms, Duration clockSkew,
                          Optional<String> requiredScope, String mailboxClaim,
                          Function<String, Optional<String>> mailboxMapping, Clock clock) {
}
