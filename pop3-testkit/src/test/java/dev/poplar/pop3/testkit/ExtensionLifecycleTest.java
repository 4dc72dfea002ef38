package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs small test classes through the JUnit Platform to watch the extension's lifecycle from outside. */
class ExtensionLifecycleTest {

    static final String LAUNCHED_HERE = "poplar.testkit.lifecycle";

    static boolean launchedHere(ExtensionContext context) {
        return context.getConfigurationParameter(LAUNCHED_HERE).isPresent();
    }

    /** Run by the launcher below only; disabled when a build selects it on its own. */
    @EnabledIf("dev.poplar.pop3.testkit.ExtensionLifecycleTest#launchedHere")
    static class FailingPoller {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder().user("alice", "s3cret").build();

        @Test
        void failsAfterOneSession(Pop3TestServer server) throws IOException {
            login(server);
            server.takeSession(java.time.Duration.ofSeconds(10));
            throw new AssertionError("port " + server.port());
        }

        /** Fails with an exception of the code under test, not an assertion, right after its client went away. */
        @Test
        void failsWithAnException(Pop3TestServer server) throws IOException {
            login(server);
            throw new IOException("port " + server.port());
        }

        @Test
        void passes(Pop3TestServer server) throws IOException {
            login(server);
        }

        private static void login(Pop3TestServer server) throws IOException {
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.login("alice", "s3cret");
                client.send("STAT");
                client.send("QUIT");
            }
        }

        @Test
        void isAborted(Pop3TestServer server) {
            throw new org.opentest4j.TestAbortedException("port " + server.port());
        }
    }

    /** A per-class extension on an instance field cannot work: it must say so. */
    @EnabledIf("dev.poplar.pop3.testkit.ExtensionLifecycleTest#launchedHere")
    static class PerClassOnAnInstanceField {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder().perClass().build();

        @Test
        void neverRuns(Pop3TestServer server) {
        }
    }

    static Map<String, TestExecutionResult> run(Class<?> testClass, List<ReportEntry> entries) {
        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .configurationParameter(LAUNCHED_HERE, "true").build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    results.put(test.getDisplayName(), result);
                }
            }

            @Override
            public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
                entries.add(entry);
            }
        });
        return results;
    }

    @Test
    void aFailedTestGetsTheTranscriptsAsAReportEntryAndEveryServerIsClosed() {
        List<ReportEntry> entries = new CopyOnWriteArrayList<>();
        Map<String, TestExecutionResult> results = run(FailingPoller.class, entries);
        assertThat(results).hasSize(4);
        assertThat(entries).hasSize(2).allSatisfy(entry -> assertThat(entry.getKeyValuePairs().get("pop3.sessions"))
                .contains("C: USER alice").contains("C: PASS ***").contains("ended: quit").doesNotContain("s3cret"));
        for (TestExecutionResult result : results.values()) {
            if (result.getThrowable().isEmpty()) {
                continue;
            }
            String message = result.getThrowable().orElseThrow().getMessage();
            int port = Integer.parseInt(message.substring(message.indexOf("port ") + 5));
            ExtensionTest.assertNothingListensOn(port);
        }
    }

    @Test
    void perClassOnAnInstanceFieldFailsWithAClearMessage() {
        Map<String, TestExecutionResult> results = run(PerClassOnAnInstanceField.class,
                new CopyOnWriteArrayList<>());
        assertThat(results.values()).singleElement().satisfies(r -> assertThat(r.getThrowable().orElseThrow())
                .hasMessageContaining("static @RegisterExtension field"));
    }
}
