package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Running short commands, and reading what the kernel and the JVM say about a server's memory. */
final class Processes {

    private static final Pattern HEAP_USED = Pattern.compile("\\btotal\\s+\\d+K,\\s+used\\s+(\\d+)K");
    /** Linux's USER_HZ: the unit of the CPU times in {@code /proc/<pid>/stat}; 100 on every common build. */
    private static final int CLOCK_TICKS = 100;

    private Processes() {
    }

    /**
     * Runs a command to completion and returns its output (stdout and stderr merged).
     *
     * @throws IOException if it cannot start, takes over five minutes or exits non-zero
     */
    static String run(List<String> command, Path workingDir) throws IOException {
        return run(command, workingDir, Duration.ofMinutes(5));
    }

    /**
     * Runs a command to completion and returns its output (stdout and stderr merged).
     *
     * @throws IOException if it cannot start, takes longer than {@code limit} or exits non-zero
     */
    static String run(List<String> command, Path workingDir, Duration limit) throws IOException {
        Path output = Files.createTempFile("pop3-bench-", ".out");
        try {
            Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("timed out after " + limit.toSeconds() + " s: " + String.join(" ", command));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted: " + String.join(" ", command), e);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException(command.get(0) + " exited with " + process.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
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

    /** A numeric field of a {@code /proc/<pid>/} file such as {@code status}; 0 if the process has ended. */
    static long statusField(long pid, String file, String field) {
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
     * CPU seconds (user and system) a process tree has used so far: for each living process its own time and that
     * of its children it has already waited for ({@code utime stime cutime cstime} of {@code /proc/<pid>/stat}).
     * The difference of two readings is the tree's CPU time between them, counted once also when a child ends and
     * is reaped in between; a child not yet reaped when it ends is lost. Resolution: one clock tick (10 ms).
     */
    static double cpuSeconds(ProcessHandle root) {
        long ticks = 0;
        for (ProcessHandle p : tree(root)) {
            ticks += cpuTicks(p.pid());
        }
        return ticks / (double) CLOCK_TICKS;
    }

    /** {@code utime + stime + cutime + cstime} of a process, in clock ticks; 0 once it has ended. */
    static long cpuTicks(long pid) {
        try {
            return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return 0; // ended between listing and reading
        }
    }

    /**
     * {@code utime + stime + cutime + cstime} from the text of {@code /proc/<pid>/stat} (fields 14 to 17; the
     * command name in field 2 may hold spaces and parentheses, so fields are counted from its closing one).
     */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14
        long sum = 0;
        for (int field = 14; field <= 17; field++) {
            sum += Long.parseLong(fields[field - 3]);
        }
        return sum;
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
