package dev.poplar.pop3.auth.oauth.internal;

import com.nimbusds.jose.jwk.JWKSet;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Downloads a JWK set (RFC 7517 section 5) over HTTP(S) within a total time limit: connecting, waiting for the
 * answer and reading the body together take at most {@code timeout}, however slowly the server dribbles bytes.
 */
public final class JwksFetcher {

    /** Larger than any real key set (a few kilobytes), small enough to be harmless. */
    static final int MAX_BYTES = 1024 * 1024;

    private final URI uri;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * A fetcher for one URL.
     *
     * @param uri the key set's URL ({@code https}, or {@code http} on loopback)
     * @param timeout the time limit of one download, from connecting to the last byte
     */
    public JwksFetcher(URI uri, Duration timeout) {
        this.uri = uri;
        this.timeout = timeout;
        HttpClient.Builder client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                // A redirect is not followed: its target would escape the checks made on the configured URL
                // (https, or http to a loopback host only), and the keys decide who may log in.
                .followRedirects(HttpClient.Redirect.NEVER);
        // The JVM's proxy settings (https.proxyHost, http.nonProxyHosts ...) apply, as for other HTTP clients.
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            client.proxy(proxies);
        }
        this.client = client.build();
    }

    /**
     * The URL keys come from.
     *
     * @return the URL
     */
    public URI uri() {
        return uri;
    }

    /**
     * Downloads and parses the key set. Blocks at most the time limit.
     *
     * @return the public keys of the set (private and symmetric key material dropped)
     * @throws IOException if the server cannot be reached, answers other than {@code 200} (a redirect included: it is
     *     not followed), sends too much, or does not finish in time
     * @throws ParseException if the body is not a JWK set, or holds no public key
     */
    public JWKSet fetch() throws IOException, ParseException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> answer = client.sendAsync(request, info -> info.statusCode() == 200
                ? new LimitedBody(MAX_BYTES)
                : HttpResponse.BodySubscribers.replacing(new byte[0]));
        HttpResponse<byte[]> response;
        try {
            response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching the key set");
        } catch (ExecutionException e) {
            throw new IOException(describe(e.getCause()), e.getCause());
        }
        if (response.statusCode() / 100 == 3) {
            throw new IOException("HTTP status " + response.statusCode() + ", a redirect to "
                    + response.headers().firstValue("Location").orElse("(no Location)")
                    + ", which is not followed: configure the key set's own URL");
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP status " + response.statusCode());
        }
        JWKSet keys = JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8)).toPublicJWKSet();
        if (keys.isEmpty()) {
            throw new ParseException("no public key in the set", 0);
        }
        return keys;
    }

    private String describe(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "cannot connect within " + timeout.toMillis() + " ms";
        }
        if (failure instanceof ConnectException) {
            return "cannot connect" + (failure.getMessage() == null ? " (refused)" : ": " + failure.getMessage());
        }
        if (failure instanceof IOException && failure.getMessage() != null) {
            return failure.getMessage();
        }
        return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
}
