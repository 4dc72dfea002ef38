package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.internal.Events;
import dev.poplar.pop3.server.internal.LoginThrottle;
import dev.poplar.pop3.server.internal.Metrics;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.sasl.PlainMechanism;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * What every protocol session of a server shares: the configuration and the few services a session uses. Thread-safe.
 *
 * @param config the configuration
 * @param events the event fan-out
 * @param metrics the counters
 * @param throttle the failed-login throttle
 * @param dispatcher the command dispatcher
 * @param mechanisms the SASL mechanisms the server implements
 * @param holds the mailboxes held by this server's sessions
 * @param releaser runs the release of a maildrop after its session has ended, when the release may block
 */
public record SessionServices(ServerConfig config, Events events, Metrics metrics, LoginThrottle throttle,
                              Dispatcher dispatcher, List<SaslMechanism> mechanisms, MailboxHolds holds,
                              Executor releaser) {

    /**
     * The services of a server's sessions.
     *
     * @param config the configuration
     * @param events the event fan-out
     * @param metrics the counters
     * @param releaser runs maildrop releases that may block
     * @return the services
     */
    public static SessionServices create(ServerConfig config, Events events, Metrics metrics, Executor releaser) {
        ServerConfig.Limits limits = config.limits();
        return new SessionServices(config, events, metrics, new LoginThrottle(limits.authFailureDelay(),
                limits.maxAuthFailureDelay(), limits.authFailureWindow()), new Dispatcher(),
                List.of(new PlainMechanism()), new MailboxHolds(), releaser);
    }
}
