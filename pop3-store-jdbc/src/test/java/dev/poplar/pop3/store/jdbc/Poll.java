package dev.poplar.pop3.store.jdbc;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a state that announces itself to no one (a lease expiring in the database): tries an attempt every
 * {@link #EVERY} on a scheduler thread and blocks on the first result, with a timeout.
 */
public final class Poll {

    /** How often the attempt runs. */
    public static final Duration EVERY = Duration.ofMillis(25);

    private Poll() {
    }

    /**
     * Runs an attempt until it gives a value.
     *
     * @param timeout how long to try
     * @param attempt gives a value when the state is reached, empty before; an exception ends the poll
     * @param <T> the value's type
     * @return the first value
     * @throws TimeoutException if no value came in time
     * @throws ExecutionException if an attempt threw
     * @throws InterruptedException if interrupted while waiting
     */
    public static <T> T until(Duration timeout, Callable<Optional<T>> attempt)
            throws TimeoutException, ExecutionException, InterruptedException {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            ScheduledFuture<?> task = scheduler.scheduleWithFixedDelay(() -> {
                try {
                    attempt.call().ifPresent(result::complete);
                } catch (Exception | AssertionError e) {
                    result.completeExceptionally(e);
                }
            }, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                task.cancel(false);
            }
        } finally {
            scheduler.shutdownNow();
        }
    }
}
