package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.ContentHook;
import dev.poplar.pop3.server.MessageHeader;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.command.RefusedContent;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Opens a message's content through the {@link ContentHook}: reads the header ahead (at most
 * {@link MessageHeader#LIMIT} octets), asks the hook, and returns the content to send: the stored one (a file is put
 * back at its start, so that it may still go out as zero copy), or the stored one behind added header lines and through
 * the hook's transform, streamed. A refusal is a {@link RefusedContent}. Runs where content is read (a worker when the
 * store or the hook may block).
 */
final class HookedContent {

    private static final Logger LOG = LoggerFactory.getLogger(HookedContent.class);

    private HookedContent() {
    }

    /**
     * Lets the hook decide on a message opened for sending.
     *
     * @param hook the hook
     * @param stored the message's content as the store opened it; closed here if the message is not sent
     * @param recipient who retrieves it
     * @param message the message
     * @param verb {@code RETR} or {@code TOP}
     * @param declaredSize the size the session reports for it (the store's plus the hook's declared change)
     * @return the content to send; the caller closes it
     * @throws StoreException if the store cannot provide the content
     * @throws RefusedContent if the hook refused the message, or failed
     */
    static MessageContent open(ContentHook hook, MessageContent stored, ContentHook.Recipient recipient,
                               MessageInfo message, Verb verb, long declaredSize)
            throws StoreException, RefusedContent {
        try {
            return decide(hook, stored, recipient, message, verb, declaredSize);
        } catch (StoreException | RefusedContent | RuntimeException e) {
            close(stored);
            throw e;
        }
    }

