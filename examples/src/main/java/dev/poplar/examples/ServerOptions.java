package dev.poplar.examples;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The command line of the standalone server, parsed and checked.
 *
 * @param maildirRoot one Maildir per user under this directory; empty for the in-memory demo mailbox
 * @param users the Dovecot-style passwd-file; given exactly when {@code maildirRoot} is
 * @param bind the address to listen on
 * @param port the plain POP3 port (with STLS); 0 for none
 * @param tlsPort the implicit-TLS port; 0 for none
 * @param cert the PEM certificate chain; empty for a generated self-signed one
 * @param key the PEM private key; given exactly when {@code cert} is
 * @param caFile where to write the generated CA certificate; empty for a temporary file
 * @param allowPlaintextAuth whether clear-text passwords are allowed from non-loopback addresses without TLS
 * @param maxConnections connections at once, in total; 0 for the server's default
 * @param maxConnectionsPerAddress connections at once from one address; 0 for the server's default
 */
record ServerOptions(Optional<Path> maildirRoot, Optional<Path> users, String bind, int port, int tlsPort,
                     Optional<Path> cert, Optional<Path> key, Optional<Path> caFile, boolean allowPlaintextAuth,
                     int maxConnections, int maxConnectionsPerAddress) {

    /**
     * Options with the server's default connection limits.
     *
     * @return the options
     */
    ServerOptions(Optional<Path> maildirRoot, Optional<Path> users, String bind, int port, int tlsPort,
                  Optional<Path> cert, Optional<Path> key, Optional<Path> caFile, boolean allowPlaintextAuth) {
        this(maildirRoot, users, bind, port, tlsPort, cert, key, caFile, allowPlaintextAuth, 0, 0);
    }

    /** A port value that binds a free port (for tests; not accepted on the command line). */
    static final int ANY_PORT = -1;

    static final String USAGE = String.join("\n",
            "usage: java -jar poplar-server.jar [options]",
            "Without options: a demo server with an in-memory mailbox for the user 'demo'.",
            "  --maildir-root DIR       serve one Maildir per user at DIR/<user> (needs --users)",
            "  --users FILE             Dovecot-style passwd-file: user:{SCHEME}secret",
            "  --bind ADDR              address to listen on (default 127.0.0.1)",
            "  --port N                 plain POP3 with STLS (default 1110; 0 = off)",
            "  --tls-port N             implicit TLS, POP3S (default 1995; 0 = off)",
            "  --cert PEM --key PEM     certificate chain and private key (default: a generated self-signed one)",
            "  --ca-file FILE           where to write the generated CA certificate (default: a temporary file)",
            "  --allow-plaintext-auth   allow USER/PASS without TLS from non-loopback addresses",
            "  --max-connections N      connections at once (default 1000)",
            "  --max-connections-per-address N   connections at once from one client address (default 100)",
            "  --help                   show this help");

    /** A command line that cannot be used; its message is the one line to print. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses a command line.
     *
     * @param args the arguments
     * @return the options, or empty when {@code --help} was asked for
     * @throws UsageException with a one-line explanation
     */
    static Optional<ServerOptions> parse(String... args) throws UsageException {
        Path maildirRoot = null;
        Path users = null;
        Path cert = null;
        Path key = null;
        Path caFile = null;
        String bind = "127.0.0.1";
        int port = 1110;
        int tlsPort = 1995;
        boolean allowPlaintext = false;
        int maxConnections = 0;
        int maxPerAddress = 0;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    return Optional.empty();
                }
                case "--allow-plaintext-auth" -> allowPlaintext = true;
                case "--maildir-root" -> maildirRoot = Path.of(value(args, ++i, option));
                case "--users" -> users = Path.of(value(args, ++i, option));
                case "--cert" -> cert = Path.of(value(args, ++i, option));
                case "--key" -> key = Path.of(value(args, ++i, option));
                case "--ca-file" -> caFile = Path.of(value(args, ++i, option));
                case "--bind" -> bind = value(args, ++i, option);
                case "--port" -> port = port(value(args, ++i, option), option);
                case "--tls-port" -> tlsPort = port(value(args, ++i, option), option);
                case "--max-connections" -> maxConnections = positive(value(args, ++i, option), option);
                case "--max-connections-per-address" -> maxPerAddress = positive(value(args, ++i, option), option);
                default -> throw new UsageException("unknown option '" + option + "' (see --help)");
            }
        }
        if ((maildirRoot == null) != (users == null)) {
            throw new UsageException("--maildir-root and --users go together");
        }
        if ((cert == null) != (key == null)) {
            throw new UsageException("--cert and --key go together");
        }
        if (port == 0 && tlsPort == 0) {
            throw new UsageException("--port and --tls-port are both 0: nothing to listen on");
        }
        if (port != 0 && port == tlsPort) {
            throw new UsageException("--port and --tls-port must differ: " + port);
        }
        if (bind.isBlank()) {
            throw new UsageException("--bind needs an address");
        }
        return Optional.of(new ServerOptions(Optional.ofNullable(maildirRoot), Optional.ofNullable(users), bind,
                port, tlsPort, Optional.ofNullable(cert), Optional.ofNullable(key), Optional.ofNullable(caFile),
                allowPlaintext, maxConnections, maxPerAddress));
    }

    private static String value(String[] args, int index, String option) throws UsageException {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[index];
    }

    private static int positive(String value, String option) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new UsageException(option + " must be at least 1: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a number: " + value);
        }
    }

    private static int port(String value, String option) throws UsageException {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new UsageException(option + " must be between 0 and 65535: " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a number: " + value);
        }
    }
}
