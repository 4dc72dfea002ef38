package dev.poplar.pop3.testkit.internal;

/**
 * Whether the test kit's TLS helpers can run here. They need {@code dev.poplar:pop3-tls} (and the Bouncy Castle jars
 * it brings), an optional dependency of the test kit that only TLS tests add, so that plain tests load no Bouncy
 * Castle. This class refers to no type of pop3-tls: it is safe to load without it. Stateless.
 */
public final class TlsSupport {

    private static final String POP3_TLS_CLASS = "dev.poplar.pop3.tls.DevCertificateAuthority";
    private static final String BOUNCY_CASTLE_CLASS = "org.bouncycastle.cert.X509v3CertificateBuilder";

    private TlsSupport() {
    }

    /**
     * Checks that the TLS helpers can run.
     *
     * @param setting the setting that asks for TLS, named in the error (e.g. {@code "tls(TlsMode.STARTTLS)"})
     * @throws IllegalStateException naming the dependency to add, if pop3-tls or Bouncy Castle is missing
     */
    public static void require(String setting) {
        String missing = !present(POP3_TLS_CLASS) ? "dev.poplar:pop3-tls"
                : !present(BOUNCY_CASTLE_CLASS) ? "org.bouncycastle:bcpkix-jdk18on (which dev.poplar:pop3-tls brings)"
                : null;
        if (missing != null) {
            throw new IllegalStateException(setting + " needs " + missing + " on the test class path: TLS test "
                    + "servers make their certificates with it. Add the test-scoped dependency "
                    + "<groupId>dev.poplar</groupId><artifactId>pop3-tls</artifactId> beside pop3-testkit "
                    + "(Gradle: testImplementation(\"dev.poplar:pop3-tls\")). Plain servers (TlsMode.NONE) need "
                    + "nothing more.");
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, TlsSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
