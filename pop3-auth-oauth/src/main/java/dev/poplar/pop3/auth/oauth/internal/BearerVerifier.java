package dev.poplar.pop3.auth.oauth.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.poplar.pop3.auth.AuthResult;

import java.text.ParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks one bearer token against a {@link TokenPolicy} and a key source, and turns the outcome into an
 * {@link AuthResult}. Reasons name what was wrong (for the server log) and never contain the token. Thread-safe.
 */
public final class BearerVerifier {

    /** Real access tokens are a few kilobytes; anything far larger is refused before parsing. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final int MAX_REASON_LENGTH = 500;
    private static final int MAX_KID_LENGTH = 64;

    private final TokenPolicy policy;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /**
     * A verifier.
     *
     * @param policy what a valid token is
     * @param keys where the signing keys come from
     */
    public BearerVerifier(TokenPolicy policy, JWKSource<SecurityContext> keys) {
        this.policy = policy;
        // RFC 9068 section 2.1: "at+jwt"; most providers still send "JWT" or nothing.
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(policy.algorithms(), keys));
        processor.setJWTClaimsSetVerifier(new ClockedClaimsVerifier(policy.audiences(), policy.issuer(),
                Set.of("exp"), Math.toIntExact(policy.clockSkew().toSeconds()), policy.clock()));
    }

    /**
     * Verifies a token and finds its mailbox.
     *
     * @param namedUser the user the client named, or empty
     * @param token the access token
     * @return accepted with the mailbox, rejected, or unavailable when the keys cannot be had
     */
    public AuthResult verify(String namedUser, String token) {
        AuthResult result = check(namedUser, token);
        if (result instanceof AuthResult.Rejected rejected) {
            return AuthResult.reject(redact(rejected.reason(), token));
        }
        if (result instanceof AuthResult.Unavailable unavailable) {
            return AuthResult.unavailable(redact(unavailable.reason(), token));
        }
        return result;
    }

    private AuthResult check(String namedUser, String token) {
        if (token.isBlank()) {
            return AuthResult.reject("bearer token: empty");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return AuthResult.reject("bearer token: longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token.strip());
        } catch (ParseException e) {
            return AuthResult.reject("bearer token: not a JWT (" + e.getMessage() + ")");
        }
        if (jwt instanceof PlainJWT) {
            return AuthResult.reject("bearer token: unsigned (alg none)");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
            return AuthResult.reject("bearer token: encrypted tokens are not supported");
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (!policy.algorithms().contains(algorithm)) {
            return AuthResult.reject("bearer token: algorithm " + algorithm + " is not allowed "
                    + new TreeSet<>(policy.algorithms().stream().map(JWSAlgorithm::getName).toList()));
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (KeySourceException e) {
            return AuthResult.unavailable("bearer token: signing keys unavailable: " + e.getMessage());
        } catch (BadJWTException e) {
            return AuthResult.reject("bearer token: " + e.getMessage() + describe(signed) + claimsOf(signed));
        } catch (BadJOSEException | JOSEException e) {
            return AuthResult.reject("bearer token: " + e.getMessage() + describe(signed));
        }
        Optional<String> scope = policy.requiredScope();
        if (scope.isPresent() && !scopes(claims).contains(scope.get())) {
            return AuthResult.reject("bearer token: insufficient scope, \"" + scope.get() + "\" is required"
                    + describe(signed));
        }
        Object value = claims.getClaim(policy.mailboxClaim());
        if (!(value instanceof String identity) || identity.isBlank()) {
            return AuthResult.reject("bearer token: no " + policy.mailboxClaim() + " claim"
                    + (value == null ? "" : " as a string") + describe(signed));
        }
        Object verified = claims.getClaim("email_verified");
        // Some providers send it as a string.
        if (policy.mailboxClaim().equals("email")
                && (Boolean.FALSE.equals(verified) || "false".equalsIgnoreCase(String.valueOf(verified)))) {
            return AuthResult.reject("bearer token: email " + identity + " is not verified (email_verified false)");
        }
        Optional<String> mailbox = policy.mailboxMapping().apply(identity);
        if (mailbox == null || mailbox.isEmpty() || mailbox.get().isBlank()) {
            return AuthResult.reject("bearer token: no mailbox for " + policy.mailboxClaim() + " " + identity);
        }
        // The mailbox always comes from the token, so comparing the named user without regard to case lets no one
        // into another mailbox, and spares users whose client writes their address in another case.
        if (!namedUser.isEmpty() && !namedUser.equalsIgnoreCase(identity)
                && !namedUser.equalsIgnoreCase(mailbox.get())) {
            return AuthResult.reject("bearer token: issued for " + policy.mailboxClaim() + " " + identity
                    + ", but the client named the user " + namedUser);
        }
        return AuthResult.accept(mailbox.get());
    }

    /**
     * The scopes of a token: {@code scope} (RFC 8693 section 4.2, RFC 9068: space-separated) or {@code scp} (a
     * string or an array, as some providers write it).
     */
    private static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> scopes = new TreeSet<>();
        for (String name : List.of("scope", "scp")) {
            Object value = claims.getClaim(name);
            if (value instanceof String text) {
                scopes.addAll(Arrays.asList(text.trim().split("\\s+")));
            } else if (value instanceof Collection<?> list) {
                list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(scopes::add);
            }
        }
        return scopes;
    }

    /** The key id and issuer of a token, to tell tokens apart in the log. */
    private static String describe(SignedJWT token) {
        String kid = token.getHeader().getKeyID();
        if (kid != null && kid.length() > MAX_KID_LENGTH) {
            kid = kid.substring(0, MAX_KID_LENGTH) + "...";
        }
        return " (alg " + token.getHeader().getAlgorithm() + (kid == null ? "" : ", kid " + kid) + ")";
    }

    /** The issuer, audience and time claims of a token whose claims were refused, and what is accepted. */
    private String claimsOf(SignedJWT token) {
        try {
            JWTClaimsSet claims = token.getJWTClaimsSet();
            return ": iss " + claims.getIssuer() + " (expected " + policy.issuer() + "), aud "
                    + claims.getAudience() + " (accepted "
                    + policy.audiences() + "), exp " + instant(claims.getExpirationTime()) + ", nbf "
                    + instant(claims.getNotBeforeTime()) + ", now " + policy.clock().instant();
        } catch (ParseException e) {
            return "";
        }
    }

    private static Object instant(java.util.Date date) {
        return date == null ? "none" : date.toInstant();
    }

    /**
     * Makes a reason safe for the log: without the token or any long part of it, without control characters (the
     * key id and the user name come from the client), and of bounded length.
     */
    static String redact(String reason, String token) {
        String safe = token.length() >= 8 ? reason.replace(token, "[token]") : reason;
        for (String part : token.split("\\.")) {
            if (part.length() >= 8) {
                safe = safe.replace(part, "[token]");
            }
        }
        StringBuilder printable = new StringBuilder(Math.min(safe.length(), MAX_REASON_LENGTH + 3));
        for (int i = 0; i < safe.length() && printable.length() < MAX_REASON_LENGTH; i++) {
            char c = safe.charAt(i);
            printable.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return printable.length() < safe.length() ? printable.append("...").toString() : printable.toString();
    }
}
