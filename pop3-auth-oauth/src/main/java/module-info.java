/** OAuth 2.0 bearer tokens (OAUTHBEARER, XOAUTH2): JWT access tokens checked offline against the provider's keys. */
module dev.poplar.pop3.auth.oauth {
    requires transitive dev.poplar.pop3.store;
    requires com.nimbusds.jose.jwt;
    requires java.net.http;
    requires org.slf4j;

    exports dev.poplar.pop3.auth.oauth;
}
