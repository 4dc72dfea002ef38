package dev.poplar.pop3.testkit.internal;

import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Observer;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.testkit.Exchange;
import dev.poplar.pop3.testkit.Mailbox;
import dev.poplar.pop3.testkit.RecordedSession;
import dev.poplar.pop3.testkit.StoredMessage;
import dev.poplar.pop3.testkit.TestMessage;
import dev.poplar.pop3.testkit.TestMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Everything a test server remembers: the sessions (from the server's events and the faults injected into them),
 * what happened to each mailbox, and which mailboxes are open. Each session's transcript is logged at DEBUG to the
 * logger {@code dev.poplar.pop3.testkit} when it ends. Thread-safe: event methods run on the server's
 * threads, queries on the test's; all state is guarded by this object's monitor, and nothing waits while holding it
 * except {@link Object#wait()}.
 */
public final class Journal implements Pop3Observer {

    private static final Logger LOG = LoggerFactory.getLogger("dev.poplar.pop3.testkit");
    private static final long SHORT_WAIT_MILLIS = 10;

    private final InMemoryMailboxStore store;
    private final Map<String, TestMessage> messages = new HashMap<>();
    private final Map<String, History> histories = new HashMap<>();
    private final Map<String, List<MessageInfo>> open = new HashMap<>();
    private final Set<String> heldByTest = new HashSet<>();
    private final Map<String, Live> live = new HashMap<>();
    private final List<RecordedSession> ended = new ArrayList<>();
    private final BlockingQueue<RecordedSession> untaken = new LinkedBlockingQueue<>();

    /**
     * Creates the journal of a store.
     *
     * @param store the store the test server serves
     */
    public Journal(InMemoryMailboxStore store) {
        this.store = store;
    }

    // ------------------------------------------------------------------ messages and locks

    /**
     * Remembers what a delivered message was, so that it can be shown after it is deleted.
     *
     * @param uid its unique id
     * @param message the message
     */
    public synchronized void delivered(String uid, TestMessage message) {
        messages.put(uid, message);
    }

    synchronized void opened(String mailbox, List<MessageInfo> snapshot) {
        open.put(mailbox, snapshot);
        notifyAll();
    }

    synchronized void released(String mailbox) {
        open.remove(mailbox);
        notifyAll();
    }

    synchronized boolean heldByTest(String mailbox) {
        return heldByTest.contains(mailbox);
    }

    synchronized void heldByTest(String mailbox, boolean held) {
        if (held) {
            heldByTest.add(mailbox);
        } else {
            heldByTest.remove(mailbox);
        }
        notifyAll();
    }

    /**
     * Waits until a session releases a mailbox, or the deadline passes. Returns at once for a mailbox the test holds.
     *
     * @return whether it is worth trying to open the mailbox again
     */
    synchronized boolean awaitRelease(String mailbox, long deadlineNanos) {
        if (heldByTest.contains(mailbox)) {
            return false;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        if (!open.containsKey(mailbox)) {
            // Opened a moment ago and not yet registered: give the opener a moment.
            timedWait(Math.min(left, TimeUnit.MILLISECONDS.toNanos(SHORT_WAIT_MILLIS)));
            return true;
        }
        while (open.containsKey(mailbox) && (left = deadlineNanos - System.nanoTime()) > 0 && !interrupted()) {
            timedWait(left);
        }
        return !open.containsKey(mailbox);
    }

    // ------------------------------------------------------------------ recording

    /**
     * Notes a fault injected into a session; the next exchange of the session carries it.
     *
     * @param sessionId the session
     * @param command the command it replaced or changed, or {@code null} for a fault on connect
     * @param effect what it does
     */
    public synchronized void injected(String sessionId, String command, String effect) {
        Live session = live(sessionId);
        session.faults.add(effect);
        if (command != null) {
            session.pendingCommand = command;
            session.pendingFault = effect;
        }
    }

    @Override
    public void onEvent(Pop3Event event) {
        synchronized (this) {
            String id = event.client().sessionId();
            if (event instanceof Pop3Event.CommandCompleted c) {
                completed(live(id), c.command(), c.reply());
            } else if (event instanceof Pop3Event.LoginSucceeded login) {
                Live session = live(id);
                session.mailbox = login.mailbox();
                session.snapshot = open.getOrDefault(login.mailbox(), List.of());
            } else if (event instanceof Pop3Event.MessageRetrieved r) {
                history(r.mailbox()).retrieved.add(r.uid());
            } else if (event instanceof Pop3Event.MessagesDeleted d) {
                history(d.mailbox()).deleted.addAll(d.removed());
                live(id).committed = true;
            } else if (event instanceof Pop3Event.ConnectionClosed closed) {
                close(live.remove(id), id, closed);
            } else if (event instanceof Pop3Event.ConnectionOpened) {
                live(id);
            }
            notifyAll();
        }
    }

    private void completed(Live session, String command, String reply) {
        Optional<String> fault = Optional.empty();
        if (session.pendingFault != null) {
            fault = Optional.of(session.pendingFault);
            session.pendingFault = null;
            session.pendingCommand = null;
        }
        session.exchanges.add(new Exchange(command, Optional.of(reply), fault));
        if (fault.isPresent() || !reply.startsWith("+OK")) {
            return;
        }
        String[] words = command.trim().split("\\s+");
        String verb = words[0].toUpperCase(Locale.ROOT);
        if (verb.equals("DELE") && words.length == 2) {
            try {
                session.marks.add(Integer.parseInt(words[1]));
            } catch (NumberFormatException e) {
                // The server said +OK, so the number was valid; nothing else can get here.
            }
        } else if (verb.equals("RSET")) {
            session.marks.clear();
        }
    }

    private void close(Live session, String id, Pop3Event.ConnectionClosed closed) {
        if (session == null) {
            session = new Live();
        }
        if (session.pendingFault != null) {
            session.exchanges.add(new Exchange(session.pendingCommand, Optional.empty(),
                    Optional.of(session.pendingFault)));
        }
        RecordedSession recorded = new RecordedSession(id, session.exchanges, session.faults, closed.summary());
        if (session.mailbox != null) {
            History history = history(session.mailbox);
            if (!session.committed) {
                for (int number : session.marks) {
                    if (number >= 1 && number <= session.snapshot.size()) {
                        history.abandoned.add(session.snapshot.get(number - 1).uid());
                    }
                }
            }
            history.sessions.add(recorded);
        }
        ended.add(recorded);
        untaken.add(recorded);
        LOG.debug("POP3 {}", recorded.transcript());
    }

    // ------------------------------------------------------------------ queries

    /**
     * Waits for the next session to end that was not taken yet.
     *
     * @param timeout how long to wait
     * @return the session, or empty after the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<RecordedSession> take(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    /**
     * Every session that ended so far.
     *
     * @return a copy, in the order they ended
     */
    public synchronized List<RecordedSession> sessions() {
        return List.copyOf(ended);
    }

    /**
     * Every session that ended so far, after waiting up to {@code settle} for the open ones to end (a client that
     * just went away may not have been seen off by the server yet).
     *
     * @param settle how long to wait for open sessions
     * @return a copy, in the order they ended
     */
    public synchronized List<RecordedSession> settledSessions(Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        long left;
        while (!live.isEmpty() && (left = deadline - System.nanoTime()) > 0 && !interrupted()) {
            timedWait(left);
        }
        return List.copyOf(ended);
    }

    /**
     * How many sessions are open now, as far as the events tell.
     *
     * @return sessions seen and not yet closed
     */
    public synchronized int openSessions() {
        return live.size();
    }

    /**
     * The state and history of a mailbox. If a session holds it, waits up to {@code settle} for that session to
     * end, so that a test inspecting right after its client went away sees the session's outcome.
     *
     * @param name the mailbox
     * @param settle how long to wait for a session holding it
     * @return the snapshot
     */
    public synchronized Mailbox mailbox(String name, Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        long left;
        while (busy(name) && (left = deadline - System.nanoTime()) > 0 && !interrupted()) {
            timedWait(left);
        }
        History history = histories.getOrDefault(name, new History());
        List<StoredMessage> now = store.messages(name).stream().map(m -> stored(name, m.uid())).toList();
        return new Mailbox(name, now, stored(name, history.retrieved), stored(name, history.deleted),
                stored(name, history.abandoned), history.sessions);
    }

    private boolean busy(String mailbox) {
        if (open.containsKey(mailbox) && !heldByTest.contains(mailbox)) {
            return true;
        }
        return live.values().stream().anyMatch(s -> mailbox.equals(s.mailbox));
    }

    private List<StoredMessage> stored(String mailbox, List<String> uids) {
        return uids.stream().map(uid -> stored(mailbox, uid)).toList();
    }

    private StoredMessage stored(String mailbox, String uid) {
        TestMessage message = messages.get(uid);
        if (message == null) {
            message = TestMessages.raw(store.content(mailbox, uid).orElse(new byte[0]));
        }
        return new StoredMessage(uid, message);
    }

    private Live live(String id) {
        return live.computeIfAbsent(id, k -> new Live());
    }

    private History history(String mailbox) {
        return histories.computeIfAbsent(mailbox, k -> new History());
    }

    private static boolean interrupted() {
        return Thread.currentThread().isInterrupted();
    }

    private void timedWait(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A session still open. */
    private static final class Live {
        final List<Exchange> exchanges = new ArrayList<>();
        final List<String> faults = new ArrayList<>();
        final Set<Integer> marks = new TreeSet<>();
        String pendingCommand;
        String pendingFault;
        String mailbox;
        List<MessageInfo> snapshot = List.of();
        boolean committed;
    }

    /** What happened to one mailbox. */
    private static final class History {
        final List<String> retrieved = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final List<String> abandoned = new ArrayList<>();
        final List<RecordedSession> sessions = new ArrayList<>();
    }
}
