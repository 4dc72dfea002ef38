package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Observer;
import dev.poplar.pop3.server.Pop3Server;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import dev.poplar.pop3.tls.DevCertificateAuthority;
import dev.poplar.pop3.tls.ServerTls;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The auto-configuration's conditions and failures, each in a small context of its own. */
class PoplarAutoConfigurationTest {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PoplarAutoConfiguration.class, SslAutoConfiguration.class))
            .withPropertyValues("poplar.port=0");

    @Configuration(proxyBeanMethods = false)
    static class StoreAndUsers {
        @Bean
        InMemoryMailboxStore store() {
            return new InMemoryMailboxStore();
        }

        @Bean
        Authenticator authenticator() {
            return Authenticator.fromMap(Map.of("alice", "s3cret"));
        }
    }

    static String greeting(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @Nested
    class Running {
        @Test
        void aStoreAndAnAuthenticatorAreEnoughForARunningServer() {
            runner.withUserConfiguration(StoreAndUsers.class).run(context -> {
                assertThat(context).hasNotFailed().hasSingleBean(Pop3ServerLifecycle.class)
                        .hasSingleBean(MeterBinder.class);
                Pop3ServerLifecycle lifecycle = context.getBean(Pop3ServerLifecycle.class);
                assertThat(lifecycle.isRunning()).isTrue();
                int port = context.getEnvironment().getRequiredProperty("local.poplar.port", Integer.class);
                assertThat(greeting(port)).startsWith("+OK Poplar");
            });
        }

        @Test
        void propertiesCustomizersAndObserversReachTheServer() {
            BlockingQueue<Pop3Event> events = new LinkedBlockingQueue<>();
            runner.withUserConfiguration(StoreAndUsers.class)
                    .withPropertyValues("poplar.server-name=Example-Mail")
                    .withBean(Customized.class)
                    .withBean(EarlyCustomizer.class)
                    .withBean(Pop3Observer.class, () -> events::add)
                    .run(context -> {
                        int port = context.getEnvironment().getRequiredProperty("local.poplar.port", Integer.class);
                        assertThat(greeting(port)).startsWith("+OK Last-Customizer POP3 server ready");
                        assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOf(Pop3Event.ConnectionOpened.class);
                    });
        }

        @Test
        void closingTheContextStopsTheServer() throws Exception {
            int[] port = new int[1];
            runner.withUserConfiguration(StoreAndUsers.class).run(context -> port[0] = context.getEnvironment()
                    .getRequiredProperty("local.poplar.port", Integer.class));
            assertThat(port[0]).isPositive();
            assertThatThrownBy(() -> greeting(port[0])).isInstanceOf(ConnectException.class);
        }

        @Test
        void anSslBundleServesPop3s(@TempDir Path files) throws Exception {
            DevCertificateAuthority ca = DevCertificateAuthority.create();
            ca.issue().writePem(files.resolve("chain.pem"), files.resolve("key.pem"));
            runner.withUserConfiguration(StoreAndUsers.class).withPropertyValues(
                    "spring.ssl.bundle.pem.mail.keystore.certificate=" + files.resolve("chain.pem").toUri(),
                    "spring.ssl.bundle.pem.mail.keystore.private-key=" + files.resolve("key.pem").toUri(),
                    "poplar.tls.bundle=mail", "poplar.pop3s-port=0").run(context -> {
                        int pop3s = context.getEnvironment().getRequiredProperty("local.poplar.pop3s-port",
                                Integer.class);
                        assertThat(AngusMail.fetchSubjects(AngusMail.properties("pop3s", pop3s,
                                ca.clientSslContext()), "alice", "s3cret", false)).isEmpty();
                    });
        }

        @Test
        void aContextStoppedAndStartedAgainServesOnANewServer() {
            runner.withUserConfiguration(StoreAndUsers.class).run(context -> {
                Pop3ServerLifecycle lifecycle = context.getBean(Pop3ServerLifecycle.class);
                int first = context.getEnvironment().getRequiredProperty("local.poplar.port", Integer.class);
                context.stop();
                assertThat(lifecycle.isRunning()).isFalse();
                assertThatThrownBy(() -> greeting(first)).isInstanceOf(ConnectException.class);
                assertThatThrownBy(lifecycle::server).hasMessageContaining("not running");

                context.start();
                int second = context.getEnvironment().getRequiredProperty("local.poplar.port", Integer.class);
                assertThat(lifecycle.server().localAddress().getPort()).isEqualTo(second);
                assertThat(greeting(second)).startsWith("+OK Poplar");
            });
        }

        @Test
        void withoutMicrometerTheServerRunsWithoutMeters() {
            runner.withUserConfiguration(StoreAndUsers.class).withClassLoader(new FilteredClassLoader(MeterBinder.class))
                    .run(context -> {
                        assertThat(context).hasNotFailed().doesNotHaveBean("poplarMeterBinder");
                        assertThat(context.getBean(Pop3ServerLifecycle.class).isRunning()).isTrue();
                    });
        }
    }

    @Order(1)
    static class EarlyCustomizer implements Pop3ServerBuilderCustomizer {
        @Override
        public void customize(Pop3Server.Builder builder) {
            builder.serverName("Early");
        }
    }

    /** Runs after {@link EarlyCustomizer}, though registered before it. */
    @Order(10)
    static class Customized implements Pop3ServerBuilderCustomizer {
        @Override
        public void customize(Pop3Server.Builder builder) {
            builder.serverName("Last-Customizer");
        }
    }

    @Nested
    class BackingOff {
        @Test
        void poplarEnabledFalseRunsNoServer() {
            runner.withUserConfiguration(StoreAndUsers.class).withPropertyValues("poplar.enabled=false")
                    .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Pop3ServerLifecycle.class));
        }

        @Test
        void anApplicationsOwnServerReplacesTheAutoConfiguredOne() {
            runner.withUserConfiguration(StoreAndUsers.class)
                    .withBean(Pop3Server.class, () -> Pop3Server.builder().store(new InMemoryMailboxStore())
                            .authenticator(Authenticator.rejectAll()).build())
                    .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Pop3ServerLifecycle.class));
        }
    }

    @Nested
    class Failing {
        @Test
        void withoutAStoreTheFailureNamesTheMissingBean() {
            runner.withBean(Authenticator.class, Authenticator::rejectAll).run(context -> assertThat(context)
                    .getFailure().rootCause().isInstanceOf(NoSuchBeanDefinitionException.class)
                    .hasMessageContaining("dev.poplar.pop3.store.MailboxStore"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "poplar.pop3s-port=0 | poplar.pop3s-port needs TLS: set poplar.tls.certificate",
                "poplar.port=-1 | the server would have no listener",
                "poplar.idle-timeout=1m | idleTimeout must be at least 10 minutes",
                "poplar.tls.certificate=/etc/poplar/chain.pem | poplar.tls.private-key is not",
                "poplar.tls.certificate=/nonexistent/chain.pem, poplar.tls.private-key=/nonexistent/key.pem "
                        + "| /nonexistent/",
                "poplar.tls.bundle=mail, poplar.tls.private-key=/etc/poplar/key.pem | choose one",
                "poplar.tls.bundle=missing | SSL bundle name 'missing' cannot be found",
                "poplar.tls.bundle=mail, poplar.tls.provider=openssl | poplar.tls.provider applies to PEM files",
                "poplar.tls.certificate=/etc/poplar/chain.pem, poplar.tls.private-key=/etc/poplar/key.pem, "
                        + "poplar.tls.provider=wolfssl | poplar.tls.provider must be jdk, bouncy-castle, openssl or "
                        + "auto, not \"wolfssl\""})
        void aBadSettingIsRefusedByName(String properties, String message) {
            runner.withUserConfiguration(StoreAndUsers.class).withPropertyValues(properties.split(", "))
                    .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining(message));
        }

        @Test
        void pemFilesWithoutPop3TlsNameTheDependency() {
            runner.withUserConfiguration(StoreAndUsers.class).withClassLoader(new FilteredClassLoader(ServerTls.class))
                    .withPropertyValues("poplar.tls.certificate=/etc/poplar/chain.pem",
                            "poplar.tls.private-key=/etc/poplar/key.pem")
                    .run(context -> assertThat(context).getFailure().rootCause()
                            .hasMessageContaining("poplar.tls.certificate needs dev.poplar:pop3-tls"));
        }
    }
}
