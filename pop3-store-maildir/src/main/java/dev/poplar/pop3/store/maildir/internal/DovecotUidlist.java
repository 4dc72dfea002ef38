package dev.poplar.pop3.store.maildir.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Dovecot's {@code dovecot-uidlist}: the IMAP UID (and optional POP3 UIDL and POP3 order) Dovecot gave each message
 * of a Maildir, by base file name.
 *
 * <p>Two formats are read. Version 3 (Dovecot 1.1 and later): a header {@code 3 V<uidvalidity> N<next uid>
 * G<guid> ...}, then one line per message, {@code <uid> [<key><value> ...] :<file name>}, where the keys this store
 * uses are {@code P} (a POP3 UIDL that overrides the format, as migration tools write it), {@code O} (the POP3 order:
 * messages with one are listed first, by it) and {@code G} (the message's GUID). Version 1 (older Dovecot, Courier's
 * {@code courierimapuiddb}): a header {@code 1 <uidvalidity> <next uid>}, then {@code <uid> <file name>}. Other keys
 * and unknown header fields are ignored, as Dovecot does.
 *
 * <p>The file name is the last one Dovecot knew (flags may have changed since); records are matched by the base name,
 * the part before {@code :}. A record whose line is malformed, and the later of two records with the same UID or the
 * same base name, are left out. The whole file is refused (null from {@link #parse}) if its header is not one of the
 * two versions or has no UIDVALIDITY: Dovecot would rebuild such a file with new UIDs anyway.
 *
 * @param uidValidity the mailbox's IMAP UIDVALIDITY
 * @param records the records by base name
 */
public record DovecotUidlist(long uidValidity, Map<String, Record> records) {

    /** The name of the file in a Maildir. */
    public static final String FILE_NAME = "dovecot-uidlist";

    /** The longest line read; longer ones are left out (a file name is at most 255 octets). */
    static final int MAX_LINE = 8 * 1024;

    /**
     * One message's record.
     *
     * @param uid its IMAP UID
     * @param pop3Uidl its {@code P} value, or {@code null}
     * @param pop3Order its {@code O} value, or -1 if it has none
     * @param guid its {@code G} value, or {@code null}
     */
    public record Record(long uid, String pop3Uidl, long pop3Order, String guid) {
    }

    /**
     * Copies the map.
     *
     * @param uidValidity the UIDVALIDITY
     * @param records the records
     */
    public DovecotUidlist {
        records = Map.copyOf(records);
    }

    /**
     * Reads a uidlist to its end.
     *
     * @param in the file's octets
     * @return the uidlist, or {@code null} if its header is not usable
     * @throws IOException if reading fails
     */
    public static DovecotUidlist parse(ReadableByteChannel in) throws IOException {
        Lines lines = new Lines(in);
        String header = lines.next();
        if (header == null) {
            return null;
        }
        String[] fields = header.trim().split(" +");
        long uidValidity;
        int version;
        if (fields[0].equals("3")) {
            version = 3;
            uidValidity = -1;
            for (int i = 1; i < fields.length; i++) {
                if (fields[i].length() > 1 && fields[i].charAt(0) == 'V') {
                    uidValidity = number(fields[i].substring(1));
                }
            }
        } else if (fields[0].equals("1") && fields.length >= 3) {
            version = 1;
            uidValidity = number(fields[1]);
        } else {
            return null;
        }
        if (uidValidity <= 0 || uidValidity > 0xFFFF_FFFFL) {
            return null;
        }
        Map<String, Record> records = new HashMap<>();
        Map<Long, String> byUid = new HashMap<>();
        for (String line; (line = lines.next()) != null; ) {
            Parsed parsed = version == 3 ? parseVersion3(line) : parseVersion1(line);
            if (parsed == null) {
                continue;
            }
            String base = MaildirName.parse(parsed.fileName).base();
            if (byUid.putIfAbsent(parsed.record.uid(), base) == null) {
                if (records.putIfAbsent(base, parsed.record) != null) {
                    byUid.remove(parsed.record.uid());
                }
            }
        }
        return new DovecotUidlist(uidValidity, records);
    }

    private record Parsed(Record record, String fileName) {
    }

    private static Parsed parseVersion3(String line) {
        int colon = line.indexOf(" :");
        if (colon < 0) {
            return null;
        }
        String fileName = line.substring(colon + 2);
        String[] fields = line.substring(0, colon).split(" +");
        long uid = number(fields[0]);
        if (uid <= 0 || fileName.isEmpty()) {
            return null;
        }
        String uidl = null;
        String guid = null;
        long order = -1;
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i];
            if (field.length() < 2) {
                continue;
            }
            switch (field.charAt(0)) {
                case 'P' -> uidl = field.substring(1);
                case 'O' -> order = number(field.substring(1));
                case 'G' -> guid = field.substring(1);
                default -> {
                    // Sizes (S, W) and keys of later versions: not needed here.
                }
            }
        }
        return new Parsed(new Record(uid, uidl, order, guid), fileName);
    }

    private static Parsed parseVersion1(String line) {
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1) {
            return null;
        }
        long uid = number(line.substring(0, space));
        return uid <= 0 ? null : new Parsed(new Record(uid, null, -1, null), line.substring(space + 1));
    }

    /** A decimal number of up to 18 digits, or -1. */
    private static long number(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * The record of a message.
     *
     * @param base the message file's base name
     * @return its record, or {@code null}
     */
    public Record record(String base) {
        return records.get(Objects.requireNonNull(base, "base"));
    }

    /** Lines of UTF-8 text, LF-terminated; lines longer than {@link #MAX_LINE} octets are skipped. */
    private static final class Lines {
        private final ReadableByteChannel in;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private final byte[] line = new byte[MAX_LINE];
        private boolean eof;

        Lines(ReadableByteChannel in) {
            this.in = in;
            buffer.flip();
        }

        String next() throws IOException {
            int length = 0;
            boolean overlong = false;
            while (true) {
                if (!buffer.hasRemaining()) {
                    if (eof) {
                        return length == 0 && !overlong ? null : finish(length, overlong);
                    }
                    buffer.clear();
                    eof = in.read(buffer) < 0;
                    buffer.flip();
                    continue;
                }
                byte b = buffer.get();
                if (b == '\n') {
                    String done = finish(length, overlong);
                    if (done != null) {
                        return done;
                    }
                    length = 0;
                    overlong = false;
                } else if (length < MAX_LINE) {
                    line[length++] = b;
                } else {
                    overlong = true;
                }
            }
        }

        /** The line, or null for one to skip (over-long); an empty string for an empty line. */
        private String finish(int length, boolean overlong) {
            if (overlong) {
                return null;
            }
            int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            return new String(line, 0, end, StandardCharsets.UTF_8);
        }
    }
}
