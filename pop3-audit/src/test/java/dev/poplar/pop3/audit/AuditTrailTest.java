package dev.poplar.pop3.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The audit records of real sessions, captured from a logger of their own through Logback. */
class AuditTrailTest {

    final String loggerName = "audit.test." + UUID.randomUUID();
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    final BlockingQueue<Pop3Event> seen = new LinkedBlockingQueue<>();
    final ObjectMapper mapper = new ObjectMapper();

    /** Logback, initialised once before any test runs (tests in parallel would otherwise race its start). */
    static final LoggerContext LOGBACK = (LoggerContext) LoggerFactory.getILoggerFactory();

    AuditTrailTest() {
        Logger logger = LOGBACK.getLogger(loggerName);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        appender.start();
        logger.addAppender(appender);
    }

    AuditTrail audit() {
        return AuditTrail.builder().logger(loggerName).maxValueLength(64).build();
    }

    Pop3Server start(AuditTrail audit, int maxConnections) throws IOException {
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "Subject: a\r\n\r\nfirst\r\n");
        store.add("alice", "Subject: b\r\n\r\nsecond\r\n");
        Pop3Server server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .plaintextAuth(PlaintextAuth.ALLOW)
                .listener(Listener.plain("127.0.0.1", 0))
                .maxConnections(maxConnections)
                .authFailureDelay(Duration.ofMillis(1500), Duration.ofMillis(1500), Duration.ofMinutes(1))
                .shutdownGracePeriod(Duration.ofMillis(100))
                .observer(audit)
                .observer(seen::add)
                .build();
        server.start();
        return server;
    }

    /** Waits until the audit trail has seen an event of a type (it is called before the test's observer). */
    void await(Class<? extends Pop3Event> type) throws InterruptedException {
        while (true) {
            Pop3Event event = seen.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event of type %s", type.getSimpleName()).isNotNull();
            if (type.isInstance(event)) {
                return;
            }
        }
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : appender.list) {
            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            lines.add(event.getFormattedMessage());
        }
        return lines;
    }

    List<JsonNode> records() throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines()) {
            records.add(mapper.readTree(line));
        }
        return records;
    }

    JsonNode record(String event) throws IOException {
        return records().stream().filter(r -> r.get("event").asText().equals(event)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + event + " record in " + lines()));
    }

    static void converse(Socket socket, byte[]... commands) throws IOException {
        socket.setSoTimeout(10_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII));
        OutputStream out = socket.getOutputStream();
        assertThat(in.readLine()).startsWith("+OK");
        for (byte[] command : commands) {
            out.write(command);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = in.readLine();
            if (reply.startsWith("+OK") && new String(command, StandardCharsets.US_ASCII).startsWith("RETR")) {
                while (!in.readLine().equals(".")) {
                    // the message
                }
            }
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    class Sessions {
        @Test
        void aFailedThenSuccessfulLoginAndTheSessionEndAreRecordedWithoutSecrets() throws Exception {
            try (Pop3Server server = start(audit(), 10);
                 Socket client = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                converse(client, ascii("USER alice"), ascii("PASS wrong-password"), ascii("USER alice"),
                        ascii("PASS s3cret"), ascii("RETR 1"), ascii("DELE 2"), ascii("QUIT"));
                await(Pop3Event.ConnectionClosed.class);
                JsonNode failure = record("login.failure");
                assertThat(failure.get("user").asText()).isEqualTo("alice");
                assertThat(failure.get("mechanism").asText()).isEqualTo("USER");
                assertThat(failure.get("cause").asText()).isEqualTo("credentials");
                assertThat(failure.get("client_ip").asText()).isEqualTo("127.0.0.1");
                assertThat(failure.get("client_port").asInt()).isEqualTo(client.getLocalPort());
                assertThat(failure.get("tls").asBoolean()).isFalse();
                assertThat(failure.get("listener").asText()).isEqualTo("pop3");
                assertThat(failure.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
                // The attempt after the failure waits for the rest of the penalty (1.5 s from the failure).
                assertThat(record("login.penalty").get("delay_ms").asLong()).isBetween(1L, 1500L);
                JsonNode success = record("login.success");
                assertThat(success.get("user").asText()).isEqualTo("alice");
                assertThat(success.get("mailbox").asText()).isEqualTo("alice");
                JsonNode end = record("session.end");
                assertThat(end.get("user").asText()).isEqualTo("alice");
                assertThat(end.get("end").asText()).isEqualTo("quit");
                assertThat(end.get("retrieved").asInt()).isEqualTo(1);
                assertThat(end.get("retrieved_octets").asLong()).isEqualTo("Subject: a\r\n\r\nfirst\r\n".length());
                assertThat(end.get("deleted").asInt()).isEqualTo(1);
                assertThat(end.get("duration_ms").asLong()).isNotNegative();
                assertThat(end.get("session").asText()).isEqualTo(failure.get("session").asText());
                assertThat(String.join("\n", lines())).doesNotContain("s3cret", "wrong-password");
            }
        }

        @Test
        void clientChosenTextIsEscapedToOnePrintableLineAndCut() throws Exception {
            String forged = "eve\u001b[31m\"},{\"event\":\"login.success\u202e\u2028x";
            String longName = "m".repeat(200);
            try (Pop3Server server = start(audit(), 10);
                 Socket client = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                converse(client, ascii("USER " + forged), ascii("PASS x"), ascii("USER " + longName),
                        ascii("PASS x"), ascii("QUIT"));
                await(Pop3Event.ConnectionClosed.class);
                for (String line : lines()) {
                    assertThat(line.chars()).allMatch(c -> c >= 0x20 && c < 0x7F);
                }
                List<JsonNode> failures = records().stream()
                        .filter(r -> r.get("event").asText().equals("login.failure")).toList();
                assertThat(failures).hasSize(2);
                assertThat(failures.get(0).get("user").asText()).isEqualTo(forged);
                assertThat(failures.get(1).get("user").asText()).isEqualTo("m".repeat(64) + "...(136 more)");
                assertThat(records()).filteredOn(r -> r.get("event").asText().equals("login.success")).isEmpty();
            }
        }

        @Test
        void aRefusedConnectionIsRecordedWithItsReason() throws Exception {
            try (Pop3Server server = start(audit(), 1);
                 Socket first = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                converse(first, ascii("NOOP"));
                try (Socket second = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                    assertThat(second.getInputStream().readAllBytes()).startsWith(ascii("-ERR"));
                }
                await(Pop3Event.ConnectionRefused.class);
                JsonNode refused = record("connection.refused");
                assertThat(refused.get("reason").asText()).isEqualTo("too_many_connections");
                assertThat(refused.get("client_ip").asText()).isEqualTo("127.0.0.1");
            }
        }
    }

    @Nested
    class Certificates {
        @Test
        void aCertificateNearExpiryIsRecordedWhenLoaded() throws Exception {
            DevCertificateAuthority ca = DevCertificateAuthority.create();
            try (ServerTls tls = ServerTls.builder().keyMaterial(ca.issue(Duration.ofDays(5), "mail.example.test"))
                    .expiryWarningDays(21).observer(new AuditTlsObserver(audit())).build()) {
                JsonNode loaded = record("tls.certificate.loaded");
                assertThat(loaded.get("subject").asText()).contains("mail.example.test");
                assertThat(loaded.get("not_after").asText()).isEqualTo(tls.keyMaterial().notAfter().toString());
                JsonNode expiring = record("tls.certificate.expiring");
                assertThat(expiring.get("days_left").asInt()).isBetween(4, 5);
                assertThat(expiring.has("session")).isFalse();
            }
        }
    }

    @Test
    void theDefaultLoggerIsTheAuditLoggerAndSettingsAreChecked() {
        assertThat(AuditTrail.LOGGER).isEqualTo("dev.poplar.pop3.audit");
        assertThatIllegalStateException().isThrownBy(() -> AuditTrail.builder().maxValueLength(8).build())
                .withMessageContaining("maxValueLength");
        assertThatIllegalStateException().isThrownBy(() -> AuditTrail.builder().logger(" ").build())
                .withMessageContaining("logger");
    }
}
