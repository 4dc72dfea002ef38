package dev.poplar.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maildirs as MTAs write them, with the messages that trip up POP3 servers, and a Dovecot users file. */
final class MaildirFixture {

    /** alice's password, stored as {PLAIN}. */
    static final String ALICE_PASSWORD = "alice-pass";
    /** bob's password, stored as {SHA512-CRYPT} made by {@code openssl passwd -6}. */
    static final String BOB_PASSWORD = "bob-pass";

    final Path root;
    final Path users;
    /** alice's messages in delivery order: stored octets. */
    final List<byte[]> alice = new ArrayList<>();
    final List<Path> aliceFiles = new ArrayList<>();
    private long delivery = 1_700_000_000L;

    MaildirFixture(Path dir) throws IOException {
        root = Files.createDirectories(dir.resolve("mail"));
        users = dir.resolve("users");
        Files.writeString(users, String.join("\n",
                "# Dovecot passwd-file",
                "alice:{PLAIN}" + ALICE_PASSWORD + "::::::",
                "bob:{SHA512-CRYPT}$6$poplarsalt$v/xyWAafOfrKxc2bqUrA2JkyZYRBaPnkh9I9iKNzxsIZciY3xR./kQARe0GL4"
                        + "HLe/kysv/t19Y20JkjvDkC5/0",
                ""));
        for (String user : List.of("alice", "bob")) {
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(root.resolve(user).resolve(sub));
            }
        }
        Map<String, byte[]> tricky = new LinkedHashMap<>();
        tricky.put("dot-line", "Subject: dot\n\nbefore\n.\nafter\n".getBytes(StandardCharsets.US_ASCII));
        tricky.put("dot-starts", "Subject: dots\r\n\r\n.hidden\r\n..two\r\n".getBytes(StandardCharsets.US_ASCII));
        tricky.put("empty-body", "Subject: empty\n\n".getBytes(StandardCharsets.US_ASCII));
        tricky.put("crlf", "Subject: crlf\r\n\r\nplain CRLF body\r\n".getBytes(StandardCharsets.US_ASCII));
        tricky.put("utf8", ("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nContent-Type: text/plain; charset=UTF-8\n\n"
                + "Grüße, 東京 🙂\n").getBytes(StandardCharsets.UTF_8));
        tricky.put("long-lines", ("Subject: long\n\n" + "x".repeat(2000) + "\n" + "y".repeat(2000) + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        tricky.put("large", large(5 * 1024 * 1024));
        int i = 0;
        for (byte[] content : tricky.values()) {
            // Alternate Dovecot-style names with S= and W=, S= only, and none; new/ and cur/.
            aliceFiles.add(deliver("alice", content, i % 3, i % 2 == 0));
            alice.add(content);
            i++;
        }
        deliver("bob", "Subject: for bob\n\nhello bob\n".getBytes(StandardCharsets.US_ASCII), 0, true);
    }

    /**
     * Delivers a message as an MTA would: written in tmp/, then renamed into new/ (or cur/ with flags).
     *
     * @param sizes 0: {@code ,S=,W=}; 1: {@code ,S=}; 2: neither
     */
    Path deliver(String user, byte[] content, int sizes, boolean toNew) throws IOException {
        long crlf = new String(content, StandardCharsets.ISO_8859_1).replaceAll("(?<!\r)\n", "\r\n").length();
        String base = (delivery++) + ".M" + (100000 + delivery % 1000) + "P4242.mx.example.org"
                + switch (sizes) {
                    case 0 -> ",S=" + content.length + ",W=" + crlf;
                    case 1 -> ",S=" + content.length;
                    default -> "";
                };
        Path tmp = root.resolve(user).resolve("tmp").resolve(base);
        Files.write(tmp, content);
        Path target = toNew ? root.resolve(user).resolve("new").resolve(base)
                : root.resolve(user).resolve("cur").resolve(base + ":2,S");
        return Files.move(tmp, target);
    }

    static byte[] large(int size) {
        StringBuilder s = new StringBuilder("Subject: large\n\n");
        int line = 0;
        while (s.length() < size) {
            s.append(line % 9 == 0 ? "." : "").append("line ").append(line++).append(" lorem ipsum dolor sit amet\n");
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** What a client receives for stored octets: CRLF line ends and a final CRLF. */
    static byte[] received(byte[] stored) {
        String s = new String(stored, StandardCharsets.ISO_8859_1).replaceAll("(?<!\r)\n", "\r\n");
        if (!s.isEmpty() && !s.endsWith("\r\n")) {
            s += "\r\n";
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
