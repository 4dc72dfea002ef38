package dev.poplar.pop3.server.interop;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Await;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * python3 {@code poplib} and {@code curl pop3://} list, retrieve and delete. Both must be installed (CI installs
 * them); a missing client fails the test rather than skipping it.
 */
class CommandLineClientsInteropTest {

    InMemoryMailboxStore store;
    List<MessageInfo> infos;
    List<byte[]> stored;
    Pop3Server server;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        store = new InMemoryMailboxStore();
        stored = new ArrayList<>(TrickyMessages.stored().values());
        infos = new ArrayList<>();
        stored.forEach(m -> infos.add(store.add("alice", m)));
        server = Pop3Server.builder().store(store)
                .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
                .shutdownGracePeriod(Duration.ofMillis(100)).build();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit status of %s", command.get(0)).isZero();
        return out;
    }

    void awaitUnlocked() {
        Await.until("alice's mailbox released", () -> !store.isLocked("alice"), java.time.Duration.ofSeconds(5));
    }

    @Test
    void pythonPoplibListsRetrievesAndDeletes() throws Exception {
        Path script = dir.resolve("client.py");
        Files.writeString(script, String.join("\n",
                "import poplib, sys",
                "p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=20)",
                "p.user('alice'); p.pass_('s3cret')",
                "count, size = p.stat()",
                "out = open(sys.argv[3], 'wb')",
                "for n in range(1, count + 1):",
                "    resp, lines, octets = p.retr(n)",
                "    out.write(b''.join(l + b'\\r\\n' for l in lines))",
                "    out.write(b'\\0')",
                "uidl = p.uidl()[1]",
                "out.write(b'\\n'.join(uidl))",
                "p.dele(2)",
                "p.quit()",
                ""));
        Path output = dir.resolve("out.bin");
        run(List.of("python3", script.toString(), server.localAddress().getHostString(),
                Integer.toString(server.localAddress().getPort()), output.toString()));
        byte[] all = Files.readAllBytes(output);
        List<byte[]> parts = split(all, stored.size() + 1);
        for (int i = 0; i < stored.size(); i++) {
            assertThat(parts.get(i)).as("message %d", i + 1).isEqualTo(TrickyMessages.received(stored.get(i)));
        }
        assertThat(new String(parts.get(stored.size()), StandardCharsets.US_ASCII).split("\n"))
                .hasSize(stored.size()).startsWith("1 " + infos.get(0).uid());
        awaitUnlocked();
        assertThat(store.messages("alice")).hasSize(stored.size() - 1).doesNotContain(infos.get(1));
    }

    @Test
    void curlListsRetrievesAndDeletes() throws Exception {
        String base = "pop3://" + server.localAddress().getHostString() + ":" + server.localAddress().getPort();
        String list = new String(run(List.of("curl", "-sS", "-u", "alice:s3cret", base + "/")),
                StandardCharsets.US_ASCII);
        assertThat(list.split("\r\n")).hasSize(stored.size()).startsWith("1 " + infos.get(0).size());
        awaitUnlocked();
        byte[] message = run(List.of("curl", "-sS", "-u", "alice:s3cret", base + "/4"));
        assertThat(message).isEqualTo(TrickyMessages.received(stored.get(3)));
        awaitUnlocked();
        run(List.of("curl", "-sS", "-u", "alice:s3cret", "-X", "DELE 1", "-I", base + "/"));
        awaitUnlocked();
        assertThat(store.messages("alice")).hasSize(stored.size() - 1).doesNotContain(infos.get(0));
    }

    private static List<byte[]> split(byte[] all, int parts) {
        List<byte[]> result = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length && result.size() < parts - 1; i++) {
            if (all[i] == 0) {
                result.add(java.util.Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        result.add(java.util.Arrays.copyOfRange(all, start, all.length));
        return result;
    }
}
