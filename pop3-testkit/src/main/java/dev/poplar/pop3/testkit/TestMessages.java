package dev.poplar.pop3.testkit;

import dev.poplar.pop3.testkit.internal.MimeWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes {@link TestMessage}s: plain text, HTML, with attachments, of an exact size, raw octets, or read from a
 * {@code .eml} file or resource. Generated messages are valid MIME with CRLF line ends, a {@code From} of
 * {@code sender@example.test}, a {@code To} of {@code recipient@example.test}, the current date and a unique
 * {@code Message-ID}; {@link #builder()} sets any of them. All methods are thread-safe.
 *
 * <pre>{@code
 * TestMessage invoice = TestMessages.builder()
 *         .subject("Invoice 42")
 *         .text("Please find the invoice attached.")
 *         .attachment("invoice-42.pdf", pdfBytes)
 *         .build();
 * }</pre>
 */
public final class TestMessages {

    private TestMessages() {
    }

    /**
     * A plain text message.
     *
     * @param subject the subject, any Unicode
     * @param body the body text, any Unicode, LF or CRLF line ends
     * @return the message
     */
    public static TestMessage text(String subject, String body) {
        return builder().subject(subject).text(body).build();
    }

    /**
     * An HTML message.
     *
     * @param subject the subject
     * @param html the HTML document
     * @return the message
     */
    public static TestMessage html(String subject, String html) {
        return builder().subject(subject).html(html).build();
    }

    /**
     * A plain text message with one attachment, its type guessed from the file name.
     *
     * @param subject the subject
     * @param body the body text
     * @param fileName the attachment's file name
     * @param content the attachment's octets
     * @return the message
     */
    public static TestMessage withAttachment(String subject, String body, String fileName, byte[] content) {
        return builder().subject(subject).text(body).attachment(fileName, content).build();
    }

    /**
     * A plain text message of exactly this POP3 size (what {@code LIST} reports and {@code RETR} sends before
     * dot-stuffing), padded with lines of {@code x}.
     *
     * @param octets the size, at least about 250 (the headers)
     * @return the message
     * @throws IllegalArgumentException if the headers alone are larger
     */
    public static TestMessage ofSize(long octets) {
        return builder().subject("Message of " + octets + " octets").size(octets).build();
    }

    /**
     * A message of exactly these octets, stored as they are (LF or CRLF line ends, anything at all).
     *
     * @param octets the message
     * @return the message
     */
    public static TestMessage raw(byte[] octets) {
        return TestMessage.of(octets);
    }

    /**
     * A message of exactly this text, encoded as UTF-8 and stored as it is.
     *
     * @param message the message: headers, an empty line, the body
     * @return the message
     */
    public static TestMessage raw(String message) {
        return TestMessage.of(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A message read from a class path resource, typically an {@code .eml} file, octet for octet.
     *
     * @param name the resource name, e.g. {@code "mail/bounce.eml"}, resolved by the thread's context class loader
     *     (a leading {@code /} is ignored)
     * @return the message
     * @throws IllegalArgumentException if there is no such resource
     * @throws UncheckedIOException if it cannot be read
     */
    public static TestMessage fromResource(String name) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = TestMessages.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no class path resource " + path);
            }
            return TestMessage.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resource " + path, e);
        }
    }

    /**
     * A message read from a file, typically an {@code .eml} file, octet for octet.
     *
     * @param file the file
     * @return the message
     * @throws UncheckedIOException if it cannot be read
     */
    public static TestMessage fromFile(Path file) {
        try {
            return TestMessage.of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Starts a message with every part chosen.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a MIME message. With text and HTML the body is {@code multipart/alternative}; with attachments it is
     * {@code multipart/mixed}. Not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern(
                "EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

        private String from = "sender@example.test";
        private String to = "recipient@example.test";
        private String subject = "Test message";
        private ZonedDateTime date;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private String text;
        private String html;
        private final List<MimeWriter.Attachment> attachments = new ArrayList<>();
        private long size = -1;

        private Builder() {
        }

        /**
         * The {@code From} field. Default {@code sender@example.test}.
         *
         * @param address an address, optionally with a display name: {@code "Shop <shop@example.test>"}
         * @return this builder
         */
        public Builder from(String address) {
            this.from = checked("from", address);
            return this;
        }

        /**
         * The {@code To} field. Default {@code recipient@example.test}.
         *
         * @param address the address
         * @return this builder
         */
        public Builder to(String address) {
            this.to = checked("to", address);
            return this;
        }

        /**
         * The subject; non-ASCII text is written as RFC 2047 encoded words. Default {@code Test message}.
         *
         * @param subject the subject
         * @return this builder
         */
        public Builder subject(String subject) {
            this.subject = checked("subject", subject);
            return this;
        }

        /**
         * The {@code Date} field. Default: when {@link #build()} is called.
         *
         * @param date the date
         * @return this builder
         */
        public Builder date(ZonedDateTime date) {
            this.date = Objects.requireNonNull(date, "date");
            return this;
        }

        /**
         * Adds a header field, after the standard ones; a {@code Message-ID} given here replaces the generated one.
         *
         * @param name the field name, e.g. {@code "X-Ticket"}
         * @param value the value, without line breaks
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid field name
         */
        public Builder header(String name, String value) {
            if (!name.matches("[!-9;-~]+")) {
                throw new IllegalArgumentException("not a header field name: '" + name + "'");
            }
            headers.add(new AbstractMap.SimpleImmutableEntry<>(name, checked(name, value)));
            return this;
        }

        /**
         * The plain text body.
         *
         * @param body any Unicode, LF or CRLF line ends
         * @return this builder
         */
        public Builder text(String body) {
            this.text = Objects.requireNonNull(body, "text");
            return this;
        }

        /**
         * The HTML body; with a text body as well, the message offers both as alternatives.
         *
         * @param html the HTML document
         * @return this builder
         */
        public Builder html(String html) {
            this.html = Objects.requireNonNull(html, "html");
            return this;
        }

        /**
         * Adds an attachment whose type is guessed from its file name ({@code application/octet-stream} if
         * unknown).
         *
         * @param fileName the file name, any Unicode
         * @param content the octets (copied)
         * @return this builder
         */
        public Builder attachment(String fileName, byte[] content) {
            return attachment(fileName, null, content);
        }

        /**
         * Adds an attachment of a given type.
         *
         * @param fileName the file name, any Unicode
         * @param contentType the MIME type, e.g. {@code "application/pdf"}, or {@code null} to guess it
         * @param content the octets (copied)
         * @return this builder
         */
        public Builder attachment(String fileName, String contentType, byte[] content) {
            checked("fileName", fileName);
            if (contentType != null) {
                checked("contentType", contentType);
            }
            attachments.add(new MimeWriter.Attachment(fileName, contentType, content.clone()));
            return this;
        }

        /**
         * Pads the message with lines of {@code x} at its end (after the last MIME part) to exactly this POP3 size.
         *
         * @param octets the size
         * @return this builder
         */
        public Builder size(long octets) {
            if (octets < 0) {
                throw new IllegalArgumentException("size must not be negative: " + octets);
            }
            this.size = octets;
            return this;
        }

        /**
         * Writes the message.
         *
         * @return the message
         * @throws IllegalArgumentException if a {@link #size(long)} was asked for that the message cannot have
         */
        public TestMessage build() {
            String seed = HexFormat.of().formatHex(randomBytes(8));
            boolean ownId = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Message-ID"));
            ZonedDateTime when = date != null ? date
                    : ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
            TestMessage message = TestMessage.of(write(seed, seed, when, 0));
            if (size < 0 || message.size() == size) {
                return message;
            }
            long missing = size - message.size();
            if (missing == 1 && !ownId) {
                // One octet is too little for a padding line: lengthen the generated Message-ID instead.
                return TestMessage.of(write(seed, seed + "0", when, 0));
            }
            if (missing < 2) {
                throw new IllegalArgumentException("a message of " + size + " octets cannot be made: without padding"
                        + " it already has " + message.size() + " octets");
            }
            return TestMessage.of(write(seed, seed, when, missing));
        }

        private byte[] write(String seed, String id, ZonedDateTime when, long padding) {
            List<Map.Entry<String, String>> all = new ArrayList<>();
            all.add(new AbstractMap.SimpleImmutableEntry<>("From", from));
            all.add(new AbstractMap.SimpleImmutableEntry<>("To", to));
            all.add(new AbstractMap.SimpleImmutableEntry<>("Subject", subject));
            all.add(new AbstractMap.SimpleImmutableEntry<>("Date", DATE.format(when)));
            if (headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("Message-ID"))) {
                all.add(new AbstractMap.SimpleImmutableEntry<>("Message-ID", "<" + id + "@poplar.test>"));
            }
            all.addAll(headers);
            return MimeWriter.write(all, text, html, attachments, padding, seed);
        }

        private static byte[] randomBytes(int n) {
            byte[] bytes = new byte[n];
            ThreadLocalRandom.current().nextBytes(bytes);
            return bytes;
        }

        private static String checked(String what, String value) {
            Objects.requireNonNull(value, what);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException(what + " must not contain a line break");
            }
            return value;
        }
    }
}
