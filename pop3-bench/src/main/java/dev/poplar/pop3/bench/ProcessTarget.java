package dev.poplar.pop3.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * A {@link Target} that runs its server as a child process; its output goes to a log in its work directory.
 * {@link #close} may be called from a shutdown hook while another thread uses the target.
 */
final class ProcessTarget implements Target {

    private final String name;
    private final boolean jvm;
    private final boolean restartForMemory;
    private final Launch launch;
    private final Path workRoot;
    private int starts;
    private volatile Process process;
    private Path log;
    private LogWatch logWatch;

    ProcessTarget(String name, boolean jvm, boolean restartForMemory, Launch launch, Path workRoot) {
        this.name = name;
        this.jvm = jvm;
        this.restartForMemory = restartForMemory;
        this.launch = launch;
        this.workRoot = workRoot;
    }

    @Override
    public String name() {
        return name;
    }

    /** How the server is launched: its command line, and whatever configuration it writes first. */
    Launch launch() {
        return launch;
    }

    @Override
    public boolean jvm() {
        return jvm;
    }

    @Override
    public boolean restartForMemory() {
        return restartForMemory;
    }

    @Override
    public Duration start(Fixture fixture, Endpoints endpoints, String loginUser, Duration timeout)
            throws IOException {
        if (process != null) {
            throw new IllegalStateException(name + " is already running");
        }
        Path work = Files.createDirectories(workRoot.resolve(name + "-" + ++starts));
        List<String> command = launch.command(fixture, endpoints, work);
        log = work.resolve("server.log");
        long launched = System.nanoTime();
        process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        logWatch = LogWatch.start(process, log, LogWatch.LIMIT, Duration.ofSeconds(1));
        long deadline = launched + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " while starting: " + logTail());
            }
            try (Pop3Client client = Pop3Client.connect(endpoints.plainAddress(), null)) {
                client.login(loginUser, Fixture.PASSWORD);
                client.quit();
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(name + " did not serve a login within " + timeout.toSeconds() + " s ("
                            + notYet.getMessage() + "): " + logTail(), notYet);
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        Duration startup = Duration.ofNanos(System.nanoTime() - launched);
        SSLContext tls = ClientTls.trusting(fixture.certificate());
        while (true) {
            try (Pop3Client client = Pop3Client.connect(endpoints.tlsAddress(), tls)) {
                client.quit();
                return startup;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IOException(name + " serves no implicit TLS on port " + endpoints.tls() + ": "
                            + notYet.getMessage() + "; " + logTail(), notYet);
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    @Override
    public ProcessHandle process() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return process.toHandle();
    }

    @Override
    public void close() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = Processes.tree(p.toHandle());
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process = null;
    }

    private String logTail() {
        try {
            return (logWatch == null ? "" : logWatch.reason()) + "last lines of " + log + ":\n  "
                    + String.join("\n  ", LogWatch.tail(log, 15));
        } catch (IOException | RuntimeException e) {
            return "(no log at " + log + ")";
        }
    }
}
