package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.jwk.JWK;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real JWKS endpoint on a free loopback port (the JDK's HTTP server), whose answer a test changes: a key set, an
 * error status, any body, or no answer at all.
 */
final class JwksServer implements AutoCloseable {

    /** What the endpoint does with the next requests. */
    sealed interface Behaviour permits Serve, Fail, Hang, Redirect {
    }

    record Serve(String body) implements Behaviour {
    }

    record Fail(int status) implements Behaviour {
    }

    record Hang() implements Behaviour {
    }

    record Redirect(URI location) implements Behaviour {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicReference<Behaviour> behaviour;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    JwksServer(JWK... keys) {
        this.behaviour = new AtomicReference<>(new Serve(TestKeys.jwks(keys)));
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/jwks", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    }

    void serve(JWK... keys) {
        behaviour.set(new Serve(TestKeys.jwks(keys)));
    }

    void serveBody(String body) {
        behaviour.set(new Serve(body));
    }

    void fail(int status) {
        behaviour.set(new Fail(status));
    }

    void hang() {
        behaviour.set(new Hang());
    }

    void redirect(URI location) {
        behaviour.set(new Redirect(location));
    }

    /** How many requests the endpoint has received. */
    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            Behaviour now = behaviour.get();
            if (now instanceof Hang) {
                closed.await();
            } else if (now instanceof Fail fail) {
                exchange.sendResponseHeaders(fail.status(), -1);
            } else if (now instanceof Redirect redirect) {
                exchange.getResponseHeaders().set("Location", redirect.location().toString());
                exchange.sendResponseHeaders(302, -1);
            } else if (now instanceof Serve serve) {
                byte[] body = serve.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
