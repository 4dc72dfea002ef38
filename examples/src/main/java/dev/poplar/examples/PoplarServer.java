package dev.poplar.examples;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable Poplar server. Without arguments it is a demo: plain POP3 on {@code 127.0.0.1:1110} with an in-memory
 * mailbox for the user {@code demo}, and it prints a {@code curl} command that lists the mailbox. It stops gracefully
 * on Ctrl-C or SIGTERM.
 */
public final class PoplarServer {

    static final int DEMO_PORT = 1110;
    static final String DEMO_USER = "demo";

    private PoplarServer() {
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param args command-line arguments; none for the demo
     */
    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("poplar-server: unknown argument '" + args[0] + "' (run without arguments for the demo)");
            System.exit(2);
        }
        Pop3Server server;
        try {
            server = startDemo("127.0.0.1", DEMO_PORT, System.out);
        } catch (IOException e) {
            System.err.println("poplar-server: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "poplar-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the demo server and prints how to reach it.
     *
     * @param host the address to bind
     * @param port the port, 0 for a free one
     * @param out where to print
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    static Pop3Server startDemo(String host, int port, PrintStream out) throws IOException {
        String password = randomPassword();
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        int messages = SampleMail.seed(store, DEMO_USER);
        Pop3Server server = Pop3Server.builder()
                .store(store)
                .authenticator(Authenticator.fromMap(Map.of(DEMO_USER, password)))
                .listener(Listener.plain(host, port))
                .implementation("Poplar demo")
                .shutdownGracePeriod(Duration.ofSeconds(2))
                .build();
        server.start();
        String where = server.localAddress().getHostString() + ":" + server.localAddress().getPort();
        out.println("Poplar demo POP3 server listening on " + where);
        out.println("Mailbox '" + DEMO_USER + "' holds " + messages + " messages; its password is " + password);
        out.println("List it:");
        out.println("  curl -u " + DEMO_USER + ":" + password + " pop3://" + where + "/");
        out.println("Retrieve message 1:");
        out.println("  curl -u " + DEMO_USER + ":" + password + " pop3://" + where + "/1");
        out.println("Stop with Ctrl-C.");
        out.flush();
        return server;
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }
}
