package dev.poplar.pop3.auth.passwd;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.auth.passwd.internal.AppPasswordTable;
import dev.poplar.pop3.auth.passwd.internal.ReloadingFile;
import dev.poplar.pop3.auth.passwd.internal.UsageLog;
import dev.poplar.pop3.auth.passwd.internal.UserTable;
import dev.poplar.pop3.auth.passwd.internal.VerificationListener;
import dev.poplar.pop3.auth.passwd.internal.VerifiedPasswords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Authenticator} over a users file in Dovecot's passwd-file format, so that an existing Dovecot user list
 * works unchanged, optionally with {@linkplain AppPasswords app passwords}.
 *
 * <p><b>Format.</b> One user a line: {@code user:{SCHEME}secret}, optionally followed by more {@code :}-separated
 * fields (uid, gid, gecos, home, shell, extra fields), which are ignored. Blank lines and lines starting with
 * {@code #} are skipped. A secret without a {@code {SCHEME}} prefix is {@code CRYPT}, as in Dovecot. The schemes are
 * those of {@link PasswordScheme}, as {@code doveadm pw} writes them ({@code PLAIN}, {@code CRAM-MD5}, {@code SSHA256},
 * {@code SSHA512}, {@code SHA256-CRYPT}, {@code SHA512-CRYPT}, {@code BLF-CRYPT}, {@code ARGON2I}, {@code ARGON2ID},
 * {@code SCRAM-SHA-1}, {@code SCRAM-SHA-256}), with the aliases {@code CLEAR}, {@code CLEARTEXT}, {@code HMAC-MD5},
 * and {@code CRYPT} for {@code $5$}, {@code $6$} and bcrypt hashes. An unknown scheme, a malformed secret, a line
 * without {@code :} or a user listed twice is refused when the file is loaded, with its line number and never the
 * secret. User names are matched exactly (case-sensitive); the mailbox of a user is the user name.
 *
 * <p><b>Mechanisms.</b> Passwords always. The others only when every user can log in with them, since a client that
 * sees a mechanism offered uses it and does not fall back (curl prefers {@code CRAM-MD5}): {@code APOP} when every
 * entry is in clear ({@code PLAIN}); SASL {@code CRAM-MD5} when every entry is in clear or {@code CRAM-MD5}; SASL
 * {@code SCRAM-*} when every entry holds SCRAM keys ({@link #scramSecret} returns them). A password is verified
 * against every scheme, SCRAM keys included.
 *
 * <p><b>Reloading.</b> The file (and the app-passwords file) is read again when its modification time, size or
 * identity (inode) changes, checked at most once per {@link Builder#reloadCheckInterval(Duration)} (default two
 * seconds), on the thread of the {@link #authenticate} call that notices. If the changed file cannot be loaded, the
 * previous users stay in force and the problem is logged; it is tried again once the file changes again.
 *
 * <p><b>No user enumeration by timing.</b> Every password attempt runs one password check of each cost profile in
 * the file (an algorithm with its cost parameters, such as {@code SHA512-CRYPT rounds=5000} or
 * {@code BLF-CRYPT cost=10}): the user's own secret for the profile of the user's entry, a decoy of the file for each
 * other one, and decoys only for an unknown user; then, with app passwords, one SHA-256 lookup. So an attempt costs
 * the same whoever the user, whether it exists, and whatever the password: a file that mixes schemes (or cost
 * parameters) makes every attempt pay for all of them, so keep one scheme throughout. Comparisons take the same time
 * wherever the secrets differ. APOP and CRAM-MD5 attempts run one keyed MD5 against the user's secret or a random one.
 * The one exception is the verification cache (below), which is off unless asked for: a password the user logged in
 * with lately is accepted faster, which tells the client nothing that the {@code +OK} does not.
 *
 * <p><b>Cost.</b> Verifying {@code BLF-CRYPT} and {@code ARGON2*} secrets is slow by design: tens to hundreds of
 * milliseconds of CPU, and for Argon2 the memory its {@code m=} asks for (64 MiB for {@code doveadm pw}'s default) at
 * each verification. {@code SHA*-CRYPT} and {@code SCRAM-*} take a few milliseconds.
 *
 * <p><b>Verification cache.</b> A mail client logs in at every poll, every few minutes, with the same password: with
 * {@link Builder#verificationCache(Duration, int)}, a password that matched the user's entry is remembered for a
 * while and the same password is then accepted without the hashes, as some directory servers' password caches do
 * (Dovecot's {@code auth_cache} saves the database lookup but still runs the hash). What is remembered is a keyed
 * SHA-256 of the user name and the password, under a random key drawn when the authenticator is built, tied to the
 * users file that accepted it: a reload of the file (a changed password, a removed user) ends every entry at once,
 * and a wrong password is checked against the file as without the cache. App passwords are not cached (their check
 * is one SHA-256 already). The cost: a copy of the process's memory holds, for each user who logged in within the
 * time to live, a digest as fast to guess against as a salted SHA-256, instead of only the file's slow hashes; so it
 * is off by default, and {@link Builder#build()} says at INFO when the file holds such hashes ({@code SHA*-CRYPT},
 * {@code BLF-CRYPT}, {@code ARGON2*}, {@code SCRAM-*}) and no cache is set.
 *
 * <p><b>Threading.</b> Thread-safe; {@link #authenticate} and {@link #scramSecret} block for the hashes and, now and
 * then, a reload or a write of the last-use file. The server calls them off its I/O threads. {@link #supports} never
 * blocks: it answers from the users loaded last.
 */
public final class PasswdFileAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(PasswdFileAuthenticator.class);

    /** The verification step of the cache's digest, run by every password attempt when the cache is on. */
    static final String CACHE_STEP = "VERIFIED-CACHE";

    /** App passwords record their last login at most this often, each. */
    private static final Duration USAGE_INTERVAL = Duration.ofMinutes(1);

    private final Path file;
    private final ReloadingFile<UserTable> users;
    private final Optional<ReloadingFile<AppPasswordTable>> appPasswords;
    private final Optional<UsageLog> usage;
    private final VerificationListener listener;
    private final Optional<VerifiedPasswords> verified;

    private PasswdFileAuthenticator(Path file, ReloadingFile<UserTable> users,
                                    Optional<ReloadingFile<AppPasswordTable>> appPasswords, Optional<UsageLog> usage,
                                    VerificationListener listener, Optional<VerifiedPasswords> verified) {
        this.file = file;
        this.users = users;
        this.appPasswords = appPasswords;
        this.usage = usage;
        this.listener = listener;
        this.verified = verified;
    }

    /**
     * Loads a users file, to be reloaded when it changes (checked at most every two seconds).
     *
     * @param file the users file
     * @return an authenticator over it
     * @throws PasswdFileException if the file cannot be read or a line is not valid (the message names the line)
     */
    public static PasswdFileAuthenticator load(Path file) throws PasswdFileException {
        return builder(file).build();
    }

    /**
     * Starts building an authenticator over a users file.
     *
     * @param file the users file
     * @return a builder with the defaults
     * @throws NullPointerException if {@code file} is null
     */
    public static Builder builder(Path file) {
        return new Builder(Objects.requireNonNull(file, "file"));
    }

    /**
     * The users file.
     *
     * @return its path as given
     */
    public Path file() {
        return file;
    }

    /**
     * How many users the file held when it was last loaded.
     *
     * @return the number of users
     */
    public int userCount() {
        return users.peek().size();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Accepts, with the user name as mailbox: a password that matches the user's entry or one of the user's valid
     * app passwords allowed from the client's address; an APOP or CRAM-MD5 digest of the user's secret; a SCRAM
     * exchange (already checked by the server against {@link #scramSecret}) for a user with SCRAM keys. Rejects an
     * unknown user, wrong credentials, an authorization identity other than the user, and other kinds of
     * credentials. Answers {@link AuthResult.Unavailable} if the user's hash cannot be computed. Blocks for the hashes
     * (see the class description), unless the verification cache knows the password, and sometimes for a reload of
     * the files.
     */
    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        UserTable table = users.current();
        if (!credentials.authorizationId().isEmpty()
                && !credentials.authorizationId().equals(credentials.username())) {
            return AuthResult.reject("authorization identity differs from the user");
        }
        String user = credentials.username();
        if (credentials instanceof Credentials.Password password) {
            return password(table, password, client);
        }
        boolean accepted;
        if (credentials instanceof Credentials.Apop apop) {
            accepted = table.checkApop(user, apop.timestamp(), apop.digest(), listener);
        } else if (credentials instanceof Credentials.CramMd5 cram) {
            accepted = table.checkCramMd5(user, cram.challenge(), cram.digest(), listener);
        } else if (credentials instanceof Credentials.Scram scram) {
            accepted = table.scramSecret(user, scram.algorithm()).isPresent();
        } else {
            return AuthResult.reject("the users file does not verify " + credentials.getClass().getSimpleName());
        }
        return accepted ? AuthResult.accept(user)
                : AuthResult.reject(table.contains(user) ? "wrong " + credentials.getClass().getSimpleName()
                        + " credentials for a " + table.schemeOf(user) + " entry" : "no such user in " + file);
    }

    private AuthResult password(UserTable table, Credentials.Password credentials, ClientInfo client) {
        String user = credentials.username();
        byte[] password = credentials.password().getBytes(StandardCharsets.UTF_8);
        Optional<byte[]> digest = verified.map(cache -> cache.digest(user, password));
        if (digest.isPresent()) {
            listener.ran(CACHE_STEP);
            if (verified.get().matches(user, table, digest.get())) {
                return AuthResult.accept(user);
            }
        }
        UserTable.Outcome outcome = table.checkPassword(user, password, listener);
        Optional<AppPasswordTable.Entry> app = appPasswords
                .flatMap(f -> f.current().find(user, credentials.password(), listener))
                .filter(entry -> table.contains(user));
        if (outcome == UserTable.Outcome.MATCH) {
            digest.ifPresent(d -> verified.get().remember(user, table, d));
            return AuthResult.accept(user);
        }
        if (app.isPresent()) {
            AppPasswordTable.Entry entry = app.get();
            if (!entry.allows(client.remoteAddress().getAddress())) {
                return AuthResult.reject("app password " + entry.id() + " is not allowed from "
                        + client.remoteAddress().getAddress());
            }
            usage.ifPresent(log -> log.used(user, entry.id()));
            return AuthResult.accept(user);
        }
        return switch (outcome) {
            case UNKNOWN_USER -> AuthResult.reject("no such user in " + file);
            case FAILED -> {
                LOG.warn("Cannot verify the {} password of a user of {}", table.schemeOf(user), file);
                yield AuthResult.unavailable("the " + table.schemeOf(user) + " password could not be verified");
            }
            default -> AuthResult.reject("wrong " + table.schemeOf(user) + " password");
        };
    }

    /**
     * {@inheritDoc}
     *
     * <p>The keys of a user's {@code {SCRAM-SHA-1}} or {@code {SCRAM-SHA-256}} entry, for that algorithm; empty for
     * an unknown user, another algorithm or another scheme. May block for a reload of the file.
     */
    @Override
    public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
        return users.current().scramSecret(username, algorithm);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Passwords always; {@link Credentials.Apop} if some entry is in clear; {@link Credentials.CramMd5} if some
     * entry is in clear or {@code CRAM-MD5}; {@link Credentials.Scram} if some entry holds SCRAM keys. Answers from
     * the users loaded last, without looking at the file.
     */
    @Override
    public boolean supports(Class<? extends Credentials> kind) {
        UserTable table = users.peek();
        return kind == Credentials.Password.class
                || kind == Credentials.Apop.class && table.verifiesApop()
                || kind == Credentials.CramMd5.class && table.verifiesCramMd5()
                || kind == Credentials.Scram.class && table.servesScram();
    }

    /** Builds a {@link PasswdFileAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private final Path file;
        private Duration reloadCheckInterval = Duration.ofSeconds(2);
        private AppPasswords appPasswords;
        private Clock clock = Clock.systemUTC();
        private VerificationListener listener = VerificationListener.NONE;
        private Duration cacheTimeToLive;
        private int cacheMaximumUsers;
        private Ticker ticker = Ticker.systemTicker();

        private Builder(Path file) {
            this.file = file;
        }

        /**
         * How often, at most, the files are checked for changes. Default two seconds; zero checks at every
         * authentication.
         *
         * @param reloadCheckInterval zero or a positive duration
         * @return this builder
         */
        public Builder reloadCheckInterval(Duration reloadCheckInterval) {
            this.reloadCheckInterval = reloadCheckInterval;
            return this;
        }

        /**
         * Also accepts the users' app passwords from these files (reloaded like the users file; the app-passwords
         * file need not exist yet), and records their last logins in {@link AppPasswords#usageFile()}. Default: none.
         *
         * @param appPasswords the app passwords
         * @return this builder
         */
        public Builder appPasswords(AppPasswords appPasswords) {
            this.appPasswords = appPasswords;
            return this;
        }

        /**
         * Remembers each password that matched its user's entry for {@code timeToLive}, for at most
         * {@code maximumUsers} users (the least used go first), and accepts the same password again without the
         * hashes (see "Verification cache" in the class description). Default: off. A time to live of a few minutes
         * to an hour covers clients that poll; a reload of the users file ends every entry.
         *
         * @param timeToLive how long after a successful check the same password is accepted without one; positive
         * @param maximumUsers how many users are remembered at most; positive (a few hundred bytes each)
         * @return this builder
         * @throws IllegalArgumentException if either is not positive
         * @throws NullPointerException if {@code timeToLive} is null
         */
        public Builder verificationCache(Duration timeToLive, int maximumUsers) {
            Objects.requireNonNull(timeToLive, "timeToLive");
            if (timeToLive.isNegative() || timeToLive.isZero()) {
                throw new IllegalArgumentException("verificationCache timeToLive must be positive: " + timeToLive);
            }
            if (maximumUsers < 1) {
                throw new IllegalArgumentException("verificationCache maximumUsers must be positive: "
                        + maximumUsers);
            }
            this.cacheTimeToLive = timeToLive;
            this.cacheMaximumUsers = maximumUsers;
            return this;
        }

        /** The time source of the verification cache; tests set it. */
        Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** The clock of last-use records; tests set it. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Who is told of each verification step; tests set it. */
        Builder verificationListener(VerificationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Loads the files and returns the authenticator.
         *
         * @return an authenticator over the file
         * @throws PasswdFileException if a file cannot be read or a line is not valid (the message names the file
         *     and line)
         * @throws IllegalArgumentException if {@code reloadCheckInterval} is negative
         * @throws NullPointerException if {@code reloadCheckInterval} was set to null
         */
        public PasswdFileAuthenticator build() throws PasswdFileException {
            Objects.requireNonNull(reloadCheckInterval, "reloadCheckInterval");
            if (reloadCheckInterval.isNegative()) {
                throw new IllegalArgumentException("reloadCheckInterval must not be negative: " + reloadCheckInterval);
            }
            ReloadingFile<UserTable> users = new ReloadingFile<>(file, "users file", reloadCheckInterval,
                    UserTable::parse, Optional.empty(), table -> table.size() + " users");
            Optional<ReloadingFile<AppPasswordTable>> apps = Optional.empty();
            Optional<UsageLog> usage = Optional.empty();
            if (appPasswords != null) {
                apps = Optional.of(new ReloadingFile<>(appPasswords.file(), "app-passwords file",
                        reloadCheckInterval, AppPasswordTable::parse, Optional.of(AppPasswordTable.EMPTY),
                        table -> table.activeCount() + " valid app passwords"));
                usage = Optional.of(new UsageLog(appPasswords.usageFile(), clock, USAGE_INTERVAL));
            }
            Optional<VerifiedPasswords> verified = cacheTimeToLive == null ? Optional.empty()
                    : Optional.of(new VerifiedPasswords(cacheTimeToLive, cacheMaximumUsers, ticker));
            List<String> slow = users.peek().slowProfiles();
            if (verified.isEmpty() && !slow.isEmpty()) {
                LOG.info("The users file {} holds passwords hashed with {}: every login runs the hash. A verification"
                        + " cache accepts a password verified lately without it (off by default; see"
                        + " PasswdFileAuthenticator.Builder.verificationCache, or auth.verification_cache_ttl in the"
                        + " standalone server)", file, String.join(", ", slow));
            }
            return new PasswdFileAuthenticator(file, users, apps, usage, listener, verified);
        }
    }
}
