package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Cidr;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which client addresses may connect, on every listener or on one, and which networks are trusted.
 *
 * <p><b>Access.</b> The rules are checked in order; the first rule that applies to the connection's listener and whose
 * networks contain the client's address decides. An address that no rule matches may connect, so an allow-list ends
 * with {@code deny all}. A refused connection gets one {@code -ERR} line and is closed; it ends with
 * a {@link Pop3Event.ConnectionRefused} event with reason {@code ACCESS_DENIED}, and counts as a refused
 * connection.
 *
 * <p><b>Trusted networks</b> (e.g. the office, a webmail front end) are exempt from the failed-login penalty, and may
 * send passwords in clear where loopback may ({@link PlaintextAuth#ALLOW_LOOPBACK}).
 *
 * <p>Networks are CIDR literals, IPv4 or IPv6 ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or one address), or
 * {@code all}; no name is ever resolved. The same rules can be written as text, one per line, for a configuration file
 * ({@link #parse}):
 * <pre>
 * # the office and the VPN only, on every listener
 * allow 192.0.2.0/24 2001:db8:42::/48
 * # POP3S from anywhere
 * allow all on pop3s
 * deny all
 * trust 192.0.2.0/24
 * </pre>
 * A server takes them with {@code Pop3Server.Builder.accessRules(...)} and, while it runs,
 * {@link Pop3Server#accessRules(AccessRules)}; new rules apply to connections accepted from then on.
 *
 * <p>Immutable and thread-safe.
 */
public final class AccessRules {

    private static final AccessRules ALLOW_ALL = new AccessRules(List.of(), List.of());

    private final List<Rule> rules;
    private final List<Cidr> trusted;

    private AccessRules(List<Rule> rules, List<Cidr> trusted) {
        this.rules = List.copyOf(rules);
        this.trusted = List.copyOf(trusted);
    }

    /**
     * No rules: every address may connect, no network is trusted. The default of a server.
     *
     * @return the rules
     */
    public static AccessRules allowAll() {
        return ALLOW_ALL;
    }

    /**
     * Starts building rules.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads rules written as text, one per line: {@code allow NETWORK...}, {@code deny NETWORK...}, either optionally
     * followed by {@code on LISTENER}, and {@code trust NETWORK...}. A network is a CIDR literal or {@code all}. Blank
     * lines and lines starting with {@code #} are ignored; keywords are case-insensitive.
     *
     * @param lines the lines, e.g. of a file
     * @return the rules, in the order of the lines
     * @throws IllegalArgumentException naming the line (counted from 1) and what is wrong with it
     * @throws NullPointerException if {@code lines} or a line is null
     */
    public static AccessRules parse(List<String> lines) {
        Builder builder = builder();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                builder.line(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("access rules, line " + number + ": " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    /**
     * Whether a client address may connect to a listener.
     *
     * @param listener the listener's name, e.g. {@code pop3}
     * @param address the client's address
     * @return the decision of the first rule that matches, {@code true} if none does
     */
    public boolean allows(String listener, InetAddress address) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(address, "address");
        for (Rule rule : rules) {
            if (rule.appliesTo(listener) && rule.matches(address)) {
                return rule.allow();
            }
        }
        return true;
    }

    /**
     * Whether a client address is in a trusted network.
     *
     * @param address the client's address
     * @return {@code true} if a {@code trust} rule contains it
     */
    public boolean trusts(InetAddress address) {
        Objects.requireNonNull(address, "address");
        for (Cidr network : trusted) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The listeners that rules name with {@code on}, so that a server can refuse rules for listeners it does not
     * have (a misspelt name would otherwise leave a listener open).
     *
     * @return listener names, in the order of the rules
     */
    public Set<String> listeners() {
        Set<String> names = new LinkedHashSet<>();
        for (Rule rule : rules) {
            if (rule.listener() != null) {
                names.add(rule.listener());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * The rules in the text form {@link #parse} reads, one per line.
     *
     * @return the lines
     */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Rule rule : rules) {
            lines.add(rule.toString());
        }
        if (!trusted.isEmpty()) {
            lines.add("trust " + String.join(" ", trusted.stream().map(Cidr::toString).toList()));
        }
        return lines;
    }

    @Override
    public String toString() {
        return "AccessRules" + lines();
    }

    /**
     * One allow or deny rule.
     *
     * @param allow whether it allows
     * @param networks the networks; empty for every address
     * @param listener the listener it applies to, or {@code null} for every listener
     */
    private record Rule(boolean allow, List<Cidr> networks, String listener) {

        boolean appliesTo(String name) {
            return listener == null || listener.equals(name);
        }

        boolean matches(InetAddress address) {
            if (networks.isEmpty()) {
                return true;
            }
            for (Cidr network : networks) {
                if (network.contains(address)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return (allow ? "allow " : "deny ")
                    + (networks.isEmpty() ? "all" : String.join(" ", networks.stream().map(Cidr::toString).toList()))
                    + (listener == null ? "" : " on " + listener);
        }
    }

    /**
     * Builds {@link AccessRules}; each method checks its arguments at once. Not thread-safe.
     */
    public static final class Builder {

        private final List<Rule> rules = new ArrayList<>();
        private final List<Cidr> trusted = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a rule allowing the networks on every listener.
         *
         * @param networks CIDR literals, or {@code all}
         * @return this builder
         * @throws IllegalArgumentException if none is given or one is not a network
         */
        public Builder allow(String... networks) {
            rules.add(new Rule(true, networks(networks), null));
            return this;
        }

        /**
         * Adds a rule refusing the networks on every listener.
         *
         * @param networks CIDR literals, or {@code all}
         * @return this builder
         * @throws IllegalArgumentException if none is given or one is not a network
         */
        public Builder deny(String... networks) {
            rules.add(new Rule(false, networks(networks), null));
            return this;
        }

        /**
         * Adds a rule allowing the networks on one listener.
         *
         * @param listener the listener's name (see {@link Listener#name()})
         * @param networks CIDR literals, or {@code all}
         * @return this builder
         * @throws IllegalArgumentException if the name is not a listener name, or a network is not one
         */
        public Builder allowOn(String listener, String... networks) {
            rules.add(new Rule(true, networks(networks), listenerName(listener)));
            return this;
        }

        /**
         * Adds a rule refusing the networks on one listener.
         *
         * @param listener the listener's name (see {@link Listener#name()})
         * @param networks CIDR literals, or {@code all}
         * @return this builder
         * @throws IllegalArgumentException if the name is not a listener name, or a network is not one
         */
        public Builder denyOn(String listener, String... networks) {
            rules.add(new Rule(false, networks(networks), listenerName(listener)));
            return this;
        }

        /**
         * Trusts networks: exempt from the failed-login penalty, and allowed clear-text passwords where loopback is.
         *
         * @param networks CIDR literals, or {@code all}
         * @return this builder
         * @throws IllegalArgumentException if none is given or one is not a network
         */
        public Builder trust(String... networks) {
            List<Cidr> parsed = networks(networks);
            trusted.addAll(parsed.isEmpty() ? List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")) : parsed);
            return this;
        }

        /**
         * The rules, in the order they were added.
         *
         * @return the rules
         */
        public AccessRules build() {
            return new AccessRules(rules, trusted);
        }

        private void line(String line) {
            String[] words = line.split("\\s+");
            String keyword = words[0].toLowerCase(Locale.ROOT);
            int end = words.length;
            String listener = null;
            if (end >= 2 && words[end - 2].equalsIgnoreCase("on")) {
                listener = words[end - 1];
                end -= 2;
            }
            String[] networks = Arrays.copyOfRange(words, 1, end);
            switch (keyword) {
                case "allow" -> {
                    if (listener == null) {
                        allow(networks);
                    } else {
                        allowOn(listener, networks);
                    }
                }
                case "deny" -> {
                    if (listener == null) {
                        deny(networks);
                    } else {
                        denyOn(listener, networks);
                    }
                }
                case "trust" -> {
                    if (listener != null) {
                        throw new IllegalArgumentException("trust applies to every listener: '" + line + "'");
                    }
                    trust(networks);
                }
                default -> throw new IllegalArgumentException("expected allow, deny or trust: '" + line + "'");
            }
        }

        /** @return the networks, or an empty list for {@code all} */
        private static List<Cidr> networks(String... networks) {
            if (networks.length == 0) {
                throw new IllegalArgumentException("a rule names at least one network (or all)");
            }
            List<Cidr> parsed = new ArrayList<>();
            for (String network : networks) {
                Objects.requireNonNull(network, "network");
                if (network.equalsIgnoreCase("all")) {
                    if (networks.length > 1) {
                        throw new IllegalArgumentException("'all' stands alone in a rule");
                    }
                    return List.of();
                }
                parsed.add(Cidr.parse(network.strip()));
            }
            return parsed;
        }

        private static String listenerName(String name) {
            Objects.requireNonNull(name, "listener");
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("not a listener name: '" + name + "'");
            }
            return name;
        }
    }
}
