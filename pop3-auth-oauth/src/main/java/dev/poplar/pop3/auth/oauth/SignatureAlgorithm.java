package dev.poplar.pop3.auth.oauth;

/**
 * The JWS algorithms (RFC 7518 section 3.1) a {@link JwtAuthenticator} may accept on an access token. Only
 * asymmetric signatures are listed: {@code none} and the HMAC algorithms ({@code HS256} ...) cannot be chosen, so
 * that a token can never be "signed" with nothing, or with a public key used as an HMAC secret.
 */
public enum SignatureAlgorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256, the algorithm most identity providers sign with. */
    RS256,
    /** RSASSA-PKCS1-v1_5 with SHA-384. */
    RS384,
    /** RSASSA-PKCS1-v1_5 with SHA-512. */
    RS512,
    /** RSASSA-PSS with SHA-256. */
    PS256,
    /** RSASSA-PSS with SHA-384. */
    PS384,
    /** RSASSA-PSS with SHA-512. */
    PS512,
    /** ECDSA on P-256 with SHA-256. */
    ES256,
    /** ECDSA on P-384 with SHA-384. */
    ES384,
    /** ECDSA on P-521 with SHA-512. */
    ES512
}
