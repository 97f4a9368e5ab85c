package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM drains (SPEC §7): 1012 to every client with its own retry_after_ms, then exit 0. */
class ShutdownTest {
    @TempDir
    Path dir;

    @Test
    void sigtermClosesEveryClientWith1012AndDifferentDelaysThenExitsZero() throws Exception {
        ProcessBuilder pb = io.gatehouse.testing.ChildJvm.gatehouse(
                "serve", "--port", "0", "--data-dir", dir.resolve("data").toString());
        pb.environment().put("GATEHOUSE_SHUTDOWN_DRAIN", "1s");
        pb.environment().put("GATEHOUSE_AUTH_JWT_SECRET", TestGatehouse.SECRET);
        pb.redirectErrorStream(false);
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process server = pb.start();
        try {
            String url = null;
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (url == null && System.nanoTime() < deadline) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                if (line.startsWith("listening on ")) {
                    url = line.substring("listening on ".length());
                }
            }
            assertThat(url).as("the server said where it listens").isNotNull();
            URI ws = URI.create(url.replace("http://", "ws://") + "/ws");
            List<WsRecorder> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                WsRecorder c = WsRecorder.connect(ws, "Authorization", "Bearer " + Jwts.hs256For("user" + i));
                c.awaitType("connection_established");
                clients.add(c);
            }
            server.destroy(); // SIGTERM
            Set<String> delays = new HashSet<>();
            for (WsRecorder c : clients) {
                WsRecorder.Close close = c.awaitClose();
                assertThat(close.code()).isEqualTo(1012);
                assertThat(close.reason()).matches("SERVER_SHUTTING_DOWN retry_after_ms=\\d+");
                delays.add(close.reason());
                c.close();
            }
            assertThat(delays).as("each client is told its own delay").hasSizeGreaterThan(1);
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isZero();
            // The access log was flushed before exit: every connection's row has its 1012.
            var config = io.gatehouse.config.ConfigLoader.load(new io.gatehouse.config.ConfigSources()
                    .flag(io.gatehouse.config.ConfigKey.DATA_DIR, dir.resolve("data"), "--data-dir"));
            try (var db = io.gatehouse.DataDirectory.openDatabase(config);
                    var c = db.dataSource().getConnection();
                    var rs = c.createStatement()
                            .executeQuery("SELECT COUNT(*) FROM access_log WHERE close_code = 1012")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(4);
            }
        } finally {
            server.destroyForcibly();
        }
    }
}
