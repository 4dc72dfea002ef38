package dev.poplar.examples;

import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * One message into one mailbox, for {@code poplar deliver} and the LMTP listener, with a failure sorted the way a mail
 * transfer agent needs it: retry later, unknown recipient, or a message the store refuses. A store that refuses before
 * reading any of the message refused the mailbox; one that refuses after reading some refused the message.
 */
final class DeliveryAttempt {

    /** Why a message was not delivered. */
    enum Failure {
        /** Nothing delivered; retry later (the store failed, or reading the message did). */
        TEMPORARY,
        /** The store refused the mailbox (a name it does not allow, a mailbox that does not exist). */
        NO_MAILBOX,
        /** The store refused the message itself (too large). */
        REFUSED_MESSAGE
    }

    /**
     * What happened.
     *
     * @param delivered the new message, if delivered
     * @param failure why not, if not
     * @param problem the failure's text, for the log (never for a client)
     */
    record Result(Optional<MessageInfo> delivered, Optional<Failure> failure, String problem) {
        static Result of(MessageInfo message) {
            return new Result(Optional.of(message), Optional.empty(), "");
        }

        static Result failed(Failure failure, String problem) {
            return new Result(Optional.empty(), Optional.of(failure), problem);
        }
    }

    private DeliveryAttempt() {
    }

    /**
     * Delivers a message.
     *
     * @param delivery the store
     * @param mailbox the mailbox
     * @param message the message, read to its end unless the store refuses it earlier
     * @return the outcome; never throws for a failure of the store or of the input
     */
    static Result deliver(Delivery delivery, String mailbox, InputStream message) {
        CountingInput counted = new CountingInput(message);
        try {
            return Result.of(delivery.deliver(mailbox, counted));
        } catch (IOException e) {
            return Result.failed(Failure.TEMPORARY, "cannot read the message for " + mailbox + ": " + e.getMessage());
        } catch (StoreException e) {
            Failure failure = switch (e.kind()) {
                case PERMANENT -> counted.count == 0 ? Failure.NO_MAILBOX : Failure.REFUSED_MESSAGE;
                case TEMPORARY, IN_USE, GONE -> Failure.TEMPORARY;
            };
            return Result.failed(failure, e.getMessage());
        } catch (RuntimeException e) {
            return Result.failed(Failure.TEMPORARY, e.toString());
        }
    }

    /** Counts the octets read, to tell a refused mailbox (nothing read) from a refused message. */
    private static final class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
