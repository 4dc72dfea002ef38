package dev.poplar.pop3.testkit;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs test classes through the JUnit Platform in a new JVM, as a build tool does: with a class path of our choosing,
 * standard output captured per test, and the XML report in the format that Maven Surefire writes and CI servers and
 * Gradle's readers take (the "legacy" JUnit XML). The classes run only there (see
 * {@link ExtensionLifecycleTest#launchedHere}).
 */
final class ForkedRun {

    private static final long TIMEOUT_SECONDS = 60;

    private ForkedRun() {
    }

    /**
     * The class path of this JVM's tests, one entry per element (the build tool puts the real one there).
     *
     * @return the entries
     */
    static List<String> classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isBlank()).toList();
    }

    /**
     * Runs the classes in a new JVM and reads its report.
     *
     * @param classPath the child's class path
     * @param reportDir an empty directory for the report and the console output
     * @param testClasses the classes to run
     * @return the report: test cases by method name
     */
    static Map<String, TestCase> run(List<String> classPath, Path reportDir, Class<?>... testClasses)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(File.pathSeparator, classPath),
                ForkedRun.class.getName(), reportDir.toString()));
        Arrays.stream(testClasses).map(Class::getName).forEach(command::add);
        Path console = reportDir.resolve("console.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(console.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the forked test run did not end within " + TIMEOUT_SECONDS + " s:\n"
                    + Files.readString(console));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("the forked test run failed (" + process.exitValue() + "):\n"
                    + Files.readString(console));
        }
        return read(reportDir.resolve("TEST-junit-jupiter.xml"));
    }

    private static Map<String, TestCase> read(Path report) throws IOException {
        try {
            Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile());
            Map<String, TestCase> cases = new LinkedHashMap<>();
            NodeList nodes = document.getElementsByTagName("testcase");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element testCase = (Element) nodes.item(i);
                cases.put(testCase.getAttribute("name").replaceAll("\\(.*\\)$", ""), new TestCase(
                        testCase.getAttribute("classname"), child(testCase, "failure"), child(testCase, "error"),
                        child(testCase, "skipped"), text(testCase, "system-out"), text(testCase, "system-err")));
            }
            return cases;
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("unreadable report " + report, e);
        }
    }

    /** The text of every such element: the report has one for the test's identity, each report entry, the output. */
    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < nodes.getLength(); i++) {
            text.append(nodes.item(i).getTextContent());
        }
        return text.toString();
    }

    private static Optional<String> child(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        if (nodes.getLength() == 0) {
            return Optional.empty();
        }
        Element element = (Element) nodes.item(0);
        return Optional.of(element.getAttribute("type") + " " + element.getAttribute("message") + "\n"
                + element.getTextContent());
    }

    /**
     * One test case of the report.
     *
     * @param className its class
     * @param failure an assertion failure: type, message, stack trace
     * @param error any other exception: type, message, stack trace
     * @param skipped why it was skipped
     * @param systemOut what it printed to standard output
     * @param systemErr what it printed to standard error
     */
    record TestCase(String className, Optional<String> failure, Optional<String> error, Optional<String> skipped,
                    String systemOut, String systemErr) {
        boolean passed() {
            return failure.isEmpty() && error.isEmpty() && skipped.isEmpty();
        }
    }

    /**
     * The child: runs the classes named after the report directory.
     *
     * @param args the report directory, then class names
     */
    public static void main(String[] args) throws IOException {
        Path reportDir = Path.of(args[0]);
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(ExtensionLifecycleTest.LAUNCHED_HERE, "true")
                .configurationParameter("junit.platform.output.capture.stdout", "true")
                .configurationParameter("junit.platform.output.capture.stderr", "true");
        for (int i = 1; i < args.length; i++) {
            request.selectors(selectClass(args[i]));
        }
        LauncherDiscoveryRequest discovery = request.build();
        Launcher launcher = LauncherFactory.create();
        try (PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8)) {
            launcher.execute(discovery, new LegacyXmlReportGeneratingListener(reportDir, out));
        }
    }
}
