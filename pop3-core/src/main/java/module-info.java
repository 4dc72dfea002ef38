/**
 * Poplar's POP3 server engine: {@link dev.poplar.pop3.server.Pop3Server}. Only {@code dev.poplar.pop3.server} is API;
 * the test kit alone may use the session hook.
 */
module dev.poplar.pop3.server {
    requires transitive dev.poplar.pop3.store;
    requires com.github.benmanes.caffeine;
    requires mina.core;
    requires org.slf4j;

    exports dev.poplar.pop3.server;
    exports dev.poplar.pop3.server.internal.hook to dev.poplar.pop3.testkit;
    // MINA's processor pool instantiates the I/O processor reflectively.
    exports dev.poplar.pop3.server.internal.net to mina.core;
}
