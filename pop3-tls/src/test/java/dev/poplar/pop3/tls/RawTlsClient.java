package dev.poplar.pop3.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Vector;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A client on Bouncy Castle's low-level TLS API, which ignores the JDK's disabled-algorithm settings: it can offer
 * exactly one protocol version (even TLS 1.1) and exactly the key exchange groups a test names, and it reports the
 * group the server negotiated. It does not check the server's certificate: tests use it to probe the server's
 * protocol choices, not its identity.
 */
final class RawTlsClient {

    /** What the handshake settled on. */
    record Negotiated(ProtocolVersion version, int namedGroup, String greeting) {
        String groupName() {
            return NamedGroup.getName(namedGroup);
        }
    }

    private RawTlsClient() {
    }

    static Negotiated connect(int port, ProtocolVersion version, int... groups) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            TlsClientProtocol protocol = new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
            Client client = new Client(version, groups);
            protocol.connect(client);
            BufferedReader in = new BufferedReader(new InputStreamReader(protocol.getInputStream(),
                    StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            protocol.close();
            return new Negotiated(client.negotiatedVersion, client.negotiatedGroup, greeting);
        }
    }

    private static final class Client extends DefaultTlsClient {
        private final ProtocolVersion version;
        private final int[] groups;
        private volatile ProtocolVersion negotiatedVersion;
        private volatile int negotiatedGroup = -1;

        Client(ProtocolVersion version, int[] groups) {
            super(new BcTlsCrypto(new SecureRandom()));
            this.version = version;
            this.groups = groups.clone();
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return new ProtocolVersion[] {version};
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), new int[] {
                CipherSuite.TLS_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA});
        }

        @Override
        protected Vector<Integer> getSupportedGroups(@SuppressWarnings("rawtypes") Vector namedGroupRoles) {
            Vector<Integer> offered = new Vector<>();
            for (int group : groups) {
                offered.add(group);
            }
            return offered;
        }

        @Override
        public Vector<Integer> getEarlyKeyShareGroups() {
            Vector<Integer> shares = new Vector<>();
            shares.add(groups[0]);
            return shares;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) {
                    // identity is not what these probes test
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
                    return null;
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            negotiatedVersion = context.getServerVersion();
            negotiatedGroup = context.getSecurityParametersConnection().getNegotiatedGroup();
        }
    }
}
