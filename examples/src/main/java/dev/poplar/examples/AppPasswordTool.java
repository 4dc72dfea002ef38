package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.examples.config.YamlConfig;
import dev.poplar.pop3.auth.passwd.AppPassword;
import dev.poplar.pop3.auth.passwd.AppPasswords;
import dev.poplar.pop3.auth.passwd.PasswdFileException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code poplar app-password add|list|revoke}: manages the app-passwords file of {@code pop3-auth-passwd}
 * ({@link AppPasswords}), named by {@code --file} or by {@code auth.app_passwords} of the configuration file. A
 * running server sees changes at its next check of the file.
 */
final class AppPasswordTool {

    static final String USAGE = String.join("\n",
            "usage: poplar app-password add USER LABEL [--network CIDR]... (--config FILE | --file FILE)",
            "       poplar app-password list [USER] (--config FILE | --file FILE)",
            "       poplar app-password revoke USER ID (--config FILE | --file FILE)",
            "add prints the new password once; only its digest is stored. --network limits it to client",
            "addresses (192.0.2.0/24, 2001:db8::/32; repeat for more); without it, it works from anywhere.");

    private AppPasswordTool() {
    }

    /**
     * Runs the tool.
     *
     * @param args the arguments after {@code app-password}
     * @param out where results go
     * @param err where problems go
     * @return the exit status: 0, 1 if there was nothing to revoke, 2 for bad arguments or files
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> words = new ArrayList<>();
        List<String> networks = new ArrayList<>();
        Path config = null;
        Path file = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--network" -> networks.add(value(args, ++i));
                    case "--config" -> config = Path.of(value(args, ++i));
                    case "--file" -> file = Path.of(value(args, ++i));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        words.add(args[i]);
                    }
                }
            }
            if (words.isEmpty()) {
                throw new IllegalArgumentException("say add, list or revoke");
            }
            AppPasswords apps = appPasswords(config, file);
            String command = words.get(0);
            List<String> rest = words.subList(1, words.size());
            switch (command) {
                case "add" -> {
                    expect(rest, 2, "add USER LABEL");
                    AppPasswords.Issued issued = apps.add(rest.get(0), rest.get(1), networks);
                    AppPassword a = issued.appPassword();
                    out.println("App password " + a.id() + " for " + a.user() + " (" + a.label() + "), from "
                            + (a.networks().isEmpty() ? "anywhere" : String.join(", ", a.networks())) + ":");
                    out.println("  " + issued.secret());
                    out.println("It is shown only now: enter it as the password in the device's mail client.");
                    return 0;
                }
                case "list" -> {
                    if (rest.size() > 1) {
                        throw new IllegalArgumentException("list takes at most a user");
                    }
                    List<AppPassword> all = rest.isEmpty() ? apps.list() : apps.list(rest.get(0));
                    out.printf("%-16s %-10s %-20s %-20s %-8s %-24s %s%n", "USER", "ID", "CREATED", "LAST USED",
                            "STATE", "NETWORKS", "LABEL");
                    for (AppPassword a : all) {
                        out.printf("%-16s %-10s %-20s %-20s %-8s %-24s %s%n", a.user(), a.id(), a.created(),
                                a.lastUsed().map(Instant::toString).orElse("never"),
                                a.isRevoked() ? "revoked" : "valid",
                                a.networks().isEmpty() ? "anywhere" : String.join(",", a.networks()), a.label());
                    }
                    return 0;
                }
                case "revoke" -> {
                    expect(rest, 2, "revoke USER ID");
                    if (apps.revoke(rest.get(0), rest.get(1))) {
                        out.println("Revoked app password " + rest.get(1) + " of " + rest.get(0) + ".");
                        return 0;
                    }
                    err.println("poplar app-password: " + rest.get(0) + " has no valid app password "
                            + rest.get(1));
                    return 1;
                }
                default -> throw new IllegalArgumentException("unknown command " + command
                        + ": say add, list or revoke");
            }
        } catch (IllegalArgumentException e) {
            err.println("poplar app-password: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (PasswdFileException | ConfigException e) {
            err.println("poplar app-password: " + e.getMessage());
            return 2;
        }
    }

    private static AppPasswords appPasswords(Path config, Path file) throws ConfigException {
        if ((config == null) == (file == null)) {
            throw new IllegalArgumentException("give --config FILE or --file FILE (one of them)");
        }
        if (file != null) {
            return AppPasswords.at(file);
        }
        ConfigSection root = ConfigSection.root(YamlConfig.read(config),
                config.toAbsolutePath().getParent(), System::getenv);
        Optional<ConfigSection> auth = root.section("auth");
        Optional<Path> apps = auth.flatMap(a -> a.path("app_passwords"));
        Optional<Path> usage = auth.flatMap(a -> a.path("app_passwords_usage"));
        root.check();
        if (apps.isEmpty()) {
            throw new IllegalArgumentException(config + " has no auth.app_passwords");
        }
        return usage.isPresent() ? AppPasswords.at(apps.get(), usage.get()) : AppPasswords.at(apps.get());
    }

    private static void expect(List<String> words, int count, String form) {
        if (words.size() != count) {
            throw new IllegalArgumentException("say " + form);
        }
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }
}
