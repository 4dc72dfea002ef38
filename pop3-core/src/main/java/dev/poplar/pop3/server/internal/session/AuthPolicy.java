package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.util.ArrayList;
import java.util.List;

/** What a client may use to log in on its connection now: STLS, clear-text passwords, SASL mechanisms. */
final class AuthPolicy {

    private final ServerConfig config;
    private final List<SaslMechanism> implemented;
    private final boolean implicitTls;

    AuthPolicy(ServerConfig config, List<SaslMechanism> implemented, boolean implicitTls) {
        this.config = config;
        this.implemented = implemented;
        this.implicitTls = implicitTls;
    }

    boolean stlsAvailable(ClientInfo client, boolean beforeLogin) {
        return config.tls().isPresent() && !client.secure() && !implicitTls && beforeLogin;
    }

    boolean plaintextAllowed(ClientInfo client) {
        PlaintextAuth policy = config.plaintextAuth();
        return client.secure() || policy == PlaintextAuth.ALLOW
                || (policy == PlaintextAuth.ALLOW_LOOPBACK && client.isLoopback());
    }

    List<SaslMechanism> mechanisms(ClientInfo client) {
        List<SaslMechanism> offered = new ArrayList<>();
        for (SaslMechanism m : implemented) {
            if ((!m.clearText() || plaintextAllowed(client)) && config.authenticator().supports(m.produces())) {
                offered.add(m);
            }
        }
        return offered;
    }

    boolean implemented(String name) {
        return implemented.stream().anyMatch(m -> m.name().equals(name));
    }
}
