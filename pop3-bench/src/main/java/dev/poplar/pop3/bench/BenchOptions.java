package dev.poplar.pop3.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line. Every mistake is an {@link IllegalArgumentException} whose message is the one line
 * to show.
 *
 * @param smoke            tiny sizes and one run of each load
 * @param targets          targets to run, in report order
 * @param targetsExplicit  whether {@code --targets} was given (then a target that cannot run is an error)
 * @param loads            loads to run
 * @param runs             measured runs per load (each load also has one unmeasured warm-up run)
 * @param sessionDuration  length of one session-load run
 * @param warmStarts       in-process starts for the warm start-up figure
 * @param listingLimit     how long one UIDL + LIST session may take before it is cut off
 * @param out              where the report and the servers' work directories go
 * @param fixtureDir       where the fixture is built, or reused if it matches
 * @param poplarJar        Poplar's standalone server jar
 * @param poplarCds        whether Poplar's JVMs map a class-data archive, as its launcher does
 * @param cannedBinary     the compiled canned-reply server
 * @param dovecotBinary    the {@code dovecot} executable
 * @param dovecotUser      the system user Dovecot's mail processes run as
 * @param serverJvmOptions options of every server JVM (Poplar and GreenMail alike)
 * @param subject          the target whose ratios to the others are reported
 * @param ceilingFraction  how close to the generator's ceiling a figure may come before it is flagged
 * @param quiet            no progress lines
 * @param clientTlsProtocols the TLS protocols the Java generator offers, or empty for the JDK's default
 * @param generators       the load generators of the session and RETR loads: the first gives the figures, any other
 *                         adds its own rows as a cross-check
 * @param loadBinary       the compiled C load generator
 * @param soakDuration     length of the soak, warm-up included
 * @param soakClients      client threads of the soak, one mailbox each
 * @param soakSample       time between readings of the server under the soak
 */
