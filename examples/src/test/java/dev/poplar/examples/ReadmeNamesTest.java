package dev.poplar.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README names only classes a user can reach: public types in the main sources of a published module, outside
 * {@code internal} packages, or types of the JDK and of the libraries its examples import.
 */
class ReadmeNamesTest {

    /** Where the JDK types the README mentions live. */
    static final List<String> JDK_PACKAGES = List.of("java.lang", "java.util", "java.util.function", "java.time",
            "java.net", "java.nio.file", "java.io", "javax.net.ssl");

    /** The example application the README's test stands on; the README says that it lives in this repository. */
    /** The reader's own application, as the README's examples stand it in. */
    static final Set<String> REPOSITORY_EXAMPLES = Set.of("MailPoller", "InvoiceImporter", "MyStore");

    static final Pattern CODE_SPAN = Pattern.compile("`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)");
    static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    static final Pattern TYPE_IN_CODE = Pattern.compile("\\b([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)\\b(?=[.(<:\\s])");
    static final Pattern DECLARED_IN_CODE = Pattern.compile("\\b(?:class|interface|record|enum) (\\w+)");
    static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);

    @Test
    void namesOnlyPublicTypesOfPublishedModulesTheJdkOrTheLibrariesItsExamplesImport() throws IOException {
        String readme = Files.readString(Reactor.ROOT.resolve("README.md"));
        Set<String> named = new TreeSet<>();
        Matcher span = CODE_SPAN.matcher(readme);
        while (span.find()) {
            named.add(span.group(1));
        }
        Set<String> imported = new TreeSet<>(); // third-party types, and types the examples declare themselves
        Matcher block = JAVA_BLOCK.matcher(readme);
        while (block.find()) {
            String code = block.group(1);
            Matcher imports = IMPORT.matcher(code);
            while (imports.find()) {
                // a static import names its class; a plain import names the type itself
                String qualified = imports.group(1) == null ? imports.group(2) + "." + imports.group(3) : imports.group(2);
                String simple = qualified.substring(qualified.lastIndexOf('.') + 1);
                if (qualified.startsWith("dev.poplar.")) {
                    assertThat(qualified).as("an import in the README").doesNotContain(".internal.");
                    named.add(simple);
                } else {
                    imported.add(simple);
                }
            }
            Matcher declared = DECLARED_IN_CODE.matcher(code);
            while (declared.find()) {
                imported.add(declared.group(1));
            }
            Matcher type = TYPE_IN_CODE.matcher(withoutCommentsAndStrings(IMPORT.matcher(code).replaceAll("")));
            while (type.find()) {
                named.add(type.group(1));
            }
        }
        Set<String> api = publicApi();

        assertThat(named).as("types the README names").isNotEmpty();
        assertThat(named).filteredOn(name -> !api.contains(name) && !imported.contains(name)
                        && !REPOSITORY_EXAMPLES.contains(name) && !inJdk(name))
                .as("types the README names that a user of the published modules cannot reach").isEmpty();
        assertThat(api).as("the README's own examples").contains("Pop3Server", "MailboxStore", "Pop3TestServer");
    }

    static String withoutCommentsAndStrings(String code) {
        return code.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("//[^\\n]*", "");
    }

    /** The simple names of the public types, top-level and nested, in the main sources of the published modules. */
    static Set<String> publicApi() {
        Set<String> names = new TreeSet<>();
        for (Reactor.Module module : Reactor.publishedLibraries()) {
            Path sources = Reactor.ROOT.resolve(module.directory()).resolve("src/main/java");
            if (!Files.isDirectory(sources)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(sources)) {
                files.filter(f -> f.toString().endsWith(".java"))
                        .filter(f -> !sources.relativize(f).toString().contains("internal"))
                        .filter(ReadmeNamesTest::declaresPublicType)
                        .forEach(f -> {
                            names.add(f.getFileName().toString().replace(".java", ""));
                            names.addAll(nestedPublicTypes(f));
                        });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    static Set<String> nestedPublicTypes(Path file) {
        Set<String> nested = new TreeSet<>();
        try {
            Matcher m = Pattern.compile("^\\s+public (static |final |sealed |abstract |non-sealed )*"
                    + "(class|interface|enum|record) (\\w+)", Pattern.MULTILINE).matcher(Files.readString(file));
            while (m.find()) {
                nested.add(m.group(3));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return nested;
    }

    static boolean declaresPublicType(Path file) {
        String name = file.getFileName().toString().replace(".java", "");
        try {
            return Pattern.compile("^public (final |sealed |abstract |non-sealed )*(class|interface|enum|record|@interface) "
                    + name + "\\b", Pattern.MULTILINE).matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean inJdk(String name) {
        for (String pkg : JDK_PACKAGES) {
            try {
                Class.forName(pkg + "." + name, false, ClassLoader.getPlatformClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                // not in this package
            }
        }
        return false;
    }
}
