package dev.poplar.pop3.auth.oauth.internal;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jose.proc.SecurityContext;

import java.time.Clock;
import java.util.Date;
import java.util.Set;

/**
 * Nimbus's claims check (issuer, audience, expiry and not-before with clock skew, required claims) on a given clock.
 */
final class ClockedClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {

    private final Clock clock;

    ClockedClaimsVerifier(Set<String> audiences, String issuer, Set<String> required, int skewSeconds, Clock clock) {
        super(audiences, new JWTClaimsSet.Builder().issuer(issuer).build(), required, null);
        setMaxClockSkew(skewSeconds);
        this.clock = clock;
    }

    @Override
    protected Date currentTime() {
        return Date.from(clock.instant());
    }
}
