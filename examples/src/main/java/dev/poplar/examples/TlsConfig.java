package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.server.ClientAuth;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import dev.poplar.pop3.tls.TlsException;
import dev.poplar.pop3.tls.TlsObserver;
import dev.poplar.pop3.tls.TlsProvider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code tls} section: where the certificate comes from (PEM files, a PKCS#12 file, or a development CA made at
 * start), how often its files are checked for changes, and the TLS policy ({@code pop3-tls}'s {@link ServerTls}).
 *
 * <pre>
 * tls:
 *   certificate: /etc/letsencrypt/live/mail.example.org/fullchain.pem
 *   key: /etc/letsencrypt/live/mail.example.org/privkey.pem
 *   key_password_file: /etc/poplar/key.pass     # only for an encrypted key
 *   # or: pkcs12: server.p12 with pkcs12_password / pkcs12_password_file
 *   # or: development_ca: {ca_file: ca.pem}      # a throw-away CA for tests and demos
 *   reload_interval: 5s
 *   expiry_warning_days: 21
 *   provider: auto                # openssl (bundled: fastest handshakes) where it can serve, else jdk;
 *                                 # or jdk, bouncy_castle, openssl
 *   post_quantum_hybrid: false    # needs bouncy_castle
 *   trusted_client_cas: client-cas.pem
 *   client_auth: none             # want, need
 * </pre>
 */
final class TlsConfig {

    /** A built TLS side: the context source, and where the development CA was written if there is one. */
    record Built(ServerTls tls, Optional<Path> caFile) {
    }

    private final ConfigSection section;
    private final ServerTls.Builder builder;
    private final boolean development;
    private final Optional<Path> caFile;
    private final List<String> extraNames;

    private TlsConfig(ConfigSection section, ServerTls.Builder builder, boolean development, Optional<Path> caFile,
                      List<String> extraNames) {
        this.section = section;
        this.builder = builder;
        this.development = development;
        this.caFile = caFile;
        this.extraNames = extraNames;
    }

    static TlsConfig read(ConfigSection tls, Pop3Server.Builder server) {
        // The bundled OpenSSL where it can serve: the cheapest handshakes, and the JDK wherever it cannot.
        ServerTls.Builder builder = ServerTls.builder().provider(TlsProvider.AUTO);
        List<String> sources = new ArrayList<>();
        Optional<Path> certificate = tls.path("certificate");
        Optional<Path> key = tls.path("key");
        Optional<String> keyPassword = tls.secret("key_password");
        if (certificate.isPresent() || key.isPresent()) {
            sources.add("certificate");
            if (certificate.isEmpty() || key.isEmpty()) {
                tls.problem(certificate.isEmpty() ? "key" : "certificate",
                        "certificate and key go together (the PEM chain and its private key)");
            } else if (keyPassword.isPresent()) {
                builder.pemFiles(certificate.get(), key.get(), keyPassword.get().toCharArray());
            } else {
                builder.pemFiles(certificate.get(), key.get());
            }
        }
        Optional<Path> pkcs12 = tls.path("pkcs12");
        Optional<String> pkcs12Password = tls.secret("pkcs12_password");
        if (pkcs12.isPresent()) {
            sources.add("pkcs12");
            builder.pkcs12File(pkcs12.get(), pkcs12Password.orElse("").toCharArray());
        }
        Optional<ConfigSection> ca = tls.section("development_ca");
        Optional<Path> caFile = Optional.empty();
        List<String> names = List.of();
        if (ca.isPresent() || tls.node().entry("development_ca").isPresent()) {
            sources.add("development_ca");
            caFile = ca.flatMap(c -> c.path("ca_file"));
            names = ca.map(c -> c.strings("names")).orElse(List.of());
        }
        if (sources.isEmpty()) {
            tls.problem("no certificate: give certificate and key, or pkcs12 (or development_ca for a demo)");
        } else if (sources.size() > 1) {
            tls.problem(sources.get(1), "give one of certificate, pkcs12 and development_ca, not "
                    + String.join(" and ", sources));
        }
        tls.duration("reload_interval", builder::reloadInterval);
        tls.integer("expiry_warning_days", 0, 3650, builder::expiryWarningDays);
        tls.choice("provider", TlsProvider.class, builder::provider);
        tls.bool("post_quantum_hybrid", builder::postQuantumHybrid);
        tls.path("trusted_client_cas", builder::trustedClientCas);
        tls.choice("client_auth", ClientAuth.class, server::clientAuth);
        return new TlsConfig(tls, builder, sources.equals(List.of("development_ca")), caFile, names);
    }

    /**
     * Loads the certificate (and for a development CA, makes it and writes the CA certificate).
     *
     * @param listeners the listeners, whose addresses a development certificate names
     * @return the TLS side; close it to stop watching its files
     * @throws ConfigException naming the setting, its line and the problem
     */
    Built build(List<Listener> listeners) throws ConfigException {
        try {
            if (!development) {
                return new Built(builder.build(), Optional.empty());
            }
            DevCertificateAuthority ca = DevCertificateAuthority.create();
            builder.keyMaterial(ca.issue(certificateNames(listeners)));
            ServerTls tls = builder.build();
            Path file = caFile.isPresent() ? caFile.get() : temporaryCaFile();
            try {
                ca.writeCaPem(file);
            } catch (IOException e) {
                tls.close();
                throw section.failure("development_ca", "cannot write the CA certificate to " + file + ": "
                        + e.getMessage());
            }
            return new Built(tls, Optional.of(file));
        } catch (TlsException | IllegalStateException | IllegalArgumentException e) {
            throw section.blamed(e.getMessage());
        } catch (IOException e) {
            throw section.failure("development_ca", "cannot create a file for the CA certificate: "
                    + e.getMessage());
        }
    }

    /**
     * Reads the certificate files of a running TLS side again, now (on an operator's reload).
     *
     * @param current the running TLS side, built from this same section
     * @throws ConfigException if the files cannot be used; the running certificate stays
     */
    void reload(ServerTls current) throws ConfigException {
        try {
            current.reload();
        } catch (TlsException e) {
            throw section.blamed(e.getMessage());
        }
    }

    /**
     * Adds a receiver of certificate events (loaded, expiring, reload failed) to the TLS side built next.
     *
     * @param observer the receiver
     */
    void observer(TlsObserver observer) {
        builder.observer(observer);
    }

    /**
     * Whether this is a throw-away development CA.
     *
     * @return true for {@code development_ca}
     */
    boolean development() {
        return development;
    }

    private String[] certificateNames(List<Listener> listeners) {
        Set<String> names = new LinkedHashSet<>(extraNames);
        for (Listener listener : listeners) {
            InetSocketAddress address = listener.address();
            InetAddress ip = address.getAddress();
            if (ip != null && !ip.isAnyLocalAddress() && !ip.isLoopbackAddress()) {
                names.add(address.getHostString());
            }
        }
        return names.toArray(String[]::new);
    }

    private static Path temporaryCaFile() throws IOException {
        Path file = Files.createTempFile("poplar-ca-", ".pem");
        file.toFile().deleteOnExit();
        return file;
    }
}
