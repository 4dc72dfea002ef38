package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.time.Duration;
import java.util.Map;

/** Builders for servers under test: loopback, free port, no login delay, short grace period. */
final class TestServers {

    private TestServers() {
    }

    static Pop3Server.Builder builder(InMemoryMailboxStore store) {
        return Pop3Server.builder()
                .store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret", "bob", "hunter2")))
                .authFailureDelay(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1))
                .shutdownGracePeriod(Duration.ofMillis(200));
    }

    static Pop3Server start(Pop3Server.Builder builder) throws java.io.IOException {
        Pop3Server server = builder.build();
        server.start();
        return server;
    }
}
