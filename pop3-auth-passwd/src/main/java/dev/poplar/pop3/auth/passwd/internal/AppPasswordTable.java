package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.Cidr;
import dev.poplar.pop3.auth.passwd.AppPassword;
import dev.poplar.pop3.auth.passwd.PasswdFileException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The app passwords of one version of an app-passwords file. One app password a line:
 *
 * <pre>
 * user id {SHA256}digest created=INSTANT [networks=CIDR,...] [revoked=INSTANT] label=free text to the end
 * </pre>
 *
 * <p>{@code digest} is the Base64 SHA-256 of the secret in canonical form ({@link AppPasswordSecret}); instants are
 * ISO-8601 in UTC ({@code 2026-01-05T10:00:00Z}). Blank lines and lines starting with {@code #} are skipped (and not
 * kept when the file is rewritten). Immutable and thread-safe.
 */
public final class AppPasswordTable {

    /** A table without app passwords. */
    public static final AppPasswordTable EMPTY = new AppPasswordTable(List.of(), Map.of());

    private static final String HEADER = "# App passwords: user id {SHA256}digest created=INSTANT"
            + " [networks=CIDR,...] [revoked=INSTANT] label=TEXT\n"
            + "# Written by Poplar's AppPasswords; comments are not kept.\n";
    private static final Pattern USER = Pattern.compile("[^\\s:\\p{Cntrl}]{1,255}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_LABEL = 200;
    private static final String SCHEME = "{SHA256}";

    /**
     * One app password.
     *
     * @param user the user
     * @param id its identifier
     * @param label its label
     * @param digest the SHA-256 of the canonical secret
     * @param networks where it may log in from; empty for anywhere
     * @param created when it was added
     * @param revoked when it was revoked, if it was
     */
    public record Entry(String user, String id, String label, byte[] digest, List<Cidr> networks, Instant created,
                        Optional<Instant> revoked) {

        /**
         * Validates the fields.
         *
         * @throws IllegalArgumentException if the user, id or label is not valid
         */
        public Entry {
            checkUser(user);
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("the id must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            checkLabel(label);
            digest = digest.clone();
            networks = List.copyOf(networks);
            Objects.requireNonNull(created, "created");
            Objects.requireNonNull(revoked, "revoked");
        }

        /**
         * Whether it may log in from an address.
         *
         * @param address the client's address, or {@code null} if unknown
         * @return {@code true} if it has no networks, or one holds the address
         */
        public boolean allows(InetAddress address) {
            return networks.isEmpty() || address != null && networks.stream().anyMatch(n -> n.contains(address));
        }

        /**
         * The same app password, revoked.
         *
         * @param at when
         * @return the revoked entry
         */
        public Entry revoke(Instant at) {
            return new Entry(user, id, label, digest, networks, created, Optional.of(at));
        }

        /**
         * What the API shows of it.
         *
         * @param lastUsed when it last logged in
         * @return the public view
         */
        public AppPassword view(Optional<Instant> lastUsed) {
            return new AppPassword(user, id, label, networks.stream().map(Cidr::toString).toList(), created,
                    revoked, lastUsed);
        }

        String line() {
            StringBuilder line = new StringBuilder().append(user).append(' ').append(id).append(' ').append(SCHEME)
                    .append(Base64.getEncoder().encodeToString(digest)).append(" created=").append(created);
            if (!networks.isEmpty()) {
                line.append(" networks=").append(networks.stream().map(Cidr::toString)
                        .collect(Collectors.joining(",")));
            }
            revoked.ifPresent(at -> line.append(" revoked=").append(at));
            return line.append(" label=").append(label).append('\n').toString();
        }
    }

    private final List<Entry> entries;
    private final Map<ByteBuffer, Entry> active;

    private AppPasswordTable(List<Entry> entries, Map<ByteBuffer, Entry> active) {
        this.entries = List.copyOf(entries);
        this.active = Map.copyOf(active);
    }

    /**
     * A table of entries.
     *
     * @param entries the entries
     * @return the table
     * @throws IllegalArgumentException if two share an id, or two valid ones a secret
     */
    public static AppPasswordTable of(List<Entry> entries) {
        Map<String, Entry> ids = new HashMap<>();
        Map<ByteBuffer, Entry> active = new HashMap<>();
        for (Entry entry : entries) {
            if (ids.putIfAbsent(entry.id(), entry) != null) {
                throw new IllegalArgumentException("app password id " + entry.id() + " is used twice");
            }
            if (entry.revoked().isEmpty() && active.putIfAbsent(ByteBuffer.wrap(entry.digest()), entry) != null) {
                throw new IllegalArgumentException("app password " + entry.id() + " has the same secret as another");
            }
        }
        return new AppPasswordTable(entries, active);
    }

    /**
     * Reads an app-passwords file.
     *
     * @param file the file
     * @return its app passwords
     * @throws PasswdFileException if it cannot be read or a line is not valid (naming the line, never a digest)
     */
    public static AppPasswordTable parse(Path file) throws PasswdFileException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new PasswdFileException(file, 0, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new PasswdFileException(file, 0, "cannot be read: " + e, e);
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> idLines = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Entry entry;
            try {
                entry = parseLine(line);
            } catch (IllegalArgumentException e) {
                throw new PasswdFileException(file, i + 1, e.getMessage(), null);
            }
            Integer first = idLines.putIfAbsent(entry.id(), i + 1);
            if (first != null) {
                throw new PasswdFileException(file, i + 1, "app password id " + entry.id()
                        + " is listed again (first on line " + first + ")", null);
            }
            entries.add(entry);
        }
        try {
            return of(entries);
        } catch (IllegalArgumentException e) {
            throw new PasswdFileException(file, 0, e.getMessage(), null);
        }
    }

    /**
     * The entries in file order.
     *
     * @return the entries, revoked ones included
     */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * How many app passwords are valid (not revoked).
     *
     * @return the count
     */
    public int activeCount() {
        return active.size();
    }

    /**
     * Finds the valid app password of a user that a presented password is. Costs one SHA-256 and one map lookup
     * whoever the user, whatever the number of their app passwords.
     *
     * @param user the user name
     * @param presented what the client sent as password
     * @param listener told of the step
     * @return the entry, if the password is a valid app password of this user
     */
    public Optional<Entry> find(String user, String presented, VerificationListener listener) {
        // A lookup by digest, not a comparison of secrets: the digest of a guess tells nothing about stored ones.
        Entry entry = active.get(ByteBuffer.wrap(AppPasswordSecret.digest(presented)));
        listener.ran("APP-PASSWORD");
        return Optional.ofNullable(entry).filter(e -> e.user().equals(user));
    }

    /**
     * The file content for these entries.
     *
     * @return the text, with a header comment
     */
    public String format() {
        StringBuilder text = new StringBuilder(HEADER);
        entries.forEach(entry -> text.append(entry.line()));
        return text.toString();
    }

    /**
     * Checks a user name for an app password.
     *
     * @param user the name
     * @throws IllegalArgumentException if it is empty, too long, or holds white space, {@code :} or a control
     *     character
     */
    public static void checkUser(String user) {
        if (!USER.matcher(Objects.requireNonNull(user, "user")).matches()) {
            throw new IllegalArgumentException("the user must be 1 to 255 characters without spaces, ':' or "
                    + "control characters");
        }
    }

    /**
     * Checks a label.
     *
     * @param label the label
     * @throws IllegalArgumentException if it is blank, longer than 200 characters, has surrounding spaces or holds a
     *     control character
     */
    public static void checkLabel(String label) {
        if (Objects.requireNonNull(label, "label").isBlank() || label.length() > MAX_LABEL
                || !label.equals(label.strip()) || label.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the label must be 1 to " + MAX_LABEL + " characters without control "
                    + "characters or surrounding spaces");
        }
    }

