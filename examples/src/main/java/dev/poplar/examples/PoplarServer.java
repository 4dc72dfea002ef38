package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable Poplar server and its tools.
 *
 * <ul>
 *   <li>{@code poplar --config FILE}: the server as the YAML configuration file says; SIGHUP reloads users and
 *       certificates (see {@link ReloadSignal}); SIGTERM or Ctrl-C stops it gracefully.</li>
 *   <li>{@code poplar [flags]}: the server from command-line flags, for quick starts. Without any, a demo: POP3 with
 *       STLS on {@code 127.0.0.1:1110} and POP3S on {@code 127.0.0.1:1995}, an in-memory mailbox for the user
 *       {@code demo} and a generated certificate; it prints {@code curl} commands that read the mailbox.</li>
 *   <li>{@code poplar check-config FILE}: checks a configuration file and what it names.</li>
 *   <li>{@code poplar pw ...}: hashes a password for the users file, like {@code doveadm pw}.</li>
 *   <li>{@code poplar app-password add|list|revoke ...}: manages app passwords.</li>
 *   <li>{@code poplar deliver --config FILE USER}: delivers one message from standard input (see
 *       {@link DeliverCommand}).</li>
 * </ul>
 * Bad arguments or files get their problems on standard error (with line numbers) and exit status 2.
 */
public final class PoplarServer {

    private PoplarServer() {
    }

    /**
     * Runs a command, or the server until the process is stopped.
     *
     * @param args command-line arguments; see {@code --help}
     */
    public static void main(String[] args) {
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        String command = args.length == 0 ? "" : args[0];
        switch (command) {
            case "check-config" -> System.exit(CheckConfig.run(rest, System::getenv, System.out, System.err));
            case "pw" -> System.exit(PasswordTool.run(rest, Optional.ofNullable(System.console()),
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
                    System.err));
            case "app-password" -> System.exit(AppPasswordTool.run(rest, System.out, System.err));
            case "deliver" -> {
                // Only problems on standard error: a delivery agent may quote it in a bounce.
                if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
                    LoggingConfig.configure(context, LoggingConfig.Level.WARN, java.util.Map.of(), true);
                }
                System.exit(DeliverCommand.run(rest, System.in, System::getenv, System.out, System.err));
            }
            case "cds-training" -> System.exit(CdsTraining.run(System.err));
            default -> serve(args);
        }
    }

    private static void serve(String[] args) {
        Optional<ServerOptions> options = parse(args, System.out, System.err);
        if (options.isEmpty()) {
            return;
        }
        Standalone running;
        // What the server prints once it is started goes out only when the pid file and the reload signal are in
        // place too: whoever waits for it may then signal the server at once.
        ByteArrayOutputStream started = new ByteArrayOutputStream();
        try {
            ServerConfig config = Standalone.config(options.get());
            try {
                config.logging().apply(config.audit());
            } catch (ConfigException e) {
                throw new Standalone.StartupException(e.getMessage(), 2);
            }
            running = Standalone.start(config, new PrintStream(started, true, StandardCharsets.UTF_8));
        } catch (Standalone.StartupException e) {
            e.getMessage().lines().forEach(line -> System.err.println("poplar: " + line));
            System.exit(e.status());
            return;
        }
        Optional<Path> pidFile = options.get().pidFile();
        Logger log = LoggerFactory.getLogger(PoplarServer.class);
        Optional<String> noReload = ReloadSignal.install(() -> {
            try {
                log.info(running.reload());
            } catch (ConfigException e) {
                log.error("Reload failed; the server goes on as before:\n{}", e.getMessage());
            } catch (RuntimeException e) {
                log.error("Reload failed; the server goes on as before", e);
            }
        });
        noReload.ifPresent(why -> log.warn("SIGHUP will not reload the configuration: {}. Users files and "
                + "certificates still reload when they change; other configuration changes need a restart", why));
        // Only now: a reload sent as soon as the pid file appears (systemctl reload) must find the handler, not the
        // JVM's default for SIGHUP, which ends the process.
        pidFile.ifPresent(PoplarServer::writePid);
        System.out.print(started.toString(StandardCharsets.UTF_8));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            pidFile.ifPresent(PoplarServer::deletePid);
            System.out.println("Poplar POP3 server stopped.");
            stopped.countDown();
        }, "poplar-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Parses the server's arguments; on a bad one prints one line and exits with status 2.
     *
     * @param args the arguments
     * @param out where {@code --help} goes
     * @param err where problems go
     * @return the options, or empty after {@code --help}
     */
    static Optional<ServerOptions> parse(String[] args, PrintStream out, PrintStream err) {
        try {
            Optional<ServerOptions> options = ServerOptions.parse(args);
            if (options.isEmpty()) {
                out.println(ServerOptions.USAGE);
            }
            return options;
        } catch (ServerOptions.UsageException e) {
            err.println("poplar: " + e.getMessage());
            System.exit(2);
            return Optional.empty();
        }
    }

    private static void writePid(Path file) {
        try {
            Files.writeString(file, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            System.err.println("poplar: cannot write the pid file " + file + ": " + e.getMessage());
        }
    }

    private static void deletePid(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("poplar: cannot remove the pid file " + file + ": " + e.getMessage());
        }
    }
}
