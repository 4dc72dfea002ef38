package dev.poplar.pop3.server;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MessageHeaderTest {

    @Test
    void fieldsAreFoundInAnyCaseWithFoldedValuesUnfolded() {
        MessageHeader header = MessageHeader.parse("Subject: a long\r\n  subject\r\nsensitivity:\r\n"
                + "\tCompany-Confidential\r\nReceived: one\r\nReceived: two\r\n\r\nSensitivity: in the body\r\n");
        assertThat(header.first("SUBJECT")).contains("a long  subject");
        assertThat(header.first("Sensitivity")).contains("Company-Confidential");
        assertThat(header.all("received")).containsExactly("one", "two");
        assertThat(header.first("X-Missing")).isEmpty();
        assertThat(header.complete()).isTrue();
        assertThat(header.fields()).hasSize(4);
    }

    @Test
    void lineFeedsAloneEndLinesToo() {
        MessageHeader header = MessageHeader.parse("From: a@example.org\nSubject: b\n\nbody\n");
        assertThat(header.fields()).extracting(MessageHeader.Field::name).containsExactly("From", "Subject");
    }

    @Test
    void linesThatAreNoFieldAreSkipped() {
        MessageHeader header = MessageHeader.parse("garbage line\r\n continued garbage\r\nSubject: ok\r\n\r\n");
        assertThat(header.fields()).containsExactly(new MessageHeader.Field("Subject", "ok"));
    }

    @Test
    void aHeaderCutByTheReadAheadIsIncompleteAndItsCutLineUnseen() {
        byte[] octets = "Subject: ok\r\nSensitivity: Company-Conf".getBytes(StandardCharsets.US_ASCII);
        MessageHeader cut = MessageHeader.parse(ByteBuffer.wrap(octets), false);
        assertThat(cut.complete()).isFalse();
        assertThat(cut.fields()).containsExactly(new MessageHeader.Field("Subject", "ok"));
        MessageHeader whole = MessageHeader.parse(ByteBuffer.wrap(octets), true);
        assertThat(whole.complete()).as("the whole message is a header without a body").isTrue();
        assertThat(whole.first("Sensitivity")).contains("Company-Conf");
    }

    @Test
    void valuesAreUtf8AndTheBufferIsLeftAsItWas() {
        ByteBuffer octets = ByteBuffer.wrap("Subject: Grüße\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(MessageHeader.parse(octets, false).first("subject")).contains("Grüße");
        assertThat(octets.position()).isZero();
    }

    @Test
    void aMessageWithoutHeaderHasNoFields() {
        assertThat(MessageHeader.parse("\r\nbody\r\n").fields()).isEmpty();
    }
}
