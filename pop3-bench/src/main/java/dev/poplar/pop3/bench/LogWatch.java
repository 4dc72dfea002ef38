package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Stops a server whose log grows past a limit: a peer stuck in a loop of errors can otherwise write tens of gigabytes
 * in minutes and fill the disk under the benchmark. A daemon thread looks at the log's size at an interval while the
 * process lives; past the limit it kills the process, and {@link #exceeded()} tells why the target went away.
 */
final class LogWatch {

    /** The log size past which a target is stopped. */
    static final long LIMIT = 512L * 1024 * 1024;

    private final Path log;
    private final long limit;
    private volatile boolean exceeded;

    private LogWatch(Path log, long limit) {
        this.log = log;
        this.limit = limit;
    }

    /**
     * Starts watching the log of a process.
     *
     * @param process the process writing the log
     * @param log the log file
     * @param limit the size past which the process is killed
     * @param interval how often the size is looked at
     * @return the watch
     */
    static LogWatch start(Process process, Path log, long limit, Duration interval) {
        LogWatch watch = new LogWatch(log, limit);
        Thread thread = new Thread(() -> watch.run(process, interval), "bench-log-watch");
        thread.setDaemon(true);
        thread.start();
        return watch;
    }

    private void run(Process process, Duration interval) {
        while (process.isAlive()) {
            try {
                if (Files.size(log) > limit) {
                    exceeded = true;
                    System.err.println("bench: " + log + " passed " + limit / (1024 * 1024)
                            + " MiB; stopping the server that writes it");
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    return;
                }
                Thread.sleep(interval.toMillis());
            } catch (IOException e) {
                // No log yet, or it went with its work directory: look again.
                sleepQuietly(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleepQuietly(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the process was killed for its log's size */
    boolean exceeded() {
        return exceeded;
    }

    /** @return a sentence for error messages, empty unless the process was killed for its log */
    String reason() {
        return exceeded ? "its log passed " + limit / (1024 * 1024) + " MiB and it was stopped; " : "";
    }

    /**
     * The last lines of a log, reading only its last 64 KiB however large it is.
     *
     * @param log the file
     * @param lines how many lines at most
     * @return the lines, oldest first
     * @throws IOException if the file cannot be read
     */
    static List<String> tail(Path log, int lines) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            long size = channel.size();
            int length = (int) Math.min(size, 64 * 1024);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            channel.position(size - length);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read on
            }
            List<String> all = Arrays.asList(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
                    .split("\n", -1));
            if (length < size && !all.isEmpty()) {
                all = all.subList(1, all.size());
            }
            if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
                all = all.subList(0, all.size() - 1);
            }
            return all.subList(Math.max(0, all.size() - lines), all.size());
        }
    }
}
