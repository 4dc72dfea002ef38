package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Running short commands, and reading what the kernel and the JVM say about a server's memory. */
final class Processes {

    private static final Pattern HEAP_USED = Pattern.compile("\\btotal\\s+\\d+K,\\s+used\\s+(\\d+)K");

    private Processes() {
    }

    /**
     * Runs a command to completion and returns its output (stdout and stderr merged).
     *
     * @throws IOException if it cannot start, takes over five minutes or exits non-zero
     */
    static String run(List<String> command, Path workingDir) throws IOException {
        Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(command.get(0) + " exited with " + process.exitValue() + ": " + text.strip());
        }
        return text;
    }

    /** The process and all its living descendants. */
    static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        return all;
    }

    /**
     * Memory of a process tree in KiB, summed over its processes: resident set ({@code VmRSS}) and proportional
     * set ({@code Pss}, which shares pages between processes fairly).
     */
    static Memory memory(ProcessHandle root) {
        long rss = 0;
        long pss = 0;
        for (ProcessHandle p : tree(root)) {
            rss += statusField(p.pid(), "status", "VmRSS:");
            pss += statusField(p.pid(), "smaps_rollup", "Pss:");
        }
        return new Memory(rss, pss);
    }

    private static long statusField(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between listing and reading: it holds no memory any more
            return 0;
        }
        return 0;
    }

    /**
     * The used Java heap in KiB after a full collection, through {@code jcmd}.
     *
     * @throws IOException if jcmd fails or prints no heap figure
     */
    static long heapAfterGc(long pid, Path workingDir) throws IOException {
        run(List.of("jcmd", Long.toString(pid), "GC.run"), workingDir);
        return heapUsedKib(run(List.of("jcmd", Long.toString(pid), "GC.heap_info"), workingDir));
    }

    /**
     * The used heap in KiB from the output of {@code jcmd GC.heap_info}.
     *
     * @throws IOException if the output holds no heap figure
     */
    static long heapUsedKib(String info) throws IOException {
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IOException("no heap figure in jcmd GC.heap_info: " + info.strip());
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * Resident and proportional set sizes, KiB.
     *
     * @param rssKib summed VmRSS
     * @param pssKib summed Pss
     */
    record Memory(long rssKib, long pssKib) {
    }
}
