package dev.poplar.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone server in a child process: started, its ports read from what it prints, its log (standard error)
 * collected line by line for {@link #awaitLog}, stopped with SIGTERM.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("(POP3 with STLS|POP3S \\(implicit TLS\\)) on "
            + "127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    /** The plain (STLS) port and the implicit-TLS port. */
    final int[] ports = new int[2];
    /** What the server printed when it started, line by line. */
    final List<String> started = new ArrayList<>();
    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();

    /**
     * Starts the command and waits until the server says it is ready.
     *
     * @param command the command line
     * @param environment variables to add
     */
    ServerProcess(List<String> command, Map<String, String> environment) throws IOException {
        this(command, environment, false);
    }

    /**
     * Starts the command with SIGHUP at its default, as a service manager starts a server, whatever this process
     * inherited (a test run under {@code nohup} ignores SIGHUP, and its children would too); or ignored.
     *
     * @param command the command line
     * @param environment variables to add
     * @param hangUpIgnored whether the server starts with SIGHUP ignored, as under {@code nohup}
     */
    ServerProcess(List<String> command, Map<String, String> environment, boolean hangUpIgnored) throws IOException {
        List<String> launch = new ArrayList<>(List.of("env",
                hangUpIgnored ? "--ignore-signal=HUP" : "--default-signal=HUP"));
        launch.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(launch);
        builder.environment().putAll(environment);
        process = builder.start();
        drain(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
                "server-log");
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null && !line.contains("Stop with Ctrl-C"); ) {
            started.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                ports[m.group(1).startsWith("POP3S") ? 1 : 0] = Integer.parseInt(m.group(2));
            }
        }
        // Keep reading what the server prints: a pipe nobody drains would stop the server once its buffer is full.
        drain(out, "server-out");
        if (ports[0] == 0 || ports[1] == 0) {
            // No one will close a server whose start failed: stop it here, not at the end of the build.
            process.destroyForcibly();
        }
        assertThat(ports).as("listening ports; log: %s", log).doesNotContain(0);
    }

    /** Reads a stream of the server to its end on a daemon thread, each line into the log. */
    private void drain(BufferedReader stream, String name) {
        Thread reader = new Thread(() -> {
            try (stream) {
                for (String line; (line = stream.readLine()) != null; ) {
                    log.add(line);
                }
            } catch (IOException e) {
                log.add("(" + name + " closed: " + e + ")");
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Waits for a log line.
     *
     * @param text what the line contains
     * @return the line
     */
    String awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = log.poll(1, TimeUnit.SECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
            if (line != null) {
                seen.add(line);
            }
        }
        throw new AssertionError("no log line with '" + text + "' within 60 s; the server "
                + (process.isAlive() ? "is running" : "ended with status " + process.exitValue()) + " and logged "
                + seen.size() + " other lines meanwhile:\n" + String.join("\n", seen));
    }

    /**
     * Stops the server with SIGTERM and waits for it.
     *
     * @return whether it ended within 30 seconds
     */
    boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop()) {
            process.destroyForcibly();
        }
    }
}
