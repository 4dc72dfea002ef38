package dev.poplar.pop3.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's content hooks are the ones the tests run: the same code, word for word. */
class ReadmeHooksTest {

    @Test
    void theReadmeShowsTheTestedStampAndRefusal() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        String source = Files.readString(Path.of("src/test/java/dev/poplar/pop3/server/ContentHookExamples.java"));
        for (String example : new String[] {"stamp", "confidential"}) {
            String code = source.split("// README-BEGIN " + example + "\n")[1].split("    // README-END " + example)[0];
            String shown = code.replaceAll("(?m)^ {4}", "").replace("static final class", "final class");
            assertThat(readme).as(example).contains("\n" + shown + "```\n");
        }
    }
}
