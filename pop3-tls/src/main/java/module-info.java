/** Poplar's TLS contexts: PEM and PKCS#12 key material, reloading, a development CA, policy. */
module dev.poplar.pop3.tls {
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.tls;
    requires org.bouncycastle.util;
    requires org.slf4j;
    requires static io.netty.buffer;
    requires static io.netty.common;
    requires static io.netty.handler;

    exports dev.poplar.pop3.tls;
}
