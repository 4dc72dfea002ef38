package dev.poplar.pop3.spring.boot;

import dev.poplar.pop3.spring.boot.sample.MailApplication;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.AuthenticationFailedException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real Boot application serving POP3 through the starter, polled by Angus Mail.
 *
 * <p>The tests share one server and log in from one address, so they run one at a time and the failed login comes
 * last: the server's login penalty for that address (it delays the next attempt and refuses others made meanwhile)
 * would otherwise hold or refuse the other tests' logins.
 */
@Execution(ExecutionMode.SAME_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(classes = MailApplication.class, properties = "poplar.port=0")
class MailApplicationTest {

    @Value("${local.poplar.port}")
    int port;

    @Autowired
    InMemoryMailboxStore store;

    @Autowired
    Pop3ServerLifecycle lifecycle;

    @Autowired
    MeterRegistry meters;

    @Test
    void angusMailDownloadsAndDeletesFromTheApplicationsStore() throws Exception {
        assertThat(AngusMail.fetchSubjects(AngusMail.properties("pop3", port, null), "alice", "s3cret", true))
                .containsExactly("Your order, alice");
        assertThat(store.messages("alice")).isEmpty();
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void theApplicationsAuthenticatorDecidesWhoLogsIn() {
        assertThatThrownBy(() -> AngusMail.fetchSubjects(AngusMail.properties("pop3", port, null), "bob", "wrong",
                false)).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void theServerListensOnTheLoopbackPortPublishedInTheEnvironment() {
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(lifecycle.server().localAddress().getPort()).isEqualTo(port).isPositive();
        assertThat(lifecycle.server().localAddress().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void itsEventsArePop3MicrometerMetersInTheApplicationsRegistry() throws Exception {
        double before = logins();
        assertThat(AngusMail.fetchSubjects(AngusMail.properties("pop3", port, null), "carol", "c4rol", false))
                .containsExactly("Your order, carol");

        assertThat(logins()).isGreaterThanOrEqualTo(before + 1);
        assertThat(meters.get("pop3.messages.retrieved").summary().count()).isPositive();
        assertThat(meters.get("pop3.commands").tag("verb", "RETR").tag("status", "ok").timer().count()).isPositive();
        assertThat(meters.get("pop3.connections.open").gauge().value()).isNotNegative();
        assertThat(meters.find("pop3.connections.refused").tag("reason", "too_many_connections").counter())
                .isNotNull();
    }

    private double logins() {
        return meters.find("pop3.logins").tag("outcome", "success").counters().stream().mapToDouble(Counter::count)
                .sum();
    }
}
