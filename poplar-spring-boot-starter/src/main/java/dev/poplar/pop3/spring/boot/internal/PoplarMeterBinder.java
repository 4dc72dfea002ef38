package dev.poplar.pop3.spring.boot.internal;

import dev.poplar.pop3.server.Pop3Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's counters ({@link Pop3Metrics}) as Micrometer meters, read when a registry publishes them: nothing is
 * counted twice and nothing runs between scrapes. Counters restart from zero when the server is restarted. Thread-safe.
 */
public final class PoplarMeterBinder implements MeterBinder {

    private final Supplier<Pop3Metrics> metrics;

    /**
     * @param metrics the current counters of the server
     */
    public PoplarMeterBinder(Supplier<Pop3Metrics> metrics) {
        this.metrics = metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("pop3.sessions.open", metrics, m -> m.get().openSessions())
                .description("POP3 connections open now").baseUnit("sessions").register(registry);
        counter(registry, "pop3.connections", "POP3 connections accepted", Pop3Metrics::connectionsAccepted,
                "result", "accepted");
        counter(registry, "pop3.connections", "POP3 connections refused by a connection limit",
                Pop3Metrics::connectionsRefused, "result", "refused");
        counter(registry, "pop3.logins", "POP3 logins that succeeded", Pop3Metrics::loginsSucceeded,
                "result", "success");
        counter(registry, "pop3.logins", "POP3 logins that failed", Pop3Metrics::loginsFailed, "result", "failure");
        counter(registry, "pop3.messages.retrieved", "messages sent in full by RETR", Pop3Metrics::messagesRetrieved);
        FunctionCounter.builder("pop3.retrieved", metrics, m -> m.get().octetsRetrieved())
                .description("octets of the messages sent by RETR").baseUnit(BaseUnits.BYTES).register(registry);
        counter(registry, "pop3.messages.deleted", "messages removed at QUIT", Pop3Metrics::messagesDeleted);
        counter(registry, "pop3.tls.handshakes.failed", "TLS handshakes that failed",
                Pop3Metrics::tlsHandshakesFailed);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<Pop3Metrics> value,
                         String... tags) {
        FunctionCounter.builder(name, metrics, m -> value.applyAsDouble(m.get())).description(description).tags(tags)
                .register(registry);
    }
}
