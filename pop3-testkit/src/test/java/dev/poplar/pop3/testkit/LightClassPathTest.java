package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/**
 * Plain tests need no Bouncy Castle: a test kit test runs on a class path without pop3-tls and Bouncy Castle (what a
 * project that depends on pop3-testkit alone gets), and a TLS mode there names the dependency to add. With pop3-tls,
 * as in this module's own tests, TLS works ({@link TlsTest}).
 */
class LightClassPathTest {

    /** pop3-tls as a reactor directory ({@code pop3-tls/target/classes}) or a jar, and every Bouncy Castle jar. */
    static final Pattern TLS_JARS = Pattern.compile(
            ".*([/\\\\]pop3-tls[/\\\\]target[/\\\\].*|[/\\\\]pop3-tls-[^/\\\\]*\\.jar|[/\\\\]org[/\\\\]bouncycastle[/\\\\].*)");

    /** Run in a JVM without pop3-tls and Bouncy Castle only. */
    @EnabledIf("dev.poplar.pop3.testkit.ExtensionLifecycleTest#launchedHere")
    static class PlainTestWithoutTlsJars {
        @RegisterExtension
        final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
                .user("alice", "s3cret", TestMessages.text("Invoice 42", "EUR 10")).build();

        @Test
        void angusMailDownloadsAndDeletes(Pop3TestServer server) throws Exception {
            assertThat(JakartaMail.fetchSubjects(server, "alice", "s3cret", true)).containsExactly("Invoice 42");
            assertThat(server.mailbox("alice")).isEmpty();
            assertThat(server.takeSession(Duration.ofSeconds(10))).issued("RETR 1", "DELE 1").quitCleanly();
        }

        @Test
        void neitherPop3TlsNorBouncyCastleIsThere() {
            assertThatThrownBy(() -> Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> Class.forName("dev.poplar.pop3.tls.ServerTls"))
                    .isInstanceOf(ClassNotFoundException.class);
        }

        @Test
        void aTlsModeNamesTheDependencyToAdd() {
            assertThatThrownBy(() -> Pop3ServerExtension.builder().tls(TlsMode.STARTTLS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tls(TlsMode.STARTTLS) needs dev.poplar:pop3-tls")
                    .hasMessageContaining("<artifactId>pop3-tls</artifactId>");
            assertThatThrownBy(() -> Pop3TestServer.builder().tls(TlsMode.IMPLICIT))
                    .hasMessageContaining("dev.poplar:pop3-tls");
        }
    }

    @Test
    void aPlainTestPassesWithoutPop3TlsAndBouncyCastle(@TempDir Path reports) throws Exception {
        List<String> full = ForkedRun.classPath();
        List<String> light = full.stream().filter(e -> !TLS_JARS.matcher(e).matches()).toList();
        assertThat(full).filteredOn(e -> e.contains("bouncycastle")).hasSize(4);
        assertThat(full.size() - light.size()).as("removed: pop3-tls and the four Bouncy Castle jars").isEqualTo(5);

        Map<String, ForkedRun.TestCase> cases = ForkedRun.run(light, reports, PlainTestWithoutTlsJars.class);

        assertThat(cases).containsOnlyKeys("angusMailDownloadsAndDeletes", "neitherPop3TlsNorBouncyCastleIsThere",
                "aTlsModeNamesTheDependencyToAdd");
        assertThat(cases.values()).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
    }

    /** What a project depending on pop3-testkit gets: every dependency but pop3-tls, which is optional. */
    @Test
    void theTestKitBringsPop3TlsOnlyToProjectsThatAddIt() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        NodeList dependencies = pom.getElementsByTagName("dependency");
        List<String> brought = new ArrayList<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            if (!text(dependency, "scope").equals("test") && !text(dependency, "optional").equals("true")) {
                brought.add(text(dependency, "groupId") + ":" + text(dependency, "artifactId"));
            }
        }
        assertThat(brought).contains("dev.poplar:pop3-core", "dev.poplar:pop3-store-api")
                .noneMatch(d -> d.equals("dev.poplar:pop3-tls") || d.startsWith("org.bouncycastle:"));
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }

    @Test
    void tlsWorksWhenPop3TlsIsThere() {
        assertThat(ForkedRun.classPath()).anyMatch(e -> TLS_JARS.matcher(e).matches() && e.contains("pop3-tls"));
        try (Pop3TestServer server = Pop3TestServer.builder().tls(TlsMode.STARTTLS).start()) {
            assertThat(server.caPem()).startsWith("-----BEGIN CERTIFICATE-----");
        }
    }
}
