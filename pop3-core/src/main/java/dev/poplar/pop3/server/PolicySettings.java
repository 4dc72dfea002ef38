package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.store.MailboxStore;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The part of {@link Pop3Server.Builder} that sets what the server announces (greeting, {@code CAPA} values, OAuth
 * error details) and the policies applied to mail (retention, the content hook). Not API on its own: users see these
 * methods on the builder.
 */
abstract sealed class PolicySettings extends LimitSettings permits Pop3Server.Builder {

    private String serverName = "Poplar";
    private String implementation;
    private Expire expire;
    private Duration loginDelay;
    private Optional<String> oauthScope = Optional.empty();
    private Optional<URI> oauthOpenIdConfiguration = Optional.empty();
    private Retention retention;
    private Function<String, Retention> retentionPerMailbox;
    private ContentHook contentHook;
    private Clock clock = Clock.systemUTC();

    PolicySettings() {
    }

    /**
     * The name in the greeting ({@code +OK <name> POP3 server ready}). Default {@code Poplar}.
     *
     * @param name printable ASCII, no line breaks
     * @return this builder
     */
    public Pop3Server.Builder serverName(String name) {
        this.serverName = Objects.requireNonNull(name, "serverName");
        return self();
    }

    /**
     * Advertises an {@code IMPLEMENTATION} capability (RFC 2449 section 6.9). Not advertised by default.
     *
     * @param implementation printable ASCII, e.g. {@code "Poplar 1.0"}
     * @return this builder
     */
    public Pop3Server.Builder implementation(String implementation) {
        this.implementation = Objects.requireNonNull(implementation, "implementation");
        return self();
    }

    /**
     * Advertises the {@code EXPIRE} capability (RFC 2449 section 6.7): how long the server keeps mail the client
     * has retrieved, when something other than this server deletes it. Not advertised by default. To have the
     * server enforce a policy (and announce it), use {@link Pop3Server.Builder#retention(Retention) retention} instead.
     *
     * @param policy e.g. {@code Expire.days(30)} or {@code Expire.never()}
     * @return this builder
     */
    public Pop3Server.Builder expire(Expire policy) {
        this.expire = Objects.requireNonNull(policy, "expire");
        return self();
    }

    /**
     * Advertises the {@code LOGIN-DELAY} capability (RFC 2449 section 6.5): the minimum time between logins. The
     * {@link Authenticator} enforces it by returning {@code AuthResult.delay(...)}. Not advertised by default.
     *
     * @param delay the delay, in whole seconds
     * @return this builder
     */
    public Pop3Server.Builder loginDelay(Duration delay) {
        this.loginDelay = Objects.requireNonNull(delay, "loginDelay");
        return self();
    }

