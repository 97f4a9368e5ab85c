package io.gatehouse.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Socket.IO benchmark peer under bench/peers/socketio is a working Socket.IO server with the
 * benchmark subset: its own smoke check (node smoke.js) starts it on a free loopback port and
 * runs its checks with socket.io-client and raw Engine.IO frames. Needs Node.js and npm (CI
 * installs them); fails, not skips, without them.
 */
class SocketIoPeerTest {
    static final Path PEER = PeerProcess.PEERS.resolve("socketio");

    @Test
    void theSocketIoPeerPassesItsProtocolChecks() throws Exception {
        assertThat(PEER.resolve("server.js")).exists();
        PeerProcess.npmCi(PEER);

        assertThat(PeerProcess.run(PEER, List.of("node", "smoke.js"), 60))
                .as("node smoke.js")
                .isZero();
    }
}
