package dev.poplar.examples;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigProblem;
import dev.poplar.pop3.tls.TlsProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The configuration file: every option read, every mistake reported with its line, secrets kept out of it. */
class ServerConfigTest {

    @TempDir
    Path dir;
    MaildirFixture fixture;
    final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void fixture() throws IOException {
        fixture = new MaildirFixture(dir);
    }

    /** A working configuration: Maildirs and users of the fixture, a plain listener on a free port. */
    String base() {
        return String.join("\n",
                "listeners:",
                "  - port: 0",
                "store:",
                "  maildir:",
                "    root: mail",
                "auth:",
                "  users_file: users",
                "");
    }

    Path write(String yaml) throws IOException {
        Path file = dir.resolve("poplar.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    ServerConfig read(String yaml) throws Exception {
        return ServerConfig.fromFile(write(yaml), environment::get);
    }

    List<String> problems(String yaml) throws IOException {
        Path file = write(yaml);
        ConfigException e = catchThrowableOfType(() -> ServerConfig.fromFile(file, environment::get),
                ConfigException.class);
        assertThat(e).as("problems in\n%s", yaml).isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    String at(int line, int column) {
        return dir.resolve("poplar.yaml") + ":" + line + ":" + column + ": ";
    }

    Standalone start(ServerConfig config) throws Exception {
        return Standalone.start(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Nested
    class Mistakes {
        @Test
        void anUnknownKeyIsAnErrorAtItsLineWithTheClosestKnownKey() throws Exception {
            assertThat(problems(base() + "limits:\n  max_conections: 5\n"))
                    .containsExactly(at(9, 3) + "limits.max_conections: unknown key (did you mean max_connections?)");
            assertThat(problems(base() + "stroe: {}\n"))
                    .containsExactly(at(8, 1) + "stroe: unknown key (did you mean store?)");
        }

        @Test
        void valuesOfTheWrongKindAreReportedAtTheirLinesAllInOnePass() throws Exception {
            assertThat(problems(String.join("\n",
                    "listeners:",
                    "  - port: x",
                    "    implicit_tls: yes",
                    "store:",
                    "  maildir:",
                    "    root: mail",
                    "    deleted_messages: trash",
                    "    lock_heartbeat: soon",
                    "auth:",
                    "  users_file: users",
                    "  plaintext_auth: loopback",
                    "limits:",
                    "  max_connections: 0",
                    ""))).containsExactly(
                    at(2, 11) + "listeners[1].port: must be a whole number: x",
                    at(3, 19) + "listeners[1].implicit_tls: must be true or false: yes",
                    at(7, 23) + "store.maildir.deleted_messages: must be one of unlink, flag_trashed: trash"
                            + " (did you mean flag_trashed?)",
                    at(8, 21) + "store.maildir.lock_heartbeat: must be a duration such as 30s, 10m, 2h or 1h30m: soon",
                    at(11, 19) + "auth.plaintext_auth: must be one of require_tls, allow_loopback, allow: loopback"
                            + " (did you mean allow_loopback?)",
                    at(13, 20) + "limits.max_connections: must be at least 1: 0");
        }

        @Test
        void aVerificationCacheNeedsAPositiveTimeToLive() throws Exception {
            assertThat(problems(base() + "  verification_cache_ttl: 0\n")).containsExactly(at(8, 27)
                    + "auth.verification_cache_ttl: verificationCache timeToLive must be positive: 0s");
            assertThat(problems(base() + "  verification_cache_users: 10\n")).containsExactly(at(8, 29)
                    + "auth.verification_cache_users: needs verification_cache_ttl");
        }

        @Test
        void theLibrarysOwnChecksAreReportedAtTheKeyTheyConcern() throws Exception {
            assertThat(problems(base() + "limits:\n  idle_timeout: 5m\n")).containsExactly(at(9, 17)
                    + "limits.idle_timeout: must be at least 10 minutes (RFC 1939 section 3): 5m");
            ServerConfig config = read(base().replace("    root: mail\n",
                    "    root: mail\n    lock_heartbeat: 5m\n"));
            assertThatThrownBy(() -> config.store().open()).isInstanceOf(ConfigException.class)
                    .hasMessage(at(6, 21) + "store.maildir.lock_heartbeat: lock_heartbeat (5m) must be shorter than "
                            + "lock_stale_after (2m)");
        }

        @Test
        void missingFilesAreReportedAtTheKeyThatNamesThem() throws Exception {
            Files.delete(fixture.users);
            ServerConfig config = read(base());
            assertThatThrownBy(() -> start(config)).isInstanceOf(Standalone.StartupException.class)
                    .hasMessageStartingWith(at(7, 15) + "auth.users_file: ")
                    .hasMessageContaining(fixture.users.toString());
            ServerConfig tls = read(base() + "tls:\n  certificate: chain.pem\n  key: key.pem\n");
            assertThatThrownBy(() -> tls.tls().get().build(tls.listeners())).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(at(9, 16) + "tls.certificate: ").hasMessageContaining("chain.pem");
        }

        @Test
        void brokenYamlADuplicateKeyAndAMissingStoreHaveTheirLines() throws Exception {
            assertThat(problems("listeners: [port: 1\n")).singleElement().asString()
                    .startsWith(dir.resolve("poplar.yaml") + ":2:1: not valid YAML: ");
            assertThat(problems(base() + "store: {}\n")).containsExactly(
                    at(8, 1) + "store: given twice (first on line 3)");
            assertThat(problems("listeners:\n  - port: 0\nauth:\n  users_file: users\n")).containsExactly(
                    at(1, 1) + "store: is missing: say where mail is, e.g. store: {maildir: {root: /var/mail}}");
            assertThat(problems("- a\n- b\n")).containsExactly(
                    at(1, 1) + "the file must be a YAML mapping (key: value lines), not a list");
        }

        @Test
        void listenersMustHaveDistinctNamesAndImplicitTlsNeedsACertificate() throws Exception {
            assertThat(problems(base().replace("  - port: 0\n", "  - port: 0\n  - port: 0\n    implicit_tls: true\n"
                    + "  - port: 0\n"))).containsExactly(
                    at(4, 19) + "listeners[2].implicit_tls: needs a tls section with the certificate",
                    at(5, 11) + "listeners[3].port: the name pop3 is taken by listeners[1] (give each listener a name)");
        }

        @Test
        void problemsOfFlagsNameTheFlag() throws Exception {
            ServerOptions options = ServerOptions.parse("--maildir-root", dir.resolve("nowhere").toString(),
                    "--users", fixture.users.toString(), "--max-connections", "5").orElseThrow();
            ServerConfig config = ServerConfig.read(options.toConfig(), Optional.empty(), dir, environment::get);
            assertThatThrownBy(() -> config.store().open()).hasMessage("--maildir-root: "
                    + dir.resolve("nowhere") + " does not exist");
        }
    }

    @Nested
    class Secrets {
        @Test
        void environmentVariablesAreReplacedAndAnUnsetOneIsAnError() throws Exception {
            environment.put("MAIL_ROOT", fixture.root.toString());
            ServerConfig config = read(base().replace("root: mail", "root: ${env:MAIL_ROOT}"));
            try (Standalone server = start(config)) {
                assertThat(config.store().open().description()).contains(fixture.root.toRealPath().toString());
            }
            assertThat(problems(base().replace("root: mail", "root: ${env:NOT_SET}"))).containsExactly(
                    at(5, 11) + "store.maildir.root: environment variable NOT_SET is not set");
            assertThat(problems(base().replace("root: mail", "root: ${HOME}/mail"))).singleElement().asString()
                    .contains("${HOME} is not a variable: write ${env:NAME}");
        }

        @Test
        void aSecretComesFromItsFileAndNeverAppearsInAProblem() throws Exception {
            Files.writeString(dir.resolve("demo.pass"), "from-a-file\n");
            String memory = "listeners:\n  - port: 0\nstore:\n  memory:\n    user: carol\n";
            ServerConfig config = read(memory + "    password_file: demo.pass\n");
            try (Standalone server = start(config);
                 StandaloneServerTest.Line session = new StandaloneServerTest.Line(
                         server.server().localAddress(server.plain().get()))) {
                session.send("USER carol");
                assertThat(session.send("PASS from-a-file")).startsWith("+OK");
            }
            environment.put("DEMO_PASSWORD", "s3cret-value");
            assertThat(problems(memory + "    password: ${env:DEMO_PASSWORD}\n    password_file: demo.pass\n"))
                    .containsExactly(at(7, 20) + "store.memory.password_file: give password or password_file, "
                            + "not both")
                    .noneMatch(p -> p.contains("s3cret-value") || p.contains("from-a-file"));
        }
    }

    @Nested
    class Options {
        /** Plain and implicit TLS on free ports, a development CA, the fixture's Maildir and users. */
        private ServerConfig withTls(String... tlsSettings) throws Exception {
            List<String> lines = new java.util.ArrayList<>(List.of(
                    "listeners:",
                    "  - {name: clear, address: 127.0.0.1, port: 0}",
                    "  - {name: secure, address: 127.0.0.1, port: 0, implicit_tls: true}",
                    "tls:",
                    "  development_ca: {ca_file: ca.pem}"));
            lines.addAll(List.of(tlsSettings));
            lines.addAll(List.of("store:", "  maildir: {root: mail}", "auth:", "  users_file: users", ""));
            return read(String.join("\n", lines));
        }

        @Test
        void withoutAProviderTlsRunsOnTheBundledOpensslWhereItCanServe() throws Exception {
            try (Standalone server = start(withTls())) {
                assertThat(server.tlsProvider()).contains(TlsProvider.OPENSSL);
            }
        }

        @Test
        void tlsOnOpensslServesImplicitTls() throws Exception {
            try (Standalone server = start(withTls("  provider: openssl"))) {
                javax.net.ssl.SSLContext client = CdsTraining.trusting(server.caFile().get());
                InetSocketAddress secure = server.server().localAddress(server.secure().get());
                try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) client.getSocketFactory()
                        .createSocket(secure.getAddress(), secure.getPort())) {
                    socket.setSoTimeout(10_000);
                    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).startsWith("+OK");
                    assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                    socket.getOutputStream().write(("USER alice\r\nPASS " + MaildirFixture.ALICE_PASSWORD
                            + "\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).startsWith("+OK");
                    assertThat(in.readLine()).startsWith("+OK maildrop has");
                }
            }
        }

        @Test
        void everyOptionOfTheServerIsReadAndTheServerStartsWithThem() throws Exception {
            ServerConfig config = read(String.join("\n",
                    "listeners:",
                    "  - {name: clear, address: 127.0.0.1, port: 0}",
                    "  - {name: secure, address: 127.0.0.1, port: 0, implicit_tls: true}",
                    "tls:",
                    "  development_ca: {ca_file: ca.pem, names: [mail.example.org]}",
                    "  reload_interval: 0",
                    "  expiry_warning_days: 10",
                    "  provider: jdk",
                    "  post_quantum_hybrid: false",
                    "  client_auth: none",
                    "store:",
                    "  maildir:",
                    "    root: mail",
                    "    deleted_messages: flag_trashed",
                    "    mark_retrieved_seen: true",
                    "    create_missing_mailboxes: false",
                    "    lock_scope: store",
                    "    lock_stale_after: 3m",
                    "    lock_heartbeat: 20s",
                    "    listing_cache: 10",
                    "    size_cache: 1_000",
                    "    lock_host_name: test-host",
                    "auth:",
                    "  users_file: users",
                    "  reload_check_interval: 1s",
                    "  verification_cache_ttl: 5m",
                    "  verification_cache_users: 500",
                    "  app_passwords: app-passwords",
                    "  app_passwords_usage: app-passwords.used",
                    "  plaintext_auth: allow",
                    "  oauth:",
                    "    issuer: https://login.example.org/realms/mail",
                    "    audience: [pop3, mail]",
                    "    jwks_url: https://login.example.org/certs",
                    "    algorithms: [RS256, ES256]",
                    "    clock_skew: 30s",
                    "    required_scope: mail.pop",
                    "    openid_configuration: https://login.example.org/.well-known/openid-configuration",
                    "    mailbox_claim: email",
                    "    fetch_timeout: 2s",
                    "    refresh_interval: 5m",
                    "    min_refresh_interval: 10s",
                    "    max_key_age: 1d",
                    "limits:",
                    "  max_connections: 50",
                    "  max_connections_per_address: 5",
                    "  idle_timeout: 15m",
                    "  authorization_timeout: 30s",
                    "  login_timeout: 45s",
                    "  max_command_length: 512",
                    "  max_sasl_response_length: 8192",
                    "  max_bad_commands: 4",
                    "  max_auth_failures: 2",
                    "  auth_failure_delay: {initial: 0s, max: 1s, window: 1m}",
                    "server:",
                    "  server_name: mail.example.org",
                    "  implementation: Poplar-test",
                    "  expire: 30",
                    "  login_delay: 1m",
                    "  shutdown_grace_period: 1s",
                    "  io_threads: 2",
                    "  worker_threads: 4",
                    "logging:",
                    "  level: warn",
                    "  loggers: {dev.poplar.pop3.tls: debug}",
                    "  timestamps: false",
                    ""));
            assertThat(config.logging().level()).isEqualTo(LoggingConfig.Level.WARN);
            assertThat(config.logging().loggers()).containsEntry("dev.poplar.pop3.tls", LoggingConfig.Level.DEBUG);
            assertThat(config.logging().timestamps()).isFalse();
            try (Standalone server = start(config);
                 StandaloneServerTest.Line session = new StandaloneServerTest.Line(
                         server.server().localAddress(server.plain().get()))) {
                assertThat(server.caFile()).contains(dir.resolve("ca.pem"));
                assertThat(session.send("CAPA")).startsWith("+OK");
                assertThat(session.lines()).contains("IMPLEMENTATION Poplar-test", "EXPIRE 30", "LOGIN-DELAY 60",
                        "USER");
                session.send("USER alice");
                assertThat(session.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");
                // lock_scope: store holds the mailbox in memory: no lock file beside cur/ and new/.
                assertThat(dir.resolve("mail/alice/cur")).isDirectory();
                assertThat(dir.resolve("mail/alice/poplar.lock")).doesNotExist();
            }
        }

        @Test
        void recordLocksHoldAMailboxThroughAFileThatStaysAndKeepASecondSessionOut() throws Exception {
            ServerConfig config = read(base().replace("    root: mail\n", "    root: mail\n    lock_scope: processes\n"));
            try (Standalone server = start(config);
                 StandaloneServerTest.Line first = new StandaloneServerTest.Line(
                         server.server().localAddress(server.plain().get()));
                 StandaloneServerTest.Line second = new StandaloneServerTest.Line(
                         server.server().localAddress(server.plain().get()))) {
                first.send("USER alice");
                assertThat(first.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");
                assertThat(dir.resolve("mail/alice/poplar.fcntl")).isRegularFile();
                assertThat(dir.resolve("mail/alice/poplar.lock")).doesNotExist();
                second.send("USER alice");
                assertThat(second.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("-ERR [IN-USE]");
                assertThat(first.send("QUIT")).startsWith("+OK");
                assertThat(dir.resolve("mail/alice/poplar.fcntl")).isRegularFile();
            }
        }

        @Test
        void aDatabaseStoreIsReadWithItsPasswordFromAFileAndAnUnreachableDatabaseIsReportedAtItsSection()
                throws Exception {
            Files.writeString(dir.resolve("db.pass"), "db-secret\n");
            ServerConfig config = read(String.join("\n",
                    "listeners: [{port: 0}]",
                    "store:",
                    "  jdbc:",
                    "    url: jdbc:postgresql://127.0.0.1:1/mail",
                    "    user: poplar",
                    "    password_file: db.pass",
                    "    schema: mail",
                    "    migrate: false",
                    "    create_missing_mailboxes: false",
                    "    connection_timeout: 1s",
                    "    statement_timeout: 2s",
                    "    pool_size: 2",
                    "    hold_lease: 10s",
                    "    heartbeat: 2s",
                    "    node_name: node-1",
                    "    max_message_size: 1048576",
                    "    listing_cache: 0",
                    "auth: {users_file: users}",
                    ""));
            assertThat(config.store().memory()).isFalse();
            ConfigException e = catchThrowableOfType(() -> config.store().open(), ConfigException.class);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).startsWith(at(4, 5) + "store.jdbc: ").doesNotContain("db-secret");
            assertThat(problems(String.join("\n", "listeners: [{port: 0}]", "store:", "  jdbc:",
                    "    url: jdbc:postgresql://127.0.0.1:1/mail", "    heartbeat: 20s", "auth: {users_file: users}",
                    ""))).containsExactly(at(4, 5) + "store.jdbc.user: is missing");
        }

        @Test
        void theExampleShippedInTheDistributionIsValid() throws Exception {
            Path example = Path.of("src/dist/conf/poplar.yaml");
            ServerConfig config = ServerConfig.fromFile(example, environment::get);
            assertThat(config.listeners()).extracting(l -> l.address().getPort()).containsExactly(110, 995);
            assertThat(config.tls()).isPresent();
            assertThat(config.store().memory()).isFalse();
        }
    }

    @Nested
    class Operations {
        @Test
        void proxyAccessNetworkPenaltyOauthMetricsAndAuditKeysAreRead() throws Exception {
            ServerConfig config = read(base().replace("  - port: 0\n", String.join("\n",
                    "  - port: 0",
                    "    behind_proxy:",
                    "      trust: [10.0.0.5, 192.0.2.0/24]",
                    "      header_timeout: 3s",
                    "      trust_client_tls: true",
                    "")) + String.join("\n",
                    "access:",
                    "  rules:",
                    "    - allow 198.51.100.0/24 on pop3",
                    "    - deny all on pop3",
                    "  trusted_networks: [203.0.113.0/24]",
                    "network: {tcp_keepalive: false, backlog: 64, receive_buffer_size: 65536, send_buffer_size: 0,",
                    "  read_ahead_buffers: 16}",
                    "limits: {auth_failure_delay_per_user: 2s}",
                    "metrics: {port: 0, tags: {server: mail1}}",
                    "audit: {file: audit.log, max_file_size: 10MB, max_history: 7, total_size_cap: 1GB}",
                    ""));
            assertThat(config.listeners().get(0).proxyProtocol()).hasValueSatisfying(p -> {
                assertThat(p.trustedSources()).containsExactly("10.0.0.5", "192.0.2.0/24");
                assertThat(p.headerTimeout()).hasSeconds(3);
                assertThat(p.trustClientTls()).isTrue();
            });
            assertThat(config.access().rules().lines()).containsExactly("allow 198.51.100.0/24 on pop3",
                    "deny all on pop3", "trust 203.0.113.0/24");
            assertThat(config.metrics()).hasValueSatisfying(m -> assertThat(m.url())
                    .isEqualTo("http://127.0.0.1:0/metrics"));
            assertThat(config.audit()).hasValueSatisfying(a -> assertThat(a.file()).contains(dir.resolve("audit.log")));
        }

        @Test
        void badValuesAreReportedAtTheirLines() throws Exception {
            assertThat(problems(String.join("\n",
                    "listeners:",
                    "  - port: 0",
                    "    behind_proxy:",
                    "      trust: [10.0.0.0/8, balancer.example.org]",
                    "      header_timeout: 5m",
                    "store: {maildir: {root: mail}}",
                    "auth: {users_file: users}",
                    "access:",
                    "  rules:",
                    "    - allow 192.0.2.0/24",
                    "    - permit all",
                    "    - deny all on pop3s",
                    "network:",
                    "  backlog: 0",
                    "metrics:",
                    "  port: http",
                    "audit:",
                    "  file: audit.log",
                    "  max_file_size: lots",
                    ""))).containsExactly(
                    at(4, 27) + "listeners[1].behind_proxy.trust[2]: not an IP address or CIDR block: "
                            + "'balancer.example.org'",
                    at(5, 23) + "listeners[1].behind_proxy.header_timeout: must be 1 second to 1 minute",
                    at(11, 7) + "access.rules[2]: expected allow, deny or trust: 'permit all'",
                    at(12, 7) + "access.rules[3]: no listener is named pop3s (listeners: pop3)",
                    at(14, 12) + "network.backlog: must be between 1 and 65535: 0",
                    at(16, 9) + "metrics.port: must be a whole number: http",
                    at(19, 18) + "audit.max_file_size: must be a size such as 512KB, 100MB or 2GB: lots");
            assertThat(problems(base() + "network: {receive_buffer_size: 100}\n")).containsExactly(at(8, 32)
                    + "network.receive_buffer_size: must be 0 (system default) or 1024 to 67108864 octets: 100");
            assertThat(problems(base() + "network: {read_ahead_buffers: -1}\n")).containsExactly(at(8, 31)
                    + "network.read_ahead_buffers: must be between 0 and 65536: -1");
        }

        @Test
        void maildirMigrationKeysAreReadAndABadUidlFormatIsReportedAtItsLineWhenTheStoreOpens() throws Exception {
            Files.createDirectory(dir.resolve("home"));
            ServerConfig good = read(base().replace("    root: mail\n", String.join("\n",
                    "    root: mail",
                    "    dovecot_uidls: true",
                    "    dovecot_uidl_format: \"%08Xu%08Xv\"",
                    "    content_may_block: true",
                    "    mailbox_link_targets: [home]",
                    "    follow_message_links: false",
                    "")));
            try (AutoCloseable store = good.store().open().resource()) {
                assertThat(store).isNotNull();
            }
            ServerConfig bad = read(base().replace("    root: mail\n", "    root: mail\n    dovecot_uidl_format: \"%m\"\n"));
            assertThatThrownBy(() -> bad.store().open()).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(at(6, 26) + "store.maildir.dovecot_uidl_format: ");
        }

        @Test
        void theOauthErrorDetailsMustSuitTheWire() throws Exception {
            assertThat(problems(base() + String.join("\n",
                    "  oauth:",
                    "    issuer: https://login.example.org",
                    "    jwks_file: jwks.json",
                    "    required_scope: mail pop",
                    "    openid_configuration: http://login.example.org/.well-known/openid-configuration",
                    ""))).containsExactly(
                    at(11, 21) + "auth.oauth.required_scope: must be one scope token (RFC 6749 section 3.3), "
                            + "without spaces, quotes or backslashes: \"mail pop\"",
                    at(12, 27) + "auth.oauth.openid_configuration: must be an absolute https URL, not "
                            + "http://login.example.org/.well-known/openid-configuration");
        }

        @Test
        void aRefusedTokenHearsTheScopeAndTheOpenIdConfigurationOfTheOauthSection() throws Exception {
            Files.writeString(dir.resolve("jwks.json"), new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate()
                    .toPublicJWK()).toString());
            ServerConfig config = read(base() + String.join("\n",
                    "  oauth:",
                    "    issuer: https://login.example.org",
                    "    audience: pop3",
                    "    jwks_file: jwks.json",
                    "    required_scope: mail.pop",
                    "    openid_configuration: https://login.example.org/.well-known/openid-configuration",
                    ""));
            try (Standalone server = start(config);
                 StandaloneServerTest.Line session = new StandaloneServerTest.Line(
                         server.server().localAddress(server.plain().get()))) {
                String response = "n,,\u0001auth=Bearer not-a-token\u0001\u0001";
                String challenge = session.send("AUTH OAUTHBEARER " + Base64.getEncoder().encodeToString(
                        response.getBytes(StandardCharsets.UTF_8)));
                assertThat(challenge).startsWith("+ ");
                assertThat(new String(Base64.getDecoder().decode(challenge.substring(2)), StandardCharsets.UTF_8))
                        .contains("\"scope\":\"mail.pop\"",
                                "\"openid-configuration\":\"https://login.example.org/.well-known/openid-configuration\"");
                assertThat(session.send("\u0001")).startsWith("-ERR");
            }
        }

        @Test
        void metricsAreServedForPrometheusAndScrapedOverHttp() throws Exception {
            ServerConfig config = read(base() + "metrics: {port: 0, tags: {server: mail1}}\n");
            try (Standalone server = start(config)) {
                try (StandaloneServerTest.Line session = new StandaloneServerTest.Line(
                        server.server().localAddress(server.plain().get()))) {
                    session.send("USER alice");
                    assertThat(session.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");
                    assertThat(session.send("QUIT")).startsWith("+OK");
                }
                InetSocketAddress at = server.metricsAddress().orElseThrow();
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + at.getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(scrape.statusCode()).isEqualTo(200);
                assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                        assertThat(t).startsWith("text/plain"));
                assertThat(scrape.body()).contains(
                        "pop3_logins_total{mechanism=\"USER\",outcome=\"success\",server=\"mail1\"} 1.0",
                        "pop3_connections_open_connections{server=\"mail1\"} ");
            }
        }
    }

    @Nested
    class BandwidthAndRetention {
        /** Alice's sixth message: 4 KB of long lines, nothing to dot-stuff. */
        static final int LONG_LINES = 6;

        @Test
        void theConfiguredServerAnnouncesItsRetentionAndSendsNoFasterThanTheBandwidthLimit() throws Exception {
            ServerConfig config = read(base() + String.join("\n",
                    "limits:",
                    "  bandwidth_per_session: 4096",
                    "  bandwidth_per_user: 2_048",
                    "retention:",
                    "  after_retrieval: 14d",
                    "  after_arrival: 100000d",
                    ""));
            byte[] expected = MaildirFixture.received(fixture.alice.get(LONG_LINES - 1));
            try (Standalone server = start(config);
                 StandaloneServerTest.Line session = aliceAfterCapa(server, "EXPIRE 14")) {
                long start = System.nanoTime();
                assertThat(session.send("RETR " + LONG_LINES)).startsWith("+OK");
                List<String> lines = session.lines();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(String.join("\r\n", lines) + "\r\n")
                        .isEqualTo(new String(expected, StandardCharsets.US_ASCII));
                // About 4 KB at 2048 octets per second for the user (a tenth of a second's worth at once, chunks
                // of that size): about 1.8 s; without the limit, a few milliseconds.
                assertThat(took).as("%d octets at 2048 octets/s", expected.length)
                        .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
            }
        }

        @Test
        void retentionOfZeroAnnouncesExpire0AndDeletesRetrievedMailAtQuitAndKeepForeverAnnouncesNever()
                throws Exception {
            Path alice = fixture.root.resolve("alice");
            try (Standalone server = start(read(base() + "retention: {after_retrieval: 0}\n"));
                 StandaloneServerTest.Line session = aliceAfterCapa(server, "EXPIRE 0")) {
                assertThat(session.send("RETR 1")).startsWith("+OK");
                session.lines();
                assertThat(session.send("QUIT")).startsWith("+OK");
            }
            try (Stream<Path> cur = Files.list(alice.resolve("cur")); Stream<Path> fresh = Files.list(
                    alice.resolve("new"))) {
                assertThat(cur.count() + fresh.count()).isEqualTo(fixture.alice.size() - 1);
            }
            try (Standalone server = start(read(base() + "retention: {keep_forever: true}\n"));
                 StandaloneServerTest.Line session = aliceAfterCapa(server, "EXPIRE NEVER")) {
                assertThat(session.send("STAT")).startsWith("+OK " + (fixture.alice.size() - 1) + " ");
            }
        }

        /** Connects, checks that CAPA announces {@code expire} before login, and logs alice in. */
        StandaloneServerTest.Line aliceAfterCapa(Standalone server, String expire) throws IOException {
            StandaloneServerTest.Line session = new StandaloneServerTest.Line(
                    server.server().localAddress(server.plain().get()));
            assertThat(session.send("CAPA")).startsWith("+OK");
            assertThat(session.lines()).contains(expire);
            session.send("USER alice");
            assertThat(session.send("PASS " + MaildirFixture.ALICE_PASSWORD)).startsWith("+OK");
            return session;
        }

        @Test
        void badBandwidthsAndRetentionsAreReportedAtTheirLines() throws Exception {
            assertThat(problems(base() + "limits:\n  bandwidth_per_session: 100\n")).containsExactly(at(9, 26)
                    + "limits.bandwidth_per_session: must be at least 1024 octets per second: 100");
            assertThat(problems(base() + "limits:\n  bandwidth_per_user: 50k\n")).containsExactly(at(9, 23)
                    + "limits.bandwidth_per_user: must be a whole number: 50k");
            assertThat(problems(base() + "retention:\n  after_retrieval: soon\n  after_arrival: 0\n"))
                    .containsExactly(
                            at(9, 20) + "retention.after_retrieval: must be a duration such as 30s, 10m, 2h or 1h30m:"
                                    + " soon",
                            at(10, 18) + "retention.after_arrival: must be more than zero: a message would be "
                                    + "deleted before any client could retrieve it");
            assertThat(problems(base() + "retention:\n  after_retrieval: 14d\n  keep_forever: true\n"))
                    .containsExactly(at(10, 17) + "retention.keep_forever: cannot go with after_retrieval or "
                            + "after_arrival: keep_forever means the server deletes nothing on its own");
            assertThat(problems(base() + "retention: {}\n")).containsExactly(at(8, 12)
                    + "retention: give after_retrieval, after_arrival or keep_forever: true");
        }

        @Test
        void retentionRefusesAnExpireOfItsOwnAndATimeTheMaildirsDoNotRecord() throws Exception {
            assertThat(problems(base() + "server:\n  expire: 30\nretention:\n  after_retrieval: 14d\n"))
                    .containsExactly(at(9, 11) + "server.expire: cannot go with a retention section, which "
                            + "announces EXPIRE 14 itself: remove one of them");
            String notRecorded = base().replace("    root: mail\n",
                    "    root: mail\n    record_retrieval_times: false\n");
            assertThat(problems(notRecorded + "retention:\n  after_retrieval: 14d\n")).containsExactly(at(10, 20)
                    + "retention.after_retrieval: needs the times of first retrieval, which the store does not "
                    + "record with store.maildir.record_retrieval_times: false (0, deleting at QUIT, needs none)");
            assertThat(read(notRecorded + "retention:\n  after_retrieval: 0\n  after_arrival: 365d\n")
                    .store().recordsRetrievals()).isFalse();
        }
    }

    @Test
    void theCommentedOutOperationsSettingsOfTheExampleAreValidToo() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/dist/conf/poplar.yaml"));
        StringBuilder yaml = new StringBuilder();
        String prefix = null;
        for (String line : lines) {
            if (line.matches("# (limits|network|access|retention|metrics|audit):.*")
                    || line.startsWith("  # - name: balanced")) {
                prefix = line.startsWith("#") ? "# " : "  # ";
            } else if (prefix != null && !line.startsWith(prefix)) {
                prefix = null;
            }
            yaml.append(prefix == null ? line : line.replaceFirst(Pattern.quote(prefix),
                    prefix.startsWith(" ") ? "  " : "")).append('\n');
        }
        Path file = dir.resolve("uncommented.yaml");
        Files.writeString(file, yaml.toString());
        ServerConfig config = ServerConfig.fromFile(file, environment::get);
        assertThat(config.listeners()).extracting(l -> l.proxyProtocol().isPresent()).containsExactly(false, false,
                true);
        assertThat(config.access().rules().lines()).hasSize(4);
        assertThat(config.metrics()).isPresent();
        assertThat(config.retention()).hasValueSatisfying(r -> assertThat(r.expire().capability())
                .isEqualTo("EXPIRE 14"));
        assertThat(config.audit()).hasValueSatisfying(a -> assertThat(a.file())
                .contains(Path.of("/var/log/poplar/audit.log")));
    }

    @Nested
    class CheckConfigCommand {
        @Test
        void aGoodFileIsOkAndSaysWhatTheServerWouldServe() throws Exception {
            Path file = write(base());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = CheckConfig.run(new String[] {file.toString()}, environment::get, print(out), print(err));
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
            assertThat(status).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(file + ": OK")
                    .contains("listener pop3 on 127.0.0.1:0 (no TLS)", "2 users of " + fixture.users);
        }

        @Test
        void aBadFileGetsOneLinePerProblemAndStatus2() throws Exception {
            Files.delete(fixture.users);
            Path file = write(base().replace("root: mail", "root: nowhere") + "tls:\n  pkcs12: none.p12\n");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = CheckConfig.run(new String[] {file.toString()}, environment::get,
                    print(new ByteArrayOutputStream()), print(err));
            assertThat(status).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(3)
                    .anySatisfy(l -> assertThat(l).startsWith(at(5, 11) + "store.maildir.root: "))
                    .anySatisfy(l -> assertThat(l).startsWith(at(7, 15) + "auth.users_file: "))
                    .anySatisfy(l -> assertThat(l).startsWith(at(9, 11) + "tls.pkcs12: "));
        }

        @Test
        void itReportsTheOperationsSectionsAndAnAuditFileInAMissingDirectoryAtItsLine() throws Exception {
            String operations = base().replace("  - port: 0\n", "  - port: 0\n    behind_proxy: {trust: [10.0.0.2]}\n")
                    + "access: {rules: [deny 203.0.113.0/24], trusted_networks: [192.0.2.0/24]}\n"
                    + "metrics: {port: 9110}\n";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Path file = write(operations + "audit: {file: audit.log}\n");
            assertThat(CheckConfig.run(new String[] {file.toString()}, environment::get, print(out), print(err)))
                    .as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                    "listener pop3 on 127.0.0.1:0 (no TLS), PROXY protocol from 10.0.0.2",
                    "access: deny 203.0.113.0/24; trust 192.0.2.0/24",
                    "metrics: http://127.0.0.1:9110/metrics",
                    "audit: records to " + dir.resolve("audit.log") + " (rotated)");

            err.reset();
            write(operations + "audit: {file: logs/audit.log}\n");
            assertThat(CheckConfig.run(new String[] {file.toString()}, environment::get,
                    print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(at(11, 15) + "audit.file: the directory "
                    + dir.resolve("logs") + " does not exist" + System.lineSeparator());
        }

        PrintStream print(ByteArrayOutputStream to) {
            return new PrintStream(to, true, StandardCharsets.UTF_8);
        }
    }
}
