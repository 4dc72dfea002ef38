package dev.poplar.examples;

import dev.poplar.examples.config.ConfigNode;
import dev.poplar.examples.config.Origin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * @param configFile the configuration file; when given, it says everything and the flags above are unused
 * @param pidFile where to write the process id while the server runs
 */
record ServerOptions(Optional<Path> maildirRoot, Optional<Path> users, String bind, int port, int tlsPort,
                     Optional<Path> cert, Optional<Path> key, Optional<Path> caFile, boolean allowPlaintextAuth,
                     int maxConnections, int maxConnectionsPerAddress, Optional<Path> configFile,
                     Optional<Path> pidFile) {

    /**
     * Options from flags, without a configuration file.
     */
    ServerOptions(Optional<Path> maildirRoot, Optional<Path> users, String bind, int port, int tlsPort,
                  Optional<Path> cert, Optional<Path> key, Optional<Path> caFile, boolean allowPlaintextAuth,
                  int maxConnections, int maxConnectionsPerAddress) {
        this(maildirRoot, users, bind, port, tlsPort, cert, key, caFile, allowPlaintextAuth, maxConnections,
                maxConnectionsPerAddress, Optional.empty(), Optional.empty());
    }

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
            "usage: poplar [--config FILE] [--pid-file FILE] | [options]",
            "       poplar check-config FILE | pw [-s SCHEME] ... | app-password add|list|revoke ...",
            "Without options: a demo server with an in-memory mailbox for the user 'demo'.",
            "  --config FILE            run as the YAML configuration file says (no other server options then)",
            "  --pid-file FILE          write the process id to FILE while running (for 'poplar reload')",
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
            "  --help                   show this help",
            "The server reloads users, app passwords and certificates on SIGHUP (systemctl reload poplar).");

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
        Path config = null;
        Path pidFile = null;
        List<String> serverFlags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!option.equals("--config") && !option.equals("--pid-file")) {
                serverFlags.add(option);
            }
            switch (option) {
                case "--help", "-h" -> {
                    return Optional.empty();
                }
                case "--allow-plaintext-auth" -> allowPlaintext = true;
                case "--config" -> config = Path.of(value(args, ++i, option));
                case "--pid-file" -> pidFile = Path.of(value(args, ++i, option));
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
        if (config != null && !serverFlags.isEmpty()) {
            throw new UsageException("--config says everything: put " + serverFlags.get(0)
                    + " in the configuration file instead");
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
                allowPlaintext, maxConnections, maxPerAddress, Optional.ofNullable(config),
                Optional.ofNullable(pidFile)));
    }

    /**
     * The configuration these flags stand for, each value marked with its flag so that a problem names the flag.
     *
     * @return the document, as {@link ServerConfig#read} takes it
     */
    ConfigNode.Mapping toConfig() {
        Origin commandLine = Origin.flag("command line");
        ConfigNode.Mapping.Builder root = ConfigNode.Mapping.builder(commandLine);
        List<ConfigNode> listeners = new ArrayList<>();
        if (port != 0) {
            listeners.add(listener("pop3", port, "--port", false));
        }
        if (tlsPort != 0) {
            listeners.add(listener("pop3s", tlsPort, "--tls-port", true));
        }
        root.put("listeners", new ConfigNode.Sequence(listeners, commandLine));
        ConfigNode.Mapping.Builder tls = root.section("tls");
        if (cert.isPresent()) {
            tls.put("certificate", cert.get().toString(), Origin.flag("--cert"));
            tls.put("key", key.orElseThrow().toString(), Origin.flag("--key"));
        } else {
            ConfigNode.Mapping.Builder ca = tls.section("development_ca");
            caFile.ifPresent(f -> ca.put("ca_file", f.toString(), Origin.flag("--ca-file")));
        }
        if (maildirRoot.isPresent()) {
            root.section("store").section("maildir").put("root", maildirRoot.get().toString(),
                    Origin.flag("--maildir-root"));
            root.section("auth").put("users_file", users.orElseThrow().toString(), Origin.flag("--users"));
        } else {
            root.section("store").section("memory");
        }
        if (allowPlaintextAuth) {
            root.section("auth").put("plaintext_auth", "allow", Origin.flag("--allow-plaintext-auth"));
        }
        if (maxConnections > 0) {
            root.section("limits").put("max_connections", Integer.toString(maxConnections),
                    Origin.flag("--max-connections"));
        }
        if (maxConnectionsPerAddress > 0) {
            root.section("limits").put("max_connections_per_address", Integer.toString(maxConnectionsPerAddress),
                    Origin.flag("--max-connections-per-address"));
        }
        return root.build();
    }

    private ConfigNode.Mapping listener(String name, int number, String flag, boolean implicitTls) {
        ConfigNode.Mapping.Builder listener = ConfigNode.Mapping.builder(Origin.flag(flag))
                .put("name", name, Origin.flag(flag))
                .put("address", bind, Origin.flag("--bind"))
                .put("port", Integer.toString(number == ANY_PORT ? 0 : number), Origin.flag(flag));
        if (implicitTls) {
            listener.put("implicit_tls", "true", Origin.flag(flag));
        }
        return listener.build();
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
