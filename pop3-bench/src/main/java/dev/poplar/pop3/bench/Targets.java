package dev.poplar.pop3.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The servers the harness knows how to launch, each as a {@link ProcessTarget}. */
final class Targets {

    /** Every target name, in the order reports show them. */
    static final List<String> NAMES = List.of("poplar", "poplar-local", "poplar-fcntl", "poplar-cached",
            "poplar-openssl", "poplar-jdk", "poplar-jdbc", "dovecot", "greenmail", "james", "canned");

    /** The targets that take passwords in clear only, and so sit out the load with hashed passwords. */
    static final Set<String> PLAIN_PASSWORDS_ONLY = Set.of("greenmail", "james");

    /** The targets run when {@code --targets} is not given: all but those that need more set-up than the others. */
    static final List<String> DEFAULT = List.of("poplar", "dovecot", "greenmail", "james", "canned");

    private Targets() {
    }

    /**
     * The target of a name.
     *
     * @throws IllegalArgumentException for an unknown name, or one whose prerequisite option is missing
     */
    static Target create(String name, BenchOptions options, Path workRoot) {
        return switch (name) {
            case "poplar" -> poplar(options, workRoot);
            case "poplar-local" -> poplarYaml("poplar-local", "lock_scope: store", "", "", options, workRoot);
            case "poplar-fcntl" -> poplarYaml("poplar-fcntl", "lock_scope: processes", "", "", options, workRoot);
            case "poplar-cached" -> poplarYaml("poplar-cached", "", "", "verification_cache_ttl: 1h", options,
                    workRoot);
            case "poplar-openssl" -> poplarYaml("poplar-openssl", "", "provider: openssl", "", options, workRoot);
            case "poplar-jdk" -> poplarYaml("poplar-jdk", "", "provider: jdk", "", options, workRoot);
            case "poplar-jdbc" -> new ProcessTarget(name, true, false, new JdbcTarget(options, poplarJar(options)),
                    workRoot);
            case "dovecot" -> {
                dovecotCanRun(options);
                yield new ProcessTarget(name, false, true, dovecot(options), workRoot);
            }
            case "greenmail" -> new ProcessTarget(name, true, false, javaPeer(options, GreenMailServer.class),
                    workRoot);
            case "james" -> new ProcessTarget(name, true, false, javaPeer(options, JamesServer.class), workRoot);
            case "canned" -> new ProcessTarget(name, false, false, canned(options), workRoot);
            default -> throw new IllegalArgumentException("unknown target '" + name + "'; known: " + NAMES);
        };
    }

