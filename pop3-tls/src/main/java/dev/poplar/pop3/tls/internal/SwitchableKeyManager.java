package dev.poplar.pop3.tls.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * A key manager holding one identity (private key and certificate chain) that can be replaced while handshakes go
 * on. Each identity has its own alias, and the previous identity stays resolvable, so that a handshake that chose an
 * alias just before a replacement still gets a matching key and chain.
 *
 * <p>It answers the key types of both the JDK and the Bouncy Castle providers: the key algorithm for TLS 1.3
 * ({@code RSA}, {@code EC} or {@code EC/secp256r1} with the curve, {@code EdDSA} or {@code Ed25519}) and the key
 * exchange for TLS 1.2 ({@code ECDHE_RSA}, {@code ECDHE_ECDSA}). Thread-safe.
 */
public final class SwitchableKeyManager extends X509ExtendedKeyManager {

    private record Identity(String alias, PrivateKey key, X509Certificate[] chain, String family, String curve) {
    }

    private final Object lock = new Object();
    private volatile Identity current;
    private volatile Identity previous;
    private long generation;

    /**
     * Creates a key manager serving one identity.
     *
     * @param key the private key
     * @param chain the certificate chain, leaf first
     */
    public SwitchableKeyManager(PrivateKey key, X509Certificate[] chain) {
        replace(key, chain);
    }

    /**
     * Serves a new identity from now on.
     *
     * @param key the private key
     * @param chain the certificate chain, leaf first
     */
    public void replace(PrivateKey key, X509Certificate[] chain) {
        synchronized (lock) {
            generation++;
            previous = current;
            current = new Identity("poplar-" + generation, key, chain.clone(), family(key.getAlgorithm()),
                    curve(key));
        }
    }

    private static String family(String keyAlgorithm) {
        String a = keyAlgorithm.toUpperCase(Locale.ROOT);
        switch (a) {
            case "RSA":
                return "RSA";
            case "EC":
            case "ECDSA":
                return "EC";
            case "ED25519":
            case "ED448":
            case "EDDSA":
                return "EDDSA";
            default:
                return a;
        }
    }

    /** The named curve of an EC key ({@code SECP256R1}) or the EdDSA variant ({@code ED25519}); else empty. */
    private static String curve(PrivateKey key) {
        try {
            AlgorithmIdentifier algorithm = PrivateKeyInfo.getInstance(key.getEncoded()).getPrivateKeyAlgorithm();
            ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
            if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
                return "ED25519";
            }
            if (oid.equals(EdECObjectIdentifiers.id_Ed448)) {
                return "ED448";
            }
            if (algorithm.getParameters() instanceof ASN1ObjectIdentifier) {
                String name = SECNamedCurves.getName((ASN1ObjectIdentifier) algorithm.getParameters());
                return name == null ? "" : name.toUpperCase(Locale.ROOT);
            }
        } catch (RuntimeException e) {
            return "";
        }
        return "";
    }

    private static boolean serves(Identity id, String keyType) {
        if (keyType == null) {
            return false;
        }
        String t = keyType.toUpperCase(Locale.ROOT);
        switch (id.family()) {
            case "RSA":
                return t.equals("RSA") || t.endsWith("_RSA");
            case "EC":
                return t.equals("EC") || t.equals("EC/" + id.curve()) || t.endsWith("_ECDSA");
            case "EDDSA":
                return t.equals("EDDSA") || t.equals(id.curve()) || t.endsWith("_ECDSA");
            default:
                return t.equals(id.family());
        }
    }

    private String choose(String keyType) {
        Identity id = current;
        return serves(id, keyType) ? id.alias() : null;
    }

    private Identity find(String alias) {
        Identity id = current;
        if (id.alias().equals(alias)) {
            return id;
        }
        Identity before = previous;
        return before != null && before.alias().equals(alias) ? before : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = choose(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        if (keyTypes == null) {
            return null;
        }
        for (String keyType : keyTypes) {
            String alias = choose(keyType);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClientAlias(keyTypes, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity id = find(alias);
        return id == null ? null : id.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity id = find(alias);
        return id == null ? null : id.key();
    }
}
