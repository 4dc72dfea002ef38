package dev.poplar.pop3.tls;

/**
 * Builds a server context on {@link TlsProvider#AUTO} and names the provider it chose: run by {@link AutoProviderTest}
 * in a class loader without Netty.
 */
public final class AutoProviderProbe {

    private AutoProviderProbe() {
    }

    /**
     * @return the provider an AUTO context over a development certificate runs on
     * @throws TlsException if the context cannot be built
     */
    public static String provider() throws TlsException {
        try (ServerTls tls = ServerTls.builder().keyMaterial(DevCertificateAuthority.create().issue())
                .provider(TlsProvider.AUTO).build()) {
            return tls.provider().name();
        }
    }
}
