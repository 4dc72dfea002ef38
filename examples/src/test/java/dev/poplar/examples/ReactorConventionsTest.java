package dev.poplar.examples;

import dev.poplar.examples.Reactor.Module;
import dev.poplar.examples.Reactor.Pom;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.maildir.MaildirStore;
import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.tls.ServerTls;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static dev.poplar.examples.Reactor.children;
import static dev.poplar.examples.Reactor.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build files keep what users and Maven Central rely on: the BOM lists every published module, every published
 * POM has the metadata Central requires, every jar carries the license. A module added later is held to the same.
 */
class ReactorConventionsTest {

    @Nested
    class TheBom {

        @Test
        void listsExactlyThePublishedModulesAtTheProjectVersion() {
            Module bom = Reactor.modules().stream().filter(m -> m.pom().artifactId().equals(Reactor.BOM)).findFirst()
                    .orElseThrow(() -> new AssertionError("the root POM lists no module " + Reactor.BOM));
            List<String> managed = new ArrayList<>();
            for (Element dependency : children(bom.pom().element("dependencyManagement", "dependencies").orElseThrow(),
                    "dependency")) {
                assertThat(texts(dependency, "groupId")).containsExactly("dev.poplar");
                assertThat(texts(dependency, "version")).containsExactly("${project.version}");
                managed.addAll(texts(dependency, "artifactId"));
            }
            List<String> published = Reactor.publishedLibraries().stream().map(m -> m.pom().artifactId()).toList();

            assertThat(managed).as("the BOM's managed artifacts").containsExactlyInAnyOrderElementsOf(published);
        }

        @Test
        void isPublishedFlattenedWithoutTheParentsThirdPartyVersions() {
            Pom bom = Pom.read(Reactor.ROOT.resolve(Reactor.BOM).resolve("pom.xml"));
            Element flatten = plugin(bom.element("build", "plugins").orElseThrow(), "flatten-maven-plugin")
                    .orElseThrow(() -> new AssertionError("the BOM is not flattened"));

            List<Element> configurations = children(flatten, "configuration");
            assertThat(configurations).hasSize(1);
            Element configuration = configurations.get(0);

            assertThat(texts(configuration, "flattenMode")).containsExactly("bom");
            assertThat(texts(configuration, "updatePomFile")).containsExactly("true");
        }
    }

    @Nested
    class TheParent {

        final Pom root = Reactor.root();

        @Test
        void declaresTheMetadataMavenCentralRequires() {
            assertThat(root.text("url")).hasValue("https://github.com/poplar-dev/poplar");
            assertThat(root.text("licenses", "license", "name")).hasValue("Apache-2.0");
            assertThat(root.text("licenses", "license", "url")).hasValue("https://www.apache.org/licenses/LICENSE-2.0.txt");
            assertThat(root.text("developers", "developer", "name")).hasValue("The Poplar team");
            assertThat(root.text("organization", "name")).hasValue("dev.poplar");
            assertThat(root.text("scm", "connection")).hasValue("scm:git:https://github.com/poplar-dev/poplar.git");
            assertThat(root.text("scm", "url")).hasValue("https://github.com/poplar-dev/poplar");
            assertThat(root.project().getAttribute("child.project.url.inherit.append.path"))
                    .as("modules inherit the project URL as it is").isEqualTo("false");
        }

        @Test
        void buildsSourcesAndJavadocJarsInTheNormalBuild() {
            Element plugins = root.element("build", "plugins").orElseThrow();

            assertThat(goals(plugin(plugins, "maven-source-plugin").orElseThrow())).contains("jar-no-fork");
            assertThat(goals(plugin(plugins, "maven-javadoc-plugin").orElseThrow())).contains("jar");
            assertThat(root.property("maven.javadoc.failOnWarnings")).hasValue("true");
        }

