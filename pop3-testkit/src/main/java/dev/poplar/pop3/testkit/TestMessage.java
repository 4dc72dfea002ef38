package dev.poplar.pop3.testkit;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.testkit.internal.HeaderReader;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A message to put into a test mailbox: its octets exactly as stored, and the few facts tests ask about. Made by
 * {@link TestMessages}. Immutable and thread-safe; two messages are equal when their octets are.
 */
public final class TestMessage {

    private final byte[] octets;
    private final long size;

    private TestMessage(byte[] octets) {
        this.octets = octets;
        this.size = ContentFacts.of(octets).size();
    }

    /**
     * A message of exactly these octets. The array is copied.
     *
     * @param octets the message as stored: headers, an empty line, the body; LF or CRLF line ends
     * @return the message
     * @throws NullPointerException if {@code octets} is null
     */
    static TestMessage of(byte[] octets) {
        return new TestMessage(Objects.requireNonNull(octets, "octets").clone());
    }

    /**
     * The stored octets.
     *
     * @return a copy
     */
    public byte[] octets() {
        return octets.clone();
    }

    /**
     * The size a POP3 client is told in {@code LIST} and receives in {@code RETR}: CRLF line ends, before
     * dot-stuffing (RFC 1939 section 11).
     *
     * @return the size in octets
     */
    public long size() {
        return size;
    }

    /**
     * The first header field of this name, unfolded, with RFC 2047 encoded words decoded.
     *
     * @param name the field name, any case, e.g. {@code "Message-ID"}
     * @return its value, or empty if the message has no such field
     */
    public Optional<String> header(String name) {
        return HeaderReader.first(octets, Objects.requireNonNull(name, "name"));
    }

    /**
     * The subject, decoded.
     *
     * @return the {@code Subject} header's value, or an empty string without one
     */
    public String subject() {
        return header("Subject").orElse("");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TestMessage m && Arrays.equals(octets, m.octets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(octets);
    }

    /**
     * A short description for assertion messages.
     *
     * @return the subject and the size
     */
    @Override
    public String toString() {
        String subject = subject();
        if (subject.isEmpty() && header("Subject").isEmpty()) {
            String start = new String(octets, 0, Math.min(octets.length, 40), StandardCharsets.ISO_8859_1);
            return "message[" + size + " octets: " + start.replace("\r", "\\r").replace("\n", "\\n") + "...]";
        }
        return "message[\"" + subject + "\", " + size + " octets]";
    }
}
