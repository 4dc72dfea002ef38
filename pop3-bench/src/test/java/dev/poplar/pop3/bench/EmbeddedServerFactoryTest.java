package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process servers of the start-up rows: which one each row measures, and that they serve the fixture. */
class EmbeddedServerFactoryTest {

    private static List<EmbeddedServerFactory> factories() {
        return ServiceLoader.load(EmbeddedServerFactory.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    @Test
    void eachRowHasOneServerPerTargetAndPoplarsTestRowIsTheTestKit() {
        for (String target : List.of("poplar", "greenmail", "james")) {
            assertThat(factories().stream().filter(f -> f.target().equals(target) && f.embedded())).hasSize(1);
            assertThat(factories().stream().filter(f -> f.target().equals(target) && f.testServer()))
                    .hasSizeLessThanOrEqualTo(1);
        }
        assertThat(factories().stream().filter(f -> f.target().equals("poplar") && f.testServer()))
                .singleElement().isInstanceOf(PoplarTestServer.class);
        assertThat(factories().stream().filter(f -> f.target().equals("greenmail") && f.testServer()))
                .singleElement().isInstanceOf(GreenMailEmbedded.class);
    }

    @Test
    void poplarsTestServerServesTheFixturesUsersAndMessagesInMemory(@TempDir Path dir) throws IOException {
        Fixture fixture = Fixture.prepare(dir.resolve("fixture"), FixtureSpec.startup(), new Log(System.err, true));
        Path maildir = fixture.maildirRoot().resolve(Fixture.sessionUser(0));
        List<Path> files = MaildirFolder.messageFiles(maildir);
        assertThat(files).isNotEmpty();
        long crlfOctets = 0;
        for (Path file : files) {
            crlfOctets += GreenMailServer.toCrlf(Files.readAllBytes(file)).length;
        }

        try (EmbeddedServerFactory.EmbeddedServer server = new PoplarTestServer().start(fixture.maildirRoot(),
                fixture.usersFile())) {
            // Nothing read from disk once it runs: the Maildir may go.
            for (Path file : files) {
                Files.delete(file);
            }
            try (Pop3Client client = Pop3Client.connect(server.address(), null)) {
                client.login(Fixture.sessionUser(0), Fixture.PASSWORD);
                assertThat(client.command("STAT")).isEqualTo("+OK " + files.size() + " " + crlfOctets);
                assertThat(client.multiLine("RETR 1").octets()).isPositive();
                client.quit();
            }
        }
    }

    @Test
    void theWarmStartUpOfTheTestServerGivesOneFigurePerMeasuredStart(@TempDir Path dir) throws IOException {
        Fixture fixture = Fixture.prepare(dir.resolve("fixture"), FixtureSpec.startup(), new Log(System.err, true));

        List<Double> millis = StartupLoad.warm(new PoplarTestServer(), fixture, Fixture.sessionUser(0), 5);

        assertThat(millis).hasSize(5).allSatisfy(ms -> assertThat(ms).isPositive());
    }
}
