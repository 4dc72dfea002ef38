package dev.poplar.pop3.spring.boot.internal;

import dev.poplar.pop3.spring.boot.PoplarProperties;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;

/** TLS contexts from PEM files with pop3-tls: loaded only when pop3-tls is on the class path. */
final class PemFiles {

    private PemFiles() {
    }

    static TlsContexts open(PoplarProperties.Tls tls) {
        ServerTls.Builder builder = ServerTls.builder().pemFiles(tls.certificate(), tls.privateKey(),
                tls.privateKeyPassword() == null ? null : tls.privateKeyPassword().toCharArray());
        if (tls.trustedClientCas() != null) {
            builder.trustedClientCas(tls.trustedClientCas());
        }
        try {
            ServerTls serverTls = builder.build();
            return new TlsContexts(serverTls, serverTls);
        } catch (TlsException e) {
            throw new IllegalStateException("poplar.tls: " + e.getMessage(), e);
        }
    }
}
