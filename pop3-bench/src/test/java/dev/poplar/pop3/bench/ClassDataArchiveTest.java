package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {

    private static final List<String> JAVA = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString());
    private static final String PROBE = CdsProbe.class.getName();

    @Test
    void theArchiveOfATrainingRunIsMappedByALaterStart(@TempDir Path dir) throws Exception {
        Path jar = probeJar(dir);

        Path archive = ClassDataArchive.ensure(JAVA, jar, List.of(PROBE), dir.resolve("cds"));

        assertThat(archive).isRegularFile().hasParent(dir.resolve("cds"));
        // -Xshare:on makes the JVM refuse to start if it cannot map the archive.
        assertThat(run(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", jar.toString(), PROBE)))
                .contains("probe ran");
    }

    @Test
    void anArchiveIsMadeOnceAndThenReused(@TempDir Path dir) throws Exception {
        Path jar = probeJar(dir);
        Path first = ClassDataArchive.ensure(JAVA, jar, List.of(PROBE), dir);
        FileTime made = Files.getLastModifiedTime(first);

        Path second = ClassDataArchive.ensure(JAVA, jar, List.of(PROBE), dir);

        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second)).isEqualTo(made);
    }

    @Test
    void aFailedTrainingRunIsAnErrorThatQuotesIt(@TempDir Path dir) throws Exception {
        Path jar = probeJar(dir);

        assertThatIOException().isThrownBy(() -> ClassDataArchive.ensure(JAVA, jar, List.of(PROBE, "fail"), dir))
                .withMessageContaining("exit 3").withMessageContaining("probe refused to train");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".jsa"));
        }
    }

    /** A jar holding only the probe class: class-data archives take jars, not class directories. */
    private static Path probeJar(Path dir) throws IOException {
        Path jar = dir.resolve("probe.jar");
        String entry = PROBE.replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             InputStream in = CdsProbe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static String run(List<String> options) throws Exception {
        List<String> command = new ArrayList<>(JAVA);
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
