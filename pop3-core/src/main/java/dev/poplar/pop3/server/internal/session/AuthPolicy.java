package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.internal.AccessControl;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.sasl.SaslContext;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** What a client may use to log in on its connection now: STLS, clear-text passwords, SASL mechanisms. */
final class AuthPolicy {

    private final ServerConfig config;
    private final AccessControl access;
    private final List<SaslMechanism> implemented;
    private final boolean implicitTls;

    AuthPolicy(ServerConfig config, AccessControl access, List<SaslMechanism> implemented, boolean implicitTls) {
        this.config = config;
        this.access = access;
        this.implemented = implemented;
        this.implicitTls = implicitTls;
    }

    boolean stlsAvailable(ClientInfo client, boolean beforeLogin) {
        return config.tls().isPresent() && !client.secure() && !implicitTls && beforeLogin;
    }

    /** Trusted networks count as loopback (the office, a webmail front end on the same network). */
    boolean plaintextAllowed(ClientInfo client) {
        PlaintextAuth policy = config.plaintextAuth();
        return client.secure() || policy == PlaintextAuth.ALLOW
                || (policy == PlaintextAuth.ALLOW_LOOPBACK && (client.isLoopback() || trusted(client)));
    }

    /** @return whether the client is in a trusted network now */
    boolean trusted(ClientInfo client) {
        InetAddress address = client.remoteAddress().getAddress();
        return address != null && access.trusts(address);
    }

    List<SaslMechanism> mechanisms(SaslContext connection) {
        List<SaslMechanism> offered = new ArrayList<>();
        for (SaslMechanism m : implemented) {
            if ((!m.clearText() || plaintextAllowed(connection.client())) && m.availableOn(connection)
                    && config.authenticator().supports(m.produces())) {
                offered.add(m);
            }
        }
        return offered;
    }

    boolean clearTextMechanism(String name) {
        return implemented.stream().anyMatch(m -> m.name().equals(name) && m.clearText());
    }
}
