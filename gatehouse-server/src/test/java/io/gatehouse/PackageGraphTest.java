package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of the server's main code form no cycle: a package may use another only if that
 * one does not, directly or through others, use it back. A dependency is an {@code import
 * io.gatehouse.…} (static and wildcard ones too) or a fully qualified {@code io.gatehouse.…} name
 * in the code; comments and string literals do not count. {@code io.gatehouse.protocol} is the
 * gatehouse-protocol module's package, a leaf here. The graph is written to
 * {@code target/package-graph.txt}, leaves first, so that it can be quoted.
 */
class PackageGraphTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Path REPORT = Path.of("target/package-graph.txt");
    private static final String ROOT = "io.gatehouse";

    /** {@code io.gatehouse} and lower-case segments, then a type (upper case) or a wildcard. */
    private static final Pattern REFERENCE =
            Pattern.compile("\\bio\\.gatehouse((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void mainPackagesFormNoCycle() throws IOException {
        Graph graph = Graph.of(MAIN);
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, graph.describe(), StandardCharsets.UTF_8);

        assertThat(graph.packages())
                .as("packages found under " + MAIN.toAbsolutePath())
                .contains(ROOT);
        assertThat(graph.cycles())
                .as("package cycles (each a strongly connected component, with the files behind each edge);"
                        + " the whole graph is in " + REPORT)
                .isEmpty();
    }

    @Test
    void aCycleThroughThreePackagesIsFound() {
        Graph graph = new Graph();
        graph.add("io.gatehouse.a", "io.gatehouse.b", "A.java");
        graph.add("io.gatehouse.b", "io.gatehouse.c", "B.java");
        graph.add("io.gatehouse.c", "io.gatehouse.a", "C.java");
        graph.add("io.gatehouse.c", "io.gatehouse.d", "C.java");

        assertThat(graph.cycles()).hasSize(1);
        assertThat(graph.cycles().get(0)).contains("io.gatehouse.a", "io.gatehouse.b", "io.gatehouse.c", "A.java");
        assertThat(graph.cycles().get(0)).doesNotContain("io.gatehouse.d");
    }

    @Test
    void commentsAndStringsAreNoDependency() {
        String code = "package io.gatehouse.a;\n"
                + "import io.gatehouse.b.B;\n"
                + "/** See {@link io.gatehouse.c.C}. */\n"
                + "class A { String s = \"io.gatehouse.d.D\"; char q = '\"'; // io.gatehouse.e.E\n"
                + " Object o = io.gatehouse.f.F.X; Object p = io.gatehouse.Root.Y; }\n";

        assertThat(references(code)).containsExactlyInAnyOrder("io.gatehouse.b", "io.gatehouse.f", "io.gatehouse");
    }

    /** The packages {@code source} refers to by import or fully qualified name. */
    static Set<String> references(String source) {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code(source));
        while (m.find()) {
            out.add(ROOT + m.group(1));
        }
        return out;
    }

    /** {@code source} with comments, string, text-block and character literals blanked out. */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? source.length() : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Packages and, per edge, the files that make it. */
    static final class Graph {
        /** Package to the packages it uses, each with the files that use it. */
        private final Map<String, Map<String, Set<String>>> edges = new TreeMap<>();

        static Graph of(Path sources) throws IOException {
            Graph graph = new Graph();
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(file, StandardCharsets.UTF_8);
                    Matcher declared = PACKAGE.matcher(source);
                    if (!declared.find()) {
                        continue;
                    }
                    String from = declared.group(1);
                    graph.edges.computeIfAbsent(from, k -> new TreeMap<>());
                    for (String to : references(source)) {
                        graph.add(from, to, sources.relativize(file).toString());
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return graph;
        }

        void add(String from, String to, String file) {
            edges.computeIfAbsent(to, k -> new TreeMap<>());
            if (!from.equals(to)) {
                edges.computeIfAbsent(from, k -> new TreeMap<>())
                        .computeIfAbsent(to, k -> new TreeSet<>())
                        .add(file);
            }
        }

        Set<String> packages() {
            return edges.keySet();
        }

        /** Each strongly connected component of more than one package, described with its edges. */
        List<String> cycles() {
            List<String> out = new ArrayList<>();
            for (List<String> component : components()) {
                if (component.size() > 1) {
                    StringBuilder b = new StringBuilder("cycle of " + component.size() + " packages:\n");
                    for (String from : component) {
                        edges.get(from).forEach((to, files) -> {
                            if (component.contains(to)) {
                                b.append("  ")
                                        .append(from)
                                        .append(" -> ")
                                        .append(to)
                                        .append("  ")
                                        .append(files)
                                        .append('\n');
                            }
                        });
                    }
                    out.add(b.toString());
                }
            }
            return out;
        }

        /** Every package and what it uses, leaves first (each package after all it uses, cycles aside). */
        String describe() {
            StringBuilder b = new StringBuilder(
                    "# Packages of gatehouse-server main code, each after the packages it uses (PackageGraphTest)\n");
            for (List<String> component : components()) {
                for (String from : component) {
                    b.append(from.equals(ROOT) ? ROOT : from.substring(ROOT.length() + 1))
                            .append(" -> ")
                            .append(String.join(
                                    ", ",
                                    edges.get(from).keySet().stream()
                                            .map(to -> to.equals(ROOT) ? "(root)" : to.substring(ROOT.length() + 1))
                                            .toList()))
                            .append(component.size() > 1 ? "   [CYCLE]" : "")
                            .append('\n');
                }
            }
            cycles().forEach(b::append);
            return b.toString();
        }

        /** Tarjan's strongly connected components, in reverse topological order (leaves first). */
        private List<List<String>> components() {
            Map<String, Integer> index = new HashMap<>();
            Map<String, Integer> low = new HashMap<>();
            Deque<String> stack = new ArrayDeque<>();
            Set<String> onStack = new TreeSet<>();
            List<List<String>> out = new ArrayList<>();
            for (String p : edges.keySet()) {
                if (!index.containsKey(p)) {
                    connect(p, index, low, stack, onStack, out);
                }
            }
            return out;
        }

        private void connect(
                String p,
                Map<String, Integer> index,
                Map<String, Integer> low,
                Deque<String> stack,
                Set<String> onStack,
                List<List<String>> out) {
            index.put(p, index.size());
            low.put(p, index.get(p));
            stack.push(p);
            onStack.add(p);
            for (String q : edges.get(p).keySet()) {
                if (!index.containsKey(q)) {
                    connect(q, index, low, stack, onStack, out);
                    low.put(p, Math.min(low.get(p), low.get(q)));
                } else if (onStack.contains(q)) {
                    low.put(p, Math.min(low.get(p), index.get(q)));
                }
            }
            if (low.get(p).equals(index.get(p))) {
                List<String> component = new ArrayList<>();
                String q;
                do {
                    q = stack.pop();
                    onStack.remove(q);
                    component.add(q);
                } while (!q.equals(p));
                component.sort(null);
                out.add(component);
            }
        }
    }
}
