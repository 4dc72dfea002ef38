package dev.poplar.pop3.testkit;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThat;
import static dev.poplar.pop3.testkit.assertj.Pop3Assertions.assertThatThrownBy;

/** Generated messages are what a mail library reads back: subjects, bodies, attachments, exact sizes. */
class TestMessagesTest {

    static MimeMessage parse(TestMessage message) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message.octets()));
    }

    @Nested
    class Text {
        @Test
        void aTextMessageReadsBackWithItsSubjectAndBody() throws Exception {
            MimeMessage parsed = parse(TestMessages.text("Invoice 42", "see attached\nthanks"));
            assertThat(parsed.getSubject()).isEqualTo("Invoice 42");
            assertThat(parsed.getContent()).isEqualTo("see attached\r\nthanks\r\n");
            assertThat(parsed.getFrom()[0].toString()).isEqualTo("sender@example.test");
            assertThat(parsed.getMessageID()).endsWith("@poplar.test>");
        }

        @Test
        void nonAsciiSubjectsAndBodiesSurviveTheRoundTrip() throws Exception {
            String subject = "Grüße aus Köln – ein sehr langer Betreff mit Umlauten, der gefaltet werden muss: äöü";
            TestMessage message = TestMessages.text(subject, "Schöne Grüße\n= und =3D bleiben");
            MimeMessage parsed = parse(message);
            assertThat(parsed.getSubject()).isEqualTo(subject);
            assertThat(message.subject()).isEqualTo(subject);
            assertThat(parsed.getContent()).isEqualTo("Schöne Grüße\r\n= und =3D bleiben\r\n");
            assertThat(new String(message.octets(), StandardCharsets.US_ASCII)).doesNotContain("ö");
        }

        @Test
        void everyLineEndsWithCrlf() {
            String octets = new String(TestMessages.text("s", "a\nb\r\nc").octets(), StandardCharsets.UTF_8);
            assertThat(octets.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
        }
    }

    @Nested
    class Multiparts {
        @Test
        void htmlIsTextHtml() throws Exception {
            MimeMessage parsed = parse(TestMessages.html("News", "<p>Hello</p>"));
            assertThat(parsed.isMimeType("text/html")).isTrue();
            assertThat(parsed.getContent()).isEqualTo("<p>Hello</p>\r\n");
        }

        @Test
        void textAndHtmlWithAnAttachmentMakeMixedAndAlternativeParts() throws Exception {
            byte[] pdf = {'%', 'P', 'D', 'F', 0, 1, 2, (byte) 0xFF};
            TestMessage message = TestMessages.builder().subject("Invoice").text("plain").html("<b>html</b>")
                    .attachment("invoice-42.pdf", pdf).attachment("Übersicht.txt", "text/plain", new byte[] {'x'})
                    .header("X-Ticket", "T-1").build();
            MimeMessage parsed = parse(message);
            assertThat(parsed.getHeader("X-Ticket", null)).isEqualTo("T-1");
            assertThat(parsed.isMimeType("multipart/mixed")).isTrue();
            jakarta.mail.Multipart mixed = (jakarta.mail.Multipart) parsed.getContent();
            assertThat(mixed.getCount()).isEqualTo(3);
            jakarta.mail.Multipart alternative = (jakarta.mail.Multipart) mixed.getBodyPart(0).getContent();
            assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("plain\r\n");
            assertThat(alternative.getBodyPart(1).isMimeType("text/html")).isTrue();
            BodyPart attachment = mixed.getBodyPart(1);
            assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
            assertThat(attachment.getFileName()).isEqualTo("invoice-42.pdf");
            assertThat(attachment.isMimeType("application/pdf")).isTrue();
            assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(pdf);
            assertThat(mixed.getBodyPart(2).getDisposition()).isEqualTo(Part.ATTACHMENT);
        }

        @Test
        void theShortcutAttachesOneFile() throws Exception {
            MimeMessage parsed = parse(TestMessages.withAttachment("Report", "attached", "r.csv",
                    "a,b\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(((jakarta.mail.Multipart) parsed.getContent()).getBodyPart(1).getFileName())
                    .isEqualTo("r.csv");
        }
    }

    @Nested
    class ExactSize {
        @ParameterizedTest
        @ValueSource(longs = {400, 401, 402, 479, 480, 481, 1000, 4097, 100_000, 1_048_576})
        void aMessageOfAnExactSizeHasThatPop3Size(long octets) throws Exception {
            TestMessage message = TestMessages.ofSize(octets);
            assertThat(message.size()).isEqualTo(octets);
            assertThat(message.octets()).hasSize((int) octets);
            assertThat(parse(message).getSubject()).isEqualTo("Message of " + octets + " octets");
        }

        @Test
        void everySizeFromTheSmallestPossibleCanBeMade() {
            long smallest = TestMessages.builder().subject("s").build().size();
            for (long octets = smallest; octets < smallest + 200; octets++) {
                assertThat(TestMessages.builder().subject("s").size(octets).build().size()).isEqualTo(octets);
            }
        }

        @Test
        void aMultipartMessageIsPaddedAfterItsLastPartAndStillParses() throws Exception {
            TestMessage message = TestMessages.builder().subject("big").text("t")
                    .attachment("a.bin", new byte[100]).size(5000).build();
            assertThat(message.size()).isEqualTo(5000);
            assertThat(((Multipart) parse(message).getContent()).getCount()).isEqualTo(2);
        }

        @Test
        void aSizeBelowTheHeadersIsRefusedWithTheSmallestPossible() {
            assertThatThrownBy(() -> TestMessages.ofSize(10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("10 octets").hasMessageContaining("already has");
        }
    }

    @Nested
    class Raw {
        @Test
        void rawMessagesKeepTheirOctetsAndCountBareLineFeedsAsCrlf() {
            TestMessage message = TestMessages.raw("Subject: raw\n\nbody\n");
            assertThat(message.octets()).isEqualTo("Subject: raw\n\nbody\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(message.size()).isEqualTo(22);
            assertThat(message.subject()).isEqualTo("raw");
        }

        @Test
        void anEmlResourceIsReadOctetForOctet() {
            TestMessage message = TestMessages.fromResource("mail/bounce.eml");
            assertThat(message.subject()).isEqualTo("Undelivered Mail Returned to Sender");
            assertThat(message.header("from")).contains("bounces@example.test");
            assertThat(TestMessages.fromResource("/mail/bounce.eml")).isEqualTo(message);
        }

        @Test
        void aMissingResourceIsNamed() {
            assertThatThrownBy(() -> TestMessages.fromResource("mail/none.eml"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mail/none.eml");
        }

        @Test
        void foldedAndEncodedHeadersAreReadDecoded() {
            TestMessage message = TestMessages.raw("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n =?ISO-8859-1?B?5A==?= "
                    + "and more\r\n\r\nx\r\n");
            assertThat(message.subject()).isEqualTo("Grüßeä and more");
            assertThat(message.header("X-None")).isEmpty();
        }

        @Test
        void headerValuesWithLineBreaksAreRefused() {
            assertThatThrownBy(() -> TestMessages.builder().subject("a\r\nBcc: x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
        }
    }
}
