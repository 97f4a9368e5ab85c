package io.gatehouse.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay to {@code 127.0.0.1:TARGET}, for a test that takes a dependency (Redis, the
 * server under a client) away and gives it back: {@link #cut} closes every relayed connection and refuses new ones, {@link #resume}
 * accepts again on the same port.
 */
public final class TcpRelay implements AutoCloseable {
    private final int target;
    private final int port;
    /** Sockets of both sides; closed by {@link #cut}. */
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** Guarded by this. */
    private ServerSocket listening;

    public TcpRelay(int target) {
        this.target = target;
        this.port = listen(0);
    }

    public int port() {
        return port;
    }

    /**
     * Resets every relayed connection, as when a network path dies (no close frame: a WebSocket
     * client sees 1006); new ones are refused until {@link #resume}.
     */
    public synchronized void cut() {
        closeQuietly(listening);
        listening = null;
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0); // a reset, not an orderly close
            } catch (IOException e) {
                // closed already
            }
            closeQuietly(s);
        }
        open.clear();
    }

    /** Accepts connections on {@link #port} again. */
    public synchronized void resume() {
        if (listening == null) {
            listen(port);
        }
    }

    private synchronized int listen(int on) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), on));
            listening = server;
            Thread accepter = new Thread(() -> accept(server), "tcp-relay-accept");
            accepter.setDaemon(true);
            accepter.start();
            return server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return; // closed by cut() or close()
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // one side closed: close the other below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }
}
