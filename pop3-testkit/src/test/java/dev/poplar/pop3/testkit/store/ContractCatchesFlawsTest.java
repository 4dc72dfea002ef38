package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.testkit.store.FlawedStore.Flaw;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the contract through the JUnit Platform against stores that each break one promise, and checks that the
 * contract fails exactly where it should; and against a small correct store, where it must not fail at all.
 */
class ContractCatchesFlawsTest {

    static final String LAUNCHED_HERE = "poplar.testkit.contract";

    static boolean launchedHere(ExtensionContext context) {
        return context.getConfigurationParameter(LAUNCHED_HERE).isPresent();
    }

    /** The contract against a store with the given flaws, with a small large message. */
    abstract static class Against extends MailboxStoreContract {
        abstract Flaw[] flaws();

        @Override
        protected StoreUnderTest createStore() {
            FlawedStore store = new FlawedStore(flaws());
            return StoreUnderTest.of(store, (mailbox, uid) -> store.remove(mailbox, uid), null);
        }

        @Override
        protected long largeMessageSize() {
            return 1 << 20;
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class Correct extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[0];
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class NoHold extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.NO_HOLD};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class HoldNotReleased extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.HOLD_NOT_RELEASED};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class LfCountedOnce extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.LF_COUNTED_ONCE};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class LiveSnapshot extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.LIVE_SNAPSHOT};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class UpdateDeletesNothing extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.UPDATE_DELETES_NOTHING};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class ReusedUids extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.REUSED_UIDS};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class EmptyInsteadOfGone extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.EMPTY_INSTEAD_OF_GONE};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class RetrievalTimeOverwritten extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.RETRIEVAL_TIME_OVERWRITTEN};
        }
    }

    @EnabledIf("dev.poplar.pop3.testkit.store.ContractCatchesFlawsTest#launchedHere")
    static class ExpireRemovesNothing extends Against {
        @Override
        Flaw[] flaws() {
            return new Flaw[] {Flaw.EXPIRE_REMOVES_NOTHING};
        }
    }

    /** The names of the tests that failed, and the count of those run. */
    record Outcome(Set<String> failed, int run) {
    }

    static Outcome run(Class<?> contract) {
        Map<String, TestExecutionResult> results = new TreeMap<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(contract))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .configurationParameter(LAUNCHED_HERE, "true").build();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    String name = test.getLegacyReportingName().replaceAll("\\(.*", "");
                    synchronized (results) {
                        results.merge(name, result,
                                (a, b) -> a.getStatus() == TestExecutionResult.Status.FAILED ? a : b);
                    }
                }
            }
        });
        Set<String> failed = results.entrySet().stream()
                .filter(e -> e.getValue().getStatus() == TestExecutionResult.Status.FAILED)
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        return new Outcome(failed, results.size());
    }

    @Test
    void aCorrectStorePassesEverything() {
        Outcome outcome = run(Correct.class);
        assertThat(outcome.run()).as("tests run").isGreaterThan(25);
        assertThat(outcome.failed()).isEmpty();
    }

    @Test
    void aStoreWithoutAnExclusiveHoldFails() {
        assertThat(run(NoHold.class).failed()).contains("aSecondSessionOfTheSameMailboxIsInUse",
                "aRefusedSessionTakesNoHold", "twoSessionsRacingForOneMailboxNeverBothHoldIt");
    }

    @Test
    void aStoreThatKeepsTheHoldAfterCloseFails() {
        assertThat(run(HoldNotReleased.class).failed()).contains("closingReleasesTheHoldWithOrWithoutAnUpdate");
    }

    @Test
    void aStoreThatCountsLineFeedsAsOneOctetFails() {
        assertThat(run(LfCountedOnce.class).failed()).contains("theSizeAndTheContentAreWhatPop3Sends",
                "aLargeMessageIsStreamedThroughASmallBuffer");
    }

    @Test
    void aStoreWhoseSnapshotChangesDuringTheSessionFails() {
        assertThat(run(LiveSnapshot.class).failed()).contains("theSnapshotStaysTheSameWhileMailArrivesAndIsRemoved");
    }

    @Test
    void aStoreWhoseUpdateDeletesNothingFails() {
        assertThat(run(UpdateDeletesNothing.class).failed()).contains("deletedMessagesAreRemovedAndTheOthersStayWhole",
                "manySessionsOfDifferentMailboxesRunAtOnce");
    }

    @Test
    void aStoreThatReusesUniqueIdsFails() {
        assertThat(run(ReusedUids.class).failed()).contains("aUniqueIdIsNeverGivenToAnotherMessage");
    }

    @Test
    void aStoreThatRecordsEveryRetrievalInsteadOfTheFirstFails() {
        assertThat(run(RetrievalTimeOverwritten.class).failed())
                .contains("theFirstRetrievalIsRecordedByTheUpdateAndKeptThroughLaterOnes");
    }

    @Test
    void aStoreWhoseExpireRemovesNothingFails() {
        assertThat(run(ExpireRemovesNothing.class).failed())
                .contains("expireRemovesTheMessagesNamedAndTheSessionGoesOnToItsUpdate");
    }

    @Test
    void aStoreThatServesARemovedMessageAsEmptyFails() {
        assertThat(run(EmptyInsteadOfGone.class).failed())
                .contains("aMessageRemovedDuringTheSessionIsGoneAndTheSessionGoesOn");
    }
}
