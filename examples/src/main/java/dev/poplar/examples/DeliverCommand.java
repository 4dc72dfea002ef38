package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.pop3.store.Delivery;
import dev.poplar.pop3.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * {@code poplar deliver --config FILE USER}: reads one message on standard input and delivers it to USER's mailbox in
 * the store the configuration file names, streaming (the message is never held whole in memory). Made to be Postfix's
 * {@code mailbox_command} or to be called from a script; its exit status follows {@code sysexits.h}:
 *
 * <ul>
 *   <li>0: delivered; the unique id and size go to standard output.</li>
 *   <li>75 {@code EX_TEMPFAIL}: try again later, nothing was delivered: the store cannot be reached or failed,
 *       reading standard input failed, or the configuration file has a problem (so that a mistake of the operator
 *       keeps mail in the queue instead of bouncing it).</li>
 *   <li>67 {@code EX_NOUSER}: the store refuses the mailbox before taking any of the message (a name it does not
 *       allow; a mailbox that does not exist when {@code create_missing_mailboxes} is off).</li>
 *   <li>65 {@code EX_DATAERR}: the store refuses the message itself (larger than {@code max_message_size}).</li>
 *   <li>64 {@code EX_USAGE}: bad arguments.</li>
 *   <li>69 {@code EX_UNAVAILABLE}: the configured store cannot receive mail (the in-memory demo).</li>
 * </ul>
 *
 * A first line of the mbox form {@code From sender date} (which some delivery agents write before the headers) is
 * dropped. Every problem is one line on standard error.
 */
final class DeliverCommand {

    static final int EX_OK = 0;
    static final int EX_USAGE = 64;
    static final int EX_DATAERR = 65;
    static final int EX_NOUSER = 67;
    static final int EX_UNAVAILABLE = 69;
    static final int EX_TEMPFAIL = 75;

    static final String USAGE = "usage: poplar deliver --config FILE USER   (one message on standard input)";

    private DeliverCommand() {
    }

    /**
     * Delivers the message on {@code in}.
     *
     * @param args the arguments after {@code deliver}
     * @param in the message
     * @param environment looks up {@code ${env:NAME}} in the configuration
     * @param out where the delivered message's unique id goes
     * @param err where problems go
     * @return the exit status (see the class comment)
     */
    static int run(String[] args, InputStream in, Function<String, String> environment, PrintStream out,
                   PrintStream err) {
        List<String> words = Arrays.asList(args);
        if (words.size() != 3 || !words.get(0).equals("--config")) {
            err.println(USAGE);
            return EX_USAGE;
        }
        Path file = Path.of(words.get(1));
        String user = words.get(2);
        ServerConfig config;
        try {
            config = ServerConfig.fromFile(file, environment);
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("poplar deliver: " + p));
            return EX_TEMPFAIL;
        }
        StoreConfig.Opened opened;
        try {
            opened = config.store().forOneDelivery().openStore();
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("poplar deliver: " + p));
            return EX_TEMPFAIL;
        } catch (StoreException e) {
            err.println("poplar deliver: " + e.getMessage());
            return EX_TEMPFAIL;
        }
        try {
            if (config.store().memory() || !(opened.store() instanceof Delivery delivery)) {
                err.println("poplar deliver: " + opened.description() + " cannot receive mail: configure a maildir"
                        + " or jdbc store");
                return EX_UNAVAILABLE;
            }
            return deliver(delivery, user, in, out, err);
        } finally {
            try {
                opened.resource().close();
            } catch (Exception e) {
                err.println("poplar deliver: closing the store: " + e.getMessage());
            }
        }
    }

    private static int deliver(Delivery delivery, String user, InputStream in, PrintStream out, PrintStream err) {
        InputStream message;
        try {
            message = withoutEnvelopeLine(in);
        } catch (IOException e) {
            err.println("poplar deliver: cannot read the message for " + user + ": " + e.getMessage());
            return EX_TEMPFAIL;
        }
        DeliveryAttempt.Result result = DeliveryAttempt.deliver(delivery, user, message);
        if (result.delivered().isPresent()) {
            out.println(result.delivered().get().uid() + " " + result.delivered().get().size());
            return EX_OK;
        }
        err.println("poplar deliver: " + result.problem());
        return switch (result.failure().orElseThrow()) {
            case NO_MAILBOX -> EX_NOUSER;
            case REFUSED_MESSAGE -> EX_DATAERR;
            case TEMPORARY -> EX_TEMPFAIL;
        };
    }

    /**
     * The message without a first line {@code From ...} (the mbox envelope line), read as it goes.
     *
     * @param in the message as the delivery agent gives it
     * @return the message itself
     * @throws IOException if reading the first line fails
     */
    static InputStream withoutEnvelopeLine(InputStream in) throws IOException {
        byte[] from = "From ".getBytes(StandardCharsets.US_ASCII);
        PushbackInputStream peek = new PushbackInputStream(in, from.length);
        byte[] start = peek.readNBytes(from.length);
        if (Arrays.equals(start, from)) {
            for (int b = peek.read(); b != -1 && b != '\n'; b = peek.read()) {
                // the rest of the envelope line
            }
        } else {
            peek.unread(start);
        }
        return peek;
    }
}
