package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.server.AccessRules;
import dev.poplar.pop3.server.Listener;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The access rules a server applies now: replaced as a whole while it runs, read by every new connection (who may
 * connect) and every login attempt (trusted networks). Thread-safe.
 */
public final class AccessControl {

    private final List<Listener> listeners;
    private volatile AccessRules rules;

    /**
     * Creates the access control of a server.
     *
     * @param rules the rules at start
     * @param listeners the server's listeners, against which rules naming a listener are checked
     */
    public AccessControl(AccessRules rules, List<Listener> listeners) {
        this.listeners = List.copyOf(listeners);
        this.rules = check(rules, this.listeners);
    }

    /**
     * Replaces the rules; connections accepted from now on follow them.
     *
     * @param next the new rules
     * @throws IllegalArgumentException if a rule names a listener the server does not have
     */
    public void replace(AccessRules next) {
        rules = check(next, listeners);
    }

    /** @return the rules now */
    public AccessRules rules() {
        return rules;
    }

    /**
     * Whether a client may connect.
     *
     * @param listener the listener's name
     * @param address the client's address
     * @return what the rules say now
     */
    public boolean allows(String listener, InetAddress address) {
        return rules.allows(listener, address);
    }

    /**
     * Whether a client is in a trusted network.
     *
     * @param address the client's address
     * @return what the rules say now
     */
    public boolean trusts(InetAddress address) {
        return rules.trusts(address);
    }

    /**
     * Checks that rules name only listeners of the server.
     *
     * @param rules the rules
     * @param listeners the server's listeners
     * @return the rules
     * @throws IllegalArgumentException naming the unknown listener and the known ones
     */
    public static AccessRules check(AccessRules rules, List<Listener> listeners) {
        Objects.requireNonNull(rules, "accessRules");
        List<String> names = listeners.stream().map(Listener::name).toList();
        for (String named : rules.listeners()) {
            if (!names.contains(named)) {
                throw new IllegalArgumentException("access rules name the listener '" + named
                        + "', which this server does not have (its listeners: " + names + ")");
            }
        }
        return rules;
    }
}
