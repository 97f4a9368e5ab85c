package io.gatehouse.peers;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark peer under bench/peers/fastapi (FastAPI + uvicorn) passes the same 26 protocol
 * checks as the Node.js peer (node-ws/smoke.js). Needs Debian's python3 with its FastAPI stack,
 * and Node.js and npm for the smoke (CI installs them); fails, not skips, without them.
 */
class FastApiPeerTest {
    @Test
    void theFastApiPeerPassesTheNodePeersProtocolChecks() throws Exception {
        PythonPeerSmoke.requireModules(
                List.of("fastapi", "uvicorn", "jwt", "websockets", "uvloop", "httptools"),
                "python3-fastapi python3-uvicorn python3-jwt python3-websockets python3-uvloop python3-httptools");
        PythonPeerSmoke.assertSmokePasses("fastapi", PythonPeerSmoke.python() + " server.py");
    }
}
