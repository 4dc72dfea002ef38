package dev.poplar.pop3.store.maildir;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.store.maildir.internal.PasswordSchemes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link Authenticator} over a users file in Dovecot's passwd-file format, so that an existing Dovecot user list
 * works unchanged.
 *
 * <p><b>Format.</b> One user a line: {@code user:{SCHEME}secret}, optionally followed by more {@code :}-separated
 * fields (uid, gid, gecos, home, shell, extra fields), which are ignored. Blank lines and lines starting with
 * {@code #} are skipped. A secret without a {@code {SCHEME}} prefix is {@code CRYPT}, as in Dovecot. Schemes, as
 * {@code doveadm pw} writes them: {@code PLAIN} (also {@code CLEAR}, {@code CLEARTEXT}), {@code SHA256-CRYPT}
 * ({@code $5$}), {@code SHA512-CRYPT} ({@code $6$}), {@code SSHA256} and {@code SSHA512} (Base64 of digest and salt),
 * {@code BLF-CRYPT} (bcrypt {@code $2a$}, {@code $2b$}, {@code $2y$}), {@code ARGON2ID} and {@code ARGON2I}
 * ({@code $argon2id$v=19$m=...}), and {@code CRYPT} for {@code $5$}, {@code $6$} and bcrypt hashes. An unknown
 * scheme, a malformed secret, a line without {@code :} or a user listed twice is refused when the file is loaded,
 * with its line number. User names are matched exactly (case-sensitive); the mailbox of a user is the user name.
 *
 * <p><b>Reloading.</b> The file is read again when its modification time, size or identity (inode) changes, checked
 * at most once per {@link Builder#reloadCheckInterval(Duration)} (default two seconds), on the thread of the
 * {@link #authenticate} call that notices. If the changed file cannot be loaded, the previous users stay in force and
 * the problem is logged; it is tried again once the file changes again.
 *
 * <p><b>Cost.</b> Comparisons take the same time whatever the password. An unknown user's password is checked
 * against the first user's secret, so that it takes about as long to reject as a known user's (when the file uses one
 * scheme throughout, as it usually does). Verifying {@code BLF-CRYPT} and
 * {@code ARGON2*} secrets is slow by design: tens to hundreds of milliseconds of CPU, and for Argon2 the memory its
 * {@code m=} asks for (64 MiB for {@code doveadm pw}'s default) at each verification. {@code SHA*-CRYPT} takes a few
 * milliseconds. {@code APOP} is not offered: the file holds hashes, not shared secrets.
 *
 * <p><b>Threading.</b> Thread-safe; {@link #authenticate} blocks for the hash and, now and then, a reload. The server
 * calls it off its I/O threads.
 */
public final class PasswdFileAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(PasswdFileAuthenticator.class);

    private final Path file;
    private final long checkIntervalNanos;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Users users;
    private volatile long nextCheck;

    private PasswdFileAuthenticator(Path file, Duration checkInterval, Users users) {
        this.file = file;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.users = users;
        this.nextCheck = System.nanoTime() + checkIntervalNanos;
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
        return users.verifiers.size();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Accepts a password that matches the user's entry, with the user name as mailbox. Rejects an unknown user, a
     * wrong password, an authorization identity other than the user, and anything but a password. Blocks for the hash
     * (see the class description) and sometimes for a reload of the file.
     */
    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        if (!(credentials instanceof Credentials.Password password)) {
            return AuthResult.reject("the users file verifies passwords only");
        }
        reloadIfChanged();
        if (!password.authorizationId().isEmpty() && !password.authorizationId().equals(password.username())) {
            return AuthResult.reject("authorization identity differs from the user");
        }
        Users current = users;
        PasswordSchemes.Verifier verifier = current.verifiers.get(password.username());
        if (verifier == null) {
            try {
                if (current.decoy != null) {
                    current.decoy.matches(password.password().getBytes(StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                LOG.debug("The decoy check failed: {}", e.toString());
            }
            return AuthResult.reject("no such user in " + file);
        }
        try {
            return verifier.matches(password.password().getBytes(StandardCharsets.UTF_8))
                    ? AuthResult.accept(password.username())
                    : AuthResult.reject("wrong " + verifier.scheme() + " password");
        } catch (RuntimeException e) {
            LOG.warn("Cannot verify the {} password of a user of {}: {}", verifier.scheme(), file, e.toString());
            return AuthResult.unavailable("the " + verifier.scheme() + " password could not be verified");
        }
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (now - nextCheck < 0 || !reloading.tryLock()) {
            return;
        }
        try {
            nextCheck = now + checkIntervalNanos;
            Users current = users;
            Stamp stamp;
            try {
                stamp = Stamp.of(file);
            } catch (IOException e) {
                LOG.warn("Cannot check the users file {}; keeping {} users: {}", file, current.verifiers.size(),
                        e.toString());
                return;
            }
            if (stamp.equals(current.stamp)) {
                return;
            }
            try {
                users = parse(file, stamp);
                LOG.info("Reloaded the users file {}: {} users", file, users.verifiers.size());
            } catch (PasswdFileException e) {
                LOG.error("Cannot reload the users file; keeping the {} users loaded before: {}",
                        current.verifiers.size(), e.getMessage());
                users = new Users(current.verifiers, stamp, current.decoy);
            }
        } finally {
            reloading.unlock();
        }
    }

    private static Users parse(Path file, Stamp stamp) throws PasswdFileException {
        Map<String, PasswordSchemes.Verifier> verifiers = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        PasswordSchemes.Verifier decoy = null;
        int number = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                number++;
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new PasswdFileException(file, number, colon == 0 ? "the user name is empty"
                            : "expected user:{SCHEME}secret", null);
                }
                String user = line.substring(0, colon);
                int end = line.indexOf(':', colon + 1);
                String secret = line.substring(colon + 1, end < 0 ? line.length() : end);
                Integer first = lines.putIfAbsent(user, number);
                if (first != null) {
                    throw new PasswdFileException(file, number, "user " + user + " is listed again (first on line "
                            + first + ")", null);
                }
                try {
                    PasswordSchemes.Verifier verifier = PasswordSchemes.parse(secret);
                    verifiers.put(user, verifier);
                    decoy = decoy == null ? verifier : decoy;
                } catch (IllegalArgumentException e) {
                    throw new PasswdFileException(file, number, "user " + user + ": " + e.getMessage(), null);
                }
            }
        } catch (CharacterCodingException e) {
            throw new PasswdFileException(file, number + 1, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new PasswdFileException(file, 0, "cannot be read: " + e, e);
        }
        return new Users(Map.copyOf(verifiers), stamp, decoy);
    }

    /**
     * The users of one version of the file.
     *
     * @param verifiers the secret of each user
     * @param stamp the version of the file
     * @param decoy the secret of the first user, checked (and ignored) for unknown users so that they take about as
     *     long to reject as known ones; null for an empty file
     */
    private record Users(Map<String, PasswordSchemes.Verifier> verifiers, Stamp stamp,
                         PasswordSchemes.Verifier decoy) {
    }

    /** What tells one version of the file from another without reading it. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        }
    }

    /** Builds a {@link PasswdFileAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private final Path file;
        private Duration reloadCheckInterval = Duration.ofSeconds(2);

        private Builder(Path file) {
            this.file = file;
        }

        /**
         * How often, at most, the file is checked for changes. Default two seconds; zero checks at every
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
         * Loads the file and returns the authenticator.
         *
         * @return an authenticator over the file
         * @throws PasswdFileException if the file cannot be read or a line is not valid (the message names the line)
         * @throws IllegalArgumentException if {@code reloadCheckInterval} is negative
         * @throws NullPointerException if {@code reloadCheckInterval} was set to null
         */
        public PasswdFileAuthenticator build() throws PasswdFileException {
            Objects.requireNonNull(reloadCheckInterval, "reloadCheckInterval");
            if (reloadCheckInterval.isNegative()) {
                throw new IllegalArgumentException("reloadCheckInterval must not be negative: " + reloadCheckInterval);
            }
            Stamp stamp;
            try {
                stamp = Stamp.of(file);
            } catch (IOException e) {
                throw new PasswdFileException(file, 0, "cannot be read: " + e, e);
            }
            return new PasswdFileAuthenticator(file, reloadCheckInterval, parse(file, stamp));
        }
    }
}
