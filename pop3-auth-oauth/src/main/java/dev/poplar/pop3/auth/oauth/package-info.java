/**
 * OAuth 2.0 for POP3: {@link dev.poplar.pop3.auth.oauth.JwtAuthenticator} verifies the JWT access tokens that
 * clients present with SASL {@code OAUTHBEARER} (RFC 7628) or {@code XOAUTH2}, offline against the identity
 * provider's published keys; {@link dev.poplar.pop3.auth.oauth.Authenticators} combines it with a password
 * authenticator. Signatures and key sets are handled by Nimbus JOSE+JWT, whose types never appear in this API.
 */
package dev.poplar.pop3.auth.oauth;
