package dev.poplar.pop3.auth.passwd.internal;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HmacMd5ContextTest {

    @Test
    void theCompressionFunctionGivesTheJdksMd5AtEveryLengthAroundTheBlocks() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length <= 200; length++) {
            byte[] message = new byte[length];
            random.nextBytes(message);
            assertThat(HmacMd5Context.digest(message)).as("length %d", length)
                    .isEqualTo(MessageDigest.getInstance("MD5").digest(message));
        }
    }

    @Test
    void finishingFromAContextGivesTheJdksHmacMd5ForShortAndLongKeys() throws Exception {
        Random random = new Random(7);
        for (int keyLength : new int[] {1, 16, 63, 64, 65, 100, 300}) {
            for (int messageLength : new int[] {0, 1, 40, 55, 56, 64, 130}) {
                byte[] key = new byte[keyLength];
                byte[] message = new byte[messageLength];
                random.nextBytes(key);
                random.nextBytes(message);
                Mac hmac = Mac.getInstance("HmacMD5");
                hmac.init(new SecretKeySpec(key, "HmacMD5"));
                assertThat(HmacMd5Context.hmac(HmacMd5Context.of(key), message))
                        .as("key %d, message %d", keyLength, messageLength).isEqualTo(hmac.doFinal(message));
            }
        }
    }

    @Test
    void aContextOfAnotherLengthIsRefused() {
        assertThatThrownBy(() -> HmacMd5Context.hmac(new byte[31], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
