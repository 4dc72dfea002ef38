package dev.poplar.pop3.spring.boot.test;

import dev.poplar.pop3.testkit.Pop3TestServer;
import dev.poplar.pop3.testkit.TlsMode;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the test server of {@link EnablePop3TestServer} for an application context being prepared, registers it as a
 * bean (closed with the context) and puts its address into the environment. Equal for equal annotations, so that
 * Spring's test context cache shares one context, and one server, between them.
 *
 * @param users the users, {@code name:password}
 * @param tls the TLS mode
 * @param prefix the prefix of the properties
 */
record Pop3TestServerContextCustomizer(List<String> users, TlsMode tls, String prefix) implements ContextCustomizer {

    /** The name of the server's bean. */
    static final String BEAN = "pop3TestServer";

    Pop3TestServerContextCustomizer {
        users = List.copyOf(users);
        for (String user : users) {
            if (user.indexOf(':') < 1) {
                throw new IllegalStateException("@EnablePop3TestServer users are name:password, not '" + user + "'");
            }
        }
        if (prefix.isBlank()) {
            throw new IllegalStateException("@EnablePop3TestServer propertyPrefix must not be blank");
        }
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
        Pop3TestServer.Builder builder = Pop3TestServer.builder().tls(tls);
        for (String user : users) {
            int colon = user.indexOf(':');
            builder.user(user.substring(0, colon), user.substring(colon + 1));
        }
        Pop3TestServer server = builder.start();
        ConfigurableListableBeanFactory beans = context.getBeanFactory();
        beans.registerSingleton(BEAN, server);
        if (beans instanceof DefaultSingletonBeanRegistry registry) {
            registry.registerDisposableBean(BEAN, server::close);
        }
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(BEAN, properties(server)));
    }

    private Map<String, Object> properties(Pop3TestServer server) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(prefix + ".host", server.host());
        if (tls != TlsMode.IMPLICIT) {
            properties.put(prefix + ".port", server.port());
        }
        if (tls == TlsMode.IMPLICIT || tls == TlsMode.STARTTLS_AND_IMPLICIT) {
            properties.put(prefix + ".pop3s-port", server.pop3sPort());
        }
        if (tls != TlsMode.NONE) {
            properties.put(prefix + ".ca-file", server.caPemFile().toString());
        }
        return properties;
    }
}
