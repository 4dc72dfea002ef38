package dev.poplar.examples;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The build as its POM files declare it: the root POM and the modules it lists, read from the repository (the tests
 * run in this module's directory, one level below the root).
 */
final class Reactor {

    static final Path ROOT = Path.of("..");
    static final String BOM = "poplar-bom";

    private Reactor() {
    }

    /** One module: its directory name and its POM. */
    record Module(String directory, Pom pom) {

        /** Whether the module is deployed: every module is, unless it sets {@code maven.deploy.skip}. */
        boolean published() {
            return !pom.property("maven.deploy.skip").orElse("false").equals("true");
        }
    }

    /** A POM file, read as XML: only what the tests ask of it. */
    record Pom(Element project) {

        static Pom read(Path file) {
            try {
                DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                Document document = factory.newDocumentBuilder().parse(file.toFile());
                return new Pom(document.getDocumentElement());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ParserConfigurationException | SAXException e) {
                throw new IllegalStateException(file + " is not a POM", e);
            }
        }

        /**
         * The text of the element at a path of child element names, if it is there.
         *
         * @param path element names from the project element down
         * @return the trimmed text
         */
        Optional<String> text(String... path) {
            return element(path).map(e -> e.getTextContent().trim());
        }

        Optional<Element> element(String... path) {
            Element at = project;
            for (String name : path) {
                Optional<Element> child = children(at, name).stream().findFirst();
                if (child.isEmpty()) {
                    return Optional.empty();
                }
                at = child.get();
            }
            return Optional.of(at);
        }

        Optional<String> property(String name) {
            return text("properties", name);
        }

        String artifactId() {
            return text("artifactId").orElseThrow();
        }

        /** The release profile's build plugins, if the POM has that profile. */
        Optional<Element> releaseProfile() {
            return element("profiles").flatMap(profiles -> children(profiles, "profile").stream()
                    .filter(p -> children(p, "id").stream().anyMatch(id -> id.getTextContent().trim().equals("release")))
                    .findFirst());
        }
    }

    static Pom root() {
        return Pom.read(ROOT.resolve("pom.xml"));
    }

    static List<Module> modules() {
        List<Module> modules = new ArrayList<>();
        for (Element module : children(root().element("modules").orElseThrow(), "module")) {
            String directory = module.getTextContent().trim();
            Path pom = ROOT.resolve(directory).resolve("pom.xml");
            if (!Files.isRegularFile(pom)) {
                throw new IllegalStateException("module " + directory + " has no " + pom);
            }
            modules.add(new Module(directory, Pom.read(pom)));
        }
        return modules;
    }

    /** The published modules with code: what the BOM lists, and what users put on their class path. */
    static List<Module> publishedLibraries() {
        return modules().stream().filter(Module::published).filter(m -> !m.pom().artifactId().equals(BOM)).toList();
    }

    static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    static List<String> texts(Element parent, String name) {
        return children(parent, name).stream().map(e -> e.getTextContent().trim()).toList();
    }
}
