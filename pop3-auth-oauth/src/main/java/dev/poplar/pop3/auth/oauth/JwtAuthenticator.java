package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.oauth.internal.BearerVerifier;
import dev.poplar.pop3.auth.oauth.internal.FileJwks;
import dev.poplar.pop3.auth.oauth.internal.JwksFetcher;
import dev.poplar.pop3.auth.oauth.internal.RemoteJwks;
import dev.poplar.pop3.auth.oauth.internal.TokenPolicy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Verifies OAuth 2.0 access tokens presented with SASL {@code OAUTHBEARER} (RFC 7628) or {@code XOAUTH2}: JSON Web
 * Tokens (RFC 7519, RFC 9068) signed by an identity provider, checked offline against the provider's public keys
 * (a JWKS, RFC 7517) without calling the provider for each login.
 *
 * <p>A token is accepted when all of these hold, in this order:
 * <ol>
 *   <li>it is a signed JWT (never {@code alg: none}, never encrypted) with one of the allowed
 *       {@linkplain Builder#algorithms algorithms}, and its signature verifies with a key of the key set: one whose
 *       {@code kid} matches the token's, or any of the right type when the token names none;</li>
 *   <li>{@code iss} is the {@linkplain Builder#issuer issuer}, {@code aud} contains one of the
 *       {@linkplain Builder#audience audiences}, {@code exp} is present and not past, {@code nbf} (if present) is
 *       not ahead, both with the {@linkplain Builder#clockSkew clock skew};</li>
 *   <li>the token carries the {@linkplain Builder#requiredScope required scope}, if one is set (in {@code scope},
 *       space-separated, or {@code scp});</li>
 *   <li>the {@linkplain Builder#mailboxClaim mailbox claim} is a non-empty string (and, for {@code email}, the token
 *       does not say {@code "email_verified": false}), and the {@linkplain Builder#mailboxMapping mapping} gives a
 *       mailbox for it;</li>
 *   <li>if the client named a user ({@code a=} of OAUTHBEARER, {@code user=} of XOAUTH2), that name equals the
 *       claim's value or the mailbox, ignoring case. The mailbox always comes from the token, never from the name
 *       the client gave, so ignoring case cannot open anyone else's mailbox; it spares users whose client writes
 *       {@code Alice@Example.com} for a token that says {@code alice@example.com}.</li>
 * </ol>
 * Anything else is {@link AuthResult#reject(String) rejected} with a reason for the server log; reasons never contain
 * the token, and nothing here logs one. When the keys cannot be had (the JWKS URL is down or too slow and no cached
 * key fits), the result is {@link AuthResult#unavailable(String) unavailable}, so the client hears
 * {@code [SYS/TEMP]} rather than "wrong credentials".
 *
 * <p><b>Keys.</b> From a {@linkplain Builder#jwksFile file}, read again whenever it changes; or from a
 * {@linkplain Builder#jwksUrl URL}, fetched on first use and cached: fetched again after the
 * {@linkplain Builder#refreshInterval refresh interval}, and at once when a token names a key id the cache does
 * not hold (the provider rotated its keys), but never more often than the
 * {@linkplain Builder#minRefreshInterval minimum refresh interval}. Every fetch has a
 * {@linkplain Builder#fetchTimeout total time limit}. When a refresh fails, the keys fetched before stay in use up
 * to the {@linkplain Builder#maxKeyAge maximum key age}.
 *
 * <p><b>Passwords</b> are not accepted: {@link #supports} is true for {@link Credentials.Bearer} only, and any other
 * credentials are rejected. Combine it with a password authenticator by
 * {@link Authenticators#firstSupporting(Authenticator, Authenticator...)}.
 *
 * <p><b>Threading.</b> Immutable and thread-safe. {@link #authenticate} may block while keys are fetched (at most
 * about the fetch timeout, also when it waits for another thread's fetch); with cached keys it makes no network call
 * and costs one signature check.
 */
public final class JwtAuthenticator implements Authenticator {

    private final String issuer;
    private final Set<String> audiences;
    private final Optional<String> requiredScope;
    private final Optional<URI> openIdConfiguration;
    private final String mailboxClaim;
    private final String keySource;
    private final BearerVerifier verifier;

    private JwtAuthenticator(Builder builder, JWKSource<SecurityContext> keys) {
        this.issuer = builder.issuer;
        this.audiences = Collections.unmodifiableSet(new LinkedHashSet<>(builder.audiences));
        this.requiredScope = Optional.ofNullable(builder.requiredScope);
        this.openIdConfiguration = Optional.ofNullable(builder.openIdConfiguration);
        this.mailboxClaim = builder.mailboxClaim;
        this.keySource = keys.toString();
        Set<JWSAlgorithm> algorithms = builder.algorithms.stream().map(a -> JWSAlgorithm.parse(a.name()))
                .collect(Collectors.toUnmodifiableSet());
        this.verifier = new BearerVerifier(new TokenPolicy(issuer, audiences, algorithms, builder.clockSkew,
                requiredScope, mailboxClaim, builder.mailboxMapping, builder.clock), keys);
    }

    /**
     * Starts configuring an authenticator.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies a bearer token; rejects any other kind of credentials.
     *
     * <p>May block while signing keys are fetched; called off the I/O threads.
     *
     * @param credentials what the client presented
     * @param client the connection (not used)
     * @return accepted with the mailbox, rejected with a reason, or unavailable when the keys cannot be had
     * @throws RuntimeException only if the {@linkplain Builder#mailboxMapping mailbox mapping} throws
     */
    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        Objects.requireNonNull(credentials, "credentials");
        if (!(credentials instanceof Credentials.Bearer bearer)) {
            return AuthResult.reject("the bearer-token authenticator accepts no "
                    + credentials.getClass().getSimpleName() + " credentials");
        }
        return verifier.verify(bearer.username(), bearer.token());
    }

    /**
     * {@code true} for {@link Credentials.Bearer} only.
     *
     * @param kind a kind of credentials
     * @return whether it is {@code Credentials.Bearer}
     */
    @Override
    public boolean supports(Class<? extends Credentials> kind) {
        return kind == Credentials.Bearer.class;
    }

    /**
     * {@code true}: a login may wait for the signing keys to be fetched (or the key file to be read).
     *
     * @return {@code true}
     */
    @Override
    public boolean mayBlock() {
        return true;
    }

    /**
     * The issuer tokens must come from.
     *
     * @return the {@code iss} value
     */
    public String issuer() {
        return issuer;
    }

    /**
     * The audiences accepted: a token's {@code aud} must contain one of them.
     *
     * @return the audiences, in the order given, unmodifiable
     */
    public Set<String> audiences() {
        return audiences;
    }

    /**
     * The scope a token must carry, if any. The server puts it in the {@code scope} of the OAUTHBEARER error
     * (RFC 7628 section 3.2.2) so that the client asks its provider for a token with that scope.
     *
     * @return the scope, or empty when unscoped tokens are accepted
     */
    public Optional<String> requiredScope() {
        return requiredScope;
    }

    /**
     * The OpenID Provider Configuration URL, if one is configured. The server puts it in the
     * {@code openid-configuration} of the OAUTHBEARER error (RFC 7628 section 3.2.2) so that the client can find
     * where to get a token.
     *
     * @return the {@code https} URL, or empty
     */
    public Optional<URI> openIdConfiguration() {
        return openIdConfiguration;
    }

    /**
     * The claim that names the user.
     *
     * @return the claim name, {@code sub} unless configured otherwise
     */
    public String mailboxClaim() {
        return mailboxClaim;
    }

    @Override
    public String toString() {
        return "JwtAuthenticator[issuer=" + issuer + ", audiences=" + audiences + ", keys=" + keySource + "]";
    }

    /**
     * Configures a {@link JwtAuthenticator}. Setters check their argument at once; {@link #build()} checks that the
     * required settings are there. Every failure is an exception whose message names the setting. Not thread-safe;
     * {@link #build()} may be called more than once.
     */
    public static final class Builder {

        private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);
        private static final Duration MAX_FETCH_TIMEOUT = Duration.ofMinutes(1);

        private String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private Path jwksFile;
        private URI jwksUrl;
        private Set<SignatureAlgorithm> algorithms = EnumSet.allOf(SignatureAlgorithm.class);
        private Duration clockSkew = Duration.ofSeconds(60);
        private String requiredScope;
        private URI openIdConfiguration;
        private String mailboxClaim = "sub";
        private Function<String, Optional<String>> mailboxMapping = Optional::of;
        private Duration fetchTimeout = Duration.ofSeconds(3);
        private Duration refreshInterval = Duration.ofMinutes(10);
        private Duration minRefreshInterval = Duration.ofSeconds(30);
        private Duration maxKeyAge = Duration.ofHours(24);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * The issuer (required): a token's {@code iss} must equal it exactly, e.g.
         * {@code https://login.example.com/realms/mail}.
         *
         * @param issuer the issuer identifier
         * @return this builder
         * @throws NullPointerException if {@code issuer} is null
         * @throws IllegalArgumentException if it is blank
         */
        public Builder issuer(String issuer) {
            this.issuer = nonBlank(issuer, "issuer");
            return this;
        }

        /**
         * The audiences accepted (at least one required): a token's {@code aud} must contain one of them. This is
         * what makes a token issued for another application useless here. Adds to the audiences set before.
         *
         * @param accepted audience values, e.g. the API identifier registered for the mail service
         * @return this builder
         * @throws NullPointerException if any is null
         * @throws IllegalArgumentException if none is given or any is blank
         */
        public Builder audience(String... accepted) {
            if (accepted.length == 0) {
                throw new IllegalArgumentException("audience: give at least one value");
            }
            for (String audience : accepted) {
                audiences.add(nonBlank(audience, "audience"));
            }
            return this;
        }

        /**
         * Takes the signing keys from a JWKS file (RFC 7517 section 5), read at {@link #build()} and again whenever
         * it changes; a changed file that cannot be parsed keeps the keys before it (and says so in the log).
         * Exactly one of this and {@link #jwksUrl} is required.
         *
         * @param file the JWKS file
         * @return this builder
         * @throws NullPointerException if {@code file} is null
         */
        public Builder jwksFile(Path file) {
            this.jwksFile = Objects.requireNonNull(file, "jwksFile");
            return this;
        }

        /**
         * Takes the signing keys from a JWKS URL (the provider's {@code jwks_uri}), fetched on first use and cached.
         * It must be {@code https}; {@code http} is allowed for a loopback host only (a local sidecar). The JDK's
         * HTTP client fetches it, with the JVM's default trust store and proxy settings ({@code https.proxyHost}
         * ...); a redirect is not followed (a fetch that gets one fails, naming its target). Exactly one of this and
         * {@link #jwksFile} is required.
         *
         * @param url the key set's URL
         * @return this builder
         * @throws NullPointerException if {@code url} is null
         * @throws IllegalArgumentException if it is not absolute, not {@code https}, or {@code http} to a host that
         *     is not loopback
         */
        public Builder jwksUrl(URI url) {
            Objects.requireNonNull(url, "jwksUrl");
            if (!url.isAbsolute() || url.getHost() == null) {
                throw new IllegalArgumentException("jwksUrl must be an absolute URL with a host, not " + url);
            }
            String scheme = url.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("https") && !(scheme.equals("http") && isLoopback(url.getHost()))) {
                throw new IllegalArgumentException("jwksUrl must be https (http only to a loopback host), not " + url);
            }
            this.jwksUrl = url;
            return this;
        }

        /**
         * The signature algorithms accepted. Default: all of {@link SignatureAlgorithm} (RSA, RSA-PSS and ECDSA);
         * none of them can be {@code none} or HMAC. A key is used only with the algorithms its type allows.
         *
         * @param allowed the algorithms
         * @return this builder
         * @throws NullPointerException if any is null
         * @throws IllegalArgumentException if none is given
         */
        public Builder algorithms(SignatureAlgorithm... allowed) {
            if (allowed.length == 0) {
                throw new IllegalArgumentException("algorithms: give at least one");
            }
            Set<SignatureAlgorithm> set = EnumSet.noneOf(SignatureAlgorithm.class);
            for (SignatureAlgorithm algorithm : allowed) {
                set.add(Objects.requireNonNull(algorithm, "algorithms"));
            }
            this.algorithms = set;
            return this;
        }

        /**
         * How far the clocks of this server and the provider may disagree when checking {@code exp} and
         * {@code nbf}. Default 60 seconds.
         *
         * @param skew from zero to ten minutes, in whole seconds
         * @return this builder
         * @throws NullPointerException if {@code skew} is null
         * @throws IllegalArgumentException if it is negative, over ten minutes, or not whole seconds
         */
        public Builder clockSkew(Duration skew) {
            Objects.requireNonNull(skew, "clockSkew");
            if (skew.isNegative() || skew.compareTo(MAX_CLOCK_SKEW) > 0 || skew.getNano() != 0) {
                throw new IllegalArgumentException("clockSkew must be whole seconds from 0 to 10 minutes, not " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /**
         * A scope every token must carry, e.g. {@code mail.pop} (optional; without it, the scope is not checked).
         * The server also names it in the OAUTHBEARER error response.
         *
         * @param scope one scope token (RFC 6749 section 3.3: no spaces)
         * @return this builder
         * @throws NullPointerException if {@code scope} is null
         * @throws IllegalArgumentException if it is blank or has white space
         */
        public Builder requiredScope(String scope) {
            nonBlank(scope, "requiredScope");
            if (scope.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c == 0x7f)) {
                throw new IllegalArgumentException("requiredScope must be one scope token (RFC 6749 section 3.3), "
                        + "without spaces, quotes or backslashes: \"" + scope + "\"");
            }
            this.requiredScope = scope;
            return this;
        }

        /**
         * The provider's OpenID Provider Configuration URL (optional), usually the issuer followed by
         * {@code /.well-known/openid-configuration}. The server names it in the OAUTHBEARER error response; this
         * authenticator does not fetch it.
         *
         * @param url an absolute {@code https} URL
         * @return this builder
         * @throws NullPointerException if {@code url} is null
         * @throws IllegalArgumentException if it is not an absolute {@code https} URL (RFC 7628 section 3.2.2)
         */
        public Builder openIdConfiguration(URI url) {
            Objects.requireNonNull(url, "openIdConfiguration");
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("openIdConfiguration must be an absolute https URL, not " + url);
            }
            this.openIdConfiguration = url;
            return this;
        }

        /**
         * The claim that names the user (default {@code sub}). Its value, passed through the
         * {@linkplain #mailboxMapping mapping}, is the mailbox to open; a client that names a user must name this
         * value (or the mailbox).
         *
         * <p>{@code sub} is the default because it is the one user claim an access token must carry (RFC 9068
         * section 2.2) and the provider guarantees it unique and never reassigned. Providers whose {@code sub} is
         * an opaque id rather than the address the user types are configured with another claim, e.g. {@code email}
         * (Keycloak with the {@code email} scope), {@code upn} or {@code preferred_username} (Microsoft Entra ID).
         * Choose a claim that users cannot change themselves.
         *
         * @param claim a claim name
         * @return this builder
         * @throws NullPointerException if {@code claim} is null
         * @throws IllegalArgumentException if it is blank
         */
        public Builder mailboxClaim(String claim) {
            this.mailboxClaim = nonBlank(claim, "mailboxClaim");
            return this;
        }

        /**
         * Maps the value of the mailbox claim to the mailbox to open (default: the value itself). Return empty to
         * refuse the login (no mailbox for this user). Called on the login's thread for every token that passed all
         * other checks; must be thread-safe, and should be fast.
         *
         * @param mapping claim value to mailbox, e.g. {@code email -> Optional.of(email.toLowerCase(Locale.ROOT))}
         * @return this builder
         * @throws NullPointerException if {@code mapping} is null
         */
        public Builder mailboxMapping(Function<String, Optional<String>> mapping) {
            this.mailboxMapping = Objects.requireNonNull(mapping, "mailboxMapping");
            return this;
        }

        /**
         * The time limit of one fetch of the JWKS URL, from connecting to the last byte (default 3 seconds). A
         * login waits at most about this long for keys; a key server that does not answer in time makes the login
         * unavailable, not hung.
         *
         * @param timeout more than zero, at most one minute
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder fetchTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "fetchTimeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_FETCH_TIMEOUT) > 0) {
                throw new IllegalArgumentException("fetchTimeout must be more than zero and at most one minute, not "
                        + timeout);
            }
            this.fetchTimeout = timeout;
            return this;
        }

        /**
         * How old keys from the JWKS URL may get before a login fetches them again (default 10 minutes): removed
         * keys stop working within this time.
         *
         * @param interval more than zero
         * @return this builder
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder refreshInterval(Duration interval) {
            this.refreshInterval = positive(interval, "refreshInterval");
            return this;
        }

        /**
         * The least time between two fetches of the JWKS URL (default 30 seconds), whatever triggers them: tokens
         * with unknown key ids cannot make the server hammer the provider, and a provider that is down is asked
         * again only this often (logins in between are unavailable at once, without waiting). Must not exceed the
         * refresh interval.
         *
         * @param interval zero or more
         * @return this builder
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if it is negative
         */
        public Builder minRefreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "minRefreshInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("minRefreshInterval must not be negative, not " + interval);
            }
            this.minRefreshInterval = interval;
            return this;
        }

        /**
         * How long keys fetched from the JWKS URL stay in use while fetching them again fails (default 24 hours).
         * Past that, logins are unavailable until the URL answers. Must be at least the refresh interval.
         *
         * @param age more than zero
         * @return this builder
         * @throws NullPointerException if {@code age} is null
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder maxKeyAge(Duration age) {
            this.maxKeyAge = positive(age, "maxKeyAge");
            return this;
        }

        /**
         * The clock for token times and key ages (default: the system clock in UTC).
         *
         * @param clock the time source
         * @return this builder
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the authenticator. With a {@linkplain #jwksFile file}, reads the keys now; with a
         * {@linkplain #jwksUrl URL}, fetches nothing yet (the provider need not be up when the server starts).
         *
         * @return a new authenticator
         * @throws IllegalStateException if {@code issuer}, {@code audience} or the key source is missing, both a
         *     file and a URL are set, {@code minRefreshInterval} exceeds {@code refreshInterval} or
         *     {@code maxKeyAge} is shorter than it, or the {@code jwksFile} cannot be read or holds no public key
         */
        public JwtAuthenticator build() {
            if (issuer == null) {
                throw new IllegalStateException("issuer is required");
            }
            if (audiences.isEmpty()) {
                throw new IllegalStateException("audience is required: without it, a token issued for any "
                        + "application of the issuer would log in");
            }
            if ((jwksFile == null) == (jwksUrl == null)) {
                throw new IllegalStateException("set exactly one of jwksFile and jwksUrl");
            }
            if (minRefreshInterval.compareTo(refreshInterval) > 0) {
                throw new IllegalStateException("minRefreshInterval (" + minRefreshInterval
                        + ") must not exceed refreshInterval (" + refreshInterval + ")");
            }
            if (maxKeyAge.compareTo(refreshInterval) < 0) {
                throw new IllegalStateException("maxKeyAge (" + maxKeyAge + ") must be at least refreshInterval ("
                        + refreshInterval + ")");
            }
            JWKSource<SecurityContext> keys;
            if (jwksFile != null) {
                try {
                    keys = new FileJwks(jwksFile);
                } catch (IOException | ParseException e) {
                    throw new IllegalStateException("jwksFile " + jwksFile + " cannot be used: " + e.getMessage(), e);
                }
            } else {
                keys = new RemoteJwks(new JwksFetcher(jwksUrl, fetchTimeout), fetchTimeout, refreshInterval,
                        minRefreshInterval, maxKeyAge, clock);
            }
            return new JwtAuthenticator(this, keys);
        }

        private static String nonBlank(String value, String setting) {
            Objects.requireNonNull(value, setting);
            if (value.isBlank()) {
                throw new IllegalArgumentException(setting + " must not be blank");
            }
            return value;
        }

        private static Duration positive(Duration value, String setting) {
            Objects.requireNonNull(value, setting);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(setting + " must be more than zero, not " + value);
            }
            return value;
        }

        private static boolean isLoopback(String host) {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (bare.equalsIgnoreCase("localhost")) {
                return true;
            }
            // Only literal addresses (IPv4 digits and dots, IPv6 with colons): a name is never resolved here.
            boolean ipv4 = bare.matches("[0-9.]+");
            boolean ipv6 = bare.contains(":") && bare.matches("[0-9A-Fa-f:.]+");
            if (!ipv4 && !ipv6) {
                return false;
            }
            try {
                return InetAddress.getByName(bare).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }
}
