package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CrlfInputStreamTest {

    private static final String LF = "Subject: x\n\nline one\n.dot\n\nend\n";
    private static final String CRLF = "Subject: x\r\n\r\nline one\r\n.dot\r\n\r\nend\r\n";

    private static CrlfInputStream stream(String text) {
        return new CrlfInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
    }

    @Nested
    class Conversion {
        @Test
        void bareLineFeedsBecomeCrlfReadOneOctetAtATime() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (CrlfInputStream in = stream(LF)) {
                for (int b = in.read(); b >= 0; b = in.read()) {
                    out.write(b);
                }
            }

            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(CRLF);
        }

        @Test
        void bareLineFeedsBecomeCrlfReadInChunksOfEverySize() throws IOException {
            for (int chunk = 1; chunk <= CRLF.length() + 1; chunk++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[chunk];
                try (CrlfInputStream in = stream(LF)) {
                    for (int n = in.read(buffer, 0, chunk); n >= 0; n = in.read(buffer, 0, chunk)) {
                        out.write(buffer, 0, n);
                    }
                }

                assertThat(out.toString(StandardCharsets.US_ASCII)).as("chunks of %d", chunk).isEqualTo(CRLF);
            }
        }

        @Test
        void crlfContentPassesUnchanged() throws IOException {
            try (CrlfInputStream in = stream(CRLF)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(CRLF);
            }
        }
    }

    @Test
    void availableCountsWhatCanBeReadWithoutBlocking() throws IOException {
        try (CrlfInputStream in = stream(LF)) {
            assertThat(in.available()).isEqualTo(LF.length());
            in.read();

            assertThat(in.available()).isEqualTo(LF.length() - 1);
        }
    }
}
