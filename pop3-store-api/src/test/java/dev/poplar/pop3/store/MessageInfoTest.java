package dev.poplar.pop3.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class MessageInfoTest {

    @Test
    void uidsFollowRfc1939() {
        assertThatNoException().isThrownBy(() -> new MessageInfo("!~" + "a".repeat(68), 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new MessageInfo("", 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new MessageInfo("a".repeat(71), 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new MessageInfo("has space", 1))
                .withMessageContaining("index 3");
        assertThatIllegalArgumentException().isThrownBy(() -> new MessageInfo("é", 1));
    }

    @Test
    void sizesAreNotNegative() {
        assertThatIllegalArgumentException().isThrownBy(() -> new MessageInfo("a", -1));
    }
}
