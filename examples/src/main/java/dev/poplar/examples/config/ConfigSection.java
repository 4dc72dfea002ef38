package dev.poplar.examples.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads one mapping of a configuration: typed values by key, each problem recorded with its line (or flag), and
 * at the end every key nobody asked for reported as unknown, with the closest known key as a suggestion. The keys a
 * reader asks for are the known keys: there is no separate list to keep in step.
 *
 * <p>Problems are collected, not thrown, so that one pass reports them all; {@link #check()} throws them. A setter
 * given to a typed read ({@code integer("max_connections", 1, MAX, builder::maxConnections)}) is called with the
 * value, and an {@link IllegalArgumentException}, {@link IllegalStateException} or {@link NullPointerException} it
 * throws becomes a problem at that key. A library's {@code build()} that refuses a setting by its Java name
 * ({@code lockHeartbeat must be positive}) is mapped back to the key by {@link #blame(String)}: keys are the
 * builder methods' names in snake_case.
 *
 * <p>String values may hold {@code ${env:NAME}}, replaced by the environment variable ({@code $${} writes a literal
 * {@code ${}). Secrets ({@link #secret}) may come from the key itself or from a file named by {@code KEY_file}.
 * Relative paths are resolved against the configuration file's directory.
 *
 * <p>Not thread-safe: one reader at a time.
 */
public final class ConfigSection {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\$\\{|\\$\\{([^}]*)}");
    private static final Pattern ENV_NAME = Pattern.compile("env:([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern ISO_DURATION = Pattern.compile("\\bPT((?:[0-9.]+[HMS])+)\\b");
    private static final Pattern DURATIONS = Pattern.compile("(\\d+(ms|s|m|h|d))+");

    /** What all sections of one reading share. */
    private static final class Reading {
        final List<ConfigProblem> problems = new ArrayList<>();
        final List<ConfigSection> sections = new ArrayList<>();
        final Path baseDir;
        final Function<String, String> environment;

        Reading(Path baseDir, Function<String, String> environment) {
            this.baseDir = baseDir;
            this.environment = environment;
        }
    }

    private final ConfigNode.Mapping mapping;
    private final String path;
    private final Reading reading;
    private final Set<String> asked = new LinkedHashSet<>();
    /** The paths read, by key, for {@link #blame} to find a file a library's message names. */
    private final Map<String, String> paths = new LinkedHashMap<>();

    private ConfigSection(ConfigNode.Mapping mapping, String path, Reading reading) {
        this.mapping = mapping;
        this.path = path;
        this.reading = reading;
        reading.sections.add(this);
    }

    /**
     * Starts reading a document.
     *
     * @param root the root mapping
     * @param baseDir the directory relative paths are resolved against (the configuration file's)
     * @param environment looks up environment variables (null when unset), e.g. {@code System::getenv}
     * @return the root section
     */
    public static ConfigSection root(ConfigNode.Mapping root, Path baseDir, Function<String, String> environment) {
        return new ConfigSection(root, "", new Reading(baseDir, environment));
    }

    /**
     * The path of this section, e.g. {@code store.maildir} or {@code listeners[2]}; empty for the root.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * Where this section starts.
     *
     * @return the origin
     */
    public Origin origin() {
        return mapping.origin();
    }

    /**
     * The mapping read.
     *
     * @return the mapping
     */
    public ConfigNode.Mapping node() {
        return mapping;
    }

    /**
     * Whether a key is given (with a value other than null). The key counts as known.
     *
     * @param key the key
     * @return whether it is given
     */
    public boolean has(String key) {
        return node(key).isPresent();
    }

    /**
     * A string value. Empty strings are refused.
     *
     * @param key the key
     * @return the value with environment variables replaced, or empty if not given (or refused)
     */
    public Optional<String> string(String key) {
        return scalar(key).flatMap(s -> {
            Optional<String> text = expand(key, s);
            if (text.isPresent() && text.get().isEmpty()) {
                problem(key, "must not be empty");
                return Optional.empty();
            }
            return text;
        });
    }

    /**
     * Reads a string value and passes it to a setter.
     *
     * @param key the key
     * @param setter receives the value if given; what it throws becomes a problem at the key
     */
    public void string(String key, Consumer<String> setter) {
        string(key).ifPresent(v -> set(key, v, setter));
    }

    /**
     * A whole number within bounds.
     *
     * @param key the key
     * @param min the least value
     * @param max the greatest value
     * @return the value, or empty if not given (or refused)
     */
    public Optional<Integer> integer(String key, int min, int max) {
        return longInteger(key, min, max).map(Long::intValue);
    }

    /**
     * Reads a whole number and passes it to a setter.
     *
     * @param key the key
     * @param min the least value
     * @param max the greatest value
     * @param setter receives the value if given; what it throws becomes a problem at the key
     */
    public void integer(String key, int min, int max, Consumer<Integer> setter) {
        integer(key, min, max).ifPresent(v -> set(key, v, setter));
    }

    /**
     * A whole number within bounds, as a {@code long}.
     *
     * @param key the key
     * @param min the least value
     * @param max the greatest value
     * @return the value, or empty if not given (or refused)
     */
    public Optional<Long> longInteger(String key, long min, long max) {
        return string(key).flatMap(text -> {
            long value;
            try {
                value = Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException e) {
                problem(key, "must be a whole number: " + text);
                return Optional.empty();
            }
            if (value < min || value > max) {
                problem(key, "must be " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                        ? "at least " + min : "between " + min + " and " + max) + ": " + text);
                return Optional.empty();
            }
            return Optional.of(value);
        });
    }

    /**
     * Reads a whole number as a {@code long} and passes it to a setter.
     *
     * @param key the key
     * @param min the least value
     * @param max the greatest value
     * @param setter receives the value if given; what it throws becomes a problem at the key
     */
    public void longInteger(String key, long min, long max, Consumer<Long> setter) {
        longInteger(key, min, max).ifPresent(v -> set(key, v, setter));
    }

    /**
     * {@code true} or {@code false}.
     *
     * @param key the key
     * @return the value, or empty if not given (or refused)
     */
    public Optional<Boolean> bool(String key) {
        return string(key).flatMap(text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> {
                problem(key, "must be true or false: " + text);
                yield Optional.empty();
            }
        });
    }

    /**
     * Reads {@code true} or {@code false} and passes it to a setter.
     *
     * @param key the key
     * @param setter receives the value if given; what it throws becomes a problem at the key
     */
    public void bool(String key, Consumer<Boolean> setter) {
        bool(key).ifPresent(v -> set(key, v, setter));
    }

    /**
     * A duration: numbers with units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}, e.g. {@code 30s},
     * {@code 10m}, {@code 1h30m}; or {@code 0}.
     *
     * @param key the key
     * @return the value, or empty if not given (or refused)
     */
    public Optional<Duration> duration(String key) {
        return string(key).flatMap(text -> {
            String t = text.replace(" ", "").toLowerCase(Locale.ROOT);
            if (t.equals("0")) {
                return Optional.of(Duration.ZERO);
            }
            if (!DURATIONS.matcher(t).matches()) {
                problem(key, "must be a duration such as 30s, 10m, 2h or 1h30m: " + text);
                return Optional.empty();
            }
            Duration total = Duration.ZERO;
            Matcher m = DURATION.matcher(t);
            try {
                while (m.find()) {
                    long n = Long.parseLong(m.group(1));
                    total = total.plus(switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
                }
            } catch (ArithmeticException | NumberFormatException e) {
                problem(key, "is too long: " + text);
                return Optional.empty();
            }
            return Optional.of(total);
        });
    }

    /**
     * Reads a duration and passes it to a setter.
     *
     * @param key the key
     * @param setter receives the value if given; what it throws becomes a problem at the key
     */
    public void duration(String key, Consumer<Duration> setter) {
        duration(key).ifPresent(v -> set(key, v, setter));
    }

    /**
     * A file or directory, resolved against the configuration file's directory. Whether it exists is not checked.
     *
     * @param key the key
     * @return the path, or empty if not given (or refused)
     */
    public Optional<Path> path(String key) {
        return string(key).flatMap(text -> {
            try {
                Path resolved = resolve(text);
                paths.put(key, resolved.toString());
                return Optional.of(resolved);
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
                return Optional.empty();
            }
        });
    }

    /**
     * Resolves a path written in the configuration against the configuration file's directory.
     *
     * @param text the path as written
     * @return the resolved path
     * @throws IllegalArgumentException if it is not a valid path
     */
    public Path resolve(String text) {
        try {
            return reading.baseDir.resolve(text).normalize();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("is not a valid path: " + text, e);
        }
    }

    /**
     * Reads a path and passes it to a setter.
     *
     * @param key the key
     * @param setter receives the path if given; what it throws becomes a problem at the key
     */
    public void path(String key, Consumer<Path> setter) {
        path(key).ifPresent(v -> set(key, v, setter));
    }

    /**
     * A secret: given as {@code KEY: value} (usually {@code ${env:NAME}}) or read from the file named by
     * {@code KEY_file} (its first line, without the line end). Not both. The secret never appears in a problem.
     *
     * @param key the key, e.g. {@code password}; {@code password_file} is its file form
     * @return the secret, or empty if neither is given (or refused)
     */
    public Optional<String> secret(String key) {
        String fileKey = key + "_file";
        boolean inline = has(key);
        boolean inFile = has(fileKey);
        if (inline && inFile) {
            problem(fileKey, "give " + key + " or " + fileKey + ", not both");
            return Optional.empty();
        }
        if (inline) {
            return string(key);
        }
        return path(fileKey).flatMap(file -> {
            try {
                String content = Files.readString(file);
                int end = content.indexOf('\n');
                String first = (end < 0 ? content : content.substring(0, end)).replace("\r", "");
                if (first.isEmpty()) {
                    problem(fileKey, file + " is empty");
                    return Optional.empty();
                }
                return Optional.of(first);
            } catch (IOException e) {
                problem(fileKey, "cannot read " + file + ": " + e.getClass().getSimpleName());
                return Optional.empty();
            }
        });
    }

    /**
     * One of an enum's constants, written in lower case ({@code bouncy_castle} for {@code BOUNCY_CASTLE}).
     *
     * @param key the key
     * @param type the enum
     * @param <E> the enum type
     * @return the constant, or empty if not given (or refused)
     */
    public <E extends Enum<E>> Optional<E> choice(String key, Class<E> type) {
        return string(key).flatMap(text -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(text.replace('-', '_'))) {
                    return Optional.of(constant);
                }
            }
            List<String> names = Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
            problem(key, "must be one of " + String.join(", ", names) + ": " + text + suggestion(text, names));
            return Optional.empty();
        });
    }

    /**
     * Reads one of an enum's constants and passes it to a setter.
     *
     * @param key the key
     * @param type the enum
     * @param setter receives the constant if given; what it throws becomes a problem at the key
     * @param <E> the enum type
     */
    public <E extends Enum<E>> void choice(String key, Class<E> type, Consumer<E> setter) {
        choice(key, type).ifPresent(v -> set(key, v, setter));
    }

    /**
     * One value or a list of values: {@code audience: mail} or {@code audience: [mail, pop3]}.
     *
     * @param key the key
     * @return the values, empty if not given
     */
    public List<String> strings(String key) {
        Optional<ConfigNode> node = node(key);
        if (node.isEmpty()) {
            return List.of();
        }
        if (node.get() instanceof ConfigNode.Sequence sequence) {
            List<String> values = new ArrayList<>();
            for (ConfigNode item : sequence.items()) {
                if (item instanceof ConfigNode.Scalar scalar && !scalar.isNull()) {
                    expand(key, scalar).ifPresent(values::add);
                } else {
                    add(item.origin(), qualified(key), "the list must hold values, not " + item.kind());
                }
            }
            return values;
        }
        return string(key).map(List::of).orElse(List.of());
    }

    /**
     * One value or a list of values, each passed to a setter; what the setter throws for an item becomes a problem at
     * that item's line: {@code trust: [192.0.2.0/24, 2001:db8::/32]}.
     *
     * @param key the key
     * @param setter receives each value, in order
     */
    public void strings(String key, Consumer<String> setter) {
        Optional<ConfigNode> node = node(key);
        if (node.isEmpty()) {
            return;
        }
        if (!(node.get() instanceof ConfigNode.Sequence sequence)) {
            string(key).ifPresent(v -> set(key, v, setter));
            return;
        }
        int index = 0;
        for (ConfigNode item : sequence.items()) {
            index++;
            String at = qualified(key) + "[" + index + "]";
            if (item instanceof ConfigNode.Scalar scalar && !scalar.isNull()) {
                Optional<String> value = expand(key, scalar);
                try {
                    value.ifPresent(setter);
                } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
                    add(item.origin(), at, keysFor(e.getMessage() == null ? "not accepted" : e.getMessage()));
                }
            } else {
                add(item.origin(), at, "the list must hold values, not " + item.kind());
            }
        }
    }

    /**
     * The section under a key.
     *
     * @param key the key
     * @return the section, or empty if not given (or not a mapping, which is a problem)
     */
    public Optional<ConfigSection> section(String key) {
        return node(key).flatMap(node -> {
            if (node instanceof ConfigNode.Mapping m) {
                return Optional.of(new ConfigSection(m, qualified(key), reading));
            }
            problem(key, "must be a section (key: value lines below it), not " + node.kind());
            return Optional.empty();
        });
    }

    /**
     * A list of sections: {@code listeners: [{port: 110}, {port: 995}]}, or the YAML block form with {@code -}.
     *
     * @param key the key
     * @return the sections, in order; empty if not given
     */
    public List<ConfigSection> sections(String key) {
        Optional<ConfigNode> node = node(key);
        if (node.isEmpty()) {
            return List.of();
        }
        if (!(node.get() instanceof ConfigNode.Sequence sequence)) {
            problem(key, "must be a list (lines starting with -), not " + node.get().kind());
            return List.of();
        }
        List<ConfigSection> sections = new ArrayList<>();
        int index = 0;
        for (ConfigNode item : sequence.items()) {
            index++;
            if (item instanceof ConfigNode.Mapping m) {
                sections.add(new ConfigSection(m, qualified(key) + "[" + index + "]", reading));
            } else {
                add(item.origin(), qualified(key) + "[" + index + "]", "must be a section, not " + item.kind());
            }
        }
        return sections;
    }

    /**
     * A mapping of free names to values, such as logger names to levels. Its keys are not checked.
     *
     * @param key the key
     * @return the names and values, in order; empty if not given
     */
    public Map<String, String> pairs(String key) {
        Map<String, String> pairs = new LinkedHashMap<>();
        section(key).ifPresent(section -> {
            for (ConfigNode.Entry e : section.mapping.entries()) {
                section.string(e.key()).ifPresent(v -> pairs.put(e.key(), v));
            }
        });
        return pairs;
    }

    /**
     * Records a problem with a key's value (at the value, or at this section if the key is not given).
     *
     * @param key the key
     * @param message what is wrong
     */
    public void problem(String key, String message) {
        Origin at = mapping.entry(key).map(e -> e.value().origin()).orElse(mapping.origin());
        add(at, qualified(key), message);
    }

    /**
     * Records a problem with this section as a whole.
     *
     * @param message what is wrong
     */
    public void problem(String message) {
        add(mapping.origin(), path, message);
    }

    /**
     * Records a problem that a library reported in its own words, at the key it concerns: the key whose camelCase
     * name starts the message ({@code lockHeartbeat must be positive} for {@code lock_heartbeat}), else a key whose
     * path the message quotes, else this section. Setting names in the message are written as keys.
     *
     * @param message the library's message
     */
    public void blame(String message) {
        String text = message == null ? "invalid" : message;
        String first = text.split("[^A-Za-z0-9_]", 2)[0];
        for (String key : asked) {
            if (camel(key).equals(first) || key.equals(first)) {
                problem(key, keysFor(text.startsWith(first + ": ") ? text.substring(first.length() + 2)
                        : text.startsWith(first + " must") ? text.substring(first.length() + 1) : text));
                return;
            }
        }
        for (Map.Entry<String, String> value : paths.entrySet()) {
            if (text.contains(value.getValue())) {
                problem(value.getKey(), keysFor(text));
                return;
            }
        }
        problem(keysFor(text));
    }

    /**
     * Runs an action that configures something with a key's value (read before); what it throws
     * ({@link IllegalArgumentException}, {@link IllegalStateException}, {@link NullPointerException}) becomes a
     * problem at the key.
     *
     * @param key the key
     * @param action the action
     */
    public void apply(String key, Runnable action) {
        set(key, action, Runnable::run);
    }

    /**
     * Whether a library's message names one of this section's keys by its builder name as its first word.
     *
     * @param message the message
     * @return whether {@link #blame(String)} would attribute it to a key of this section
     */
    public boolean knows(String message) {
        String first = (message == null ? "" : message).split("[^A-Za-z0-9_]", 2)[0];
        return asked.stream().anyMatch(key -> camel(key).equals(first) || key.equals(first));
    }

    /**
     * Reports every key of this section, and of every section read from the same document, that no reader asked
     * for. Call once, after reading everything.
     */
    public void finish() {
        for (ConfigSection section : reading.sections) {
            section.reportUnknownKeys();
        }
    }

    /**
     * Throws the problems recorded so far in this document, if any.
     *
     * @throws ConfigException with every problem
     */
    public void check() throws ConfigException {
        if (!reading.problems.isEmpty()) {
            throw new ConfigException(reading.problems);
        }
    }

    /**
     * Records a problem with a key's value found after reading (when a file named by it is used) and returns the
     * exception to throw.
     *
     * @param key the key
     * @param message what is wrong
     * @return an exception with this problem
     */
    public ConfigException failure(String key, String message) {
        int before = reading.problems.size();
        problem(key, message);
        return new ConfigException(reading.problems.subList(before, reading.problems.size()));
    }

    /**
     * Records a problem that a library reported (see {@link #blame(String)}) and returns the exception to throw.
     *
     * @param message the library's message
     * @return an exception with this problem
     */
    public ConfigException blamed(String message) {
        int before = reading.problems.size();
        blame(message);
        return new ConfigException(reading.problems.subList(before, reading.problems.size()));
    }

    /**
     * Whether any problem was recorded in this document.
     *
     * @return true if there is a problem
     */
    public boolean hasProblems() {
        return !reading.problems.isEmpty();
    }

    private void reportUnknownKeys() {
        for (ConfigNode.Entry e : mapping.entries()) {
            if (!asked.contains(e.key())) {
                String hint = suggestion(e.key(), asked);
                if (hint.isEmpty() && !asked.isEmpty() && asked.size() <= 16) {
                    hint = " (known here: " + String.join(", ", asked) + ")";
                }
                add(e.keyOrigin(), qualified(e.key()), "unknown key" + hint);
            }
        }
    }

    private <T> void set(String key, T value, Consumer<? super T> setter) {
        try {
            setter.accept(value);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            String message = e.getMessage() == null ? "not accepted" : e.getMessage();
            String first = message.split("[^A-Za-z0-9_]", 2)[0];
            problem(key, keysFor(camel(key).equals(first) && message.length() > first.length()
                    ? message.substring(first.length()).replaceFirst("^:? ", "") : message));
        }
    }

    private Optional<ConfigNode> node(String key) {
        asked.add(key);
        return mapping.entry(key).map(ConfigNode.Entry::value)
                .filter(v -> !(v instanceof ConfigNode.Scalar s && s.isNull()));
    }

    private Optional<ConfigNode.Scalar> scalar(String key) {
        return node(key).flatMap(node -> {
            if (node instanceof ConfigNode.Scalar s) {
                return Optional.of(s);
            }
            problem(key, "must be a value, not " + node.kind());
            return Optional.empty();
        });
    }

    private Optional<String> expand(String key, ConfigNode.Scalar scalar) {
        Matcher m = VARIABLE.matcher(scalar.text());
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String replacement;
            if (m.group().equals("$${")) {
                replacement = "${";
            } else {
                Matcher name = ENV_NAME.matcher(m.group(1));
                if (!name.matches()) {
                    add(scalar.origin(), qualified(key), "${" + m.group(1) + "} is not a variable: write "
                            + "${env:NAME} for an environment variable, or $${ for a literal ${");
                    ok = false;
                    replacement = "";
                } else {
                    String value = reading.environment.apply(name.group(1));
                    if (value == null) {
                        add(scalar.origin(), qualified(key), "environment variable " + name.group(1)
                                + " is not set");
                        ok = false;
                        replacement = "";
                    } else {
                        replacement = value;
                    }
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return ok ? Optional.of(out.toString()) : Optional.empty();
    }

    private String keysFor(String message) {
        String result = message;
        for (String key : asked) {
            if (key.contains("_")) {
                result = result.replaceAll("\\b" + Pattern.quote(camel(key)) + "\\b", key);
            }
        }
        // Durations as this file writes them: PT1H30M is 1h30m.
        Matcher iso = ISO_DURATION.matcher(result);
        StringBuilder out = new StringBuilder();
        while (iso.find()) {
            iso.appendReplacement(out, Matcher.quoteReplacement(iso.group(1).toLowerCase(Locale.ROOT)));
        }
        iso.appendTail(out);
        return out.toString();
    }

    private String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private void add(Origin origin, String setting, String message) {
        reading.problems.add(new ConfigProblem(origin, setting, message));
    }

    /**
     * A key's builder-method name: {@code max_connections_per_address} is {@code maxConnectionsPerAddress}.
     *
     * @param key a snake_case key
     * @return the camelCase name
     */
    static String camel(String key) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /**
     * A " (did you mean X?)" for the known name closest to what was written, if one is close; else empty.
     *
     * @param written what was written
     * @param known the known names
     * @return the hint, or an empty string
     */
    static String suggestion(String written, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(written.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, written.length() / 4);
        if (best != null && bestDistance <= allowed) {
            return " (did you mean " + best + "?)";
        }
        String lower = written.toLowerCase(Locale.ROOT);
        return known.stream().filter(k -> lower.length() >= 3 && k.toLowerCase(Locale.ROOT).contains(lower))
                .findFirst().map(k -> " (did you mean " + k + "?)").orElse("");
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    @Override
    public String toString() {
        return "ConfigSection[" + (path.isEmpty() ? "(root)" : path) + " at " + origin() + ", keys "
                + mapping.entries().stream().map(ConfigNode.Entry::key).collect(Collectors.joining(", ")) + "]";
    }
}
