package dev.poplar.pop3.bench;

import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.TestMessage;
import dev.poplar.pop3.testkit.TestMessages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts Poplar's test server ({@code pop3-testkit}'s {@link Pop3TestServer}) in this JVM as a test writer would:
 * the fixture's users with their messages, read from the Maildir fixture and given as they are, in memory, on a free
 * loopback port. GreenMail's in-process server is the same kind of thing (in memory, seeded per start).
 */
public final class PoplarTestServer implements EmbeddedServerFactory {

    /** Creates the factory; ServiceLoader calls this. */
    public PoplarTestServer() {
    }

    @Override
    public String target() {
        return "poplar";
    }

    @Override
    public boolean embedded() {
        return false;
    }

    @Override
    public boolean testServer() {
        return true;
    }

    @Override
    public EmbeddedServer start(Path maildirRoot, Path usersFile) throws IOException {
        Pop3TestServer.Builder builder = Pop3TestServer.builder();
        for (Map.Entry<String, String> user : PlainUsers.read(usersFile).entrySet()) {
            List<TestMessage> messages = new ArrayList<>();
            for (Path file : MaildirFolder.messageFiles(maildirRoot.resolve(user.getKey()))) {
                messages.add(TestMessages.raw(Files.readAllBytes(file)));
            }
            builder.user(user.getKey(), user.getValue(), messages.toArray(TestMessage[]::new));
        }
        Pop3TestServer server = builder.start();
        return EmbeddedServer.of(server.address(), server::close);
    }
}
