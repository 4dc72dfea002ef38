/**
 * TLS for Poplar: {@link javax.net.ssl.SSLContext}s that carry their own policy, for POP3 servers and their clients.
 *
 * <ul>
 *   <li>{@link dev.poplar.pop3.tls.KeyMaterial} loads a key and certificate chain from PEM files (PKCS#1, PKCS#8,
 *       encrypted PKCS#8; RSA, EC, Ed25519) or PKCS#12, and checks it; problems are
 *       {@link dev.poplar.pop3.tls.TlsException}s naming the file.</li>
 *   <li>{@link dev.poplar.pop3.tls.ServerTls} is the server context (also a {@code Supplier<SSLContext>}): TLS 1.3
 *       and 1.2 only, modern cipher suites, server cipher order, certificate reload when the files change, expiry
 *       warnings, trusted CAs for client certificates, and the optional Bouncy Castle provider with the
 *       post-quantum hybrid key exchange {@code X25519MLKEM768}.</li>
 *   <li>{@link dev.poplar.pop3.tls.ClientTls} builds client contexts with the same policy.</li>
 *   <li>{@link dev.poplar.pop3.tls.DevCertificateAuthority} makes a certificate authority and certificates for
 *       {@code localhost} in memory, in milliseconds, for development and tests.</li>
 * </ul>
 *
 * <p>No Bouncy Castle type appears in this package's API, and no provider is installed globally.
 */
package dev.poplar.pop3.tls;
