package dev.poplar.pop3.server;

/**
 * Where passwords may travel in clear text ({@code USER}/{@code PASS}, SASL {@code PLAIN} and {@code LOGIN}), and
 * OAuth bearer tokens, which are as good as a password while they last (SASL {@code OAUTHBEARER} and
 * {@code XOAUTH2}; RFC 7628 section 3 requires TLS for them). On a connection where they are not allowed, the server
 * does not advertise them and refuses them with {@code -ERR [AUTH]}. Connections secured with TLS always allow them.
 */
public enum PlaintextAuth {
    /** Only over TLS. */
    REQUIRE_TLS,
    /**
     * Over TLS, or in clear from the loopback interface of this machine or from a trusted network (see
     * {@link AccessRules}). The default.
     */
    ALLOW_LOOPBACK,
    /** Always, also in clear over the network. Passwords can then be read by anyone on the path. */
    ALLOW
}
