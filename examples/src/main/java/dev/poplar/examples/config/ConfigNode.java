package dev.poplar.examples.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A configuration document as a tree: mappings, sequences and scalars, each with its {@link Origin}. Read from a YAML
 * file by {@link YamlConfig}, or built in code (from command-line flags) with {@link Mapping#builder(Origin)}.
 * Immutable.
 */
public sealed interface ConfigNode permits ConfigNode.Scalar, ConfigNode.Mapping, ConfigNode.Sequence {

    /**
     * Where this node was written.
     *
     * @return the origin
     */
    Origin origin();

    /**
     * The node without origins, as strings, lists and maps: two nodes with equal plain forms say the same thing.
     *
     * @return a {@code String} (or {@code null}), {@code List} or {@code Map}
     */
    Object plain();

    /**
     * What kind of node this is, for messages.
     *
     * @return {@code "a value"}, {@code "a section"} or {@code "a list"}
     */
    String kind();

    /**
     * A single value. YAML's {@code null} ({@code ~} or nothing after the colon) has {@code text} empty and
     * {@code isNull} true.
     *
     * @param text the text as written (quotes removed)
     * @param isNull whether the value was left empty or written as {@code null}
     * @param origin where it was written
     */
    record Scalar(String text, boolean isNull, Origin origin) implements ConfigNode {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if a field is null
         */
        public Scalar {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(origin, "origin");
        }

        /**
         * A value given in code.
         *
         * @param text the value
         * @param origin where it came from
         * @return the scalar
         */
        public static Scalar of(String text, Origin origin) {
            return new Scalar(text, false, origin);
        }

        @Override
        public Object plain() {
            return isNull ? null : text;
        }

        @Override
        public String kind() {
            return "a value";
        }
    }

    /**
     * A key of a mapping with its value.
     *
     * @param key the key
     * @param keyOrigin where the key was written
     * @param value the value
     */
    record Entry(String key, Origin keyOrigin, ConfigNode value) {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if a field is null
         */
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(keyOrigin, "keyOrigin");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Keys with values, in the order written. Keys are unique ({@link YamlConfig} reports duplicates).
     *
     * @param entries the entries
     * @param origin where the mapping starts
     */
    record Mapping(List<Entry> entries, Origin origin) implements ConfigNode {
        /**
         * Copies the entries.
         *
         * @throws NullPointerException if a field is null
         */
        public Mapping {
            entries = List.copyOf(entries);
            Objects.requireNonNull(origin, "origin");
        }

        /**
         * The entry of a key.
         *
         * @param key the key
         * @return the entry, or empty if the key is not there
         */
        public Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst();
        }

        @Override
        public Object plain() {
            Map<String, Object> plain = new LinkedHashMap<>();
            entries.forEach(e -> plain.put(e.key(), e.value().plain()));
            return plain;
        }

        @Override
        public String kind() {
            return "a section";
        }

        /**
         * Starts building a mapping in code.
         *
         * @param origin where the mapping comes from
         * @return a builder
         */
        public static Builder builder(Origin origin) {
            return new Builder(origin);
        }

        /** Builds a {@link Mapping} in code. Not thread-safe. */
        public static final class Builder {
            private final Origin origin;
            private final Map<String, Object> entries = new LinkedHashMap<>();

            private Builder(Origin origin) {
                this.origin = origin;
            }

            /**
             * Sets a value.
             *
             * @param key the key
             * @param value the value
             * @param from where the value comes from (a command-line flag, say)
             * @return this builder
             */
            public Builder put(String key, String value, Origin from) {
                entries.put(key, Scalar.of(value, from));
                return this;
            }

            /**
             * Sets a node.
             *
             * @param key the key
             * @param node the value
             * @return this builder
             */
            public Builder put(String key, ConfigNode node) {
                entries.put(key, node);
                return this;
            }

            /**
             * The builder of the mapping under a key, created empty (with this builder's origin) the first time.
             *
             * @param key the key
             * @return the nested builder
             * @throws IllegalStateException if the key holds something else
             */
            public Builder section(String key) {
                Object existing = entries.computeIfAbsent(key, k -> new Builder(origin));
                if (existing instanceof Builder nested) {
                    return nested;
                }
                throw new IllegalStateException(key + " is not a section");
            }

            /**
             * Builds the mapping.
             *
             * @return the mapping
             */
            public Mapping build() {
                List<Entry> built = new ArrayList<>();
                entries.forEach((key, value) -> built.add(new Entry(key, origin,
                        value instanceof Builder b ? b.build() : (ConfigNode) value)));
                return new Mapping(built, origin);
            }
        }
    }

    /**
     * A list of nodes.
     *
     * @param items the items
     * @param origin where the list starts
     */
    record Sequence(List<ConfigNode> items, Origin origin) implements ConfigNode {
        /**
         * Copies the items.
         *
         * @throws NullPointerException if a field is null
         */
        public Sequence {
            items = List.copyOf(items);
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public Object plain() {
            return items.stream().map(ConfigNode::plain).toList();
        }

        @Override
        public String kind() {
            return "a list";
        }
    }
}
