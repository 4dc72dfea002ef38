package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;

/** Writes signed access tokens the way an identity provider does. */
final class Tokens {

    static final String ISSUER = "https://id.example.com/realms/mail";
    static final String AUDIENCE = "pop3.example.com";

    private final Clock clock;
    private final JWTClaimsSet.Builder claims;
    private JWSAlgorithm algorithm;
    private boolean withKeyId = true;
    private JOSEObjectType type = JOSEObjectType.JWT;

    private Tokens(Clock clock) {
        this.clock = clock;
        this.claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice@example.com")
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1))));
    }

    /** A valid token for alice@example.com, to be changed by the other methods. */
    static Tokens token(Clock clock) {
        return new Tokens(clock);
    }

    Tokens claim(String name, Object value) {
        claims.claim(name, value);
        return this;
    }

    Tokens without(String name) {
        claims.claim(name, null);
        return this;
    }

    Tokens subject(String subject) {
        claims.subject(subject);
        return this;
    }

    Tokens issuer(String issuer) {
        claims.issuer(issuer);
        return this;
    }

    Tokens audience(String... audiences) {
        claims.audience(java.util.List.of(audiences));
        return this;
    }

    Tokens expiresIn(Duration fromNow) {
        claims.expirationTime(Date.from(clock.instant().plus(fromNow)));
        return this;
    }

    Tokens notBefore(Duration fromNow) {
        claims.notBeforeTime(Date.from(clock.instant().plus(fromNow)));
        return this;
    }

    Tokens algorithm(JWSAlgorithm algorithm) {
        this.algorithm = algorithm;
        return this;
    }

    Tokens withoutKeyId() {
        this.withKeyId = false;
        return this;
    }

    Tokens type(JOSEObjectType type) {
        this.type = type;
        return this;
    }

    JWTClaimsSet claims() {
        return claims.build();
    }

    /** The compact serialization, signed with {@code key} (RS256 or ES256 unless another algorithm is set). */
    String signedWith(JWK key) {
        try {
            JWSSigner signer;
            JWSAlgorithm alg;
            if (key instanceof RSAKey rsa) {
                signer = new RSASSASigner(rsa);
                alg = algorithm == null ? JWSAlgorithm.RS256 : algorithm;
            } else {
                signer = new ECDSASigner((ECKey) key);
                alg = algorithm == null ? JWSAlgorithm.ES256 : algorithm;
            }
            JWSHeader header = new JWSHeader.Builder(alg).keyID(withKeyId ? key.getKeyID() : null).type(type)
                    .build();
            SignedJWT jwt = new SignedJWT(header, claims.build());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
