package dev.poplar.pop3.testkit;

import dev.poplar.pop3.server.Verb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What kind of POP3 server a {@link Pop3TestServer} pretends to be: the capabilities it lists for {@code CAPA}
 * (RFC 2449), the commands it refuses, its greeting, and the behaviour its capabilities announce. Clients change
 * their behaviour with the capabilities they see (whether they use {@code UIDL}, {@code STLS}, {@code SASL}); a
 * persona lets a test check that against the servers the application will meet.
 *
 * <ul>
 *   <li>{@link #full()}: everything Poplar offers, as the server computes it for each session.</li>
 *   <li>{@link #rfc1939()}: a server from before RFC 2449: {@code CAPA}, {@code AUTH} and {@code STLS} are unknown
 *   commands.</li>
 *   <li>{@link #gmail()}: the capabilities Gmail's POP3 service lists: {@code USER}, {@code RESP-CODES},
 *   {@code EXPIRE 0}, {@code LOGIN-DELAY 300}, {@code TOP}, {@code UIDL}, {@code X-GOOGLE-RICO},
 *   {@code SASL PLAIN XOAUTH2 OAUTHBEARER}, and a Gpop greeting.</li>
 *   <li>{@link #custom(String...)}: exactly the capabilities given.</li>
 * </ul>
 *
 * <p>Capabilities drive behaviour: a persona without {@code TOP}, {@code UIDL}, {@code USER} or {@code SASL} refuses
 * {@code TOP}, {@code UIDL}, {@code USER}/{@code PASS} or {@code AUTH} as unknown commands, and one listing
 * {@code EXPIRE 0} removes the messages a session retrieved when it ends with {@code QUIT}, deleted or not. While the
 * server offers {@code STLS} (see {@link TlsMode}) it is listed before login on an unencrypted connection, unless
 * removed with {@code without("STLS")}. {@code LOGIN-DELAY} is advertised only; script
 * {@code Fault.on("PASS").error(ResponseCode.LOGIN_DELAY)} to enforce it. A persona that lists its own
 * {@code SASL} line accepts exactly those mechanisms with {@code AUTH} (others get
 * {@code -ERR unsupported authentication mechanism}); the server implements {@code PLAIN}, {@code LOGIN},
 * {@code CRAM-MD5}, {@code SCRAM-SHA-1}, {@code SCRAM-SHA-256}, and with the users' tokens
 * ({@link Pop3TestServer#token}) {@code OAUTHBEARER} and {@code XOAUTH2}, so the Gmail-like persona's mechanisms all
 * work.
 *
 * <p>Immutable and thread-safe: {@link #with(String)}, {@link #without(String...)} and {@link #greeting(String)}
 * return new personas.
 */
public final class Persona {

    /** Where the capability list comes from. */
    enum Base {
        /** The server's own list for the session, modified. */
        SERVER,
        /** A fixed list. */
        FIXED,
        /** {@code CAPA} is not a command. */
        NONE
    }

    /**
     * The commands a capability keyword stands for: those it announces (RFC 2449 section 6), and {@code CAPA} and
     * {@code APOP}, which have no capability line and go by their own names.
     */
    private static Set<String> verbsOf(String keyword) {
        Set<String> verbs = new LinkedHashSet<>();
        for (Verb verb : Verb.values()) {
            boolean announced = verb.capability().map(keyword::equals).orElse(false);
            boolean named = (verb == Verb.CAPA || verb == Verb.APOP) && verb.name().equals(keyword);
            if (announced || named) {
                verbs.add(verb.name());
            }
        }
        return verbs;
    }

    private final String name;
    private final Base base;
    private final List<String> lines;
    private final Set<String> removed;
    private final Set<String> refused;
    private final String greeting;

    private Persona(String name, Base base, List<String> lines, Set<String> removed, Set<String> refused,
                    String greeting) {
        this.name = name;
        this.base = base;
        this.lines = List.copyOf(lines);
        this.removed = Set.copyOf(removed);
        this.refused = Set.copyOf(refused);
        this.greeting = greeting;
    }

    /**
     * Everything Poplar offers, as the server computes it for each session: {@code TOP}, {@code UIDL},
     * {@code RESP-CODES}, {@code PIPELINING}, {@code USER}, {@code SASL} (on a loopback or TLS connection
     * {@code SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2}, with the {@code -PLUS} variants over
     * TLS), {@code AUTH-RESP-CODE}, {@code STLS} where they apply, and {@code APOP}. The default.
     *
     * @return the persona
     */
    public static Persona full() {
        return new Persona("full", Base.SERVER, List.of(), Set.of(), Set.of(), null);
    }

    /**
     * A server of RFC 1939 only: {@code USER}/{@code PASS}, {@code APOP}, {@code STAT}, {@code LIST}, {@code RETR},
     * {@code DELE}, {@code NOOP}, {@code RSET}, {@code TOP}, {@code UIDL}, {@code QUIT}; {@code CAPA}, {@code AUTH}
     * and {@code STLS} get {@code -ERR unknown command}.
     *
     * @return the persona
     */
    public static Persona rfc1939() {
        return new Persona("RFC 1939", Base.NONE, List.of(), Set.of(), Set.of("CAPA", "AUTH", "STLS"), null);
    }

    /**
     * A server that looks like Gmail's POP3 service: its capability list, no {@code APOP}, the greeting
     * {@code +OK Gpop ready for requests from <client address>}, and {@code EXPIRE 0}: what a session retrieved is
     * gone from the maildrop after {@code QUIT}.
     *
     * @return the persona
     */
    public static Persona gmail() {
        return new Persona("Gmail-like", Base.FIXED, List.of("USER", "RESP-CODES", "EXPIRE 0", "LOGIN-DELAY 300",
                "TOP", "UIDL", "X-GOOGLE-RICO", "SASL PLAIN XOAUTH2 OAUTHBEARER"), Set.of(), Set.of("APOP"),
                "+OK Gpop ready for requests from {client}");
    }

    /**
     * A server listing exactly these capabilities (plus {@code STLS} while it offers it). {@code TOP}, {@code UIDL},
     * {@code USER}/{@code PASS} and {@code AUTH} are refused unless their capability ({@code TOP}, {@code UIDL},
     * {@code USER}, {@code SASL ...}) is listed.
     *
     * @param capabilities capability lines, e.g. {@code "USER"}, {@code "SASL PLAIN"}, {@code "EXPIRE 30"}
     * @return the persona
     * @throws IllegalArgumentException if a line is blank or holds a line break
     */
    public static Persona custom(String... capabilities) {
        List<String> lines = new ArrayList<>();
        for (String line : capabilities) {
            lines.add(checkLine(line));
        }
        Set<String> refused = new LinkedHashSet<>();
        for (String keyword : List.of("USER", "SASL", "TOP", "UIDL")) {
            if (lines.stream().noneMatch(l -> keyword(l).equals(keyword))) {
                refused.addAll(verbsOf(keyword));
            }
        }
        return new Persona("custom", Base.FIXED, lines, Set.of(), refused, null);
    }

    /**
     * This persona with one more capability, replacing a listed one with the same keyword, and the commands it
     * names no longer refused.
     *
     * @param capability a capability line, e.g. {@code "EXPIRE 0"} or {@code "SASL PLAIN XOAUTH2"}
     * @return the new persona
     * @throws IllegalArgumentException if the line is blank or holds a line break
     */
    public Persona with(String capability) {
        String line = checkLine(capability);
        String keyword = keyword(line);
        List<String> next = new ArrayList<>(lines);
        next.removeIf(l -> keyword(l).equals(keyword));
        next.add(line);
        Set<String> nowRemoved = new LinkedHashSet<>(removed);
        nowRemoved.remove(keyword);
        Set<String> nowRefused = new LinkedHashSet<>(refused);
        nowRefused.removeAll(verbsOf(keyword));
        Base nextBase = keyword.equals("CAPA") && base == Base.NONE ? Base.FIXED : base;
        return new Persona(name + "+" + keyword, nextBase, next, nowRemoved, nowRefused, greeting);
    }

    /**
     * This persona without some capabilities: they are no longer listed, and the commands they stand for
     * ({@code USER} and {@code PASS} for {@code USER}, {@code AUTH} for {@code SASL}, {@code TOP}, {@code UIDL},
     * {@code STLS}, {@code CAPA}, {@code APOP}) get {@code -ERR unknown command}.
     *
     * @param keywords capability keywords, any case, e.g. {@code "UIDL"}
     * @return the new persona
     */
    public Persona without(String... keywords) {
        List<String> next = new ArrayList<>(lines);
        Set<String> nowRemoved = new LinkedHashSet<>(removed);
        Set<String> nowRefused = new LinkedHashSet<>(refused);
        StringBuilder suffix = new StringBuilder();
        for (String k : keywords) {
            String keyword = k.trim().toUpperCase(Locale.ROOT);
            next.removeIf(l -> keyword(l).equals(keyword));
            nowRemoved.add(keyword);
            nowRefused.addAll(verbsOf(keyword));
            suffix.append('-').append(keyword);
        }
        return new Persona(name + suffix, base, next, nowRemoved, nowRefused, greeting);
    }

    /**
     * This persona with another greeting. {@code {client}} in the line is replaced by the client's IP address.
     *
     * @param statusLine the greeting, starting with {@code +OK}; one starting with {@code -ERR} is sent and the
     *     connection closed
     * @return the new persona
     * @throws IllegalArgumentException if the line does not start with {@code +OK} or {@code -ERR} or holds a
     *     line break
     */
    public Persona greeting(String statusLine) {
        checkLine(statusLine);
        if (!statusLine.startsWith("+OK") && !statusLine.startsWith("-ERR")) {
            throw new IllegalArgumentException("a greeting starts with +OK or -ERR: " + statusLine);
        }
        return new Persona(name, base, lines, removed, refused, statusLine);
    }

    /**
     * The persona's name, as transcripts and assertion messages show it.
     *
     * @return e.g. {@code Gmail-like} or {@code full-UIDL}
     */
    public String name() {
        return name;
    }

    /**
     * The commands this persona answers with {@code -ERR unknown command}.
     *
     * @return upper-case verbs
     */
    public Set<String> refusedCommands() {
        return refused;
    }

    /**
     * The greeting this persona sends instead of the server's, if any.
     *
     * @return the greeting template ({@code {client}} stands for the client's address)
     */
    public Optional<String> greeting() {
        return Optional.ofNullable(greeting);
    }

    /**
     * Whether messages retrieved in a session leave the maildrop when it ends with {@code QUIT}: the persona lists
     * {@code EXPIRE 0} (RFC 2449 section 6.7).
     *
     * @return {@code true} for {@code EXPIRE 0}
     */
    public boolean expiresRetrieved() {
        return lines.stream().anyMatch(l -> l.equalsIgnoreCase("EXPIRE 0"));
    }

    /**
     * The capability lines for one moment of a session.
     *
     * @param serverLines the lines the server itself would list (used by {@link #full()} and its variants)
     * @param stlsAvailable whether {@code STLS} can be used now
     * @return the lines to send, or empty when {@code CAPA} is not answered by the persona
     */
    Optional<List<String>> capabilities(List<String> serverLines, boolean stlsAvailable) {
        if (base == Base.NONE) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        if (base == Base.SERVER) {
            for (String line : serverLines) {
                String keyword = keyword(line);
                if (!removed.contains(keyword) && lines.stream().noneMatch(l -> keyword(l).equals(keyword))) {
                    out.add(line);
                }
            }
            for (String line : lines) {
                if (!keyword(line).equals("STLS")) {
                    out.add(line);
                }
            }
        } else {
            lines.stream().filter(l -> !keyword(l).equals("STLS")).forEach(out::add);
        }
        if (stlsAvailable && !removed.contains("STLS")) {
            out.add("STLS");
        }
        return Optional.of(out);
    }

    /**
     * The SASL mechanisms of the persona's own {@code SASL} line, which {@code AUTH} then accepts alone.
     *
     * @return the mechanisms, or empty when the server's own line (or none) applies
     */
    Optional<List<String>> saslMechanisms() {
        return lines.stream().filter(l -> keyword(l).equals("SASL")).findFirst()
                .map(l -> List.of(l.substring(4).strip().toUpperCase(Locale.ROOT).split("\\s+")));
    }

    /**
     * Whether the persona leaves {@code CAPA} to the server unchanged.
     *
     * @return {@code true} for {@link #full()} without changes
     */
    boolean serverCapabilities() {
        return base == Base.SERVER && lines.isEmpty() && removed.isEmpty();
    }

    private static String keyword(String line) {
        int space = line.indexOf(' ');
        return (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    private static String checkLine(String line) {
        Objects.requireNonNull(line, "capability");
        if (line.isBlank() || line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("not a capability line: '" + line + "'");
        }
        return line.strip();
    }

    @Override
    public String toString() {
        return "Persona[" + name + "]";
    }
}
