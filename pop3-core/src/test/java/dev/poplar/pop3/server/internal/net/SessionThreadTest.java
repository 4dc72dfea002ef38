package dev.poplar.pop3.server.internal.net;

import org.apache.mina.core.session.DummySession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SessionThreadTest {

    private final ScheduledThreadPoolExecutor timer = timer();
    private final SessionThread thread = new SessionThread(new DummySession(), "test-1", Runnable::run, timer,
            () -> { });

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true); // as the engine's
        return timer;
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** A delayed task holds its session: a closed connection must not stay in memory until its delays run out. */
    @Nested
    class ClosingTheConnection {
        @Test
        void cancelsItsWaitingDelaysSoThatTheTimerHoldsNothingOfIt() {
            thread.later(Duration.ofMinutes(1), () -> { });
            thread.when(new CompletableFuture<Void>(), Duration.ofMinutes(1), () -> { });
            assertThat(timer.getQueue()).hasSize(2);

            thread.close();

            assertThat(timer.getQueue()).isEmpty();
        }

        @Test
        void delaysAskedForAfterwardsAreNotScheduled() {
            thread.close();

            thread.later(Duration.ofMinutes(1), () -> { });
            thread.when(new CompletableFuture<Void>(), Duration.ofMinutes(1), () -> { });

            assertThat(timer.getQueue()).isEmpty();
        }
    }

    @Nested
    class Waiting {
        @Test
        void aStageThatCompletesCancelsItsTimeout() {
            CompletableFuture<Void> stage = new CompletableFuture<>();
            thread.when(stage, Duration.ofMinutes(1), () -> { });
            assertThat(timer.getQueue()).hasSize(1);

            stage.complete(null);

            assertThat(timer.getQueue()).isEmpty();
        }

        @Test
        void aDelayThatRunsIsForgottenAndLeavesOthersWaiting() throws InterruptedException {
            thread.later(Duration.ofMinutes(1), () -> { });
            thread.when(new CompletableFuture<Void>(), Duration.ofMillis(1), () -> { });

            // Seen from the timer: the short one has left its queue, the long one waits until the close.
            assertThat(awaitQueueSize(1)).isTrue();
            thread.close();
            assertThat(timer.getQueue()).isEmpty();
        }
    }

    private boolean awaitQueueSize(int size) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        timer.schedule(done::countDown, 50, TimeUnit.MILLISECONDS);
        if (!done.await(10, TimeUnit.SECONDS)) {
            return false;
        }
        return timer.getQueue().size() == size;
    }
}
