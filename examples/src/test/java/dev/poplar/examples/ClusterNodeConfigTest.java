package dev.poplar.examples;

import dev.poplar.pop3.store.jdbc.PostgresExtension;
import dev.poplar.pop3.store.jdbc.TestSchema;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The standalone server as one node of a cluster: the shared PostgreSQL store with its credentials from the
 * environment or a file, and the node's name where operators see it.
 */
class ClusterNodeConfigTest {

    @TempDir
    Path dir;
    final Map<String, String> environment = new HashMap<>();

    ServerConfig read(String... lines) throws Exception {
        Path file = dir.resolve("poplar.yaml");
        Files.writeString(file, String.join("\n", lines) + "\n");
        Files.writeString(dir.resolve("users"), "alice:{PLAIN}alice-pass\n");
        return ServerConfig.fromFile(file, environment::get);
    }

    @Nested
    @ExtendWith(PostgresExtension.class)
    class OnTheSharedDatabase {

        Standalone start(ServerConfig config, ByteArrayOutputStream printed) throws Exception {
            return Standalone.start(config, new PrintStream(printed, true, StandardCharsets.UTF_8));
        }

        String[] node(TestSchema schema, String name, String passwordLine) {
            return new String[] {
                    "listeners: [{port: 0}]",
                    "store:",
                    "  jdbc:",
                    "    url: " + schema.server().jdbcUrl("postgres"),
                    "    user: ${env:POPLAR_DB_USER}",
                    "    " + passwordLine,
                    "    schema: " + schema.name(),
                    "    node_name: " + name,
                    "auth: {users_file: users}"};
        }

        @Test
        void twoNodesWithTheirOwnNamesShareMailboxesAndOneHoldCoversBoth(TestSchema schema)
                throws Exception {
            environment.put("POPLAR_DB_USER", "postgres");
            environment.put("POPLAR_DB_PASSWORD", "trust-ignores-it");
            Files.writeString(dir.resolve("db.pass"), "trust-ignores-it\n");
            ByteArrayOutputStream printedA = new ByteArrayOutputStream();
            ByteArrayOutputStream printedB = new ByteArrayOutputStream();
            try (Standalone a = start(read(node(schema, "node-a", "password: ${env:POPLAR_DB_PASSWORD}")), printedA);
                 Standalone b = start(read(node(schema, "node-b", "password_file: db.pass")), printedB)) {
                assertThat(printedA.toString(StandardCharsets.UTF_8))
                        .contains("PostgreSQL (schema " + schema.name() + ", node node-a)");
                assertThat(printedB.toString(StandardCharsets.UTF_8)).contains("node node-b")
                        .doesNotContain("trust-ignores-it");
                InetSocketAddress addressA = a.server().localAddress(a.plain().get());
                InetSocketAddress addressB = b.server().localAddress(b.plain().get());
                try (StandaloneServerTest.Line first = new StandaloneServerTest.Line(addressA);
                     StandaloneServerTest.Line second = new StandaloneServerTest.Line(addressB)) {
                    first.send("USER alice");
                    assertThat(first.send("PASS alice-pass")).startsWith("+OK");
                    second.send("USER alice");
                    assertThat(second.send("PASS alice-pass")).startsWith("-ERR [IN-USE]");
                    assertThat(first.send("QUIT")).startsWith("+OK");
                }
                try (StandaloneServerTest.Line again = new StandaloneServerTest.Line(addressB)) {
                    again.send("USER alice");
                    assertThat(again.send("PASS alice-pass")).as("released at QUIT on the other node")
                            .startsWith("+OK");
                }
            }
        }

        @Test
        void theDatabaseUserAndPasswordCannotBeGivenOnTheCommandLine() {
            ServerOptions.UsageException e = catchThrowableOfType(
                    () -> ServerOptions.parse(new String[] {"--db-password", "secret"}),
                    ServerOptions.UsageException.class);
            assertThat(e).isNotNull();
        }
    }
}
