package dev.poplar.examples;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable Poplar server. Without arguments it is a demo: POP3 with STLS on {@code 127.0.0.1:1110} and POP3S on
 * {@code 127.0.0.1:1995}, an in-memory mailbox for the user {@code demo}, and a generated self-signed certificate; it
 * prints {@code curl} commands that list and retrieve the mailbox. With {@code --maildir-root} and {@code --users} it
 * serves real Maildirs (see {@code --help}). It stops gracefully on Ctrl-C or SIGTERM. Bad arguments or files get one
 * line on standard error and exit status 2.
 */
public final class PoplarServer {

    private PoplarServer() {
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param args command-line arguments; see {@code --help}
     */
    public static void main(String[] args) {
        Optional<Standalone> running = start(args, System.out, System.err);
        if (running.isEmpty()) {
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.get().close();
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
     * Parses the arguments and starts the server; on a bad argument or file prints one line and exits with status 2
     * (status 1 if the server cannot listen).
     *
     * @param args the arguments
     * @param out where to print what the server does
     * @param err where to print problems
     * @return the running server, or empty after {@code --help}
     */
    static Optional<Standalone> start(String[] args, PrintStream out, PrintStream err) {
        try {
            Optional<ServerOptions> options = ServerOptions.parse(args);
            if (options.isEmpty()) {
                out.println(ServerOptions.USAGE);
                return Optional.empty();
            }
            return Optional.of(Standalone.start(options.get(), out));
        } catch (ServerOptions.UsageException e) {
            err.println("poplar-server: " + e.getMessage());
            System.exit(2);
        } catch (Standalone.StartupException e) {
            err.println("poplar-server: " + e.getMessage());
            System.exit(e.status());
        }
        return Optional.empty();
    }
}
