package dev.poplar.pop3.auth.passwd;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

class AppPasswordsTest {

    @TempDir
    Path dir;

    static ClientInfo clientAt(String address) throws IOException {
        return new ClientInfo("session-1", "default", new InetSocketAddress(InetAddress.getByName(address), 40000),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 110), false, List.of());
    }

    static AuthResult login(PasswdFileAuthenticator authenticator, String user, String password, String from)
            throws IOException {
        return authenticator.authenticate(new Credentials.Password(user, password), clientAt(from));
    }

    AppPasswords appPasswords() {
        return AppPasswords.at(dir.resolve("app-passwords"));
    }

    Path usersFile(String... lines) throws IOException {
        return Files.writeString(dir.resolve("users"), String.join("\n", lines) + "\n");
    }

    @Nested
    class Managing {

        @Test
        void anAddedAppPasswordIsListedAndTheFileHoldsItsDigestNotItsSecret() throws Exception {
            AppPasswords apps = appPasswords();
            Instant before = Instant.now().minusSeconds(1);

            AppPasswords.Issued issued = apps.add("alice", "Phone (K-9 Mail)",
                    List.of("192.0.2.0/24", "2001:db8::/32"));

            AppPassword listed = issued.appPassword();
            assertThat(issued.secret()).matches("[a-z2-9]{5}(-[a-z2-9]{5}){3}");
            assertThat(issued.toString()).doesNotContain(issued.secret());
            assertThat(listed.user()).isEqualTo("alice");
            assertThat(listed.label()).isEqualTo("Phone (K-9 Mail)");
            assertThat(listed.networks()).containsExactly("192.0.2.0/24", "2001:db8:0:0:0:0:0:0/32");
            assertThat(listed.created()).isBetween(before, Instant.now());
            assertThat(listed.revoked()).isEmpty();
            assertThat(listed.lastUsed()).isEmpty();
            assertThat(apps.list()).containsExactly(listed);
            String file = Files.readString(apps.file());
            assertThat(file).contains("alice " + listed.id() + " {SHA256}", "label=Phone (K-9 Mail)",
                    "networks=192.0.2.0/24,2001:db8:0:0:0:0:0:0/32").doesNotContain(issued.secret())
                    .doesNotContain(issued.secret().replace("-", ""));
        }

        @Test
        void eachAppPasswordHasItsOwnSecretAndIdAndListingCanBeByUser() throws Exception {
            AppPasswords apps = appPasswords();
            AppPasswords.Issued phone = apps.add("alice", "Phone", List.of());
            AppPasswords.Issued laptop = apps.add("alice", "Laptop", List.of());
            AppPasswords.Issued bobs = apps.add("bob", "Phone", List.of());

            assertThat(List.of(phone.secret(), laptop.secret(), bobs.secret())).doesNotHaveDuplicates();
            assertThat(List.of(phone, laptop, bobs)).extracting(i -> i.appPassword().id()).doesNotHaveDuplicates();
            assertThat(apps.list("alice")).extracting(AppPassword::label).containsExactly("Phone", "Laptop");
            assertThat(apps.list("bob")).extracting(AppPassword::label).containsExactly("Phone");
            assertThat(apps.list("carol")).isEmpty();
        }

        @Test
        void aRevokedAppPasswordStaysListedAsRevoked() throws Exception {
            AppPasswords apps = appPasswords();
            AppPassword phone = apps.add("alice", "Phone", List.of()).appPassword();
            AppPassword laptop = apps.add("alice", "Laptop", List.of()).appPassword();

            assertThat(apps.revoke("bob", phone.id())).isFalse();
            assertThat(apps.revoke("alice", "nosuchid")).isFalse();
            assertThat(apps.revoke("alice", phone.id())).isTrue();
            assertThat(apps.revoke("alice", phone.id())).isFalse();

            assertThat(apps.list()).extracting(AppPassword::id, AppPassword::isRevoked)
                    .containsExactly(tuple(phone.id(), true), tuple(laptop.id(), false));
            assertThat(Files.readString(apps.file())).contains("revoked=");
        }

        @Test
        void everyChangeReplacesTheFileByRenameLeavingNoTemporaryFiles() throws Exception {
            AppPasswords apps = appPasswords();
            AppPassword phone = apps.add("alice", "Phone", List.of()).appPassword();
            Object first = Files.readAttributes(apps.file(), BasicFileAttributes.class).fileKey();

            apps.revoke("alice", phone.id());

            assertThat(Files.readAttributes(apps.file(), BasicFileAttributes.class).fileKey()).isNotEqualTo(first);
            try (var listing = Files.list(dir)) {
                assertThat(listing.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("app-passwords", "app-passwords.lock");
            }
        }

        @Test
        void concurrentAddsAreAllKept() throws Exception {
            AppPasswords apps = appPasswords();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<AppPasswords.Issued>> adds = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    String label = "device " + i;
                    adds.add(pool.submit(() -> apps.add("alice", label, List.of())));
                }
                for (Future<AppPasswords.Issued> add : adds) {
                    add.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(apps.list("alice")).hasSize(24);
        }

        @Test
        void badInputIsRefusedNamingWhatIsWrongAndWritesNothing() {
            AppPasswords apps = appPasswords();
            assertThatThrownBy(() -> apps.add("al ice", "Phone", List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
            assertThatThrownBy(() -> apps.add("alice:x", "Phone", List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
            assertThatThrownBy(() -> apps.add("alice", " ", List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
            assertThatThrownBy(() -> apps.add("alice", "Pho\nne", List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
            assertThatThrownBy(() -> apps.add("alice", "Phone", List.of("10.0.0.0/8", "mail.example.com")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mail.example.com");
            assertThatThrownBy(() -> apps.add("alice", "Phone", List.of("10.0.0.0/40")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/40");
            assertThat(apps.file()).doesNotExist();
        }

        @Test
        void aHandEditedLineThatIsNotValidIsRefusedWithItsLineNumber() throws Exception {
            AppPasswords apps = appPasswords();
            String good = "alice a1 {SHA256}" + "A".repeat(43) + "= created=2026-01-05T10:00:00Z label=Phone";
            for (String[] bad : new String[][] {
                    {"alice a2 {SHA256}" + "A".repeat(43) + "= created=2026-01-05T10:00:00Z", "label"},
                    {"alice a2 {SSHA256}abcd created=2026-01-05T10:00:00Z label=x", "SHA256"},
                    {"alice a2 {SHA256}AAAA created=2026-01-05T10:00:00Z label=x", "32 octets"},
                    {"alice a2 {SHA256}" + "B".repeat(43) + "= created=yesterday label=x", "created="},
                    {"alice a2 {SHA256}" + "B".repeat(43) + "= created=2026-01-05T10:00:00Z colour=red label=x",
                            "colour"},
                    {"alice a2 {SHA256}" + "B".repeat(43) + "= label=x", "created="},
                    {"alice a2 {SHA256}" + "B".repeat(43) + "= created=2026-01-05T10:00:00Z networks=10.0.0.0/99"
                            + " label=x", "10.0.0.0/99"},
                    {"alice a1 {SHA256}" + "B".repeat(43) + "= created=2026-01-05T10:00:00Z label=x", "line 2"}}) {
                Files.writeString(apps.file(), "# header\n" + good + "\n" + bad[0] + "\n");
                PasswdFileException e = catchThrowableOfType(PasswdFileException.class, apps::list);
                assertThat(e).as(bad[0]).isNotNull();
                assertThat(e.line()).as(bad[0]).isEqualTo(3);
                assertThat(e.getMessage()).as(bad[0]).contains(bad[1]);
            }
        }
    }

    @Nested
    class Logins {

        final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));

        PasswdFileAuthenticator authenticator(AppPasswords apps) throws Exception {
            return PasswdFileAuthenticator.builder(usersFile("alice:{PLAIN}main password", "bob:{PLAIN}bobs"))
                    .appPasswords(apps).reloadCheckInterval(Duration.ZERO).clock(clock).build();
        }

        @Test
        void theMainPasswordAndEveryValidAppPasswordLogIn() throws Exception {
            AppPasswords apps = appPasswords();
            String phone = apps.add("alice", "Phone", List.of()).secret();
            String laptop = apps.add("alice", "Laptop", List.of()).secret();
            String bobs = apps.add("bob", "Phone", List.of()).secret();
            PasswdFileAuthenticator authenticator = authenticator(apps);

            for (String password : List.of("main password", phone, laptop, phone.replace("-", ""),
                    phone.toUpperCase(Locale.ROOT), phone.replace("-", " "))) {
                assertThat(login(authenticator, "alice", password, "127.0.0.1")).as(password)
                        .isEqualTo(AuthResult.accept("alice"));
            }
            assertThat(login(authenticator, "alice", bobs, "127.0.0.1")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "bob", phone, "127.0.0.1")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", phone + "x", "127.0.0.1"))
                    .isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "bob", bobs, "127.0.0.1")).isEqualTo(AuthResult.accept("bob"));
        }

        @Test
        void aRevokedAppPasswordNoLongerLogsInAndTheOthersStillDo() throws Exception {
            AppPasswords apps = appPasswords();
            AppPasswords.Issued phone = apps.add("alice", "Phone", List.of());
            String laptop = apps.add("alice", "Laptop", List.of()).secret();
            PasswdFileAuthenticator authenticator = authenticator(apps);
            assertThat(login(authenticator, "alice", phone.secret(), "127.0.0.1"))
                    .isInstanceOf(AuthResult.Accepted.class);

            apps.revoke("alice", phone.appPassword().id());

            assertThat(login(authenticator, "alice", phone.secret(), "127.0.0.1"))
                    .isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", laptop, "127.0.0.1")).isEqualTo(AuthResult.accept("alice"));
        }

        @Test
        void anAppPasswordLimitedToNetworksLogsInFromThemOnly() throws Exception {
            AppPasswords apps = appPasswords();
            String office = apps.add("alice", "Office", List.of("192.0.2.0/24", "2001:db8::/32")).secret();
            PasswdFileAuthenticator authenticator = authenticator(apps);

            assertThat(login(authenticator, "alice", office, "192.0.2.9")).isEqualTo(AuthResult.accept("alice"));
            assertThat(login(authenticator, "alice", office, "2001:db8:1::7")).isEqualTo(AuthResult.accept("alice"));
            assertThat(login(authenticator, "alice", office, "198.51.100.1")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", office, "2001:db9::1")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", office, "127.0.0.1")).isInstanceOf(AuthResult.Rejected.class);
            assertThat(login(authenticator, "alice", "main password", "198.51.100.1"))
                    .isEqualTo(AuthResult.accept("alice"));
        }

        @Test
        void anAppPasswordOfAUserNoLongerInTheUsersFileDoesNotLogIn() throws Exception {
            AppPasswords apps = appPasswords();
            String carols = apps.add("carol", "Phone", List.of()).secret();
            PasswdFileAuthenticator authenticator = authenticator(apps);

            assertThat(login(authenticator, "carol", carols, "127.0.0.1")).isInstanceOf(AuthResult.Rejected.class);
        }

        @Test
        void appPasswordsAddedAfterTheServerStartedLogInOnceTheFileIsSeen() throws Exception {
            AppPasswords apps = appPasswords();
            PasswdFileAuthenticator authenticator = authenticator(apps);
            assertThat(apps.file()).doesNotExist();

            String phone = apps.add("alice", "Phone", List.of()).secret();

            assertThat(login(authenticator, "alice", phone, "127.0.0.1")).isEqualTo(AuthResult.accept("alice"));
        }

        @Test
        void aBrokenAppPasswordsFileIsRefusedAtStartAndKeepsTheOldOnesOnReload() throws Exception {
            AppPasswords apps = appPasswords();
            Files.writeString(apps.file(), "alice x {PLAIN}y created=2026-01-05T10:00:00Z label=z\n");
            assertThat(catchThrowableOfType(PasswdFileException.class, () -> authenticator(apps)).line())
                    .isEqualTo(1);

            Files.delete(apps.file());
            String phone = apps.add("alice", "Phone", List.of()).secret();
            PasswdFileAuthenticator authenticator = authenticator(apps);
            String valid = Files.readString(apps.file());
            Files.writeString(apps.file(), valid + "garbage\n");
            Files.setLastModifiedTime(apps.file(), FileTime.from(Instant.now().plusSeconds(5)));

            assertThat(login(authenticator, "alice", phone, "127.0.0.1")).isEqualTo(AuthResult.accept("alice"));
        }

        @Test
        void theLastLoginIsRecordedAtMostOnceAMinute() throws Exception {
            AppPasswords apps = appPasswords();
            AppPasswords.Issued phone = apps.add("alice", "Phone", List.of());
            AppPasswords.Issued laptop = apps.add("alice", "Laptop", List.of());
            PasswdFileAuthenticator authenticator = authenticator(apps);
            Instant start = clock.instant();

            login(authenticator, "alice", phone.secret(), "127.0.0.1");
            assertThat(lastUsed(apps, phone)).contains(start);
            assertThat(lastUsed(apps, laptop)).isEmpty();
            String written = Files.readString(apps.usageFile());

            clock.advance(Duration.ofSeconds(59));
            login(authenticator, "alice", phone.secret(), "127.0.0.1");
            login(authenticator, "alice", "main password", "127.0.0.1");
            assertThat(Files.readString(apps.usageFile())).isEqualTo(written);

            clock.advance(Duration.ofSeconds(1));
            login(authenticator, "alice", phone.secret(), "127.0.0.1");
            assertThat(lastUsed(apps, phone)).contains(start.plusSeconds(60));

            login(authenticator, "alice", laptop.secret(), "127.0.0.1");
            assertThat(lastUsed(apps, laptop)).contains(start.plusSeconds(60));
            assertThat(lastUsed(apps, phone)).contains(start.plusSeconds(60));
        }

        @Test
        void aLoginSucceedsWhenItsUseCannotBeRecorded() throws Exception {
            Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
            AppPasswords apps = AppPasswords.at(dir.resolve("app-passwords"), notADirectory.resolve("last-used"));
            String phone = apps.add("alice", "Phone", List.of()).secret();
            PasswdFileAuthenticator authenticator = authenticator(apps);

            assertThat(login(authenticator, "alice", phone, "127.0.0.1")).isEqualTo(AuthResult.accept("alice"));
            clock.advance(Duration.ofMinutes(5));
            assertThat(login(authenticator, "alice", phone, "127.0.0.1")).isEqualTo(AuthResult.accept("alice"));
        }

        @Test
        void everyPasswordAttemptRunsTheSameStepsWhateverTheUsersAppPasswords() throws Exception {
            AppPasswords apps = appPasswords();
            String phone = apps.add("alice", "Phone", List.of()).secret();
            apps.add("alice", "Laptop", List.of());
            apps.add("alice", "Tablet", List.of("192.0.2.0/24"));
            List<String> steps = new ArrayList<>();
            PasswdFileAuthenticator authenticator = PasswdFileAuthenticator.builder(usersFile(
                            "alice:{PLAIN}main password", Fixtures.lineOf("doveadm.passwd", "sha512-crypt")))
                    .appPasswords(apps).clock(clock).verificationListener(steps::add).build();
            List<String> expected = List.of("PLAIN", "SHA512-CRYPT rounds=5000", "APP-PASSWORD");

            for (String[] attempt : new String[][] {{"alice", "wrong"}, {"alice", phone}, {"alice", "main password"},
                    {"sha512-crypt", "wrong"}, {"sha512-crypt", phone}, {"nobody", phone}, {"nobody", "x"}}) {
                steps.clear();
                login(authenticator, attempt[0], attempt[1], "198.51.100.1");
                assertThat(steps).as(String.join(" ", attempt)).isEqualTo(expected);
            }
        }

        Optional<Instant> lastUsed(AppPasswords apps, AppPasswords.Issued issued) throws PasswdFileException {
            return apps.list().stream().filter(a -> a.id().equals(issued.appPassword().id())).findFirst()
                    .orElseThrow().lastUsed();
        }
    }
}
