package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {

    @Test
    void dovecotThatIsNotInstalledIsAReasonNotToRunIt(@TempDir Path dir) {
        BenchOptions options = BenchOptions.parse(new String[] {"--dovecot-binary", "no-such-dovecot-here"}, dir);

        assertThatIllegalArgumentException().isThrownBy(() -> Targets.create("dovecot", options, dir))
                .withMessageStartingWith("target dovecot needs no-such-dovecot-here");
    }

    @Test
    void poplarRunsWithTheHeapSettingsOfTheDistributionsLauncher() throws Exception {
        String launcher = Files.readString(Path.of("..", "examples", "src", "dist", "bin", "poplar"));
        String options = launcher.lines().filter(line -> line.startsWith("jvm_options=")).findFirst().orElseThrow();

        assertThat(options).contains(Targets.LAUNCHER_HEAP_OPTIONS);
    }

    @Test
    void poplarCachedRemembersVerifiedPasswordsOverTheUsersFileItIsGiven(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("poplar-server.jar"), "");
        BenchOptions options = BenchOptions.parse(new String[] {"--poplar-jar", jar.toString(), "--poplar-cds",
                "off"}, dir);
        Fixture fixture = Fixture.prepare(dir.resolve("fixture"), new FixtureSpec(1, 1, 1, 1, 1024, List.of(), 512,
                0), new Log(System.err, true)).withHashedPasswords();
        Path work = Files.createDirectories(dir.resolve("work"));

        ProcessTarget cached = (ProcessTarget) Targets.create("poplar-cached", options, dir);
        List<String> command = cached.launch().command(fixture, Endpoints.free(), work);

        assertThat(command).containsSubsequence("-jar", jar.toAbsolutePath().toString(), "--config");
        String config = Files.readString(Path.of(command.get(command.size() - 1)));
        assertThat(config).contains("auth: {users_file: \"" + fixture.usersFile() + "\", verification_cache_ttl: 1h}");
        assertThat(fixture.usersFile().getFileName()).hasToString("users-sha512-crypt");
        assertThat(Targets.PLAIN_PASSWORDS_ONLY).containsExactlyInAnyOrder("greenmail", "james");
    }

    @Test
    void jamesRunsInItsOwnJvm(@TempDir Path dir) {
        Target james = Targets.create("james", BenchOptions.parse(new String[0], dir), dir);

        assertThat(james.name()).isEqualTo("james");
        assertThat(james.jvm()).isTrue();
        assertThat(james.restartForMemory()).isFalse();
    }
}
