package dev.poplar.pop3.auth.passwd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The committed reference files under {@code src/test/resources/users}. */
public final class Fixtures {

    private Fixtures() {
    }

    /**
     * A reference file.
     *
     * @param name its name under {@code users/}
     * @return its path
     */
    public static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/users/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The users and passwords of a {@code .passwords} file (a user, a tab, the password).
     *
     * @param name the file
     * @return user to password, in file order
     */
    public static Map<String, String> passwords(String name) {
        Map<String, String> passwords = new LinkedHashMap<>();
        lines(name).stream().filter(line -> !line.isEmpty()).map(line -> line.split("\t", 2))
                .forEach(f -> passwords.put(f[0], f[1]));
        return passwords;
    }

    /**
     * The line of a user in a users file.
     *
     * @param name the users file
     * @param user the user
     * @return the whole line
     */
    public static String lineOf(String name, String user) {
        return lines(name).stream().filter(line -> line.startsWith(user + ":")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(user + " is not in " + name));
    }

    /**
     * The password field of a user in a users file.
     *
     * @param name the users file
     * @param user the user
     * @return the field after the user name, e.g. {@code {SHA512-CRYPT}$6$...}
     */
    public static String fieldOf(String name, String user) {
        String rest = lineOf(name, user).substring(user.length() + 1);
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    private static List<String> lines(String name) {
        try {
            return Files.readAllLines(resource(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
