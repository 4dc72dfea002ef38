/**
 * A fake POP3 server for integration tests, built on the real Poplar engine.
 *
 * <ul>
 *   <li>{@link dev.poplar.pop3.testkit.Pop3ServerExtension}: JUnit 5, a server per test or per class, injected as a
 *   {@link dev.poplar.pop3.testkit.Pop3TestServer} parameter; without JUnit, {@code Pop3TestServer.builder().start()}
 *   and {@code close()}.</li>
 *   <li>{@link dev.poplar.pop3.testkit.TestMessages}: messages to seed, before or during a test.</li>
 *   <li>{@link dev.poplar.pop3.testkit.Mailbox} and {@link dev.poplar.pop3.testkit.RecordedSession}: what happened,
 *   for {@link dev.poplar.pop3.testkit.assertj.Pop3Assertions}.</li>
 *   <li>{@link dev.poplar.pop3.testkit.Fault}: scripted errors, delays, slow output, dropped connections, silence,
 *   failed handshakes; {@link dev.poplar.pop3.testkit.Pop3TestServer#holdMailbox(String)} for a locked mailbox.</li>
 *   <li>{@link dev.poplar.pop3.testkit.Persona}: full, RFC 1939 only, Gmail-like, or custom capabilities.</li>
 *   <li>{@link dev.poplar.pop3.testkit.TlsMode}: STLS and pop3s with a certificate authority per server.</li>
 * </ul>
 */
package dev.poplar.pop3.testkit;