    private static MessageContent decide(ContentHook hook, MessageContent stored, ContentHook.Recipient recipient,
                                         MessageInfo message, Verb verb, long declaredSize)
            throws StoreException, RefusedContent {
        ReadableByteChannel channel;
        long start = -1;
        ByteBuffer ahead = ByteBuffer.allocate((int) Math.min(MessageHeader.LIMIT, message.size() + 1));
        boolean whole;
        try {
            channel = stored.channel();
            if (channel instanceof FileChannel file) {
                start = file.position();
            }
            whole = readHeader(channel, ahead);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.TEMPORARY, "could not read message " + message.uid(), e);
        }
        ahead.flip();
        ContentHook.Decision decision;
        try {
            decision = hook.decide(new ContentHook.Request(recipient, message, verb,
                    MessageHeader.parse(ahead, whole)));
            if (decision == null) {
                throw new IllegalStateException("the content hook decided null");
            }
        } catch (RuntimeException e) {
            LOG.error("content hook failed on message {}", message.uid(), e);
            throw new RefusedContent(Replies.INTERNAL_ERROR, "content hook failed");
        }
        long change = declaredSize - message.size();
        if (decision instanceof ContentHook.Refuse refuse) {
            LOG.info("content hook refused message {} to {}: {}", message.uid(), LogSafe.text(recipient.user()),
                    refuse.text());
            throw new RefusedContent(new Reply.Status(false, refuse.code().orElse(null), refuse.text()),
                    "refused by the content hook");
        }
        if (decision instanceof ContentHook.Pass) {
            warnIfChanged(message, verb, change, 0);
            if (start >= 0) {
                try {
                    ((FileChannel) channel).position(start);
                    return stored;
                } catch (IOException e) {
                    throw new StoreException(StoreException.Kind.TEMPORARY, "could not read " + message.uid(), e);
                }
            }
            return outgoing(stored, new Sequence(octets(ahead), channel), stored.wireReady(), null);
        }
        ContentHook.Transform transform = (ContentHook.Transform) decision;
        byte[] lines = lines(transform.headerLines());
        ReadableByteChannel source = new Sequence(octets(ByteBuffer.wrap(lines)),
                new Sequence(octets(ahead), channel));
        ReadableByteChannel out;
        try {
            out = transform.body().apply(source);
            if (out == null) {
                throw new IllegalStateException("the content hook's transform returned null");
            }
        } catch (RuntimeException e) {
            LOG.error("content hook's transform failed on message {}", message.uid(), e);
            throw new RefusedContent(Replies.INTERNAL_ERROR, "content hook failed");
        }
        if (out == source) {
            // Header lines only: the change is known now, and wire-ready content stays so.
            warnIfChanged(message, verb, change, lines.length);
            boolean wireReady = stored.wireReady()
                    && transform.headerLines().stream().noneMatch(line -> line.startsWith("."));
            return outgoing(stored, source, wireReady, null);
        }
        return outgoing(stored, out, false, verb == Verb.RETR ? new SizeCheck(message, declaredSize) : null);
    }

    /** Reads until the header's end is in, the buffer is full, or the content ends; returns whether it ended. */
    private static boolean readHeader(ReadableByteChannel channel, ByteBuffer ahead) throws IOException {
        int scanned = 0;
        while (ahead.hasRemaining()) {
            if (channel.read(ahead) < 0) {
                return true;
            }
            for (int i = Math.max(1, scanned); i < ahead.position(); i++) {
                if (ahead.get(i) == '\n' && (ahead.get(i - 1) == '\n'
                        || ahead.get(i - 1) == '\r' && i >= 2 && ahead.get(i - 2) == '\n')) {
                    return false;
                }
            }
            scanned = ahead.position();
        }
        return false;
    }

    private static byte[] lines(List<String> headerLines) {
        StringBuilder text = new StringBuilder();
        headerLines.forEach(line -> text.append(line).append("\r\n"));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A channel reading the octets of a heap buffer from its position to its limit, without copying them first. */
    private static ReadableByteChannel octets(ByteBuffer buffer) {
        return Channels.newChannel(new ByteArrayInputStream(buffer.array(), buffer.arrayOffset() + buffer.position(),
                buffer.remaining()));
    }

    private static void warnIfChanged(MessageInfo message, Verb verb, long declared, long actual) {
        if (verb == Verb.RETR && declared != actual) {
            LOG.warn("content hook changes message {} by {} octets but declared {}: LIST and RETR disagree",
                    message.uid(), actual, declared);
        }
    }

    private static void close(MessageContent content) {
        try {
            content.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not close message content", e);
        }
    }

    /** One channel to its end, then another. */
    private static final class Sequence implements ReadableByteChannel {
        private final ReadableByteChannel first;
        private final ReadableByteChannel then;
        private boolean firstEnded;

        Sequence(ReadableByteChannel first, ReadableByteChannel then) {
            this.first = first;
            this.then = then;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!firstEnded) {
                int n = first.read(dst);
                if (n >= 0) {
                    return n;
                }
                firstEnded = true;
            }
            return then.read(dst);
        }

        @Override
        public boolean isOpen() {
            return then.isOpen();
        }

        @Override
        public void close() throws IOException {
            then.close();
        }
    }

    private static MessageContent outgoing(MessageContent stored, ReadableByteChannel channel, boolean wireReady,
                                           SizeCheck check) {
        return MessageContent.ofChannel(new Outgoing(stored, channel, check), wireReady);
    }

    /**
     * What the server reads: the channel the decision made. Closing it closes the stored content too, and checks the
     * size a transform produced against the declared one.
     */
    private static final class Outgoing implements ReadableByteChannel {
        private final MessageContent stored;
        private final ReadableByteChannel channel;
        private final SizeCheck check;

        Outgoing(MessageContent stored, ReadableByteChannel channel, SizeCheck check) {
            this.stored = stored;
            this.channel = channel;
            this.check = check;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int from = dst.position();
            int n = channel.read(dst);
            if (check != null) {
                check.count(dst, from, n);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                stored.close();
                if (check != null) {
                    check.check();
                }
            }
        }
    }

    /** Counts the POP3 size of what a transform produced, and warns at the end if it is not the declared size. */
    private static final class SizeCheck {
        private final MessageInfo message;
        private final long declared;
        private long octets;
        private long bareLineFeeds;
        private byte last = '\n';
        private boolean ended;

        SizeCheck(MessageInfo message, long declared) {
            this.message = message;
            this.declared = declared;
        }

        void count(ByteBuffer read, int from, int n) {
            if (n < 0) {
                ended = true;
                return;
            }
            for (int i = from; i < from + n; i++) {
                byte b = read.get(i);
                if (b == '\n' && last != '\r') {
                    bareLineFeeds++;
                }
                last = b;
            }
            octets += n;
        }

        void check() {
            if (!ended) {
                return;
            }
            long size = octets + bareLineFeeds + (octets > 0 && last != '\n' ? 2 : 0);
            if (size != declared) {
                LOG.warn("content hook sent message {} with {} octets but declared {}: LIST and RETR disagree",
                        message.uid(), size, declared);
            }
        }
    }
}