    /**
     * What a client hears when its OAuth 2.0 token is refused: the error response of SASL {@code OAUTHBEARER}
     * (RFC 7628 section 3.2.2) names the scope a token needs and where the provider's OpenID configuration is,
     * and {@code XOAUTH2}'s names the scope, so that the client can fetch a suitable token. With
     * {@code pop3-auth-oauth}: {@code oauthErrorDetails(jwt.requiredScope(), jwt.openIdConfiguration())}.
     * Default: neither is sent.
     *
     * @param scope one scope token (RFC 6749 section 3.3), or empty
     * @param openIdConfiguration an absolute {@code https} URL, or empty
     * @return this builder
     * @throws IllegalArgumentException if the scope has white space, quotes, backslashes or control characters,
     *     or the URL is not an absolute https URL
     */
    public Pop3Server.Builder oauthErrorDetails(Optional<String> scope, Optional<URI> openIdConfiguration) {
        Objects.requireNonNull(scope, "scope").ifPresent(s -> {
            if (s.isEmpty() || s.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c >= 0x7f)) {
                throw new IllegalArgumentException("oauthErrorDetails scope must be one scope token (RFC 6749 "
                        + "section 3.3), without spaces, quotes or backslashes: \"" + s + "\"");
            }
        });
        Objects.requireNonNull(openIdConfiguration, "openIdConfiguration").ifPresent(url -> {
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("oauthErrorDetails openIdConfiguration must be an absolute "
                        + "https URL (RFC 7628 section 3.2.2), not " + url);
            }
        });
        this.oauthScope = scope;
        this.oauthOpenIdConfiguration = openIdConfiguration;
        return self();
    }

    /**
     * Deletes messages when the policy says they have been kept long enough, and announces it with
     * {@code EXPIRE} (RFC 2449 section 6.7). Enforced when a user logs in (expired messages are removed through
     * {@code Maildrop.expire} before the listing, so the client never sees them) and at {@code QUIT} (messages
     * retrieved in the session whose time is up, such as all of them with
     * {@code Retention.afterRetrieval(Duration.ZERO)}). Use {@link Pop3Server#expire(String)} for mailboxes
     * whose users do not log in. No retention by default.
     *
     * <p>The store must report the message times the policy counts from ({@link Retention#requiredTimes()},
     * {@link MailboxStore#messageTimes()}): otherwise {@link Pop3Server.Builder#build()} refuses the policy, naming
     * the missing times, rather than announce an {@code EXPIRE} the server cannot keep. Removing retrieved messages
     * at {@code QUIT} ({@code Duration.ZERO}) needs no time.
     *
     * @param policy e.g. {@code Retention.afterRetrieval(Duration.ofDays(14))}
     * @return this builder
     */
    public Pop3Server.Builder retention(Retention policy) {
        this.retention = Objects.requireNonNull(policy, "retention");
        this.retentionPerMailbox = null;
        return self();
    }

    /**
     * Retention that differs per mailbox: before login {@code CAPA} announces {@code EXPIRE <minimum> USER}, after
     * login the mailbox's own value (RFC 2449 section 6.7). The function must be fast (it runs with every login)
     * and thread-safe; {@code null} from it means {@code minimum}. A mailbox's policy that announces fewer days
     * than {@code minimum} would break the announcement, and one that needs message times the store does not
     * report could not be kept: the server applies {@code minimum} instead and logs a warning. {@code minimum}
     * itself is checked against the store as {@link Pop3Server.Builder#retention(Retention) retention} says.
     *
     * @param minimum the policy announced before login, the shortest of any mailbox's
     * @param perMailbox the policy of a mailbox, by name (as the authenticator returned it)
     * @return this builder
     */
    public Pop3Server.Builder retention(Retention minimum, Function<String, Retention> perMailbox) {
        this.retention = Objects.requireNonNull(minimum, "minimum");
        this.retentionPerMailbox = Objects.requireNonNull(perMailbox, "perMailbox");
        return self();
    }

    /**
     * Passes every message on its way out ({@code RETR}, {@code TOP}) through a hook that may add header lines,
     * transform it, or refuse it. See {@link ContentHook} for sizes and threads. None by default.
     *
     * @param hook the hook
     * @return this builder
     */
    public Pop3Server.Builder contentHook(ContentHook hook) {
        this.contentHook = Objects.requireNonNull(hook, "contentHook");
        return self();
    }

    /**
     * The clock the server reads for its retention policy. Default: the system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Pop3Server.Builder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    final String serverName() {
        require(printable(serverName), "serverName must be printable ASCII: " + serverName);
        return serverName;
    }

    final Optional<String> implementation() {
        require(implementation == null || printable(implementation),
                "implementation must be printable ASCII: " + implementation);
        return Optional.ofNullable(implementation);
    }

    final Optional<Expire> expire() {
        require(retention == null || expire == null, "expire and retention are both set: retention announces "
                + "its own EXPIRE value (" + (retention == null ? "" : retention.expire()) + "); drop expire(...)");
        return Optional.ofNullable(expire);
    }

    final Optional<Duration> loginDelay() {
        require(loginDelay == null || !loginDelay.isNegative(), "loginDelay must not be negative");
        return Optional.ofNullable(loginDelay);
    }

    final ServerConfig.OAuthErrors oauthErrors() {
        return new ServerConfig.OAuthErrors(oauthScope, oauthOpenIdConfiguration);
    }

    /** The bandwidth limits, retention and content hook, with the retention policy checked against the store. */
    final ServerConfig.Policies policies(MailboxStore store) {
        if (retention != null) {
            Set<MailboxStore.MessageTime> missing = EnumSet.noneOf(MailboxStore.MessageTime.class);
            missing.addAll(retention.requiredTimes());
            missing.removeAll(store.messageTimes());
            require(missing.isEmpty(), "retention " + retention + " needs message times the store does not "
                    + "report (" + missing + "; it reports " + store.messageTimes() + "): the server would "
                    + "announce " + retention.expire() + " and not keep it");
        }
        return new ServerConfig.Policies(bandwidthPerSession(), bandwidthPerUser(), Optional.ofNullable(retention),
                Optional.ofNullable(retentionPerMailbox), Optional.ofNullable(contentHook), clock);
    }

    private static boolean printable(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
    }
}
