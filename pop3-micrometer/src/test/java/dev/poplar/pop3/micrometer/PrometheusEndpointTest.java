package dev.poplar.pop3.micrometer;

import dev.poplar.pop3.server.Pop3Event;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A Prometheus registry fed by a real server, scraped over HTTP from the endpoint. */
class PrometheusEndpointTest {

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    record Response(int status, String contentType, String body) {
    }

    static Response get(InetSocketAddress address, String path, String method, String accept) throws IOException {
        URL url = new URL("http://" + address.getHostString() + ":" + address.getPort() + path);
        HttpURLConnection http = (HttpURLConnection) url.openConnection();
        http.setConnectTimeout(5000);
        http.setReadTimeout(10_000);
        http.setRequestMethod(method);
        if (accept != null) {
            http.setRequestProperty("Accept", accept);
        }
        int status = http.getResponseCode();
        InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        http.disconnect();
        return new Response(status, http.getContentType(), body);
    }

    @Test
    void aScrapeShowsTheSessionsOfARealServerInThePrometheusFormat() throws Exception {
        Pop3MeterBinder binder = Pop3MeterBinder.create(registry);
        try (ServerUnderTest server = new ServerUnderTest(binder, 10);
             PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, new InetSocketAddress("127.0.0.1", 0))) {
            server.downloadAndDeleteOne();
            server.await(Pop3Event.ConnectionClosed.class);
            Response scrape = get(endpoint.address(), "/metrics", "GET", null);
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
            assertThat(scrape.body())
                    .contains("pop3_sessions_seconds_count{end=\"quit\"} 1")
                    .contains("pop3_logins_total{mechanism=\"USER\",outcome=\"success\"} 1")
                    .contains("pop3_commands_seconds_count{status=\"ok\",verb=\"RETR\"} 2")
                    .contains("pop3_messages_retrieved_bytes_count 2")
                    .contains("pop3_connections_refused_total{reason=\"proxy_header\"} 0")
                    .contains("pop3_connections_open_connections 0")
                    .containsPattern("pop3_tls_certificate_expiry_seconds [0-9.E]+");
        }
    }

    @Test
    void openMetricsIsServedWhenAskedFor() throws Exception {
        Pop3MeterBinder.create(registry);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, new InetSocketAddress("127.0.0.1", 0))) {
            Response scrape = get(endpoint.address(), "/metrics", "GET",
                    "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.contentType()).startsWith("application/openmetrics-text");
            assertThat(scrape.body()).contains("pop3_sessions_seconds_count{end=\"quit\"} 0").endsWith("# EOF\n");
        }
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, new InetSocketAddress("127.0.0.1", 0))) {
            assertThat(get(endpoint.address(), "/", "GET", null).status()).isEqualTo(404);
            assertThat(get(endpoint.address(), "/metrics/x", "GET", null).status()).isEqualTo(404);
            assertThat(get(endpoint.address(), "/metrics", "POST", null).status()).isEqualTo(405);
        }
    }

    @Test
    void aPortInUseIsReportedNamingTheAddress() throws Exception {
        try (PrometheusEndpoint first = PrometheusEndpoint.start(registry, new InetSocketAddress("127.0.0.1", 0))) {
            org.assertj.core.api.Assertions.assertThatIOException()
                    .isThrownBy(() -> PrometheusEndpoint.start(registry, first.address()))
                    .withMessageContaining("cannot serve metrics on").withMessageContaining(
                            String.valueOf(first.address().getPort()));
        }
    }
}
