package dev.poplar.pop3.server.interop;

import dev.poplar.pop3.tls.TlsProvider;

/** The clients of {@link TlsInteropTest} again, against a server whose TLS runs on OpenSSL. */
class OpenSslTlsInteropTest extends TlsInteropTest {

    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }
}
