package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.ContentFacts;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Delivers messages into Maildirs by the Maildir protocol: the message is written to a new file in {@code tmp/},
 * streamed and scanned on the way, flushed to disk ({@code fsync}), then renamed into {@code new/} under its final name,
 * and {@code new/} is flushed. Until the rename nothing is in {@code new/}; a failure removes the file from
 * {@code tmp/}.
 *
 * <p><b>Names</b> are unique as Dovecot makes them, {@code <seconds>.M<microseconds>P<pid>Q<n>.<host>}, where the time
 * never repeats within this store (it moves on by a microsecond when the clock has not), {@code Q} counts this store's
 * deliveries from a random start (two stores of one process apart), and the host name has {@code /} and {@code :}
 * written as {@code \057} and {@code \072}, as the Maildir specification asks. The final name adds
 * {@code ,S=<octets>,W=<POP3 size>}, so that no listing needs to read the file.
 *
 * <p>Thread-safe.
 */
public final class MaildirDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirDelivery.class);
    private static final int ATTEMPTS = 5;

    private final Maildirs maildirs;
    private final boolean create;
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private long lastMicros;
    private long counter = new SecureRandom().nextInt() & 0x7fffffffL;

    /**
     * Creates the delivery.
     *
     * @param maildirs where the Maildirs are
     * @param create whether a missing Maildir is created
     * @param host this host's name, without white space
     */
    public MaildirDelivery(Maildirs maildirs, boolean create, String host) {
        this.maildirs = maildirs;
        this.create = create;
        this.host = host.replace("/", "\\057").replace(":", "\\072");
    }

    /**
     * Delivers one message.
     *
     * @param mailbox the mailbox name
     * @param message the octets, read to their end, not closed
     * @return the new message's unique id and POP3 size
     * @throws IOException if reading the message fails; nothing is delivered
     * @throws StoreException {@link StoreException.Kind#PERMANENT} for a mailbox that cannot be a Maildir here,
     *     {@link StoreException.Kind#TEMPORARY} if writing fails (a full disk); nothing is delivered
     */
    public MessageInfo deliver(String mailbox, InputStream message) throws IOException, StoreException {
        try (OpenedMaildir maildir = maildirs.open(mailbox, create)) {
            Directory tmp = tmp(maildir);
            Directory news = maildir.sub(OpenedMaildir.NEW);
            for (int attempt = 1; ; attempt++) {
                String unique = nextName();
                FileChannel out;
                try {
                    out = tmp.createFile(unique);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= ATTEMPTS) {
                        throw e;
                    }
                    continue;
                }
                Written written = write(out, tmp, unique, message, maildir);
                String name = unique + ",S=" + written.octets + ",W=" + written.facts.size();
                try {
                    tmp.rename(unique, news, name);
                } catch (IOException | RuntimeException e) {
                    deleteQuietly(tmp, unique);
                    throw e;
                }
                news.sync();
                return new MessageInfo(UniqueIds.of(name), written.facts.size());
            }
        } catch (ReadFailure e) {
            throw e.getCause();
        } catch (IOException e) {
            LOG.warn("Cannot deliver to mailbox {}: {}", Maildirs.printable(mailbox), e.toString());
            throw new StoreException(StoreException.Kind.TEMPORARY, "cannot deliver to mailbox "
                    + Maildirs.printable(mailbox) + ": " + e, e);
        }
    }

    private static Directory tmp(OpenedMaildir maildir) throws IOException, StoreException {
        try {
            return maildir.sub(OpenedMaildir.TMP);
        } catch (NoSuchFileException e) {
            throw new StoreException(StoreException.Kind.PERMANENT, "the Maildir " + maildir.path()
                    + " has no tmp/ directory", e);
        } catch (RefusedFileException e) {
            throw new StoreException(StoreException.Kind.PERMANENT, "the Maildir " + maildir.path() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Streams the message into the new file, scans it, flushes it; removes the file on any failure. */
    private static Written write(FileChannel out, Directory tmp, String unique, InputStream message,
                                 OpenedMaildir maildir) throws IOException {
        FailureTrackingInput in = new FailureTrackingInput(message);
        try (out) {
            ContentFacts facts = ContentFacts.copy(in, new ChannelOutput(out));
            out.force(true);
            return new Written(out.size(), facts);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, unique);
            if (in.failure != null && e == in.failure) {
                LOG.debug("Reading a message for {} failed; nothing was delivered: {}", maildir.path(), e.toString());
                throw new ReadFailure(in.failure);
            }
            throw e;
        }
    }

    private static void deleteQuietly(Directory directory, String name) {
        try {
            directory.delete(name);
        } catch (IOException e) {
            LOG.warn("Cannot remove {} after a failed delivery: {}", directory.path().resolve(name), e.toString());
        }
    }

    /** The next unique name: the time moves on by at least a microsecond per call. */
    private synchronized String nextName() {
        Instant now = Instant.now();
        long micros = Math.max(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000, lastMicros + 1);
        lastMicros = micros;
        counter = (counter + 1) & 0x7fffffffL;
        return (micros / 1_000_000) + ".M" + (micros % 1_000_000) + "P" + pid + "Q" + counter + "." + host;
    }

    private record Written(long octets, ContentFacts facts) {
    }

    /** A failure of the message's own stream: the caller's, not the store's. */
    private static final class ReadFailure extends IOException {
        private static final long serialVersionUID = 1L;

        ReadFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** Remembers a failure of the stream it reads, to tell it from a failure to write. */
    private static final class FailureTrackingInput extends FilterInputStream {
        IOException failure;

        FailureTrackingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Writes to a channel, every octet (a channel may write fewer than asked). */
    private static final class ChannelOutput extends OutputStream {
        private final FileChannel channel;

        ChannelOutput(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
