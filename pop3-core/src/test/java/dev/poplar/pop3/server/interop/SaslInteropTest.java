package dev.poplar.pop3.server.interop;

import dev.poplar.pop3.server.EveryKind;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every SASL mechanism with clients we did not write: {@code curl} (LOGIN, CRAM-MD5, PLAIN with an authorization
 * identity, OAUTHBEARER and XOAUTH2 with {@code --oauth2-bearer}), Angus Mail (PLAIN, XOAUTH2 in one line and in
 * two) and python3 {@code poplib} with a SCRAM exchange written from RFC 5802 ({@code -PLUS} over implicit TLS).
 * Both programs must be installed (CI installs them); a missing one fails the test rather than skipping it.
 */
class SaslInteropTest {

    final Listener plain = Listener.plain("127.0.0.1", 0);
    final Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final DevCertificateAuthority ca = DevCertificateAuthority.create();
    final List<String> mechanisms = new CopyOnWriteArrayList<>();
    /** Blocks as a real directory may: SCRAM lookups and logins go through the worker hand-off. */
    final EveryKind authenticator = new EveryKind(Map.of("alice", "s3cret", "admin", "adminpw"),
            Map.of("ya29.alice-token", "alice")) {
        @Override
        public boolean mayBlock() {
            return true;
        }
    };
    ServerTls tls;
    Pop3Server server;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        store.add("alice", "Subject: hello\r\n\r\nbody\r\n");
        tls = ServerTls.builder().keyMaterial(ca.issue()).build();
        server = builder().tls(tls).listener(plain).listener(pop3s).build();
        server.start();
    }

    /** A server that notes the mechanism of every successful login. */
    Pop3Server.Builder builder() {
        return Pop3Server.builder().store(store).authenticator(authenticator)
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1))
                .observer(event -> {
                    if (event instanceof Pop3Event.LoginSucceeded success) {
                        mechanisms.add(success.mechanism() + " " + success.username());
                    }
                })
                .shutdownGracePeriod(Duration.ofMillis(100));
    }

    @AfterEach
    void stop() {
        server.close();
        tls.close();
    }

    record Run(int exit, String output) {
    }

    static Run run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out);
    }

    void awaitUnlocked() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (store.isLocked("alice") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @Nested
    class Curl {
        String url() {
            return "pop3://127.0.0.1:" + server.localAddress().getPort() + "/";
        }

        /** Replaces the server by one whose CAPA lists SASL XOAUTH2 alone. */
        void xoauth2Only() throws Exception {
            server.close();
            server = builder().hook(new SessionHook() {
                @Override
                public Action onCommand(Command command) {
                    return command.verb().equals("CAPA") && !command.loggedIn()
                            ? Action.respondMultiLine("+OK", List.of("USER", "SASL XOAUTH2"))
                            : Action.proceed();
                }
            }).build();
            server.start();
        }

        Run curl(String... options) throws Exception {
            List<String> command = new ArrayList<>(List.of("curl", "-sS"));
            command.addAll(List.of(options));
            command.add(url());
            Run run = run(command);
            awaitUnlocked();
            return run;
        }

        @Test
        void logsInWithLoginAndCramMd5() throws Exception {
            assertThat(curl("--login-options", "AUTH=LOGIN", "-u", "alice:s3cret"))
                    .isEqualTo(new Run(0, "1 24\r\n"));
            assertThat(curl("--login-options", "AUTH=CRAM-MD5", "-u", "alice:s3cret"))
                    .isEqualTo(new Run(0, "1 24\r\n"));
            assertThat(mechanisms).containsExactly("LOGIN alice", "CRAM-MD5 alice");
        }

        @Test
        void plainCarriesTheAuthorizationIdentity() throws Exception {
            assertThat(curl("--login-options", "AUTH=PLAIN", "--sasl-authzid", "alice", "-u", "admin:adminpw"))
                    .isEqualTo(new Run(0, "1 24\r\n"));
            assertThat(mechanisms).containsExactly("PLAIN admin");
        }

        @Test
        void bearerTokensLogInWithOauthbearerAndXoauth2() throws Exception {
            assertThat(curl("--login-options", "AUTH=OAUTHBEARER", "--oauth2-bearer", "ya29.alice-token",
                    "-u", "alice:")).isEqualTo(new Run(0, "1 24\r\n"));
            // curl 7.88 takes OAUTHBEARER whenever it is offered, whatever AUTH= says (curl issue 10259), so
            // XOAUTH2 is tried against a server whose CAPA lists it alone, as some providers' servers do.
            xoauth2Only();
            assertThat(curl("--login-options", "AUTH=XOAUTH2", "--oauth2-bearer", "ya29.alice-token",
                    "-u", "alice:")).isEqualTo(new Run(0, "1 24\r\n"));
            assertThat(curl("--login-options", "AUTH=XOAUTH2", "--oauth2-bearer", "expired", "-u", "alice:")
                    .exit()).isEqualTo(67);
            assertThat(mechanisms).containsExactly("OAUTHBEARER alice", "XOAUTH2 alice");
        }

        @Test
        void wrongCredentialsAreLoginDenied() throws Exception {
            // curl's exit status 67: "the remote server denied curl to login".
            assertThat(curl("--login-options", "AUTH=LOGIN", "-u", "alice:wrong").exit()).isEqualTo(67);
            assertThat(curl("--login-options", "AUTH=CRAM-MD5", "-u", "alice:wrong").exit()).isEqualTo(67);
            // curl answers the JSON error of OAUTHBEARER with %x01, as RFC 7628 section 3.2.3 asks.
            assertThat(curl("--login-options", "AUTH=OAUTHBEARER", "--oauth2-bearer", "expired", "-u", "alice:")
                    .exit()).isEqualTo(67);
            assertThat(mechanisms).isEmpty();
        }
    }

    @Nested
    class AngusMail {
        Properties properties(String mechanisms) {
            Properties props = new Properties();
            props.put("mail.pop3.connectiontimeout", "5000");
            props.put("mail.pop3.timeout", "10000");
            props.put("mail.pop3.auth.mechanisms", mechanisms);
            return props;
        }

        int count(Properties props, String user, String secret) throws Exception {
            Store pop3 = Session.getInstance(props).getStore("pop3");
            pop3.connect("127.0.0.1", server.localAddress(plain).getPort(), user, secret);
            try {
                Folder inbox = pop3.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                int count = inbox.getMessageCount();
                inbox.close(false);
                return count;
            } finally {
                pop3.close();
                awaitUnlocked();
            }
        }

        @Test
        void logsInWithPlainAndXoauth2InOneLineAndInTwo() throws Exception {
            assertThat(count(properties("PLAIN"), "alice", "s3cret")).isEqualTo(1);
            assertThat(count(properties("XOAUTH2"), "alice", "ya29.alice-token")).isEqualTo(1);
            Properties twoLines = properties("XOAUTH2");
            twoLines.put("mail.pop3.auth.xoauth2.two.line.authentication.format", "true");
            assertThat(count(twoLines, "alice", "ya29.alice-token")).isEqualTo(1);
            assertThat(mechanisms).containsExactly("PLAIN alice", "XOAUTH2 alice", "XOAUTH2 alice");
        }

        @Test
        void aRefusedTokenOpensNothing() {
            // Angus Mail 2.0.3 takes the JSON error challenge for success (its XOAUTH2 code throws, but its
            // response stays "ok") and sends its next command; the server takes that for the answer to the error
            // challenge and fails the login, so the client learns of it there.
            for (String twoLines : List.of("false", "true")) {
                Properties props = properties("XOAUTH2");
                props.put("mail.pop3.auth.xoauth2.two.line.authentication.format", twoLines);
                assertThatThrownBy(() -> count(props, "alice", "expired")).isInstanceOf(MessagingException.class)
                        .hasStackTraceContaining("[AUTH] authentication failed");
            }
            assertThat(mechanisms).isEmpty();
        }

        @Test
        void aWrongPasswordIsAnAuthenticationFailure() {
            assertThatThrownBy(() -> count(properties("PLAIN"), "alice", "wrong"))
                    .isInstanceOf(AuthenticationFailedException.class);
        }
    }

    @Nested
    class PythonScram {
        static final String SCRIPT = String.join("\n",
                "import base64, hashlib, hmac, os, poplib, ssl, sys",
                "",
                "def scram(p, mech, user, password, binding=b''):",
                "    h = 'sha256' if 'SHA-256' in mech else 'sha1'",
                "    gs2 = b'p=tls-server-end-point,,' if mech.endswith('-PLUS') else b'n,,'",
                "    nonce = base64.b64encode(os.urandom(18))",
                "    bare = b'n=' + user.encode() + b',r=' + nonce",
                "    try:",
                "        r = p._shortcmd('AUTH %s %s' % (mech, base64.b64encode(gs2 + bare).decode()))",
                "        first = base64.b64decode(r[2:])",
                "        a = dict(kv.split(b'=', 1) for kv in first.split(b','))",
                "        assert a[b'r'].startswith(nonce), first",
                "        salted = hashlib.pbkdf2_hmac(h, password.encode(), base64.b64decode(a[b's']), int(a[b'i']))",
                "        ckey = hmac.new(salted, b'Client Key', h).digest()",
                "        bare_final = b'c=' + base64.b64encode(gs2 + binding) + b',r=' + a[b'r']",
                "        message = bare + b',' + first + b',' + bare_final",
                "        sig = hmac.new(hashlib.new(h, ckey).digest(), message, h).digest()",
                "        proof = base64.b64encode(bytes(x ^ y for x, y in zip(ckey, sig)))",
                "        r = p._shortcmd(base64.b64encode(bare_final + b',p=' + proof).decode())",
                "        skey = hmac.new(salted, b'Server Key', h).digest()",
                "        v = b'v=' + base64.b64encode(hmac.new(skey, message, h).digest())",
                "        if base64.b64decode(r[2:]) != v:",
                "            return 'server signature wrong'",
                "        return p._shortcmd('').decode()",
                "    except poplib.error_proto as e:",
                "        return 'refused ' + e.args[0].decode()",
                "",
                "host, port, port_tls, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]",
                "for mech, password in (('SCRAM-SHA-256', 's3cret'), ('SCRAM-SHA-1', 's3cret'),",
                "                       ('SCRAM-SHA-256', 'wrong')):",
                "    p = poplib.POP3(host, port, timeout=20)",
                "    print(mech, password, '->', scram(p, mech, 'alice', password))",
                "    p.quit()",
                "ctx = ssl.create_default_context(cafile=ca)",
                "s = poplib.POP3_SSL(host, port_tls, context=ctx, timeout=20)",
                "print('CAPA', ' '.join(s.capa()['SASL']))",
                "# RFC 5929 section 4.1: the hash of the server certificate (ECDSA with SHA-256 here).",
                "binding = hashlib.sha256(s.sock.getpeercert(binary_form=True)).digest()",
                "print('SCRAM-SHA-256-PLUS ->', scram(s, 'SCRAM-SHA-256-PLUS', 'alice', 's3cret', binding))",
                "s.quit()",
                "s = poplib.POP3_SSL(host, port_tls, context=ctx, timeout=20)",
                "print('wrong binding ->', scram(s, 'SCRAM-SHA-256-PLUS', 'alice', 's3cret', bytes(32)))",
                "s.quit()",
                "");

        @Test
        void poplibLogsInWithScramAndScramPlusOverTls() throws Exception {
            Path script = dir.resolve("scram.py");
            Files.writeString(script, SCRIPT);
            Path caFile = dir.resolve("ca.pem");
            ca.writeCaPem(caFile);
            Run run = run(List.of("python3", script.toString(), "127.0.0.1",
                    Integer.toString(server.localAddress(plain).getPort()),
                    Integer.toString(server.localAddress(pop3s).getPort()), caFile.toString()));
            assertThat(run.output()).isEqualTo(String.join("\n",
                    "SCRAM-SHA-256 s3cret -> +OK maildrop has 1 message (24 octets)",
                    "SCRAM-SHA-1 s3cret -> +OK maildrop has 1 message (24 octets)",
                    "SCRAM-SHA-256 wrong -> refused -ERR [AUTH] authentication failed",
                    "CAPA SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN "
                            + "OAUTHBEARER XOAUTH2",
                    "SCRAM-SHA-256-PLUS -> +OK maildrop has 1 message (24 octets)",
                    "wrong binding -> refused -ERR [AUTH] authentication failed",
                    ""));
            assertThat(run.exit()).isZero();
            assertThat(mechanisms).containsExactly("SCRAM-SHA-256 alice", "SCRAM-SHA-1 alice",
                    "SCRAM-SHA-256-PLUS alice");
            assertThat(authenticator.secretsAskedFor).hasSize(5);
        }
    }
}
