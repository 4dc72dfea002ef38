package dev.poplar.pop3.spring.boot.test;

import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.RecordedSession;
import org.opentest4j.TestAbortedException;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * When a test of a context with an {@link EnablePop3TestServer} server fails, prints the transcripts of the sessions
 * that ended during the test to standard output, which Maven Surefire keeps in the failed test's report and Gradle in
 * its test report. Registered in spring.factories; does nothing for other contexts. Stateless.
 */
class Pop3TestServerFailureReport extends AbstractTestExecutionListener {

    private static final String FIRST_SESSION = Pop3TestServerFailureReport.class.getName() + ".firstSession";

    private final Supplier<PrintStream> out;

    Pop3TestServerFailureReport() {
        this(() -> System.out);
    }

    /** @param out where the report goes; asked at each report, as test runners replace standard output */
    Pop3TestServerFailureReport(Supplier<PrintStream> out) {
        this.out = out;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        server(testContext).ifPresent(server -> testContext.setAttribute(FIRST_SESSION, server.sessions().size()));
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        Throwable failure = testContext.getTestException();
        if (failure == null || failure instanceof TestAbortedException) {
            return;
        }
        server(testContext).ifPresent(server -> {
            List<RecordedSession> sessions = server.sessions();
            Object first = testContext.getAttribute(FIRST_SESSION);
            int from = first instanceof Integer index ? Math.min(index, sessions.size()) : 0;
            String transcripts = from == sessions.size() ? "(no session ended during the test)"
                    : sessions.subList(from, sessions.size()).stream().map(RecordedSession::transcript)
                    .collect(Collectors.joining("\n"));
            PrintStream stream = out.get();
            stream.print(testContext.getTestMethod().getName() + " failed; POP3 sessions of " + server + ":\n"
                    + transcripts + "\n");
            stream.flush();
        });
    }

    private static Optional<Pop3TestServer> server(TestContext testContext) {
        if (!testContext.hasApplicationContext()) {
            return Optional.empty();
        }
        ApplicationContext context = testContext.getApplicationContext();
        return context.containsBean(Pop3TestServerContextCustomizer.BEAN)
                ? Optional.of(context.getBean(Pop3TestServerContextCustomizer.BEAN, Pop3TestServer.class))
                : Optional.empty();
    }
}
