package dev.poplar.pop3.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free loopback port in front of a server, for network faults: {@link #partition()} stops carrying
 * bytes in both directions without closing anything (packets dropped, as on a cut link: both ends wait), and
 * {@link #heal()} drops every connection that lived through the partition and carries new ones again.
 *
 * <p>Two threads per connection copy the bytes. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean partitioned;
    private volatile boolean closed;

    /**
     * Starts the proxy.
     *
     * @param targetPort the loopback port of the server behind it
     * @throws IOException if it cannot listen
     */
    public TcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * The proxy's port.
     *
     * @return the loopback port clients connect to
     */
    public int port() {
        return listener.getLocalPort();
    }

    /** Stops carrying bytes; connections stay open and new ones are accepted but get no answer. */
    public void partition() {
        synchronized (gate) {
            partitioned = true;
        }
    }

    /** Drops the connections that lived through the partition and carries bytes again. */
    public void heal() {
        synchronized (gate) {
            for (Socket socket : sockets) {
                closeQuietly(socket);
            }
            sockets.clear();
            partitioned = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                sockets.add(client);
                sockets.add(server);
                Thread connector = new Thread(() -> connect(client, server), "proxy-connect");
                connector.setDaemon(true);
                connector.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("proxy: " + e);
                }
            }
        }
    }

    private void connect(Socket client, Socket server) {
        try {
            awaitOpenGate();
            server.connect(target);
            pump(client, server);
            pump(server, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (!awaitOpenGate() || from.isClosed()) {
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // The connection ended or was dropped.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    /** Waits while partitioned; false if the proxy closed meanwhile. */
    private boolean awaitOpenGate() throws InterruptedException {
        synchronized (gate) {
            while (partitioned && !closed) {
                gate.wait();
            }
            return !closed;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already broken.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        synchronized (gate) {
            gate.notifyAll();
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }
}
