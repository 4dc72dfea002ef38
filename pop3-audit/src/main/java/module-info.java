/**
 * Poplar's audit trail: {@link dev.poplar.pop3.audit.AuditTrail} writes one JSON line per security-relevant event of a
 * POP3 server through SLF4J. {@link dev.poplar.pop3.audit.AuditTlsObserver} adds certificate events and needs
 * {@code pop3-tls}.
 */
module dev.poplar.pop3.audit {
    requires transitive dev.poplar.pop3.server;
    requires static transitive dev.poplar.pop3.tls;
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    exports dev.poplar.pop3.audit;
}
