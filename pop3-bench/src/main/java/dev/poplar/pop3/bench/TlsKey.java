package dev.poplar.pop3.bench;

import java.util.List;

/** The kinds of key the fixture's TLS certificate comes in; every target can be started with either. */
enum TlsKey {
    /** RSA 2048-bit: what most servers are deployed with. */
    RSA("RSA-2048", "", List.of("-newkey", "rsa:2048")),
    /** ECDSA over P-256: a cheaper handshake for the server. */
    ECDSA("ECDSA P-256", "ecdsa-", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));

    private final String label;
    private final String filePrefix;
    private final List<String> opensslKeyOptions;

    TlsKey(String label, String filePrefix, List<String> opensslKeyOptions) {
        this.label = label;
        this.filePrefix = filePrefix;
        this.opensslKeyOptions = opensslKeyOptions;
    }

    /** How reports name it. */
    String label() {
        return label;
    }

    /** The prefix of its fixture files ({@code cert.pem}, {@code key.pem}, {@code keystore.p12}). */
    String filePrefix() {
        return filePrefix;
    }

    /** The {@code openssl req} options that generate such a key. */
    List<String> opensslKeyOptions() {
        return opensslKeyOptions;
    }
}
