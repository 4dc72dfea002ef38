package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fixture's passwd-file read as user to password, for peers that take passwords in clear. */
final class PlainUsers {

    private static final String PLAIN = "{PLAIN}";

    private PlainUsers() {
    }

    /**
     * Reads {@code user:{PLAIN}password} lines (blank lines and {@code #} comments are skipped).
     *
     * @return user to password, in file order
     * @throws IOException if the file cannot be read, or a line is not of that form
     */
    static Map<String, String> read(Path usersFile) throws IOException {
        Map<String, String> users = new LinkedHashMap<>();
        for (String line : Files.readAllLines(usersFile, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length < 2 || !fields[1].startsWith(PLAIN)) {
                throw new IOException("not a user:{PLAIN}password line in " + usersFile + ": " + line);
            }
            users.put(fields[0], fields[1].substring(PLAIN.length()));
        }
        return users;
    }
}
