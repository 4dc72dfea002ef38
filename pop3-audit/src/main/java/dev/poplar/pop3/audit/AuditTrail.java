package dev.poplar.pop3.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Observer;
import dev.poplar.pop3.server.SessionSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a {@code Pop3Server}'s security-relevant events as JSON lines through SLF4J, at INFO, to the logger
 * {@value #LOGGER} (or one named with {@link Builder#logger(String)}). Add it as an observer:
 * {@code Pop3Server.builder().observer(AuditTrail.create())}.
 *
 * <p><b>Records.</b> Every record has {@code time} (ISO-8601, UTC) and {@code event}; those about a connection have
 * {@code session}, {@code listener}, {@code client_ip}, {@code client_port} (the client's, from a trusted PROXY
 * protocol header when there is one) and {@code tls}.
 * <ul>
 *   <li>{@code login.success}: {@code user}, {@code mailbox}, {@code mechanism};</li>
 *   <li>{@code login.failure}: {@code user} (as the client gave it), {@code mechanism}, {@code cause}
 *       ({@code credentials}, {@code login_delay}, {@code authenticator_unavailable}, {@code maildrop}),
 *       {@code reason};</li>
 *   <li>{@code login.penalty}: {@code user}, {@code delay_ms}: the answer to a failed login is held back;</li>
 *   <li>{@code session.end}: {@code user} (if one logged in), {@code end} ({@code quit}, {@code client_disconnected},
 *       {@code idle_timeout}, {@code tls_failed}, {@code protocol_error}, ...), {@code duration_ms},
 *       {@code retrieved}, {@code retrieved_octets}, {@code deleted}, {@code not_removed};</li>
 *   <li>{@code connection.refused}: {@code reason} ({@code too_many_connections}, {@code too_many_from_address},
 *       {@code server_stopping}, {@code proxy_header});</li>
 *   <li>with {@link AuditTlsObserver}: {@code tls.certificate.loaded}, {@code tls.certificate.expiring},
 *       {@code tls.certificate.reload_failed}.</li>
 * </ul>
 *
 * <p><b>Safety.</b> No record carries a password or any other secret: the events have none. Strings the client
 * chose (user names) are escaped by the JSON writer, with every character outside printable ASCII written as a JSON
 * unicode escape, so a record is always one line a terminal shows as it is, and are cut to
 * {@link Builder#maxValueLength(int) a maximum length}. A failure reason comes from the authenticator or the store:
 * they must not put secrets in it (Poplar's own never do).
 *
 * <p><b>Threading.</b> Thread-safe; called on the server's threads. A record is built only when the logger is enabled
 * for INFO; whether writing blocks is the logging backend's matter (an asynchronous appender keeps it off the
 * network threads).
 */
public final class AuditTrail implements Pop3Observer {

    /** The default logger name. */
    public static final String LOGGER = "dev.poplar.pop3.audit";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private final Logger logger;
    private final int maxValueLength;
    private final Clock clock;

    private AuditTrail(Logger logger, int maxValueLength, Clock clock) {
        this.logger = logger;
        this.maxValueLength = maxValueLength;
        this.clock = clock;
    }

    /**
     * An audit trail with the defaults: logger {@value #LOGGER}, values cut at 256 characters.
     *
     * @return the audit trail
     */
    public static AuditTrail create() {
        return builder().build();
    }

    /**
     * Starts configuring an audit trail.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onEvent(Pop3Event event) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        if (event instanceof Pop3Event.LoginSucceeded e) {
            write("login.success", e.client(), json -> {
                text(json, "user", e.username());
                text(json, "mailbox", e.mailbox());
                text(json, "mechanism", e.mechanism());
            });
        } else if (event instanceof Pop3Event.LoginFailed e) {
            write("login.failure", e.client(), json -> {
                text(json, "user", e.username());
                text(json, "mechanism", e.mechanism());
                json.writeStringField("cause", lower(e.cause()));
                text(json, "reason", e.reason());
            });
        } else if (event instanceof Pop3Event.PenaltyApplied e) {
            write("login.penalty", e.client(), json -> {
                text(json, "user", e.username());
                json.writeNumberField("delay_ms", e.delay().toMillis());
            });
        } else if (event instanceof Pop3Event.ConnectionClosed e) {
            SessionSummary s = e.summary();
            write("session.end", e.client(), json -> {
                if (s.user().isPresent()) {
                    text(json, "user", s.user().get());
                }
                json.writeStringField("end", lower(s.end()));
                json.writeNumberField("duration_ms", s.duration().toMillis());
                json.writeNumberField("retrieved", s.retrieved());
                json.writeNumberField("retrieved_octets", s.retrievedOctets());
                json.writeNumberField("deleted", s.deleted());
                json.writeNumberField("not_removed", s.notRemoved());
            });
        } else if (event instanceof Pop3Event.ConnectionRefused e) {
            write("connection.refused", e.client(), json -> json.writeStringField("reason", lower(e.reason())));
        }
    }

    /** The fields of one record after the common ones. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private void write(String event, ClientInfo client, Fields fields) {
        write(event, json -> {
            json.writeStringField("session", client.sessionId());
            text(json, "listener", client.listener());
            json.writeStringField("client_ip", client.remoteAddress().getAddress() == null
                    ? client.remoteAddress().getHostString() : client.remoteAddress().getAddress().getHostAddress());
            json.writeNumberField("client_port", client.remoteAddress().getPort());
            json.writeBooleanField("tls", client.secure());
            fields.write(json);
        });
    }

    /**
     * Writes one record, if the logger takes INFO.
     *
     * @param event the record's {@code event}
     * @param fields its other fields
     */
    void write(String event, Fields fields) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        StringWriter line = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("time", clock.instant().toString());
            json.writeStringField("event", event);
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON record could not be written to a string", e);
        }
        logger.info(line.toString());
    }

    /**
     * Writes a string field, cut to the maximum length.
     *
     * @param json the record
     * @param name the field
     * @param value the value, possibly chosen by the client
     * @throws IOException never, for a string
     */
    void text(JsonGenerator json, String name, String value) throws IOException {
        json.writeStringField(name, cut(value));
    }

    private String cut(String value) {
        if (value.length() <= maxValueLength) {
            return value;
        }
        int end = maxValueLength;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + "...(" + (value.length() - end) + " more)";
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Configures an {@link AuditTrail}. Not thread-safe. */
    public static final class Builder {
        private String logger = LOGGER;
        private int maxValueLength = 256;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * The logger to write to. Default {@value AuditTrail#LOGGER}.
         *
         * @param name the logger name
         * @return this builder
         */
        public Builder logger(String name) {
            this.logger = Objects.requireNonNull(name, "logger");
            return this;
        }

        /**
         * The most characters of a text value (a user name, a reason); longer ones are cut and end with
         * {@code ...(N more)}. Default 256.
         *
         * @param chars 16 to 65536
         * @return this builder
         */
        public Builder maxValueLength(int chars) {
            this.maxValueLength = chars;
            return this;
        }

        /**
         * The clock of the {@code time} field. Default the system clock, in UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the audit trail.
         *
         * @return the audit trail
         * @throws IllegalStateException naming the setting, if one is out of range
         */
        public AuditTrail build() {
            if (logger.isBlank()) {
                throw new IllegalStateException("logger: the name must not be blank");
            }
            if (maxValueLength < 16 || maxValueLength > 65536) {
                throw new IllegalStateException("maxValueLength must be 16 to 65536: " + maxValueLength);
            }
            return new AuditTrail(LoggerFactory.getLogger(logger), maxValueLength, clock);
        }
    }
}
