package dev.poplar.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.poplar.examples.ReadmeTest.between;
import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Testing with Poplar" section shows a test that exists and passes: this module's own. */
class TestingReadmeTest {

    @Test
    void theReadmeShowsTheInvoicePollingTestAsItIs() throws IOException {
        String readme = Files.readString(ReadmeTest.ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Testing with Poplar"));
        String snippet = between(section, "A complete test:\n\n```java\n", "```");
        String source = Files.readString(Path.of("src/test/java/dev/poplar/examples/poller/InvoicePollingTest.java"));
        assertThat(snippet).isEqualTo(source.substring(source.indexOf("import ")));
    }

    @Test
    void theReadmeDependencySnippetUsesTheTestScope() throws IOException {
        String readme = Files.readString(ReadmeTest.ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Testing with Poplar"));
        assertThat(between(section, "```xml\n", "```")).contains("<artifactId>pop3-testkit</artifactId>")
                .contains("<scope>test</scope>");
    }
}
