package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.ClientAuth;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.sasl.PlainMechanism;
import dev.poplar.pop3.server.internal.sasl.SaslExchange;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A session without a socket: records what commands ask of it. */
final class FakeSession implements SessionContext {

    final InMemoryMailboxStore store = new InMemoryMailboxStore();
    final List<Credentials> logins = new ArrayList<>();
    State state = State.AUTHORIZATION;
    boolean secure;
    boolean tlsConfigured;
    boolean plaintextAllowed = true;
    String apopTimestamp;
    String pendingUser;
    MaildropView drop;
    SaslExchange sasl;
    boolean startTls;
    boolean quit;

    final ServerConfig config = new ServerConfig(store, Authenticator.rejectAll(), List.of(Listener.plain("::1", 0)),
            Optional.empty(), ClientAuth.NONE, PlaintextAuth.ALLOW_LOOPBACK, "Poplar", Optional.empty(),
            Optional.of("30"), Optional.empty(), 10, 10, Duration.ofMinutes(10), Duration.ofMinutes(1), 255, 1024, 10,
            3, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 1, 1, List.of(), Optional.empty());

    void openMaildrop(String mailbox) throws StoreException {
        drop = new MaildropView(store.open(mailbox), mailbox);
        state = State.TRANSACTION;
    }

    @Override
    public ServerConfig config() {
        return config;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    public boolean stlsAvailable() {
        return tlsConfigured && !secure && state == State.AUTHORIZATION;
    }

    @Override
    public boolean plaintextAllowed() {
        return plaintextAllowed;
    }

    @Override
    public String apopTimestamp() {
        return apopTimestamp;
    }

    @Override
    public List<SaslMechanism> mechanisms() {
        return plaintextAllowed ? List.of(new PlainMechanism()) : List.of();
    }

    @Override
    public boolean knownMechanism(String name) {
        return name.equals("PLAIN");
    }

    @Override
    public String pendingUser() {
        return pendingUser;
    }

    @Override
    public void pendingUser(String user) {
        pendingUser = user;
    }

    @Override
    public Reply login(Credentials credentials, String mechanism) {
        logins.add(credentials);
        return Replies.loggedIn(0, 0);
    }

    @Override
    public Reply loginFailed(String username, String mechanism, String reason) {
        return Replies.AUTH_FAILED;
    }

    @Override
    public MaildropView maildrop() {
        return drop;
    }

    @Override
    public Reply quit() {
        quit = true;
        return Replies.BYE;
    }

    @Override
    public void startTlsAfterReply() {
        startTls = true;
    }

    @Override
    public void saslInProgress(SaslExchange exchange, String mechanism) {
        sasl = exchange;
    }
}
