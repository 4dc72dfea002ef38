package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading a fixture user's Maildir folder as the peers without a Maildir store of their own need it. */
final class MaildirFolder {

    private MaildirFolder() {
    }

    /** The message files of {@code new/} and then {@code cur/}, each in file-name order. */
    static List<Path> messageFiles(Path maildir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    /**
     * The unique name of a Maildir message: its file name up to the {@code :} that starts its flags.
     */
    static String uniqueName(Path file) {
        String name = file.getFileName().toString();
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /**
     * The size of a message as POP3 sends it (CRLF line ends): the {@code ,W=} field of its name where Dovecot
     * (and the fixture) wrote one, else counted from the file.
     *
     * @throws IOException if the file must be read and cannot be
     */
    static long crlfSize(Path file) throws IOException {
        String name = uniqueName(file);
        int w = name.indexOf(",W=");
        if (w >= 0) {
            int end = w + 3;
            while (end < name.length() && Character.isDigit(name.charAt(end))) {
                end++;
            }
            if (end > w + 3) {
                return Long.parseLong(name.substring(w + 3, end));
            }
        }
        try (CrlfInputStream in = new CrlfInputStream(Files.newInputStream(file))) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
