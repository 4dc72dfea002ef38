package dev.poplar.pop3.server;

import dev.poplar.pop3.tls.TlsProvider;

/** Every test of {@link TlsWireTest} again, with the server's TLS on OpenSSL ({@link TlsProvider#OPENSSL}). */
class OpenSslTlsWireTest extends TlsWireTest {

    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
