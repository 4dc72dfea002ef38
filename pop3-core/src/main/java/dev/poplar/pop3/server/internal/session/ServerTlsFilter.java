package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.ClientAuth;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * MINA's TLS filter, taking a fresh {@link SSLContext} from the supplier for every connection, so that a renewed
 * certificate applies to new connections. Protocols and cipher suites come from the context's defaults. One instance
 * serves every session of a server (its per-session state lives in session attributes).
 */
public final class ServerTlsFilter extends SslFilter {

    private final Supplier<SSLContext> contexts;
    private final ClientAuth clientAuth;

    /**
     * Creates the filter.
     *
     * @param contexts supplies the current server context
     * @param clientAuth whether to ask clients for certificates
     */
    public ServerTlsFilter(Supplier<SSLContext> contexts, ClientAuth clientAuth) {
        super(contexts.get());
        this.contexts = contexts;
        this.clientAuth = clientAuth;
    }

    @Override
    protected SSLEngine createEngine(IoSession session, InetSocketAddress addr) {
        SSLEngine engine = contexts.get().createSSLEngine();
        engine.setUseClientMode(false);
        if (clientAuth == ClientAuth.NEED) {
            engine.setNeedClientAuth(true);
        } else if (clientAuth == ClientAuth.WANT) {
            engine.setWantClientAuth(true);
        }
        return engine;
    }
}
