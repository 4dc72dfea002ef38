package dev.poplar.pop3.bench;

import dev.poplar.pop3.auth.passwd.PasswordScheme;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * The data every target serves: a Maildir per user under {@code maildir/} (Dovecot-style file names with
 * {@code ,S=} and {@code ,W=}, messages in {@code cur/}, LF line ends), a passwd-file {@code users} with
 * {@code user:{PLAIN}password} lines, {@code mailboxes.txt} (user, count, size: what the canned-reply server
 * pretends to hold) and two self-signed certificates for implicit TLS, one with an RSA-2048 and one with an ECDSA
 * P-256 key ({@link TlsKey}). A fixture serves one of them at a time ({@link #withKey}).
 *
 * <p>Passwords are stored as {@code {PLAIN}} on purpose: a hashed scheme would make the session load measure
 * the hash function instead of the server. For the load that measures just that (what operators run, with hashed
 * passwords), {@code users-sha512-crypt} holds the same users with a {@code {SHA512-CRYPT}} entry each (doveadm's
 * default scheme and rounds), and {@link #withHashedPasswords()} serves it.
 */
final class Fixture {

    /** The password of every fixture user. */
    static final String PASSWORD = "bench-secret";
    /** Password of the PKCS#12 key store. */
    static final String KEYSTORE_PASSWORD = "bench-keystore";

    private static final String MANIFEST = "fixture.properties";
    private static final String HASHED_USERS = "users-sha512-crypt";
    private static final long EPOCH = 1_764_000_000L;

    private final Path dir;
    private final FixtureSpec spec;
    private final TlsKey key;
    private final boolean hashed;

    private Fixture(Path dir, FixtureSpec spec, TlsKey key, boolean hashed) {
        this.dir = dir;
        this.spec = spec;
        this.key = key;
        this.hashed = hashed;
    }

    /**
     * Opens the fixture in {@code dir}, building it first unless a complete one of the same spec is there.
     *
     * @throws IOException if it cannot be written, or {@code openssl} fails
     */
    static Fixture prepare(Path dir, FixtureSpec spec, Log log) throws IOException {
        Fixture fixture = new Fixture(dir, spec, TlsKey.RSA, false);
        Path manifest = dir.resolve(MANIFEST);
        if (Files.isRegularFile(manifest) && fixture.readManifest().equals(spec.toProperties())) {
            log.line("fixture: reusing " + dir);
        } else {
            long start = System.nanoTime();
            fixture.build();
            log.line("fixture: built " + dir + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
        for (TlsKey kind : TlsKey.values()) {
            fixture.withKey(kind).ensureCertificate();
        }
        fixture.ensureHashedUsers();
        return fixture;
    }

    /** The same fixture serving the certificate with the given kind of key. */
    Fixture withKey(TlsKey kind) {
        return new Fixture(dir, spec, kind, hashed);
    }

    /** The same fixture whose users file holds {@code {SHA512-CRYPT}} entries of the same passwords. */
    Fixture withHashedPasswords() {
        return new Fixture(dir, spec, key, true);
    }

    /**
     * A fixture in another directory with this one's certificates, an empty Maildir root and no users file yet: for
     * a load that changes the mailboxes (the soak), which must not touch the shared fixture.
     *
     * @throws IOException if the directory exists or cannot be written
     */
    Fixture emptyCopy(Path other) throws IOException {
        Files.createDirectories(other.getParent());
        Files.createDirectory(other);
        Files.createDirectories(other.resolve("maildir"));
        for (TlsKey kind : TlsKey.values()) {
            Fixture from = withKey(kind);
            Fixture to = new Fixture(other, spec, kind, false);
            Files.copy(from.certificate(), to.certificate());
            Files.copy(from.privateKey(), to.privateKey());
            Files.copy(from.keyStore(), to.keyStore());
        }
        return new Fixture(other, spec, key, false);
    }

    /** The kind of key of the certificate this fixture serves. */
    TlsKey key() {
        return key;
    }

    /** The fixture's sizes. */
    FixtureSpec spec() {
        return spec;
    }

    /** The fixture's directory. */
    Path dir() {
        return dir;
    }

    /** The Maildir root: one folder per user. */
    Path maildirRoot() {
        return dir.resolve("maildir");
    }

    /** The passwd-file: {@code {PLAIN}} entries, or {@code {SHA512-CRYPT}} ones ({@link #withHashedPasswords()}). */
    Path usersFile() {
        return dir.resolve(hashed ? HASHED_USERS : "users");
    }

    /** {@code user count size} lines for the canned-reply server. */
    Path mailboxesFile() {
        return dir.resolve("mailboxes.txt");
    }

    /** The self-signed certificate, PEM. */
    Path certificate() {
        return dir.resolve(key.filePrefix() + "cert.pem");
    }

    /** The certificate's private key, PEM. */
    Path privateKey() {
        return dir.resolve(key.filePrefix() + "key.pem");
    }

    /** Certificate and key as PKCS#12, password {@link #KEYSTORE_PASSWORD}. */
    Path keyStore() {
        return dir.resolve(key.filePrefix() + "keystore.p12");
    }

    static String sessionUser(int i) {
        return "sess" + i;
    }

    static String retrUser(int i) {
        return "retr" + i;
    }

    static String listUser(int count) {
        return "list" + count;
    }

    static String idleUser(int i) {
        return "idle" + i;
    }

    /** Every mailbox of the fixture. */
    List<Mailbox> mailboxes() {
        List<Mailbox> all = new ArrayList<>();
        for (int i = 0; i < spec.sessionUsers(); i++) {
            all.add(new Mailbox(sessionUser(i), spec.sessionMessages(), spec.smallSize()));
        }
        for (int i = 0; i < spec.retrUsers(); i++) {
            all.add(new Mailbox(retrUser(i), spec.retrMessages(), spec.retrSize()));
        }
        for (int count : spec.listCounts()) {
            all.add(new Mailbox(listUser(count), count, spec.smallSize()));
        }
        for (int i = 0; i < spec.idleUsers(); i++) {
            all.add(new Mailbox(idleUser(i), 0, spec.smallSize()));
        }
        return all;
    }

    private Properties readManifest() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(MANIFEST))) {
            p.load(in);
        }
        return p;
    }

    private void build() throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(MANIFEST));
        Files.deleteIfExists(dir.resolve(HASHED_USERS));
        if (Files.exists(maildirRoot())) {
            Files.move(maildirRoot(), dir.resolve("maildir.stale-" + System.nanoTime()));
            deleteTree(dir, "maildir.stale-");
        }
        MessageWriter writer = new MessageWriter();
        try (Writer users = Files.newBufferedWriter(usersFile(), StandardCharsets.US_ASCII);
             Writer mailboxes = Files.newBufferedWriter(mailboxesFile(), StandardCharsets.US_ASCII)) {
            for (Mailbox mailbox : mailboxes()) {
                users.write(mailbox.user() + ":{PLAIN}" + PASSWORD + "\n");
                mailboxes.write(mailbox.user() + " " + mailbox.count() + " " + mailbox.size() + "\n");
                writer.write(maildirRoot().resolve(mailbox.user()), mailbox);
            }
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(MANIFEST))) {
            spec.toProperties().store(out, "pop3-bench fixture; delete to rebuild");
        }
    }

    private static void deleteTree(Path parent, String prefix) throws IOException {
        try (var stale = Files.list(parent)) {
            for (Path p : stale.filter(x -> x.getFileName().toString().startsWith(prefix)).toList()) {
                Processes.run(List.of("rm", "-rf", p.toString()), parent);
            }
        }
    }

    /**
     * Writes the users file with hashed passwords unless it is there: every user's entry is one {@code SHA512-CRYPT}
     * hash of the password (one salt for all: each check costs what it would with its own), written to a temporary
     * file and renamed, so that an interrupted build leaves none.
     */
    private void ensureHashedUsers() throws IOException {
        Path file = dir.resolve(HASHED_USERS);
        if (Files.isRegularFile(file)) {
            return;
        }
        String entry = PasswordScheme.SHA512_CRYPT.hash(PASSWORD);
        Path partial = dir.resolve(HASHED_USERS + ".partial");
        try (Writer users = Files.newBufferedWriter(partial, StandardCharsets.US_ASCII)) {
            for (Mailbox mailbox : mailboxes()) {
                users.write(mailbox.user() + ":" + entry + "\n");
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void ensureCertificate() throws IOException {
        if (Files.isRegularFile(keyStore())) {
            return;
        }
        List<String> request = new ArrayList<>(List.of("openssl", "req", "-x509"));
        request.addAll(key.opensslKeyOptions());
        request.addAll(List.of("-nodes", "-days", "365",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", privateKey().toString(), "-out", certificate().toString()));
        Processes.run(request, dir);
        Processes.run(List.of("openssl", "pkcs12", "-export", "-in", certificate().toString(),
                "-inkey", privateKey().toString(), "-name", "bench", "-out", keyStore().toString(),
                "-passout", "pass:" + KEYSTORE_PASSWORD), dir);
    }

    /**
     * One user's mailbox.
     *
     * @param user  the user, also the folder name
     * @param count messages in it
     * @param size  octets of each message as POP3 sends it
     */
    record Mailbox(String user, int count, int size) {
    }

    /** Writes Maildir messages of an exact CRLF size from a block of pseudo-random base64 text. */
    private static final class MessageWriter {
        private static final int LINE = 76;
        private final byte[] text = new byte[64 * 1024];

        MessageWriter() {
            byte[] alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    .getBytes(StandardCharsets.US_ASCII);
            Random random = new Random(42);
            for (int i = 0; i < text.length; i++) {
                text[i] = alphabet[random.nextInt(alphabet.length)];
            }
        }

        void write(Path folder, Mailbox mailbox) throws IOException {
            Path cur = Files.createDirectories(folder.resolve("cur"));
            Files.createDirectories(folder.resolve("new"));
            Files.createDirectories(folder.resolve("tmp"));
            for (int n = 0; n < mailbox.count(); n++) {
                byte[] message = message(mailbox.user(), n, mailbox.size());
                String name = (EPOCH + n) + ".M" + n + "P1000.bench,S=" + message.length + ",W="
                        + mailbox.size() + ":2,";
                Files.write(cur.resolve(name), message);
            }
        }

        /** A message stored with LF line ends whose CRLF form is exactly {@code size} octets. */
        byte[] message(String user, int n, int size) {
            String headers = "Return-Path: <sender@example.org>\n"
                    + "Delivered-To: " + user + "@example.org\n"
                    + "Message-ID: <" + n + "." + user + "@bench.example.org>\n"
                    + "Date: Mon, 24 Nov 2025 10:00:00 +0000\n"
                    + "From: Sender <sender@example.org>\n"
                    + "To: " + user + "@example.org\n"
                    + "Subject: Benchmark message " + n + "\n"
                    + "MIME-Version: 1.0\n"
                    + "Content-Type: text/plain; charset=us-ascii\n"
                    + "\n";
            byte[] head = headers.getBytes(StandardCharsets.US_ASCII);
            long headLines = headers.chars().filter(c -> c == '\n').count();
            int remaining = size - head.length - (int) headLines;
            if (remaining < 2) {
                throw new IllegalArgumentException("message size " + size + " is too small for its headers");
            }
            byte[] out = new byte[size];
            System.arraycopy(head, 0, out, 0, head.length);
            int at = head.length;
            int offset = Math.floorMod((user.hashCode() * 31 + n) * 977, text.length - 1024);
            while (remaining > 0) {
                int length = remaining - 2 > LINE + 2 + 2 ? LINE : remaining - 2;
                System.arraycopy(text, offset, out, at, length);
                offset = (offset + length) % (text.length - 1024);
                at += length;
                out[at++] = '\n';
                remaining -= length + 2;
            }
            return Arrays.copyOf(out, at);
        }
    }
}
