/**
 * An audit trail for a {@code Pop3Server}: one JSON object per line for each login, failed login, login penalty,
 * session end and refused connection, and, with {@link dev.poplar.pop3.audit.AuditTlsObserver}, for certificate
 * reloads and expiry warnings. Written through SLF4J to the logger {@value dev.poplar.pop3.audit.AuditTrail#LOGGER},
 * so that the logging backend decides where it goes (a rotating file, syslog, a SIEM's collector).
 */
package dev.poplar.pop3.audit;
