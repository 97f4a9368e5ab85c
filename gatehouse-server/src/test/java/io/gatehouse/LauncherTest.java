package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher, {@code ./gatehouse}, run by bash from a copy of the project's layout whose server
 * jar is a stand-in: a jar with no classes of its own whose main class is {@link EnvEcho}, found
 * through its manifest's class path. What the stand-in prints is what the server would have been
 * given.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    static final Path LAUNCHER = Path.of("..", "gatehouse");

    /** The stand-in server: prints the launcher's switch as the JVM sees it, and its arguments. */
    public static final class EnvEcho {
        public static void main(String[] args) {
            System.out.println("GATEHOUSE_CDS=" + System.getenv("GATEHOUSE_CDS") + " args=" + String.join(" ", args));
        }
    }

    @TempDir
    Path project;

    @Test
    void gatehouseCdsIsTheLaunchersSwitchAndNeverReachesTheServer() throws Exception {
        Path jar = standIn();

        String off = launch(Map.of("GATEHOUSE_CDS", "0"), "--version");
        String on = launch(Map.of(), "--version");

        // The server refuses GATEHOUSE_* names that are not configuration keys: the switch must not reach it.
        assertThat(off).isEqualTo("GATEHOUSE_CDS=null args=--version");
        assertThat(on).isEqualTo("GATEHOUSE_CDS=null args=--version");
        assertThat(jar.resolveSibling("gatehouse.jsa"))
                .as("the archive, made with the switch on")
                .exists();
    }

    @Test
    void gatehouseCdsZeroMakesNoArchive() throws Exception {
        Path jar = standIn();

        launch(Map.of("GATEHOUSE_CDS", "0"), "--version");

        assertThat(jar.resolveSibling("gatehouse.jsa")).doesNotExist();
    }

    /** Copies the launcher into {@link #project} and puts the stand-in at the server jar's place. */
    private Path standIn() throws Exception {
        Files.copy(LAUNCHER, project.resolve("gatehouse"));
        Path jar = Files.createDirectories(project.resolve("gatehouse-server/target"))
                .resolve("gatehouse.jar");
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, EnvEcho.class.getName());
        Path classes = Path.of(EnvEcho.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        main.put(Attributes.Name.CLASS_PATH, classes.toUri().toString());
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest and nothing else
        }
        return jar;
    }

    private String launch(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder("bash", project.resolve("gatehouse").toString());
        pb.command().addAll(List.of(args));
        pb.environment().remove("GATEHOUSE_CDS");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().putAll(env);
        Path err = project.resolve("launcher.err");
        pb.redirectError(err.toFile()); // find's complaints about the sources this copy lacks
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + "\n" + Files.readString(err)).isZero();
        return out;
    }
}
