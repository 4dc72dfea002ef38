package dev.poplar.pop3.spring.boot.test;

import dev.poplar.pop3.spring.boot.test.sample.InvoiceApplication;
import dev.poplar.pop3.testkit.Pop3Dialog;
import dev.poplar.pop3.testkit.Pop3TestServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextManager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** How the annotation meets Spring's test framework: context caching, bad settings, failure reports. */
class SpringTestIntegrationTest {

    @EnablePop3TestServer(users = "alice:s3cret")
    static class OneTest {
    }

    @EnablePop3TestServer(users = "alice:s3cret")
    static class SameConfiguration {
    }

    @EnablePop3TestServer(users = "alice:other")
    static class OtherUsers {
    }

    @EnablePop3TestServer(users = "alice")
    static class NoPassword {
    }

    static class NoServer {
    }

    final Pop3TestServerContextCustomizerFactory factory = new Pop3TestServerContextCustomizerFactory();

    @Nested
    class Caching {
        @Test
        void theSameAnnotationSharesAContextAndAnotherOneDoesNot() {
            assertThat(factory.createContextCustomizer(OneTest.class, List.of()))
                    .isEqualTo(factory.createContextCustomizer(SameConfiguration.class, List.of()))
                    .hasSameHashCodeAs(factory.createContextCustomizer(SameConfiguration.class, List.of()))
                    .isNotEqualTo(factory.createContextCustomizer(OtherUsers.class, List.of()));
        }

        @Test
        void aTestWithoutTheAnnotationGetsNoServer() {
            assertThat(factory.createContextCustomizer(NoServer.class, List.of())).isNull();
        }

        @Test
        void aUserWithoutAPasswordIsRefused() {
            assertThatThrownBy(() -> factory.createContextCustomizer(NoPassword.class, List.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("name:password, not 'alice'");
        }
    }

    /** A test of an application, run by hand below through Spring's test framework. */
    @SpringBootTest(classes = InvoiceApplication.class, properties = {"invoices.pop3.host=${poplar.test.host}",
            "invoices.pop3.port=${poplar.test.port}", "invoices.pop3.user=dave", "invoices.pop3.password=d4ve"})
    @EnablePop3TestServer(users = "dave:d4ve")
    static class ApplicationTest {
        void polls() {
        }
    }

    @Nested
    class FailureReport {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final Pop3TestServerFailureReport report = new Pop3TestServerFailureReport(
                () -> new PrintStream(printed, true, StandardCharsets.UTF_8));

        /** Runs ApplicationTest.polls() with one session, ending as given, and returns what the report printed. */
        String run(Throwable outcome) throws Exception {
            ApplicationTest instance = new ApplicationTest();
            TestContextManager manager = new TestContextManager(ApplicationTest.class);
            manager.prepareTestInstance(instance);
            TestContext context = manager.getTestContext();
            Method polls = ApplicationTest.class.getDeclaredMethod("polls");
            context.updateState(instance, polls, null);
            report.beforeTestMethod(context);
            Pop3TestServer server = context.getApplicationContext().getBean(Pop3TestServer.class);
            try (Pop3Dialog client = Pop3Dialog.connect(server)) {
                client.greeting();
                client.login("dave", "d4ve");
                client.send("QUIT");
            }
            server.takeSession(Duration.ofSeconds(10));
            context.updateState(instance, polls, outcome);
            report.afterTestMethod(context);
            return printed.toString(StandardCharsets.UTF_8);
        }

        @Test
        void aFailedTestPrintsTheSessionsThatEndedDuringIt() throws Exception {
            assertThat(run(new IOException("the importer gave up")))
                    .startsWith("polls failed; POP3 sessions of Pop3TestServer[pop3 127.0.0.1:")
                    .contains("(dave), plain", "C: USER dave", "C: PASS ***", "ended: quit").doesNotContain("d4ve");
        }

        @Test
        void aTestThatPassesOrIsAbortedPrintsNothing() throws Exception {
            assertThat(run(null)).isEmpty();
            assertThat(run(new TestAbortedException("skipped"))).isEmpty();
        }
    }
}
