package dev.poplar.pop3.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Runs one client thread per user, all released at the same moment. */
final class ClientThreads {

    private ClientThreads() {
    }

    /**
     * Starts a thread per user, waits until all are ready, releases them together and waits for all to end.
     *
     * @param failures where an exception a client throws is counted
     * @return seconds from the release until the last client ended, and the CPU this process used meanwhile
     */
    static Span runTogether(String name, List<String> users, Client client, RunFailures failures)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(users.size());
        CountDownLatch go = new CountDownLatch(1);
        long[] released = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (String user : users) {
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    client.run(user, released[0]);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    failures.add(e);
                }
            }, name + "-" + user);
            thread.start();
            threads.add(thread);
        }
        ready.await();
        long cpuBefore = processCpuNanos();
        released[0] = System.nanoTime();
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - released[0]) / 1e9;
        return new Span(seconds, (processCpuNanos() - cpuBefore) / 1e9);
    }

    /** CPU time (user and system) of this whole process so far, in nanoseconds. */
    static long processCpuNanos() {
        return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime();
    }

    /**
     * How long a run took and what it cost the generator.
     *
     * @param seconds    wall time from the release until the last client ended
     * @param cpuSeconds CPU time of the generator's process over the same span
     */
    record Span(double seconds, double cpuSeconds) {
    }

    /** What one client thread does. */
    @FunctionalInterface
    interface Client {
        /**
         * @param user          the client's user
         * @param releasedNanos {@link System#nanoTime()} at the release
         */
        void run(String user, long releasedNanos) throws Exception;
    }
}
