package dev.poplar.pop3.spring.boot.test.sample;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application that imports invoices from a POP3 mailbox: the kind of client the test support is for. */
@SpringBootApplication
public class InvoiceApplication {
}
