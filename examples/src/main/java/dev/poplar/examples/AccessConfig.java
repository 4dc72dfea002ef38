package dev.poplar.examples;

import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.server.AccessRules;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code access} section: who may connect, per listener, and which networks are trusted (exempt from the
 * failed-login penalty, and allowed passwords in clear where loopback is). Rules are {@link AccessRules}' lines,
 * checked in order, the first that matches decides; an address no rule matches may connect. Reloaded on
 * {@code SIGHUP}: connections accepted afterwards follow the new rules, open ones stay.
 *
 * <pre>
 * access:
 *   rules:
 *     - allow 192.0.2.0/24 2001:db8:42::/48     # the office and the VPN, on every listener
 *     - allow all on pop3s                      # POP3S from anywhere
 *     - deny all
 *   trusted_networks: [192.0.2.0/24]
 * </pre>
 */
final class AccessConfig {

    private final AccessRules rules;

    private AccessConfig(AccessRules rules) {
        this.rules = rules;
    }

    static AccessConfig read(Optional<ConfigSection> access, List<Listener> listeners, Pop3Server.Builder server) {
        if (access.isEmpty()) {
            return new AccessConfig(AccessRules.allowAll());
        }
        ConfigSection section = access.get();
        Set<String> names = listeners.stream().map(Listener::name).collect(Collectors.toSet());
        List<String> lines = new ArrayList<>();
        section.strings("rules", line -> {
            AccessRules rule = parse(line);
            for (String listener : rule.listeners()) {
                if (!names.contains(listener) && !names.isEmpty()) {
                    throw new IllegalArgumentException("no listener is named " + listener + " (listeners: "
                            + String.join(", ", names.stream().sorted().toList()) + ")");
                }
            }
            lines.add(line);
        });
        section.strings("trusted_networks", network -> {
            String line = "trust " + network;
            parse(line);
            lines.add(line);
        });
        AccessRules rules = parse(lines);
        server.accessRules(rules);
        return new AccessConfig(rules);
    }

    private static AccessRules parse(String line) {
        return parse(List.of(line));
    }

    private static AccessRules parse(List<String> lines) {
        try {
            return AccessRules.parse(lines);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^access rules, line \\d+: ", ""), e);
        }
    }

    /**
     * The rules, {@link AccessRules#allowAll()} without the section.
     *
     * @return the rules
     */
    AccessRules rules() {
        return rules;
    }
}
