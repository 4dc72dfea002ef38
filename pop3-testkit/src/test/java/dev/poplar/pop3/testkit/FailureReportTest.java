package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;

/**
 * The transcripts of a failed test reach the test report that Surefire writes and CI servers show, whatever made the
 * test fail: run in a new JVM as a build tool runs it, standard output captured per test, the XML report read back.
 */
class FailureReportTest {

    /** One server for the class: each failed test reports the sessions of its own time only. */
    @EnabledIf("dev.poplar.pop3.testkit.ExtensionLifecycleTest#launchedHere")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SharedServer {
        @RegisterExtension
        static final Pop3ServerExtension pop3 = Pop3ServerExtension.builder().user("bob", "pw").perClass().build();

        @Test
        @Order(1)
        void firstSessionAndPass(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.send("NOOP-FROM-THE-FIRST-TEST");
                client.send("QUIT");
            }
        }

        @Test
        @Order(2)
        void failWithoutASession() {
            throw new IllegalStateException("no client ran");
        }
    }

    /** Both classes in one forked run: a JVM start is the slow part. */
    @Test
    void theTranscriptsOfAFailedTestAreInItsReportWhateverMadeItFail(@TempDir Path reports) throws Exception {
        Map<String, ForkedRun.TestCase> cases = ForkedRun.run(ForkedRun.classPath(), reports,
                ExtensionLifecycleTest.FailingPoller.class, SharedServer.class);

        assertThat(cases.get("failsWithAnException")).satisfies(c -> {
            assertThat(c.error()).hasValueSatisfying(e -> assertThat(e).startsWith("java.io.IOException"));
            assertThat(printed(c, "failsWithAnException(Pop3TestServer) failed; POP3 sessions of Pop3TestServer[pop3 "
                    + "127.0.0.1:")).contains("(alice), plain", "C: USER alice", "C: PASS ***", "C: STAT",
                    "ended: quit").doesNotContain("s3cret");
        });
        assertThat(cases.get("failsAfterOneSession")).satisfies(c -> {
            assertThat(c.failure()).isPresent();
            assertThat(printed(c, "failsAfterOneSession(Pop3TestServer) failed; POP3 sessions of "))
                    .contains("C: PASS ***", "ended: quit");
        });
        assertThat(List.of(cases.get("passes"), cases.get("isAborted"), cases.get("firstSessionAndPass")))
                .allSatisfy(c -> {
                    assertThat(c.failure()).isEmpty();
                    assertThat(c.error()).isEmpty();
                    assertThat(c.systemOut()).doesNotContain("POP3 sessions", "C: USER");
                });
        // A server shared by the class: the failed test reports the sessions of its own time only.
        assertThat(cases.get("failWithoutASession")).satisfies(c -> {
            assertThat(c.error()).isPresent();
            assertThat(printed(c, "failWithoutASession() failed; POP3 sessions of "))
                    .contains("(no session ended during the test)");
            assertThat(c.systemOut()).doesNotContain("NOOP-FROM-THE-FIRST-TEST");
        });
    }

    /** What the test printed from the header on: the part that Surefire and Gradle capture (not the report entry). */
    private static String printed(ForkedRun.TestCase testCase, String header) {
        int at = testCase.systemOut().indexOf(header);
        assertThat(at).as("the printed header in %s", testCase.systemOut()).isNotNegative();
        return testCase.systemOut().substring(at);
    }
}
