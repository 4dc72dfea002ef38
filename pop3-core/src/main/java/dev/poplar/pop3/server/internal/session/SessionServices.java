package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.internal.AccessControl;
import dev.poplar.pop3.server.internal.Events;
import dev.poplar.pop3.server.internal.LoginThrottle;
import dev.poplar.pop3.server.internal.Metrics;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.sasl.BearerMechanisms;
import dev.poplar.pop3.server.internal.sasl.CramMd5Mechanism;
import dev.poplar.pop3.server.internal.sasl.ExternalMechanism;
import dev.poplar.pop3.server.internal.sasl.LoginMechanism;
import dev.poplar.pop3.server.internal.sasl.PlainMechanism;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.server.internal.sasl.ScramMechanism;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * What every protocol session of a server shares: the configuration and the few services a session uses. Thread-safe.
 *
 * @param config the configuration
 * @param events the event fan-out
 * @param metrics the counters
 * @param throttle the failed-login penalty
 * @param access the access rules in force (trusted networks)
 * @param dispatcher the command dispatcher
 * @param mechanisms the SASL mechanisms the server implements, in the order {@code CAPA} lists them
 * @param holds the mailboxes held by this server's sessions
 * @param releaser runs the release of a maildrop after its session has ended, when the release may block
 */
public record SessionServices(ServerConfig config, Events events, Metrics metrics, LoginThrottle throttle,
                              AccessControl access, Dispatcher dispatcher, List<SaslMechanism> mechanisms,
                              MailboxHolds holds, Executor releaser) {

    /**
     * The services of a server's sessions.
     *
     * @param config the configuration
     * @param events the event fan-out
     * @param metrics the counters
     * @param access the access rules in force
     * @param releaser runs maildrop releases that may block
     * @return the services
     */
    public static SessionServices create(ServerConfig config, Events events, Metrics metrics, AccessControl access,
                                         Executor releaser) {
        return create(config, events, metrics, access, releaser, System::nanoTime);
    }

    /**
     * The services of a server's sessions, on a given clock.
     *
     * @param config the configuration
     * @param events the event fan-out
     * @param metrics the counters
     * @param access the access rules in force
     * @param releaser runs maildrop releases that may block
     * @param clock the time in nanoseconds for the failed-login penalty, as {@link System#nanoTime()}
     * @return the services
     */
    public static SessionServices create(ServerConfig config, Events events, Metrics metrics, AccessControl access,
                                         Executor releaser, LongSupplier clock) {
        ServerConfig.Limits limits = config.limits();
        LoginThrottle throttle = new LoginThrottle(limits.authFailureDelay(), limits.maxAuthFailureDelay(),
                limits.maxUserAuthFailureDelay(), limits.authFailureWindow(), clock);
        return new SessionServices(config, events, metrics, throttle, access, new Dispatcher(), mechanisms(config),
                new MailboxHolds(), releaser);
    }

    /** Strongest first, for clients that take the first one they know; PLAIN before LOGIN. */
    private static List<SaslMechanism> mechanisms(ServerConfig config) {
        List<SaslMechanism> all = new ArrayList<>();
        all.add(ExternalMechanism.create());
        all.addAll(ScramMechanism.all(config.authenticator()));
        all.add(CramMd5Mechanism.create());
        all.add(PlainMechanism.create());
        all.add(LoginMechanism.create());
        all.add(BearerMechanisms.oauthBearer(config.oauthErrors()));
        all.add(BearerMechanisms.xoauth2(config.oauthErrors()));
        return List.copyOf(all);
    }
}