    private static Entry parseLine(String line) {
        int labelAt = line.indexOf(" label=");
        if (labelAt < 0) {
            throw new IllegalArgumentException("expected user id {SHA256}digest created=... label=... (label last)");
        }
        String label = line.substring(labelAt + " label=".length()).strip();
        String[] fields = line.substring(0, labelAt).strip().split(" +");
        if (fields.length < 3) {
            throw new IllegalArgumentException("expected user id {SHA256}digest created=... label=...");
        }
        if (!fields[2].toUpperCase(Locale.ROOT).startsWith(SCHEME)) {
            throw new IllegalArgumentException("app password " + fields[1] + " is not stored as {SHA256}: app "
                    + "passwords are generated secrets stored as their SHA-256");
        }
        byte[] digest = Secrets.base64("SHA256", fields[2].substring(SCHEME.length()));
        if (digest.length != 32) {
            throw new IllegalArgumentException("app password " + fields[1] + " has a SHA256 digest that is not 32 "
                    + "octets");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 3; i < fields.length; i++) {
            int equals = fields[i].indexOf('=');
            String key = equals < 0 ? fields[i] : fields[i].substring(0, equals);
            if (equals < 0 || !List.of("created", "networks", "revoked").contains(key)) {
                throw new IllegalArgumentException("unknown field " + key + " (expected created=, networks=, "
                        + "revoked=, label=)");
            }
            if (options.put(key, fields[i].substring(equals + 1)) != null) {
                throw new IllegalArgumentException("field " + key + "= is given twice");
            }
        }
        if (!options.containsKey("created")) {
            throw new IllegalArgumentException("app password " + fields[1] + " has no created= field");
        }
        List<Cidr> networks = new ArrayList<>();
        String list = options.getOrDefault("networks", "");
        if (!list.isEmpty()) {
            for (String network : list.split(",", -1)) {
                networks.add(Cidr.parse(network));
            }
        }
        return new Entry(fields[0], fields[1], label, digest, networks, instant("created", options.get("created")),
                Optional.ofNullable(options.get("revoked")).map(at -> instant("revoked", at)));
    }

    private static Instant instant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + "= is not an instant like 2026-01-05T10:00:00Z: " + text);
        }
    }
}
