package dev.poplar.pop3.server;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.ClientTls;
import dev.poplar.pop3.tls.KeyMaterial;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsProvider;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hybrid post-quantum key exchange {@code X25519MLKEM768} through {@code Pop3Server} itself (its TLS filter on
 * MINA), with {@code pop3-tls}'s Bouncy Castle contexts on both sides. The client offers the hybrid alone, so a session
 * that works at all negotiated it. Bouncy Castle's client offers ECDSA signatures only for curves among its groups, so
 * the certificates here are Ed25519.
 */
class PostQuantumWireTest {

    static final String HYBRID = "X25519MLKEM768";

    /** An Ed25519 authority and a server certificate for {@code localhost} and {@code 127.0.0.1}. */
    record Ed25519Chain(X509Certificate authority, KeyMaterial server) {
        static Ed25519Chain create() throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            KeyPair caKeys = generator.generateKeyPair();
            KeyPair serverKeys = generator.generateKeyPair();
            X500Name caName = new X500Name("CN=Hybrid test CA");
            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from(), until(), caName,
                    caKeys.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                    caKeys);
            X509Certificate leaf = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from(), until(),
                    new X500Name("CN=localhost"), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")})), caKeys);
            return new Ed25519Chain(ca, KeyMaterial.of(serverKeys.getPrivate(), List.of(leaf, ca)));
        }

        private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("Ed25519").build(signer.getPrivate())));
        }

        private static Date from() {
            return Date.from(Instant.now().minus(Duration.ofDays(1)));
        }

        private static Date until() {
            return Date.from(Instant.now().plus(Duration.ofDays(365)));
        }
    }

    /** Connects with a client that offers the hybrid group alone, and completes the handshake. */
    static SSLSocket connectOfferingOnlyTheHybrid(SSLContext client, InetSocketAddress address) throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(address.getHostString(),
                address.getPort());
        BCSSLParameters parameters = ((BCSSLSocket) socket).getParameters();
        parameters.setNamedGroups(new String[] {HYBRID});
        ((BCSSLSocket) socket).setParameters(parameters);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    @Test
    void aClientOfferingOnlyX25519Mlkem768ReadsItsMailOverImplicitTls() throws Exception {
        Ed25519Chain chain = Ed25519Chain.create();
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        store.add("alice", "Subject: hybrid\r\n\r\nkey exchange\r\n");
        Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
        SSLContext client = ClientTls.builder().trustedCas(List.of(chain.authority()))
                .provider(TlsProvider.BOUNCY_CASTLE).postQuantumHybrid(true).build();
        try (ServerTls tls = ServerTls.builder().keyMaterial(chain.server()).provider(TlsProvider.BOUNCY_CASTLE)
                .postQuantumHybrid(true).build();
             Pop3Server server = TestServers.start(TestServers.builder(store).tls(tls).listener(pop3s));
             SSLSocket socket = connectOfferingOnlyTheHybrid(client, server.localAddress(pop3s));
             WireClient pop3 = new WireClient(socket)) {
            assertThat(((BCSSLSocket) socket).getParameters().getNamedGroups()).containsExactly(HYBRID);
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(pop3.greeting()).startsWith("+OK");
            assertThat(pop3.login("alice", "s3cret")).startsWith("+OK maildrop has 1 message");
            assertThat(pop3.send("RETR 1")).startsWith("+OK");
            assertThat(pop3.lines()).containsExactly("Subject: hybrid", "", "key exchange");
            assertThat(pop3.send("QUIT")).startsWith("+OK");
        }
    }

    @Test
    void theSameClientIsRefusedByAServerWithoutTheHybrid() throws Exception {
        Ed25519Chain chain = Ed25519Chain.create();
        Listener pop3s = Listener.implicitTls("127.0.0.1", 0);
        SSLContext client = ClientTls.builder().trustedCas(List.of(chain.authority()))
                .provider(TlsProvider.BOUNCY_CASTLE).postQuantumHybrid(true).build();
        try (ServerTls tls = ServerTls.builder().keyMaterial(chain.server()).provider(TlsProvider.BOUNCY_CASTLE)
                .postQuantumHybrid(false).build();
             Pop3Server server = TestServers.start(TestServers.builder(new InMemoryMailboxStore()).tls(tls)
                     .listener(pop3s))) {
            assertThatThrownBy(() -> connectOfferingOnlyTheHybrid(client, server.localAddress(pop3s)).close())
                    .isInstanceOf(IOException.class);
        }
    }
}
