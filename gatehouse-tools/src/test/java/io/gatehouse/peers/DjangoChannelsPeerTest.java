package io.gatehouse.peers;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark peer under bench/peers/django-channels (Django + Channels + daphne, in-memory
 * channel layer) passes the same 26 protocol checks as the Node.js peer (node-ws/smoke.js). Needs
 * Debian's python3 with Django, Channels and daphne, and Node.js and npm for the smoke (CI
 * installs them); fails, not skips, without them.
 */
class DjangoChannelsPeerTest {
    @Test
    void theDjangoChannelsPeerPassesTheNodePeersProtocolChecks() throws Exception {
        PythonPeerSmoke.requireModules(
                List.of("django", "channels", "daphne", "jwt"),
                "python3-django python3-django-channels python3-daphne python3-jwt");
        PythonPeerSmoke.assertSmokePasses(
                "django-channels",
                PythonPeerSmoke.python() + " -m daphne -b 127.0.0.1 -p \"$PEER_PORT\" -v 0"
                        + " --ping-interval 25 --ping-timeout 25 asgi:application");
    }
}
