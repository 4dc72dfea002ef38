package dev.poplar.examples.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a YAML 1.2 configuration file (SnakeYAML Engine, core schema) into a {@link ConfigNode} tree in which every
 * node knows its line and column. Only the document's structure is read: no object is constructed from it, so a
 * file cannot instantiate anything. The root must be a mapping; keys must be plain values and unique.
 */
public final class YamlConfig {

    /** Configuration files are small; a larger one is a mistake (or an attack on the parser). */
    private static final int MAX_CODE_POINTS = 1024 * 1024;

    private YamlConfig() {
    }

    /**
     * Reads a file.
     *
     * @param file the YAML file
     * @return the root mapping (empty for an empty file)
     * @throws ConfigException if the file cannot be read or is not a YAML mapping, with the line of each problem
     */
    public static ConfigNode.Mapping read(Path file) throws ConfigException {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(new Origin(name, 0, 0), "", "no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(new Origin(name, 0, 0), "", "not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(new Origin(name, 0, 0), "", "cannot be read: " + e.getMessage());
        }
        return parse(name, text);
    }

    /**
     * Reads YAML text.
     *
     * @param name the name to give in origins, usually the file name
     * @param text the YAML document
     * @return the root mapping (empty for an empty document)
     * @throws ConfigException if the text is not a YAML mapping, with the line of each problem
     */
    public static ConfigNode.Mapping parse(String name, String text) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(name).setSchema(new CoreSchema())
                .setAllowDuplicateKeys(true).setCodePointLimit(MAX_CODE_POINTS).build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Origin at = e.getProblemMark().or(e::getContextMark).map(m -> origin(name, m))
                    .orElse(new Origin(name, 0, 0));
            String context = e.getContext() == null ? "" : e.getContext() + ": ";
            throw new ConfigException(at, "", "not valid YAML: " + context + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(new Origin(name, 0, 0), "", "not valid YAML: " + e.getMessage());
        }
        if (root.isEmpty()) {
            return new ConfigNode.Mapping(List.of(), new Origin(name, 1, 1));
        }
        List<ConfigProblem> problems = new ArrayList<>();
        ConfigNode node = convert(name, root.get(), "", problems);
        if (!(node instanceof ConfigNode.Mapping mapping)) {
            problems.add(new ConfigProblem(node.origin(), "", "the file must be a YAML mapping (key: value lines), "
                    + "not " + node.kind()));
            throw new ConfigException(problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return mapping;
    }

    private static ConfigNode convert(String name, Node node, String path, List<ConfigProblem> problems) {
        Origin origin = node.getStartMark().map(m -> origin(name, m)).orElse(new Origin(name, 0, 0));
        if (node.isRecursive()) {
            problems.add(new ConfigProblem(origin, path, "an alias may not refer to a node that contains it"));
            return new ConfigNode.Scalar("", true, origin);
        }
        if (node instanceof ScalarNode scalar) {
            return new ConfigNode.Scalar(scalar.getValue(), scalar.getTag().equals(Tag.NULL), origin);
        }
        if (node instanceof SequenceNode sequence) {
            List<ConfigNode> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                items.add(convert(name, item, path + "[" + (items.size() + 1) + "]", problems));
            }
            return new ConfigNode.Sequence(items, origin);
        }
        if (node instanceof MappingNode mapping) {
            List<ConfigNode.Entry> entries = new ArrayList<>();
            Map<String, Origin> seen = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                Origin keyOrigin = keyNode.getStartMark().map(m -> origin(name, m)).orElse(origin);
                if (!(keyNode instanceof ScalarNode key) || key.getTag().equals(Tag.NULL)) {
                    problems.add(new ConfigProblem(keyOrigin, path, "a key must be a plain name"));
                    continue;
                }
                String keyPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                Origin first = seen.putIfAbsent(key.getValue(), keyOrigin);
                if (first != null) {
                    problems.add(new ConfigProblem(keyOrigin, keyPath, "given twice (first on line "
                            + first.line() + ")"));
                    continue;
                }
                entries.add(new ConfigNode.Entry(key.getValue(), keyOrigin,
                        convert(name, tuple.getValueNode(), keyPath, problems)));
            }
            return new ConfigNode.Mapping(entries, origin);
        }
        problems.add(new ConfigProblem(origin, path, "unsupported YAML node " + node.getNodeType()));
        return new ConfigNode.Scalar("", true, origin);
    }

    private static Origin origin(String name, Mark mark) {
        return new Origin(name, mark.getLine() + 1, mark.getColumn() + 1);
    }
}
