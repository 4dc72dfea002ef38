package dev.poplar.pop3.spring.boot.internal;

import dev.poplar.pop3.spring.boot.PoplarProperties;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;
import dev.poplar.pop3.tls.TlsProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        if (tls.provider() != null) {
            builder.provider(provider(tls.provider()));
        }
        try {
            ServerTls serverTls = builder.build();
            return new TlsContexts(serverTls, serverTls);
        } catch (TlsException e) {
            throw new IllegalStateException("poplar.tls: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("poplar.tls.provider: " + e.getMessage(), e);
        }
    }

    private static TlsProvider provider(String name) {
        String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        List<String> names = new ArrayList<>();
        for (TlsProvider provider : TlsProvider.values()) {
            if (provider.name().equals(normalized)) {
                return provider;
            }
            names.add(provider.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        String last = names.remove(names.size() - 1);
        throw new IllegalStateException("poplar.tls.provider must be " + String.join(", ", names) + " or " + last
                + ", not \"" + name + "\"");
    }
}
