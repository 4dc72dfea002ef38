package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and opens the Maildir of a mailbox without ever leaving the places a Maildir may be.
 *
 * <p><b>Where a Maildir may be.</b> The Maildir of mailbox {@code m} is the directory {@code ROOT/m}. If that entry is a
 * symbolic link, it is refused unless link targets are configured; then the link (one link, the one in the root) may
 * point into one of the target directories, and the path below the target directory is walked one name at a time
 * without following any further link. A link back into the root (to another mailbox's Maildir) is always refused.
 * {@code cur/}, {@code new/} and {@code tmp/} must be directories, not links.
 *
 * <p>Every directory is opened relative to the one above it ({@link Directory}), so renaming or replacing a directory
 * after it was checked cannot lead an operation outside.
 *
 * <p>Thread-safe.
 */
public final class Maildirs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Maildirs.class);
    private static final int MAX_NAME_OCTETS = 255;

    private final Path root;
    private final Directory rootDirectory;
    private final List<LinkTarget> linkTargets;
    private final boolean followMessageLinks;

    /**
     * Opens the root and the link target directories.
     *
     * @param root the store root, a real path
     * @param linkTargets the directories a mailbox's link may point into (existing directories, none inside the root)
     * @param followMessageLinks whether a link in {@code cur/} or {@code new/} to a message of the same Maildir is served
     * @param guard the guard for every open
     * @throws IOException if a directory cannot be opened
     * @throws UnsupportedOperationException if the file system cannot open files relative to a directory
     */
    public Maildirs(Path root, List<Path> linkTargets, boolean followMessageLinks, OpenGuard guard)
            throws IOException {
        this.root = root;
        this.followMessageLinks = followMessageLinks;
        this.rootDirectory = Directory.openTrusted(root, guard);
        List<LinkTarget> targets = new ArrayList<>();
        try {
            for (Path target : linkTargets) {
                Path real = target.toRealPath();
                targets.add(new LinkTarget(target.toAbsolutePath().normalize(), real,
                        Directory.openTrusted(real, guard)));
            }
        } catch (IOException | RuntimeException e) {
            targets.forEach(t -> t.directory.close());
            rootDirectory.close();
            throw e;
        }
        this.linkTargets = List.copyOf(targets);
    }

    /**
     * Why a mailbox name cannot be a Maildir's directory name.
     *
     * @param mailbox the name
     * @return the problem in words, or {@code null} if the name is fine
     */
    public static String nameProblem(String mailbox) {
        if (mailbox.isEmpty()) {
            return "is empty";
        }
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(mailbox));
        } catch (CharacterCodingException e) {
            return "is not valid Unicode";
        }
        // File systems limit a name to 255 octets (NAME_MAX), not characters.
        if (encoded.remaining() > MAX_NAME_OCTETS) {
            return "is longer than " + MAX_NAME_OCTETS + " octets in UTF-8 (" + encoded.remaining() + ")";
        }
        if (mailbox.startsWith(".")) {
            return "starts with '.'";
        }
        for (int i = 0; i < mailbox.length(); i++) {
            char c = mailbox.charAt(i);
            if (c == '/' || c == '\\') {
                return "contains a path separator";
            }
            if (c < 0x20 || c == 0x7F) {
                return "contains a control character";
            }
        }
        return null;
    }

    /**
     * A mailbox name as it may appear in a log: control characters replaced, cut at 80 characters.
     *
     * @param name the name
     * @return the printable form, quoted
     */
    public static String printable(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), 80) + 2).append('"');
        for (int i = 0; i < name.length() && i < 80; i++) {
            char c = name.charAt(i);
            out.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return out.append(name.length() > 80 ? "...\"" : "\"").toString();
    }

    /**
     * Opens the Maildir of a mailbox, creating it if it is missing and creation is asked for.
     *
     * @param mailbox the mailbox name
     * @param create whether a missing Maildir in the root (never a linked one) is created, with mode 0700
     * @return the open Maildir; the caller closes it
     * @throws StoreException {@link StoreException.Kind#PERMANENT} for a name that cannot be a directory name, a link
     *     that may not be followed, a missing Maildir that may not be created, or something else than directories
     *     where {@code cur/} and {@code new/} belong; {@link StoreException.Kind#TEMPORARY} if the file system fails
     */
    public OpenedMaildir open(String mailbox, boolean create) throws StoreException {
        OpenedMaildir maildir = openDirectory(mailbox, create);
        try {
            checkSubdirectories(mailbox, maildir, create);
            return maildir;
        } catch (StoreException | RuntimeException e) {
            maildir.close();
            throw e;
        }
    }

    /**
     * Opens the directory of a mailbox's Maildir, creating it if it is missing and creation is asked for, without
     * looking at {@code cur/} and {@code new/}: for a caller that takes the Maildir's lock first and then checks them
     * with {@link #checkSubdirectories}, which sees them as they are under the lock (one look instead of one before the
     * lock and another after it).
     *
     * @param mailbox the mailbox name
     * @param create as {@link #open(String, boolean)} says
     * @return the open Maildir directory; the caller closes it
     * @throws StoreException as {@link #open(String, boolean)} says, but for {@code cur/} and {@code new/}
     */
    public OpenedMaildir openDirectory(String mailbox, boolean create) throws StoreException {
        Path entry = entry(mailbox);
        try {
            return locate(mailbox, entry, create);
        } catch (IOException e) {
            throw failure(mailbox, entry, e);
        }
    }

    /**
     * Checks that an open Maildir has the directories {@code cur/} and {@code new/}, creating what is missing (with
     * {@code tmp/}) if creation is asked for.
     *
     * @param mailbox the mailbox name the Maildir was opened by
     * @param maildir the Maildir, from {@link #openDirectory}
     * @param create whether missing directories are created (never in a linked Maildir)
     * @return their attributes as this check saw them ({@code lstat}), or null if it created any
     * @throws StoreException as {@link #open(String, boolean)} says
     */
    public Subdirectories checkSubdirectories(String mailbox, OpenedMaildir maildir, boolean create)
            throws StoreException {
        try {
            return ensureSubdirectories(mailbox, maildir, create);
        } catch (IOException e) {
            throw failure(mailbox, entry(mailbox), e);
        }
    }

    /**
     * The attributes of a Maildir's {@code new/} and {@code cur/}, read together.
     *
     * @param news those of {@code new/}
     * @param cur those of {@code cur/}
     */
    public record Subdirectories(BasicFileAttributes news, BasicFileAttributes cur) {
    }

    /** The mailbox's entry in the root, for a name that can be one. */
    private Path entry(String mailbox) throws StoreException {
        String problem = nameProblem(mailbox);
        if (problem != null) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox name " + printable(mailbox) + " " + problem);
        }
        Path entry;
        try {
            entry = root.resolve(mailbox);
        } catch (InvalidPathException e) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox name " + printable(mailbox)
                    + " cannot be a file name here (check the file name encoding, sun.jnu.encoding)", e);
        }
        if (!root.equals(entry.normalize().getParent())) {
            throw new StoreException(StoreException.Kind.PERMANENT,
                    "mailbox name " + printable(mailbox) + " is not a directory name in " + root);
        }
        return entry;
    }

    private static StoreException failure(String mailbox, Path entry, IOException e) {
        if (e instanceof RefusedFileException) {
            LOG.warn("Refusing the Maildir of {}: {}", printable(mailbox), e.getMessage());
            return new StoreException(StoreException.Kind.PERMANENT, "mailbox " + printable(mailbox) + ": "
                    + e.getMessage(), e);
        }
        LOG.warn("Cannot open the Maildir {}: {}", entry, e.toString());
        return new StoreException(StoreException.Kind.TEMPORARY, "cannot open the Maildir " + entry + ": " + e, e);
    }

    private OpenedMaildir locate(String mailbox, Path entry, boolean create) throws IOException, StoreException {
        BasicFileAttributes seen;
        try {
            seen = rootDirectory.entry(mailbox);
        } catch (NoSuchFileException e) {
            if (!create) {
                throw new StoreException(StoreException.Kind.PERMANENT, "mailbox " + printable(mailbox)
                        + " has no Maildir (with cur/ and new/) at " + entry);
            }
            createDirectory(entry);
            seen = rootDirectory.entry(mailbox);
        }
        if (seen.isSymbolicLink()) {
            return linked(mailbox, entry);
        }
        if (!seen.isDirectory()) {
            throw new RefusedFileException(entry.toString(), "is " + Directory.kind(seen, entry) + ", not a Maildir");
        }
        return new OpenedMaildir(entry, rootDirectory.directory(mailbox, entry, seen), followMessageLinks);
    }

    /** Follows the link in the root into a link target, walking the rest without links. */
    private OpenedMaildir linked(String mailbox, Path link) throws IOException {
        if (linkTargets.isEmpty()) {
            throw new RefusedFileException(link.toString(), "is a symbolic link, and no link targets are allowed"
                    + " (see MaildirStore.Builder.mailboxLinkTargets)");
        }
        Path target = root.resolve(Files.readSymbolicLink(link)).normalize();
        for (LinkTarget allowed : linkTargets) {
            Path relative = allowed.relativeOf(target);
            if (relative == null) {
                continue;
            }
            Path real = allowed.real.resolve(relative);
            if (real.startsWith(root)) {
                throw new RefusedFileException(link.toString(), "links to " + target
                        + ", inside the store root (another mailbox's Maildir)");
            }
            Directory current = allowed.directory;
            Path scope = allowed.real;
            try {
                for (int i = 0; i < relative.getNameCount(); i++) {
                    scope = scope.resolve(relative.getName(i).toString());
                    Directory next = current.directory(relative.getName(i).toString(), scope);
                    if (current != allowed.directory) {
                        current.close();
                    }
                    current = next;
                }
            } catch (IOException | RuntimeException e) {
                if (current != allowed.directory) {
                    current.close();
                }
                if (e instanceof NoSuchFileException) {
                    throw new RefusedFileException(link.toString(), "links to " + target + ", which does not exist");
                }
                if (e instanceof RefusedFileException refused) {
                    throw new RefusedFileException(link.toString(), "links to " + target + ", but "
                            + refused.getFile() + " " + refused.getReason() + " (no link is followed below "
                            + allowed.configured + ")");
                }
                throw e;
            }
            return new OpenedMaildir(real, current, followMessageLinks);
        }
        throw new RefusedFileException(link.toString(), "links to " + target + ", outside the allowed link targets "
                + linkTargets.stream().map(LinkTarget::configured).toList());
    }

    private Subdirectories ensureSubdirectories(String mailbox, OpenedMaildir maildir, boolean create)
            throws IOException, StoreException {
        List<String> missing = new ArrayList<>();
        BasicFileAttributes news = null;
        BasicFileAttributes cur = null;
        for (String sub : List.of(OpenedMaildir.CUR, OpenedMaildir.NEW)) {
            try {
                BasicFileAttributes seen = maildir.directory().directoryEntry(sub);
                if (sub.equals(OpenedMaildir.NEW)) {
                    news = seen;
                } else {
                    cur = seen;
                }
            } catch (NoSuchFileException e) {
                missing.add(sub);
            }
        }
        if (missing.isEmpty()) {
            return new Subdirectories(news, cur);
        }
        boolean inRoot = maildir.path().getParent().equals(root);
        if (!create || !inRoot) {
            throw new StoreException(StoreException.Kind.PERMANENT, "mailbox " + printable(mailbox)
                    + " has no Maildir (with cur/ and new/) at " + maildir.path()
                    + (inRoot ? "" : "; a linked Maildir is never created"));
        }
        // tmp/ first: a delivery racing this creation that finds cur/ and new/ then finds tmp/ too.
        missing.add(0, OpenedMaildir.TMP);
        for (String sub : missing) {
            createDirectory(maildir.path().resolve(sub));
        }
        LOG.info("Created the Maildir {}", maildir.path());
        return null;
    }

    /**
     * Creates a directory of a Maildir in the root (mode 0700), unless it exists. Only called for paths whose every
     * parent is the root or a Maildir directly in it, which mailbox owners cannot rename.
     */
    private void createDirectory(Path directory) throws IOException {
        FileAttribute<?>[] attributes = root.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        try {
            Files.createDirectory(directory, attributes);
        } catch (FileAlreadyExistsException e) {
            LOG.debug("{} was created meanwhile", directory);
        }
    }

    /** Closes the root and link target directories. */
    @Override
    public void close() {
        linkTargets.forEach(t -> t.directory.close());
        rootDirectory.close();
    }

    /** A directory that a mailbox's link may point into, as configured and as a real path, held open. */
    private record LinkTarget(Path configured, Path real, Directory directory) {
        /** The part of a link's target below this directory (either form), or null if it is not strictly below it. */
        Path relativeOf(Path target) {
            for (Path base : List.of(configured, real)) {
                if (target.startsWith(base) && !target.equals(base)) {
                    return base.relativize(target);
                }
            }
            return null;
        }
    }
}
