package dev.poplar.pop3.server;

import dev.poplar.pop3.store.MessageInfo;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

/** The content hooks the README shows, word for word between the markers. */
final class ContentHookExamples {

    private ContentHookExamples() {
    }

    // README-BEGIN stamp
    // Adds two header lines naming who retrieved the message and when.
    static final class RetrievalStamp implements ContentHook {
        private final Clock clock;

        RetrievalStamp(Clock clock) {
            this.clock = clock;
        }

        @Override
        public Decision decide(Request request) {
            return Decision.prepend(stamp(request.recipient()));
        }

        @Override
        public long sizeChange(Recipient recipient, MessageInfo message) {
            // What prepend adds: each line and its CRLF. The time has a fixed width, so the size is known at login.
            return stamp(recipient).stream()
                    .mapToLong(line -> line.getBytes(StandardCharsets.UTF_8).length + 2).sum();
        }

        @Override
        public boolean mayBlock() {
            return false;
        }

        private List<String> stamp(Recipient recipient) {
            return List.of("X-Retrieved-By: " + recipient.user(),
                    "X-Retrieved-At: " + clock.instant().truncatedTo(ChronoUnit.SECONDS));
        }
    }
    // README-END stamp

    // README-BEGIN confidential
    // Withholds messages marked confidential from users outside a group.
    static final class ConfidentialMail implements ContentHook {
        private final Set<String> group;

        ConfidentialMail(Set<String> group) {
            this.group = Set.copyOf(group);
        }

        @Override
        public Decision decide(Request request) {
            MessageHeader header = request.header();
            // A header longer than the read-ahead may hide the field: withhold it then too.
            boolean confidential = !header.complete() || header.first("Sensitivity")
                    .filter(value -> value.equalsIgnoreCase("Company-Confidential")).isPresent();
            if (confidential && !group.contains(request.recipient().user())) {
                return Decision.refuse(ResponseCode.SYS_PERM, "message withheld by company policy");
            }
            return Decision.pass();
        }

        @Override
        public boolean mayBlock() {
            return false;
        }
    }
    // README-END confidential
}
