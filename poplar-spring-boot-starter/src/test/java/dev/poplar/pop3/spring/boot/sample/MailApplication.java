package dev.poplar.pop3.spring.boot.sample;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.util.Map;

/** A mail application that serves its mailboxes over POP3 with the starter: two beans and properties. */
@SpringBootApplication
public class MailApplication {

    /** Each user has one message waiting. */
    @Bean
    InMemoryMailboxStore mailboxStore() {
        InMemoryMailboxStore store = new InMemoryMailboxStore();
        for (String user : users().keySet()) {
            store.add(user, "From: shop@example.com\r\nSubject: Your order, " + user + "\r\n\r\nIt has shipped.\r\n");
        }
        return store;
    }

    @Bean
    Authenticator authenticator() {
        return Authenticator.fromMap(users());
    }

    /** Tests running side by side in one context each use their own user. */
    static Map<String, String> users() {
        return Map.of("alice", "s3cret", "bob", "b0b", "carol", "c4rol", "dave", "d4ve");
    }

    public static void main(String[] args) {
        SpringApplication.run(MailApplication.class, args);
    }
}
