package dev.poplar.pop3.auth.passwd;

import dev.poplar.pop3.auth.passwd.internal.AppPasswordSecret;
import dev.poplar.pop3.auth.passwd.internal.AppPasswordTable;
import dev.poplar.pop3.auth.passwd.internal.AtomicFile;
import dev.poplar.pop3.auth.Cidr;
import dev.poplar.pop3.auth.passwd.internal.UsageLog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * App passwords: extra passwords for a user, one per device or program, so that a mail client that polls unattended
 * never holds the user's main password. Each has a label, may be revoked on its own, may be limited to client
 * networks (CIDR, IPv4 and IPv6), and its last login is recorded. The secret is generated (100 random bits, shown
 * once by {@link #add}); the file keeps only its SHA-256.
 *
 * <p><b>Files.</b> The app passwords live in a file of their own beside the users file, one a line:
 * <pre>
 * alice k3m9p2qa {SHA256}n4bQgYhM...= created=2026-01-05T10:00:00Z networks=192.0.2.0/24,2001:db8::/32 label=Phone
 * </pre>
 * ({@code networks=} is left out for anywhere; {@code revoked=INSTANT} marks a revoked one; the label runs to the
 * end of the line). Last logins go to a second file, by default the first one's name followed by
 * {@code .last-used}, written by the server. This class changes the first file only, always by writing a new file and
 * renaming it over the old one, so that a reader (a server reloading it) never sees half of it. Writers in several
 * processes are serialized by a lock on a third file ({@code .lock}); within one JVM, use one instance per file.
 * Comments written by hand are not kept.
 *
 * <p><b>Use.</b> Give the same {@code AppPasswords} to {@link PasswdFileAuthenticator.Builder#appPasswords}: a
 * password login then succeeds with the user's main password or with any of the user's app passwords that is not
 * revoked and whose networks hold the client's address. App passwords verify passwords only (USER/PASS, SASL PLAIN
 * and LOGIN), not APOP, CRAM-MD5 or SCRAM, which need the secret or keys derived from it.
 *
 * <p><b>Threading.</b> Thread-safe; every method reads the file and blocks for file I/O.
 */
public final class AppPasswords {

    private final Path file;
    private final Path usageFile;
    private final SecureRandom random = new SecureRandom();

    private AppPasswords(Path file, Path usageFile) {
        this.file = file;
        this.usageFile = usageFile;
    }

    /**
     * App passwords in a file, with last logins in the file of the same name followed by {@code .last-used}.
     *
     * @param file the app-passwords file; it need not exist yet
     * @return the app passwords
     * @throws NullPointerException if {@code file} is null
     */
    public static AppPasswords at(Path file) {
        Objects.requireNonNull(file, "file");
        return new AppPasswords(file, file.resolveSibling(file.getFileName() + ".last-used"));
    }

    /**
     * App passwords in a file, with last logins in another file (for a server that may not write where the
     * app-passwords file is).
     *
     * @param file the app-passwords file; it need not exist yet
     * @param usageFile where the server records last logins
     * @return the app passwords
     * @throws NullPointerException if an argument is null
     */
    public static AppPasswords at(Path file, Path usageFile) {
        return new AppPasswords(Objects.requireNonNull(file, "file"), Objects.requireNonNull(usageFile, "usageFile"));
    }

    /**
     * The app-passwords file.
     *
     * @return its path as given
     */
    public Path file() {
        return file;
    }

    /**
     * The file of last logins.
     *
     * @return its path
     */
    public Path usageFile() {
        return usageFile;
    }

    /**
     * Adds an app password with a new random secret.
     *
     * @param user the user it logs in as (not checked against a users file)
     * @param label what it is for, 1 to 200 characters without control characters
     * @param networks the client networks it may log in from ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or an
     *     address alone); empty for anywhere
     * @return the new app password and its secret, which is shown this once and stored only as a digest
     * @throws IllegalArgumentException if the user, label or a network is not valid (the message names it)
     * @throws PasswdFileException if the file cannot be read, is not valid, or cannot be written (it is then
     *     unchanged)
     * @throws NullPointerException if an argument is null
     */
    public Issued add(String user, String label, List<String> networks) throws PasswdFileException {
        AppPasswordTable.checkUser(user);
        AppPasswordTable.checkLabel(label);
        List<Cidr> parsed = networks.stream().map(Cidr::parse).toList();
        return change(table -> {
            String secret = AppPasswordSecret.generate(random);
            String id;
            do {
                id = AppPasswordSecret.id(random);
            } while (containsId(table, id));
            AppPasswordTable.Entry entry = new AppPasswordTable.Entry(user, id, label,
                    AppPasswordSecret.digest(secret), parsed, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    Optional.empty());
            List<AppPasswordTable.Entry> entries = new ArrayList<>(table.entries());
            entries.add(entry);
            return new Change<>(entries, new Issued(entry.view(Optional.empty()), secret));
        });
    }

    /**
     * Revokes an app password: it no longer logs in (a server sees it at its next check of the file). It stays in
     * the file, and in {@link #list()}, marked revoked.
     *
     * @param user the user
     * @param id the app password's id
     * @return {@code true} if it was valid and is now revoked; {@code false} if there is no such app password of
     *     this user, or it was already revoked
     * @throws PasswdFileException if the file cannot be read, is not valid, or cannot be written (it is then
     *     unchanged)
     * @throws NullPointerException if an argument is null
     */
    public boolean revoke(String user, String id) throws PasswdFileException {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(id, "id");
        return change(table -> {
            List<AppPasswordTable.Entry> entries = new ArrayList<>(table.entries());
            for (int i = 0; i < entries.size(); i++) {
                AppPasswordTable.Entry entry = entries.get(i);
                if (entry.user().equals(user) && entry.id().equals(id) && entry.revoked().isEmpty()) {
                    entries.set(i, entry.revoke(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
                    return new Change<>(entries, true);
                }
            }
            return new Change<>(null, false);
        });
    }

    /**
     * All app passwords, revoked ones included, in the order they were added, with their last logins.
     *
     * @return the app passwords; empty if the file does not exist
     * @throws PasswdFileException if a file cannot be read, or the app-passwords file is not valid
     */
    public List<AppPassword> list() throws PasswdFileException {
        AppPasswordTable table = read();
        Map<UsageLog.Key, Instant> uses;
        try {
            uses = UsageLog.read(usageFile);
        } catch (IOException e) {
            throw new PasswdFileException(usageFile, 0, "cannot be read: " + e, e);
        }
        return table.entries().stream()
                .map(e -> e.view(Optional.ofNullable(uses.get(new UsageLog.Key(e.user(), e.id())))))
                .toList();
    }

    /**
     * The app passwords of one user, revoked ones included.
     *
     * @param user the user
     * @return the user's app passwords in the order they were added
     * @throws PasswdFileException if a file cannot be read, or the app-passwords file is not valid
     * @throws NullPointerException if {@code user} is null
     */
    public List<AppPassword> list(String user) throws PasswdFileException {
        Objects.requireNonNull(user, "user");
        return list().stream().filter(a -> a.user().equals(user)).toList();
    }

    /**
     * A new app password and its secret.
     *
     * @param appPassword what {@link #list()} shows of it
     * @param secret the secret to give the user, e.g. {@code k7qmz-4ta9c-wx2pe-h3nvb} (dashes, spaces and case do
     *     not matter when it is used)
     */
    public record Issued(AppPassword appPassword, String secret) {

        /**
         * Validates the fields.
         *
         * @param appPassword what {@link #list()} shows of it
         * @param secret the secret to give the user, e.g. {@code k7qmz-4ta9c-wx2pe-h3nvb} (dashes, spaces and case do not matter when it is used)
         * @throws NullPointerException if any is null
         */
        public Issued {
            Objects.requireNonNull(appPassword, "appPassword");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "Issued[appPassword=" + appPassword + ", secret=***]";
        }
    }

    /** The file's entries after a change ({@code null} for no change), and what to return. */
    private record Change<R>(List<AppPasswordTable.Entry> entries, R result) {
    }

    @FunctionalInterface
    private interface Edit<R> {
        Change<R> apply(AppPasswordTable table);
    }

    /** Reads, edits and rewrites the file under the lock, so that concurrent writers do not lose each other's edits. */
    private synchronized <R> R change(Edit<R> edit) throws PasswdFileException {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.lock(); // released when the channel closes
            Change<R> change = edit.apply(read());
            if (change.entries() != null) {
                AtomicFile.write(file, AppPasswordTable.of(change.entries()).format());
            }
            return change.result();
        } catch (IOException e) {
            throw new PasswdFileException(file, 0, "cannot be written: " + e, e);
        } catch (OverlappingFileLockException e) {
            throw new PasswdFileException(file, 0, "is being changed by another AppPasswords of this JVM; use one "
                    + "instance per file", e);
        }
    }

    private AppPasswordTable read() throws PasswdFileException {
        return Files.exists(file) ? AppPasswordTable.parse(file) : AppPasswordTable.EMPTY;
    }

    private static boolean containsId(AppPasswordTable table, String id) {
        return table.entries().stream().anyMatch(e -> e.id().equals(id));
    }
}
