package dev.poplar.pop3.spring.boot.test;

import dev.poplar.pop3.testkit.TlsMode;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a {@code @SpringBootTest} (or any Spring test) a Poplar test POP3 server: it starts with the test's
 * application context, before any bean is created, on a free port of {@code 127.0.0.1}; it is a bean of type
 * {@link dev.poplar.pop3.testkit.Pop3TestServer} (seed messages, inject faults, inspect mailboxes and sessions); and
 * its address is in the environment, for the application's own properties to refer to:
 *
 * <table>
 *   <caption>Properties (with the default prefix)</caption>
 *   <tr><td>{@code poplar.test.host}</td><td>{@code 127.0.0.1}</td></tr>
 *   <tr><td>{@code poplar.test.port}</td><td>the plain POP3 port (not with {@link TlsMode#IMPLICIT})</td></tr>
 *   <tr><td>{@code poplar.test.pop3s-port}</td><td>the pop3s port ({@link TlsMode#IMPLICIT},
 *       {@link TlsMode#STARTTLS_AND_IMPLICIT})</td></tr>
 *   <tr><td>{@code poplar.test.ca-file}</td><td>with TLS: the server's certificate authority, a PEM file, e.g. for
 *       {@code spring.ssl.bundle.pem.NAME.truststore.certificate}</td></tr>
 * </table>
 *
 * <pre>{@code
 * @SpringBootTest(properties = {"mail.host=${poplar.test.host}", "mail.port=${poplar.test.port}"})
 * @EnablePop3TestServer(users = "alice:s3cret")
 * class InvoiceImportTest {
 *     @Autowired Pop3TestServer pop3;
 *     ...
 * }
 * }</pre>
 *
 * <p>The server belongs to the application context: test classes with the same configuration share the context,
 * and so the server (its mailboxes, recorded sessions and faults); it stops when the context is closed. Give tests
 * that share it users of their own, or run them one at a time. When a test fails, the transcripts of the sessions that
 * ended during it are printed, as the JUnit extension of the test kit does.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface EnablePop3TestServer {

    /**
     * The users, each as {@code name:password} (the password is everything after the first colon); each user's
     * mailbox has the user's name and starts empty.
     *
     * @return the users
     */
    String[] users() default {};

    /**
     * How the server offers TLS. Any mode but {@code NONE} needs {@code dev.poplar:pop3-tls} on the test class path.
     *
     * @return the mode
     */
    TlsMode tls() default TlsMode.NONE;

    /**
     * The prefix of the properties that hold the server's address.
     *
     * @return the prefix, {@code poplar.test} unless set
     */
    String propertyPrefix() default "poplar.test";
}
