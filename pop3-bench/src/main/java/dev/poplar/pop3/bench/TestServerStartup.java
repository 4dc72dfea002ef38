package dev.poplar.pop3.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.TestMessages;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * The test writer's start-up: a fake POP3 server per test, from "new server" (one user, one message) to the first
 * successful login, for Poplar's test server and GreenMail 2.1.3's POP3 server, alternating in one warm JVM.
 *
 * <p>Usage: {@code java -cp pop3-bench/target/pop3-bench.jar dev.poplar.pop3.bench.TestServerStartup [starts]}
 * (default 100 measured starts of each, after 20 unmeasured ones).
 */
public final class TestServerStartup {

    private static final String MESSAGE = "From: shop@example.com\r\nSubject: Invoice 42\r\n\r\nsee attached\r\n";

    private TestServerStartup() {
    }

    /**
     * Runs the measurement and prints the medians.
     *
     * @param args the number of measured starts, optional
     * @throws Exception if a server does not start or a login fails
     */
    public static void main(String[] args) throws Exception {
        int starts = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int warmUp = 20;
        List<Double> poplar = new ArrayList<>();
        List<Double> greenMail = new ArrayList<>();
        for (int i = 0; i < warmUp + starts; i++) {
            double p = poplarTestServer();
            double g = greenMail();
            if (i >= warmUp) {
                poplar.add(p);
                greenMail.add(g);
            }
        }
        double pm = median(poplar);
        double gm = median(greenMail);
        System.out.printf("start to first login, median of %d in one warm JVM:%n", starts);
        System.out.printf("  Poplar test server (pop3-testkit)  %.2f ms (min %.2f, max %.2f)%n", pm,
                Collections.min(poplar), Collections.max(poplar));
        System.out.printf("  GreenMail 2.1.3 POP3               %.2f ms (min %.2f, max %.2f)%n", gm,
                Collections.min(greenMail), Collections.max(greenMail));
        System.out.printf("  Poplar / GreenMail                 %.2f%n", pm / gm);
    }

    private static double poplarTestServer() throws IOException {
        long start = System.nanoTime();
        try (Pop3TestServer server = Pop3TestServer.builder()
                .user("alice", "s3cret", TestMessages.raw(MESSAGE)).start()) {
            login(server.host(), server.port());
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static double greenMail() throws Exception {
        long start = System.nanoTime();
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
        try {
            greenMail.setUser("alice@example.com", "alice", "s3cret").deliver(new MimeMessage(
                    Session.getInstance(new Properties()),
                    new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
            greenMail.start();
            login("127.0.0.1", greenMail.getPop3().getPort());
            return (System.nanoTime() - start) / 1e6;
        } finally {
            greenMail.stop();
        }
    }

    private static void login(String host, int port) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            out.write("USER alice\r\nPASS s3cret\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.readLine();
            String reply = in.readLine();
            if (reply == null || !reply.startsWith("+OK")) {
                throw new IOException("login failed: " + reply);
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.readLine();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
