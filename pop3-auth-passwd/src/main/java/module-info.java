/** A Dovecot-compatible users file: password schemes, app passwords, password hashing. */
module dev.poplar.pop3.auth.passwd {
    requires transitive dev.poplar.pop3.store;
    requires com.github.benmanes.caffeine;
    requires org.apache.commons.codec;
    requires org.bouncycastle.provider;
    requires org.slf4j;

    exports dev.poplar.pop3.auth.passwd;
}
