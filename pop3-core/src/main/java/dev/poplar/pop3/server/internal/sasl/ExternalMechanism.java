package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

/**
 * SASL {@code EXTERNAL} (RFC 4422 appendix A) over TLS with a client certificate: the certificate, verified by the
 * handshake and passed to the authenticator in {@code ClientInfo.peerCertificates()}, is the proof; the one message
 * is the authorization identity, empty to act as whoever the certificate names. Offered only on a connection whose
 * client presented a verified certificate.
 */
public final class ExternalMechanism {

    private ExternalMechanism() {
    }

    /** @return the mechanism */
    public static SaslMechanism create() {
        return new SaslMechanism("EXTERNAL", false, Credentials.External.class,
                connection -> connection.client().secure() && !connection.client().peerCertificates().isEmpty(),
                connection -> ExternalMechanism::next);
    }

    private static SaslExchange.Step next(byte[] response) throws SaslException {
        if (response == null) {
            return new SaslExchange.Challenge(new byte[0]);
        }
        String authzid = SaslText.utf8(response, "EXTERNAL");
        if (SaslText.hasControl(authzid)) {
            throw new SaslException("EXTERNAL authorization identity has control characters", "");
        }
        return new SaslExchange.Done(new Credentials.External(authzid));
    }
}
