package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** The extension gives each test a running server, or one per class, and closes it afterwards. */
class ExtensionTest {

    @Nested
    class PerTest {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("seed", "s")).build();

        Pop3TestServer seenInBeforeEach;

        @BeforeEach
        void before(Pop3TestServer server) {
            seenInBeforeEach = server;
        }

        @AfterEach
        void after(Pop3TestServer server) throws IOException {
            assertThat(server).isSameAs(seenInBeforeEach);
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                assertThat(client.greeting()).startsWith("+OK");
            }
        }

        @Test
        void theServerIsRunningWithItsSeedAndIsTheSameInLifecycleMethods(Pop3TestServer server) throws Exception {
            assertThat(server).isSameAs(seenInBeforeEach);
            assertThat(server.host()).isEqualTo("127.0.0.1");
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).containsExactly("seed");
        }

        @Test
        void eachTestStartsFromTheSeedAgain(Pop3TestServer server) throws Exception {
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).containsExactly("seed");
        }

        @Nested
        class Deeper {
            @Test
            void nestedTestsGetAServerFromTheEnclosingField(Pop3TestServer server) {
                assertThat(server).isSameAs(seenInBeforeEach);
                assertThat(server.mailbox("alice").subjects()).containsExactly("seed");
            }
        }
    }

    @Nested
    class PerClass {
        @RegisterExtension
        static final Pop3ServerExtension POP3 = Pop3ServerExtension.builder().user("bob", "pw").perClass().build();

        @BeforeAll
        static void deliverOnce(Pop3TestServer server) {
            server.deliver("bob", TestMessages.text("delivered once, before all", "x"));
        }

        @Test
        void everyTestSeesTheServerOfBeforeAll(Pop3TestServer server) {
            assertThat(server.mailbox("bob").subjects()).containsExactly("delivered once, before all");
        }

        @Test
        void soDoesAnotherOne(Pop3TestServer server) {
            assertThat(server.mailbox("bob").subjects()).containsExactly("delivered once, before all");
        }

        @Nested
        class Inner {
            @Test
            void nestedClassesShareTheOuterServer(Pop3TestServer server) {
                assertThat(server.mailbox("bob").subjects()).containsExactly("delivered once, before all");
            }
        }
    }

    @Test
    void serversStartedTogetherHaveTheirOwnPortsAndState() throws Exception {
        Set<Integer> ports = new HashSet<>();
        List<Pop3TestServer> servers = List.of(Pop3TestServer.start(), Pop3TestServer.start(),
                Pop3TestServer.start());
        try {
            for (Pop3TestServer server : servers) {
                ports.add(server.port());
                server.user("u", "p").deliver("u", TestMessages.text("only here " + server.port(), "x"));
            }
            assertThat(ports).hasSize(3);
            for (Pop3TestServer server : servers) {
                assertThat(JakartaMail.fetchSubjects(server, "u", "p", false))
                        .containsExactly("only here " + server.port());
                assertThat(server.takeSession(java.time.Duration.ofSeconds(10))).loggedInAs("u");
                assertThat(server.sessions()).hasSize(1);
            }
        } finally {
            servers.forEach(Pop3TestServer::close);
        }
        for (int port : ports) {
            assertNothingListensOn(port);
        }
    }

    /**
     * Asserts that a closed server's port is free, by binding it: under parallel tests a connection attempt could
     * reach another test's server that took the port meanwhile, or a loopback client socket could connect to itself.
     *
     * @param port the port on 127.0.0.1
     */
    static void assertNothingListensOn(int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is still bound", e);
        }
    }

    @Test
    void builderSettingsAreCheckedAtOnce() {
        assertThatThrownBy(() -> Pop3TestServer.builder().authorizationTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("authorizationTimeout");
        assertThatThrownBy(() -> Pop3ServerExtension.builder().tls(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tls");
    }
}