    /**
     * Poplar's standalone server ({@code examples/target/poplar-server.jar}) serving the fixture's Maildirs
     * through {@code pop3-store-maildir} and the passwd-file of {@code pop3-auth-passwd}, in a JVM started with
     * the same options as GreenMail's.
     */
    static Target poplar(BenchOptions options, Path workRoot) {
        Path jar = poplarJar(options);
        return new ProcessTarget("poplar", true, false, (fixture, endpoints, work) -> {
            List<String> command = poplarJava(options, jar);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString(),
                    "--maildir-root", fixture.maildirRoot().toString(),
                    "--users", fixture.usersFile().toString(),
                    "--bind", endpoints.host(),
                    "--port", Integer.toString(endpoints.plain()),
                    "--tls-port", Integer.toString(endpoints.tls()),
                    "--cert", fixture.certificate().toString(),
                    "--key", fixture.privateKey().toString(),
                    // As Dovecot's generated configuration does, allow the idle load's connections from loopback.
                    "--max-connections", "20000",
                    "--max-connections-per-address", "20000"));
            return command;
        }, workRoot);
    }

    /**
     * The same standalone server configured through a YAML file, for settings no command-line flag sets:
     * {@code poplar-local} keeps its Maildir hold in memory ({@code store.maildir.lock_scope: store}), the
     * configuration of one server on a local disk, as Dovecot's default (no POP3 session lock) and James's harness
     * (no hold at all) run; {@code poplar-fcntl} holds it with record locks ({@code lock_scope: processes}), which
     * keep out other processes on the host; {@code poplar-cached} accepts a password that matched within the hour
     * without its hash again ({@code auth.verification_cache_ttl}); {@code poplar-openssl} runs TLS on OpenSSL
     * ({@code tls.provider: openssl}, as {@code poplar} does by default where OpenSSL can serve) and
     * {@code poplar-jdk} on the JDK's TLS ({@code tls.provider: jdk}).
     *
     * @param storeSetting extra {@code store.maildir} settings, or empty
     * @param tlsSetting extra {@code tls} settings, or empty
     * @param authSetting extra {@code auth} settings, or empty
     */
    static Target poplarYaml(String name, String storeSetting, String tlsSetting, String authSetting,
            BenchOptions options, Path workRoot) {
        Path jar = poplarJar(options);
        return new ProcessTarget(name, true, false, (fixture, endpoints, work) -> {
            Path config = work.resolve(name + ".yaml");
            Files.writeString(config, String.join("\n",
                    "listeners:",
                    "  - {name: pop3, address: \"" + endpoints.host() + "\", port: " + endpoints.plain() + "}",
                    "  - {name: pop3s, address: \"" + endpoints.host() + "\", port: " + endpoints.tls()
                            + ", implicit_tls: true}",
                    "tls: {certificate: \"" + fixture.certificate() + "\", key: \"" + fixture.privateKey() + "\""
                            + (tlsSetting.isEmpty() ? "" : ", " + tlsSetting) + "}",
                    "store:",
                    "  maildir: {root: \"" + fixture.maildirRoot() + "\""
                            + (storeSetting.isEmpty() ? "" : ", " + storeSetting) + "}",
                    "auth: {users_file: \"" + fixture.usersFile() + "\""
                            + (authSetting.isEmpty() ? "" : ", " + authSetting) + "}",
                    "limits: {max_connections: 20000, max_connections_per_address: 20000}",
                    ""), StandardCharsets.UTF_8);
            List<String> command = poplarJava(options, jar);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--config", config.toString()));
            return command;
        }, workRoot);
    }

    /**
     * The heap settings of the distribution's launcher ({@code bin/poplar}), which give memory back after a burst;
     * the server JVM options come after them and win, as {@code POPLAR_JAVA_OPTS} does.
     */
    static final List<String> LAUNCHER_HEAP_OPTIONS = List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");

    /**
     * The JVM of a Poplar target: the launcher's heap settings, the server JVM options and, unless
     * {@code --poplar-cds off}, the class-data archive the distribution's launcher maps, made once per jar by the same
     * training run ({@code PoplarServer cds-training}) before the first launch.
     */
    static List<String> poplarJava(BenchOptions options, Path jar) throws IOException {
        List<String> command = java(options);
        command.addAll(1, LAUNCHER_HEAP_OPTIONS);
        if (options.poplarCds()) {
            command.add("-XX:SharedArchiveFile=" + ClassDataArchive.ensure(java(options), jar,
                    List.of("dev.poplar.examples.PoplarServer", "cds-training"), options.out().resolve("cds")));
        }
        return command;
    }

    /** The standalone server's jar, which the Poplar targets need. */
    static Path poplarJar(BenchOptions options) {
        Path jar = options.poplarJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("the Poplar targets need the standalone server jar; not found: " + jar
                    + " (build it, or pass --poplar-jar PATH)");
        }
        return jar;
    }

    /** A peer run by one of this module's main classes in its own JVM, with the server JVM options. */
    private static Target.Launch javaPeer(BenchOptions options, Class<?> main) {
        return (fixture, endpoints, work) -> {
            List<String> command = java(options);
            command.addAll(List.of("-cp", absoluteClassPath(), main.getName(),
                    "--maildir-root", fixture.maildirRoot().toString(),
                    "--users", fixture.usersFile().toString(),
                    "--bind", endpoints.host(),
                    "--port", Integer.toString(endpoints.plain()),
                    "--tls-port", Integer.toString(endpoints.tls()),
                    "--keystore", fixture.keyStore().toString(),
                    "--keystore-password", Fixture.KEYSTORE_PASSWORD));
            return command;
        };
    }

    private static Target.Launch canned(BenchOptions options) {
        Path binary = options.cannedBinary();
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException("target canned needs the canned-reply server binary; not found: "
                    + binary + " (run.sh compiles it; or pass --canned-binary PATH)");
        }
        return (fixture, endpoints, work) -> List.of(binary.toAbsolutePath().toString(),
                "--bind", endpoints.host(),
                "--port", Integer.toString(endpoints.plain()),
                "--tls-port", Integer.toString(endpoints.tls()),
                "--mailboxes", fixture.mailboxesFile().toString(),
                "--cert", fixture.certificate().toString(),
                "--key", fixture.privateKey().toString());
    }

    /**
     * Checks what the Dovecot target needs before anything starts: the executable, and root for its master process.
     *
     * @throws IllegalArgumentException naming what is missing
     */
    private static void dovecotCanRun(BenchOptions options) {
        String binary = options.dovecotBinary();
        boolean found = binary.contains("/") ? Files.isExecutable(Path.of(binary))
                : Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, binary)));
        if (!found) {
            throw new IllegalArgumentException("target dovecot needs " + binary + " (apt-get install -y dovecot-pop3d,"
                    + " or run.sh --install-deps)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalArgumentException("target dovecot runs Dovecot's master process as root; run as root");
        }
    }

    private static Target.Launch dovecot(BenchOptions options) {
        String user = options.dovecotUser();
        return (fixture, endpoints, work) -> {
            String uid = Processes.run(List.of("id", "-u", user), work).strip();
            String gid = Processes.run(List.of("id", "-g", user), work).strip();
            for (String dir : List.of("run", "lib", "control", "index")) {
                Files.createDirectories(work.resolve(dir));
            }
            Processes.run(List.of("chown", "-R", uid + ":" + gid, work.resolve("control").toString(),
                    work.resolve("index").toString()), work);
            int limit = Math.max(1_000, fixture.spec().idleUsers() + 500);
            Path config = work.resolve("dovecot.conf");
            Files.writeString(config, dovecotConfig(fixture, endpoints, work, uid, gid, limit), StandardCharsets.UTF_8);
            return List.of(options.dovecotBinary(), "-F", "-c", config.toString());
        };
    }

    /**
     * Dovecot's configuration for the benchmark, tuned as Dovecot's documentation advises for a busy server:
     * login processes in high-performance mode ({@code service_count = 0}, one per core kept ready) and pop3
     * processes reused between sessions; limits raised for up to {@code limit} sessions. With the defaults
     * (a login process and a pop3 process started for every connection) Dovecot is about ten times slower at the
     * session load here. {@code pop3_no_flag_updates} keeps Dovecot from renaming the fixture's files (Poplar
     * keeps no flags either); control and index files go to the work directory, so the fixture stays read-only.
     */
    static String dovecotConfig(Fixture fixture, Endpoints endpoints, Path work, String uid, String gid, int limit) {
        String root = fixture.maildirRoot().toString();
        return """
                protocols = pop3
                listen = %1$s
                instance_name = poplar-bench-%2$d
                base_dir = %3$s/run
                state_dir = %3$s/lib
                log_path = /dev/stderr
                info_log_path = /dev/null
                default_internal_user = dovecot
                default_login_user = dovenull
                first_valid_uid = %4$s
                last_valid_uid = %4$s
                first_valid_gid = %5$s
                last_valid_gid = %5$s
                mail_location = maildir:%6$s/%%u:CONTROL=%3$s/control/%%u:INDEX=%3$s/index/%%u
                disable_plaintext_auth = no
                auth_mechanisms = plain
                ssl = yes
                ssl_cert = <%7$s
                ssl_key = <%8$s
                ssl_min_protocol = TLSv1.2
                default_process_limit = %9$d
                default_client_limit = %13$d
                default_vsz_limit = 1G
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN username_format=%%u %10$s
                }
                userdb {
                  driver = static
                  args = uid=%4$s gid=%5$s
                }
                service pop3-login {
                  service_count = 0
                  process_min_avail = %12$d
                  process_limit = %12$d
                  client_limit = %9$d
                  inet_listener pop3 {
                    address = %1$s
                    port = %11$d
                  }
                  inet_listener pop3s {
                    address = %1$s
                    port = %2$d
                    ssl = yes
                  }
                }
                service pop3 {
                  service_count = 0
                  process_limit = %9$d
                }
                protocol pop3 {
                  mail_max_userip_connections = %9$d
                  pop3_no_flag_updates = yes
                }
                """.formatted(endpoints.host(), endpoints.tls(), work, uid, gid, root,
                fixture.certificate(), fixture.privateKey(), limit, fixture.usersFile(), endpoints.plain(),
                Runtime.getRuntime().availableProcessors(), limit + 100);
    }

    /** This JVM's class path with absolute entries, for a child JVM that runs in another directory. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code java} and the server JVM options shared by every JVM target. */
    static List<String> java(BenchOptions options) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.serverJvmOptions());
        return command;
    }
}