record BenchOptions(boolean smoke, List<String> targets, boolean targetsExplicit, Set<String> loads, int runs,
                    Duration sessionDuration, int warmStarts, Duration listingLimit, Path out, Path fixtureDir, Path poplarJar,
                    boolean poplarCds, Path cannedBinary, String dovecotBinary, String dovecotUser, List<String> serverJvmOptions,
                    String subject, double ceilingFraction, boolean quiet,
                    String clientTlsProtocols, List<String> generators, Path loadBinary, Duration soakDuration,
                    int soakClients, Duration soakSample) {

    /** Every load name. */
    static final List<String> LOADS = List.of("sessions", "sessions-hashed", "retr", "listing", "idle", "soak",
            "startup");
    /** Every load generator. */
    static final List<String> GENERATORS = List.of("c", "java");

    static final String USAGE = """
            usage: run.sh [--smoke | --full] [options]
              --smoke                 tiny sizes, one run per load, a few seconds per target (the default)
              --full                  the sizes of the issue, median of 3 runs
              --targets a,b           of poplar, poplar-local, poplar-fcntl, poplar-cached, poplar-openssl,
                                      poplar-jdk, poplar-jdbc, dovecot, greenmail, james, canned (default: all that
                                      can run but the poplar-* variants)
              --loads a,b             of sessions, sessions-hashed, retr, listing, idle, soak, startup (default:
                                      all); sessions-hashed: plain sessions with SHA512-CRYPT users, without the
                                      targets that take clear passwords only (greenmail, james)
              --runs N                measured runs per load (default: 3 full, 1 smoke)
              --session-seconds S     length of one session-load run (default: 5 full, 0.3 smoke)
              --warm-starts N         in-process starts for the warm start-up figure (default: 100 full, 5 smoke)
              --listing-limit S       cut a UIDL + LIST session off after S seconds (default: 120)
              --out DIR               report and work directories (default: pop3-bench/target/bench-<mode>)
              --fixture DIR           fixture to build or reuse (default: pop3-bench/target/fixture-<mode>)
              --poplar-jar PATH       Poplar's standalone server (default: examples/target/poplar-server.jar)
              --poplar-cds on|off     map a class-data archive made from the jar, as bin/poplar does (default: on)
              --canned-binary PATH    compiled canned-reply server (default: pop3-bench/target/pop3-canned)
              --dovecot-binary PATH   dovecot executable (default: dovecot)
              --dovecot-user NAME     system user for Dovecot's mail processes (default: poplarbench)
              --server-jvm-opts OPTS  options of every server JVM (default: -Xmx4g)
              --subject NAME          whose ratios to the others are shown (default: poplar)
              --ceiling-fraction F    flag figures within F of the generator's ceiling (default: 0.8)
              --generator G[,G]       load generator of the session and RETR loads, c or java; a second one adds
                                      its own rows as a cross-check (default: c)
              --load-binary PATH      compiled C load generator (default: pop3-bench/target/pop3-load)
              --client-tls-protocols P  TLS protocols the Java generator offers, e.g. TLSv1.2 (default: the JDK's)
              --soak-seconds S        length of the soak of Poplar, warm-up included (default: 600 full, 8 smoke)
              --soak-clients N        client threads of the soak, one mailbox each (default: 8 full, 4 smoke)
              --soak-sample-seconds S time between readings of the server under the soak (default: 30 full, 2 smoke)
              --quiet                 no progress lines
            """;

    /**
     * Parses the command line; relative default paths are resolved against {@code repoRoot}.
     *
     * @throws IllegalArgumentException with a one-line message for any mistake
     */
    static BenchOptions parse(String[] args, Path repoRoot) {
        boolean smoke = true;
        String targets = null;
        String loads = String.join(",", LOADS);
        Integer runs = null;
        Double seconds = null;
        Integer warmStarts = null;
        double listingLimit = 120;
        Path out = null;
        Path fixture = null;
        Path poplarJar = repoRoot.resolve("examples/target/poplar-server.jar");
        boolean poplarCds = true;
        Path canned = repoRoot.resolve("pop3-bench/target/pop3-canned");
        String dovecot = "dovecot";
        String dovecotUser = "poplarbench";
        String jvmOpts = "-Xmx4g";
        String subject = "poplar";
        double fraction = 0.8;
        boolean quiet = false;
        String clientTls = "";
        String generators = null;
        Path loadBinary = repoRoot.resolve("pop3-bench/target/pop3-load");
        Double soakSeconds = null;
        Integer soakClients = null;
        Double soakSample = null;
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            switch (option) {
                case "--smoke" -> smoke = true;
                case "--full" -> smoke = false;
                case "--quiet" -> quiet = true;
                case "--targets" -> targets = value(option, rest);
                case "--loads" -> loads = value(option, rest);
                case "--runs" -> runs = positive(option, value(option, rest));
                case "--session-seconds" -> seconds = positiveDecimal(option, value(option, rest));
                case "--warm-starts" -> warmStarts = positive(option, value(option, rest));
                case "--listing-limit" -> listingLimit = positiveDecimal(option, value(option, rest));
                case "--out" -> out = Path.of(value(option, rest)).toAbsolutePath();
                case "--fixture" -> fixture = Path.of(value(option, rest)).toAbsolutePath();
                case "--poplar-jar" -> poplarJar = Path.of(value(option, rest));
                case "--poplar-cds" -> {
                    String cds = value(option, rest);
                    if (!cds.equals("on") && !cds.equals("off")) {
                        throw new IllegalArgumentException("--poplar-cds takes on or off, not '" + cds + "'");
                    }
                    poplarCds = cds.equals("on");
                }
                case "--canned-binary" -> canned = Path.of(value(option, rest));
                case "--dovecot-binary" -> dovecot = value(option, rest);
                case "--dovecot-user" -> dovecotUser = value(option, rest);
                case "--server-jvm-opts" -> jvmOpts = value(option, rest);
                case "--subject" -> subject = value(option, rest);
                case "--generator" -> generators = value(option, rest);
                case "--load-binary" -> loadBinary = Path.of(value(option, rest)).toAbsolutePath();
                case "--soak-seconds" -> soakSeconds = positiveDecimal(option, value(option, rest));
                case "--soak-clients" -> soakClients = positive(option, value(option, rest));
                case "--soak-sample-seconds" -> soakSample = positiveDecimal(option, value(option, rest));
                case "--client-tls-protocols" -> {
                    clientTls = value(option, rest);
                    if (!clientTls.matches("TLSv1\\.[23](,TLSv1\\.[23])?")) {
                        throw new IllegalArgumentException(
                                "--client-tls-protocols takes TLSv1.3, TLSv1.2 or both, comma-separated, not '"
                                        + clientTls + "'");
                    }
                }
                case "--ceiling-fraction" -> {
                    fraction = positiveDecimal(option, value(option, rest));
                    if (fraction >= 1) {
                        throw new IllegalArgumentException("--ceiling-fraction must be below 1, not " + fraction);
                    }
                }
                case "--help", "-h" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown option '" + option + "' (see --help)");
            }
        }
        String mode = smoke ? "smoke" : "full";
        List<String> targetList = targets == null ? Targets.DEFAULT : names(targets, Targets.NAMES, "--targets");
        if (!Targets.NAMES.contains(subject)) {
            throw new IllegalArgumentException("--subject must be one of " + Targets.NAMES + ", not '" + subject + "'");
        }
        List<String> generatorList = ordered(generators != null ? generators : "c", GENERATORS,
                "--generator");
        List<String> jvm = jvmOpts.isBlank() ? List.of() : List.of(jvmOpts.trim().split("\\s+"));
        return new BenchOptions(smoke, targetList, targets != null,
                new LinkedHashSet<>(names(loads, LOADS, "--loads")),
                runs != null ? runs : smoke ? 1 : 3,
                Duration.ofMillis(Math.round((seconds != null ? seconds : smoke ? 0.3 : 5.0) * 1000)),
                warmStarts != null ? warmStarts : smoke ? 5 : 100,
                Duration.ofMillis(Math.round(listingLimit * 1000)),
                out != null ? out : repoRoot.resolve("pop3-bench/target/bench-" + mode),
                fixture != null ? fixture : repoRoot.resolve("pop3-bench/target/fixture-" + mode),
                poplarJar, poplarCds, canned, dovecot, dovecotUser, jvm, subject, fraction, quiet, clientTls, generatorList,
                loadBinary, seconds(soakSeconds != null ? soakSeconds : smoke ? 8 : 600),
                soakClients != null ? soakClients : smoke ? 4 : 8,
                seconds(soakSample != null ? soakSample : smoke ? 2 : 30));
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** The fixture sizes of the mode. */
    FixtureSpec fixtureSpec() {
        return smoke ? FixtureSpec.smoke() : FixtureSpec.full();
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return rest.remove(0);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new IllegalArgumentException(option + " must be a positive whole number, not '" + value + "'");
    }

    private static double positiveDecimal(String option, String value) {
        try {
            double d = Double.parseDouble(value);
            if (d > 0 && !Double.isInfinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new IllegalArgumentException(option + " must be a positive number, not '" + value + "'");
    }

    private static List<String> names(String list, List<String> known, String option) {
        List<String> names = ordered(list, known, option);
        return known.stream().filter(names::contains).toList();
    }

    /** Known names in the order given, without repeats. */
    private static List<String> ordered(String list, List<String> known, String option) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",")) {
            String n = name.trim();
            if (!known.contains(n)) {
                throw new IllegalArgumentException(option + ": unknown name '" + n + "'; known: "
                        + String.join(", ", known));
            }
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        return names;
    }
}
