package dev.poplar.pop3.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.poplar.pop3.tls.Fixtures.Authority;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TlsProvider#AUTO}: OpenSSL where it can serve, else the JDK. */
class AutoProviderTest {

    private final Authority authority = Authority.create("Auto CA");
    private final SSLContext client = ClientTls.builder().trustedCas(List.of(authority.certificate())).build();

    @Test
    void rsaAndEcKeysRunOnOpenSsl() throws Exception {
        for (KeyPair keys : List.of(Fixtures.rsa(), Fixtures.ec())) {
            try (ServerTls tls = autoServing(keys)) {
                assertThat(tls.provider()).as(keys.getPrivate().getAlgorithm()).isEqualTo(TlsProvider.OPENSSL);
                assertConnects(tls, keys);
            }
        }
    }

    @Test
    void anEd25519KeyRunsOnTheJdkWhichServesIt() throws Exception {
        KeyPair keys = Fixtures.ed25519();
        try (ServerTls tls = autoServing(keys)) {
            assertThat(tls.provider()).isEqualTo(TlsProvider.JDK);
            assertConnects(tls, keys);
        }
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"netty-", "netty-tcnative-"})
    void withoutNettyOrItsNativeOpenSslAutoRunsOnTheJdk(String left) throws Exception {
        List<URL> without = new ArrayList<>();
        for (Path entry : classPath()) {
            if (!entry.getFileName().toString().startsWith(left)) {
                without.add(entry.toUri().toURL());
            }
        }
        assertThat(without).hasSizeLessThan(classPath().size());
        // Parent: the boot loader. The platform loader would hand this module's packages to the loader that
        // already has them, Netty beside them.
        try (URLClassLoader loader = new URLClassLoader(without.toArray(URL[]::new), null)) {
            Object provider = loader.loadClass(AutoProviderProbe.class.getName()).getMethod("provider").invoke(null);

            assertThat(loader.loadClass(ServerTls.class.getName()).getClassLoader()).isSameAs(loader);
            assertThat(provider).isEqualTo("JDK");
        }
    }

    @Test
    void autoServesServerContextsOnly() {
        assertThatIllegalArgumentException().isThrownBy(() -> ClientTls.builder().provider(TlsProvider.AUTO))
                .withMessageContaining("TlsProvider.AUTO serves server contexts only");
    }

    @Test
    void thePostQuantumHybridsNeedBouncyCastleStill() {
        assertThatIllegalStateException().isThrownBy(() -> ServerTls.builder()
                        .keyMaterial(DevCertificateAuthority.create().issue()).provider(TlsProvider.AUTO)
                        .postQuantumHybrid(true).build())
                .withMessageContaining("postQuantumHybrid needs provider(TlsProvider.BOUNCY_CASTLE)");
    }

    private ServerTls autoServing(KeyPair keys) throws TlsException {
        String algorithm = keys.getPrivate().getAlgorithm();
        return ServerTls.builder().keyMaterial(KeyMaterial.of(keys.getPrivate(),
                List.of(authority.server(keys, algorithm + " server")))).provider(TlsProvider.AUTO).build();
    }

    private void assertConnects(ServerTls tls, KeyPair keys) throws Exception {
        String algorithm = keys.getPrivate().getAlgorithm();
        try (TlsTestServer server = TlsTestServer.start(tls.sslContext());
                TlsTestClient connection = TlsTestClient.connect(client, server.port())) {
            assertThat(connection.serverCertificate().getSubjectX500Principal().getName())
                    .isEqualTo("CN=" + algorithm + " server");
        }
    }

    /**
     * This JVM's module path and class path (the tests may run on either), through the manifest of a launcher jar
     * that only names the real entries.
     */
    private static List<Path> classPath() throws IOException {
        List<Path> entries = new ArrayList<>();
        String paths = System.getProperty("jdk.module.path", "") + File.pathSeparator
                + System.getProperty("java.class.path");
        for (String entry : paths.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath();
            entries.add(path);
            if (!Files.isRegularFile(path) || !entry.endsWith(".jar")) {
                continue;
            }
            try (JarFile jar = new JarFile(path.toFile())) {
                Manifest manifest = jar.getManifest();
                String listed = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (listed != null) {
                    for (String reference : listed.trim().split("\\s+")) {
                        entries.add(Path.of(path.toUri().resolve(reference)));
                    }
                }
            }
        }
        return entries;
    }
}