        @Test
        void releasesSignedToCentralWithoutTheUnpublishedModules() {
            Element build = children(root.releaseProfile().orElseThrow(), "build").get(0);
            Element plugins = children(build, "plugins").get(0);
            Element central = plugin(plugins, "central-publishing-maven-plugin").orElseThrow();
            List<String> excluded = texts(children(children(central, "configuration").get(0), "excludeArtifacts")
                    .get(0), "artifact");
            List<String> unpublished = Reactor.modules().stream().filter(m -> !m.published())
                    .map(m -> m.pom().artifactId()).toList();

            assertThat(goals(plugin(plugins, "maven-gpg-plugin").orElseThrow())).containsExactly("sign");
            assertThat(texts(central, "extensions")).containsExactly("true");
            assertThat(excluded).containsExactlyInAnyOrderElementsOf(unpublished);
        }
    }

    @Nested
    class EveryModule {

        @Test
        void hasANameADescriptionAndThePoplarParent() {
            for (Module module : Reactor.modules()) {
                Pom pom = module.pom();
                assertThat(pom.text("parent", "artifactId")).as(module.directory()).hasValue("poplar-parent");
                assertThat(pom.text("name")).as(module.directory()).isPresent();
                assertThat(pom.text("description")).as(module.directory()).isPresent();
            }
        }

        @Test
        void inheritsTheProjectMetadataInsteadOfRepeatingIt() {
            for (Module module : Reactor.modules()) {
                for (String element : List.of("url", "licenses", "developers", "scm", "organization")) {
                    assertThat(module.pom().element(element)).as(module.directory() + " declares " + element).isEmpty();
                }
            }
        }

        @Test
        void sitsDirectlyUnderTheRootWhereItsJarsFindLicenseAndNotice() {
            for (Module module : Reactor.modules()) {
                assertThat(module.directory()).doesNotContain("/");
            }
            assertThat(Reactor.ROOT.resolve("LICENSE")).isRegularFile();
            assertThat(Reactor.ROOT.resolve("NOTICE")).isRegularFile();
        }

        @Test
        void thatIsNotPublishedBuildsNoSourcesJarJavadocJarOrSignature() {
            for (Module module : Reactor.modules()) {
                if (!module.published()) {
                    for (String skip : List.of("maven.source.skip", "maven.javadoc.skip", "gpg.skip")) {
                        assertThat(module.pom().property(skip)).as(module.directory() + " " + skip).hasValue("true");
                    }
                }
            }
        }
    }

    @Nested
    class TheJarsOnThisClassPath {

        @ParameterizedTest(name = "{0}")
        @ValueSource(classes = {MailboxStore.class, Pop3Server.class, ServerTls.class, MaildirStore.class,
                Pop3TestServer.class})
        void carryTheRepositorysLicenseAndNotice(Class<?> type) throws Exception {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());

            for (String file : List.of("LICENSE", "NOTICE")) {
                byte[] expected = Files.readAllBytes(Reactor.ROOT.resolve(file));
                assertThat(entry(location, "META-INF/" + file).map(found -> Arrays.equals(found, expected)))
                        .as("%s holds the repository's %s as META-INF/%s", location, file, file).hasValue(true);
            }
        }
    }

    static Optional<byte[]> entry(Path location, String name) throws IOException {
        if (Files.isDirectory(location)) {
            Path file = location.resolve(name);
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            ZipEntry entry = jar.getEntry(name);
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return Optional.of(in.readAllBytes());
            }
        }
    }

    static Optional<Element> plugin(Element plugins, String artifactId) {
        return children(plugins, "plugin").stream().filter(p -> texts(p, "artifactId").contains(artifactId))
                .findFirst();
    }

    static List<String> goals(Element plugin) {
        List<String> goals = new ArrayList<>();
        for (Element executions : children(plugin, "executions")) {
            for (Element execution : children(executions, "execution")) {
                for (Element list : children(execution, "goals")) {
                    goals.addAll(texts(list, "goal"));
                }
            }
        }
        return goals;
    }
}
