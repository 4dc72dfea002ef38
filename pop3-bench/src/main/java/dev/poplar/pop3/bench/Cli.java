package dev.poplar.pop3.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parsing {@code --name value} arguments of the small server mains, with one clear message per mistake. */
final class Cli {

    private Cli() {
    }

    /**
     * Reads {@code --name value} pairs and checks that each required name is present.
     *
     * @throws IllegalArgumentException naming the first unknown, repeated, valueless or missing option
     */
    static Map<String, String> pairs(String[] args, List<String> required) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!required.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "'; expected " + required);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            if (values.put(name, args[++i]) != null) {
                throw new IllegalArgumentException("option " + name + " given twice");
            }
        }
        for (String name : required) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("missing option " + name);
            }
        }
        return values;
    }

    /**
     * The command line of a peer's server main ({@code --maildir-root DIR --users FILE --bind HOST --port N
     * --tls-port N --keystore P12 --keystore-password PW}); on a mistake, prints it prefixed with the program's
     * name and exits with status 2.
     */
    static Map<String, String> peerServer(String program, String[] args) {
        try {
            return pairs(args, List.of("--maildir-root", "--users", "--bind", "--port", "--tls-port", "--keystore",
                    "--keystore-password"));
        } catch (IllegalArgumentException e) {
            System.err.println(program + ": " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /**
     * A TCP port option.
     *
     * @throws IllegalArgumentException if it is not a number from 1 to 65535
     */
    static int port(Map<String, String> values, String name) {
        String value = values.get(name);
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new IllegalArgumentException(name + " must be a port from 1 to 65535, not '" + value + "'");
    }
}
