package dev.poplar.pop3.testkit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

/**
 * One of three classes that do the same with their own user while the build runs test classes and methods in
 * parallel: each test sees exactly its own sessions and mail, whatever the others do meanwhile.
 */
class ParallelAliceTest {

    @RegisterExtension
    final Pop3ServerExtension pop3 = Pop3ServerExtension.builder()
            .user("alice", "pw-alice", TestMessages.text("for alice 1", "x"), TestMessages.text("for alice 2", "y"))
            .build();

    @RepeatedTest(4)
    void aServerOfItsOwn(Pop3TestServer server) throws Exception {
        server.inject(Fault.on("RETR").once().delay(Duration.ofMillis(20)));
        ParallelIsolation.pollTwiceAndCheck(server, "alice", "pw-alice");
    }
}
