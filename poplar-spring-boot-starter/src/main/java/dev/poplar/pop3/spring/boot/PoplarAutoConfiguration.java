package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Observer;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.spring.boot.internal.Pop3Meters;
import dev.poplar.pop3.spring.boot.internal.TlsContexts;
import dev.poplar.pop3.store.MailboxStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ResourceLoader;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Auto-configures a POP3 server from the {@code poplar.*} properties ({@link PoplarProperties}) and the application's
 * beans: its {@link MailboxStore} and {@link Authenticator} (one of each, required), every {@link Pop3Observer}, and
 * every {@link Pop3ServerBuilderCustomizer}. The server runs with the application context
 * ({@link Pop3ServerLifecycle}); with Micrometer on the class path (as with Spring Boot Actuator) its events are
 * {@code pop3-micrometer}'s meters, named {@code pop3.*}.
 *
 * <p>Off with {@code poplar.enabled=false}, and when the application declares a {@link Pop3Server} bean of its own.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnProperty(prefix = "poplar", name = "enabled", matchIfMissing = true)
@ConditionalOnMissingBean(Pop3Server.class)
@EnableConfigurationProperties(PoplarProperties.class)
public class PoplarAutoConfiguration {

    /** Created by Spring Boot. */
    public PoplarAutoConfiguration() {
    }

    /**
     * The server, run with the application context.
     *
     * @param properties the {@code poplar.*} properties
     * @param store the application's store
     * @param authenticator the application's authenticator
     * @param observers the application's observers
     * @param customizers the application's customizers, in order
     * @param tls the TLS contexts, if {@code poplar.tls.*} is set
     * @param environment where the bound ports go
     * @return the lifecycle of the server
     * @throws IllegalStateException naming the property, if the configuration is incomplete or contradictory
     */
    @Bean
    public Pop3ServerLifecycle pop3ServerLifecycle(PoplarProperties properties, MailboxStore store,
                                                   Authenticator authenticator, ObjectProvider<Pop3Observer> observers,
                                                   ObjectProvider<Pop3ServerBuilderCustomizer> customizers,
                                                   ObjectProvider<TlsContexts> tls,
                                                   ConfigurableEnvironment environment) {
        Pop3Server.Builder builder = Pop3Server.builder().store(store).authenticator(authenticator);
        List<Listener> listeners = listeners(properties);
        listeners.forEach(builder::listener);
        apply(properties, builder);
        TlsContexts contexts = tls.getIfAvailable();
        if (contexts != null) {
            builder.tls(contexts);
        }
        observers.orderedStream().forEach(builder::observer);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return new Pop3ServerLifecycle(builder, listeners, environment);
    }

    private static List<Listener> listeners(PoplarProperties properties) {
        List<Listener> listeners = new ArrayList<>();
        if (properties.port() != -1) {
            listeners.add(Listener.plain(properties.address(), properties.port()));
        }
        if (properties.pop3sPort() != null) {
            if (!properties.tls().configured()) {
                throw new IllegalStateException("poplar.pop3s-port needs TLS: set poplar.tls.certificate and "
                        + "poplar.tls.private-key (PEM files), or poplar.tls.bundle (an SSL bundle)");
            }
            listeners.add(Listener.implicitTls(properties.address(), properties.pop3sPort()));
        }
        if (listeners.isEmpty()) {
            throw new IllegalStateException("poplar.port is -1 and poplar.pop3s-port is not set: the server would "
                    + "have no listener (poplar.enabled=false runs none)");
        }
        return listeners;
    }

    private static void apply(PoplarProperties p, Pop3Server.Builder builder) {
        ifSet(p.serverName(), builder::serverName);
        ifSet(p.plaintextAuth(), builder::plaintextAuth);
        ifSet(p.maxConnections(), builder::maxConnections);
        ifSet(p.maxConnectionsPerAddress(), builder::maxConnectionsPerAddress);
        ifSet(p.idleTimeout(), builder::idleTimeout);
        ifSet(p.authorizationTimeout(), builder::authorizationTimeout);
        ifSet(p.shutdownGracePeriod(), builder::shutdownGracePeriod);
        ifSet(p.workerThreads(), builder::workerThreads);
        ifSet(p.tls().clientAuth(), builder::clientAuth);
    }

    /** Unset properties keep the builder's defaults. */
    private static <T> void ifSet(T value, Consumer<T> setting) {
        if (value != null) {
            setting.accept(value);
        }
    }

    /** TLS, when {@code poplar.tls.*} says where the certificate comes from. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(TlsConfigured.class)
    static class Tls {

        @Bean(destroyMethod = "close")
        TlsContexts poplarTlsContexts(PoplarProperties properties, ObjectProvider<SslBundles> bundles,
                                      ResourceLoader resourceLoader) {
            return TlsContexts.of(properties.tls(), bundles.getIfAvailable(), resourceLoader.getClassLoader());
        }
    }

    /** Any of the properties that say where the certificate comes from. */
    static final class TlsConfigured extends AnyNestedCondition {

        TlsConfigured() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "poplar.tls", name = "certificate")
        static final class Certificate {
        }

        @ConditionalOnProperty(prefix = "poplar.tls", name = "private-key")
        static final class PrivateKey {
        }

        @ConditionalOnProperty(prefix = "poplar.tls", name = "bundle")
        static final class Bundle {
        }
    }

    /** Meters ({@code pop3-micrometer}'s), when Micrometer is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.core.instrument.binder.MeterBinder",
            "dev.poplar.pop3.micrometer.Pop3MeterBinder"})
    static class Metrics {

        /** Both a meter binder, for the registries, and an observer of the server (the lifecycle is read lazily). */
        @Bean
        @ConditionalOnMissingBean(name = "poplarMeterBinder")
        Pop3Meters poplarMeterBinder(ObjectProvider<Pop3ServerLifecycle> lifecycle) {
            return new Pop3Meters(() -> lifecycle.getObject().metrics());
        }
    }
}
