package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The class-data-sharing archive of a server jar, made once the way the standalone server's launcher
 * ({@code bin/poplar}) makes it at its first start: a training run under {@code -XX:ArchiveClassesAtExit}, whose
 * archive later starts map with {@code -XX:SharedArchiveFile}. So the harness starts Poplar as an installed server
 * starts, not as a bare {@code java -jar}.
 */
final class ClassDataArchive {

    private static final long TRAINING_MINUTES = 3;

    private ClassDataArchive() {
    }

    /**
     * The archive for a jar and a Java command, made now if it does not exist yet (not timed by any load).
     *
     * @param java the {@code java} executable and the JVM options the server runs with
     * @param jar the server jar, the whole class path
     * @param training the main class and arguments of the training run
     * @param dir where archives are kept
     * @return the archive
     * @throws IOException if the training run fails or writes no archive; the message holds its last output line
     */
    static Path ensure(List<String> java, Path jar, List<String> training, Path dir) throws IOException {
        // Named after what the archive depends on: the runtime, the options and the jar's bytes on disk.
        String key = Integer.toHexString(List.of(java, training, jar.toAbsolutePath().toString(), Files.size(jar),
                Files.getLastModifiedTime(jar).toMillis()).hashCode());
        Path archive = dir.resolve("cds-" + key + ".jsa");
        synchronized (ClassDataArchive.class) {
            if (Files.isRegularFile(archive)) {
                return archive;
            }
            Files.createDirectories(dir);
            Path partial = dir.resolve("cds-" + key + ".partial");
            Path log = dir.resolve("cds-" + key + ".log");
            Files.deleteIfExists(partial);
            List<String> command = new ArrayList<>(java);
            command.add("-XX:ArchiveClassesAtExit=" + partial);
            command.addAll(List.of("-cp", jar.toAbsolutePath().toString()));
            command.addAll(training);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                if (!process.waitFor(TRAINING_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IOException("the class-data training run of " + jar + " took over " + TRAINING_MINUTES
                            + " minutes; its output: " + log);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while making the class-data archive of " + jar, e);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(partial)) {
                throw new IOException("could not make the class-data archive of " + jar + " (exit "
                        + process.exitValue() + "): " + lastLine(log));
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            return archive;
        }
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = LogWatch.tail(log, 1);
        return lines.isEmpty() ? "no output" : lines.get(0);
    }
}
