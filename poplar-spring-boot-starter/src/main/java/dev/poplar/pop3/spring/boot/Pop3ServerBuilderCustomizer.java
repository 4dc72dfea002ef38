package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.server.Pop3Server;

/**
 * Adjusts the auto-configured server beyond the {@code poplar.*} properties: declare beans of this type, e.g.
 * {@code builder -> builder.expire(Expire.days(30)).implementation("Example Mail 1.0")}. They run in their
 * {@code @Order}, after the properties, the store, the authenticator, the observers and TLS are applied, so they
 * may override any of them.
 */
@FunctionalInterface
public interface Pop3ServerBuilderCustomizer {

    /**
     * Adjusts the builder. Called once, when the application context creates the server's {@link Pop3ServerLifecycle};
     * on the calling thread of the context's refresh.
     *
     * @param builder the builder, with the properties applied
     */
    void customize(Pop3Server.Builder builder);
}
