package dev.poplar.pop3.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.james.core.Username;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.NettyServer;
import org.apache.james.protocols.pop3.POP3Configuration;
import org.apache.james.protocols.pop3.POP3Protocol;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPassCmdHandler;
import org.apache.james.protocols.pop3.core.CapaCmdHandler;
import org.apache.james.protocols.pop3.core.DeleCmdHandler;
import org.apache.james.protocols.pop3.core.ListCmdHandler;
import org.apache.james.protocols.pop3.core.NoopCmdHandler;
import org.apache.james.protocols.pop3.core.QuitCmdHandler;
import org.apache.james.protocols.pop3.core.RetrCmdHandler;
import org.apache.james.protocols.pop3.core.RsetCmdHandler;
import org.apache.james.protocols.pop3.core.StatCmdHandler;
import org.apache.james.protocols.pop3.core.StlsCmdHandler;
import org.apache.james.protocols.pop3.core.TopCmdHandler;
import org.apache.james.protocols.pop3.core.UidlCmdHandler;
import org.apache.james.protocols.pop3.core.UnknownCmdHandler;
import org.apache.james.protocols.pop3.core.UserCmdHandler;
import org.apache.james.protocols.pop3.core.WelcomeMessageHandler;
import org.apache.james.protocols.pop3.mailbox.Mailbox;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;
import org.reactivestreams.Publisher;

/**
 * Apache James's embeddable POP3 server ({@code protocols-pop3} on {@code protocols-netty}) over the fixture, built
 * as an application embeds it: James ships its default handler chain only in its test sources, so the chain is
 * assembled here from James's own command handlers, with a PASS handler that checks the fixture's passwords and
 * opens a {@link Mailbox} over the user's Maildir folder.
 *
 * <p>The mailbox lists the folder at login (no cache: James asks for the listing once per session), takes sizes
 * from the {@code ,W=} field of the file names and streams content from the file with LF converted to CRLF. James's
 * API has no exclusive hold on a mailbox, so none is taken. Metrics are switched off (a no-op factory).
 */
final class JamesPop3 {

    /** RFC 1939 section 3: an autologout timer of at least 10 minutes, as the other targets have. */
    private static final int TIMEOUT_SECONDS = 600;

    private JamesPop3() {
    }

    /**
     * Builds and binds one James POP3 server.
     *
     * @param tls the server context for implicit TLS, or {@code null} for plain POP3
     * @return the bound server; the caller unbinds it
     * @throws IOException if the handler chain cannot be wired or the port cannot be bound
     */
    static NettyServer start(Path maildirRoot, Map<String, String> passwords, InetSocketAddress address,
                             SSLContext tls) throws IOException {
        MetricFactory metrics = new NoMetrics();
        ProtocolHandlerChainImpl chain = new ProtocolHandlerChainImpl();
        chain.add(new MaildirPass(metrics, maildirRoot, passwords));
        chain.addAll(List.of(new CapaCmdHandler(metrics), new UserCmdHandler(metrics), new ListCmdHandler(metrics),
                new UidlCmdHandler(metrics), new RsetCmdHandler(metrics), new DeleCmdHandler(metrics),
                new NoopCmdHandler(metrics), new RetrCmdHandler(metrics), new TopCmdHandler(metrics),
                new StatCmdHandler(metrics), new QuitCmdHandler(metrics), new StlsCmdHandler(metrics),
                new WelcomeMessageHandler(), new UnknownCmdHandler(), new CommandDispatcher<POP3Session>(),
                new CommandHandlerResultLogger()));
        try {
            chain.wireExtensibleHandlers();
        } catch (WiringException e) {
            throw new IOException("James's POP3 handler chain cannot be wired: " + e.getMessage(), e);
        }
        NettyServer server = new NettyServer.Factory()
                .protocol(new POP3Protocol(chain, new POP3Configuration()))
                .secure(tls == null ? null : Encryption.createTls(tls))
                .build();
        server.setListenAddresses(address);
        server.setTimeout(TIMEOUT_SECONDS);
        try {
            server.bind();
        } catch (Exception e) {
            server.unbind();
            throw new IOException("James's POP3 server did not bind " + address + ": " + e, e);
        }
        return server;
    }

    /** PASS: the fixture's passwords, and the user's Maildir folder as the mailbox. */
    private static final class MaildirPass extends AbstractPassCmdHandler {
        private final Path maildirRoot;
        private final Map<String, String> passwords;

        MaildirPass(MetricFactory metrics, Path maildirRoot, Map<String, String> passwords) {
            super(metrics);
            this.maildirRoot = maildirRoot;
            this.passwords = Map.copyOf(passwords);
        }

        @Override
        protected Mailbox auth(POP3Session session, Username username, String password) {
            String user = username.asString();
            return password.equals(passwords.get(user)) ? new MaildirMailbox(user, maildirRoot.resolve(user)) : null;
        }
    }

    /** A James {@link Mailbox} over one Maildir folder. Used by one session at a time. */
    static final class MaildirMailbox implements Mailbox {
        private final String user;
        private final Path folder;
        private final Map<String, Path> files = new HashMap<>();

        MaildirMailbox(String user, Path folder) {
            this.user = user;
            this.folder = folder;
        }

        @Override
        public List<MessageMetaData> getMessages() throws IOException {
            files.clear();
            List<MessageMetaData> messages = new ArrayList<>();
            for (Path file : MaildirFolder.messageFiles(folder)) {
                String uid = MaildirFolder.uniqueName(file);
                files.put(uid, file);
                messages.add(new MessageMetaData(uid, MaildirFolder.crlfSize(file)));
            }
            return messages;
        }

        @Override
        public InputStream getMessage(String uid) throws IOException {
            Path file = files.get(uid);
            if (file == null) {
                throw new IOException("no message " + uid + " in " + folder);
            }
            return new CrlfInputStream(Files.newInputStream(file));
        }

        @Override
        public void remove(String... uids) throws IOException {
            for (String uid : uids) {
                Path file = files.remove(uid);
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            }
        }

        @Override
        public String getIdentifier() {
            return user;
        }

        @Override
        public void close() {
            files.clear();
        }
    }

    /** Metrics switched off: the benchmark measures the protocol, not James's metric back end. */
    private static final class NoMetrics implements MetricFactory {
        private static final TimeMetric.ExecutionResult NOTHING = new TimeMetric.ExecutionResult() {
            @Override
            public Duration elasped() {
                return Duration.ZERO;
            }

            @Override
            public TimeMetric.ExecutionResult logWhenExceedP99(Duration threshold) {
                return this;
            }
        };

        @Override
        public Metric generate(String name) {
            return new Metric() {
                @Override
                public void increment() {
                }

                @Override
                public void decrement() {
                }

                @Override
                public void add(int value) {
                }

                @Override
                public void remove(int value) {
                }

                @Override
                public long getCount() {
                    return 0;
                }
            };
        }

        @Override
        public TimeMetric timer(String name) {
            return new TimeMetric() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public ExecutionResult stopAndPublish() {
                    return NOTHING;
                }
            };
        }

        @Override
        public <T> T decorateSupplierWithTimerMetric(String name, Supplier<T> supplier) {
            return supplier.get();
        }

        @Override
        public <T> Publisher<T> decoratePublisherWithTimerMetric(String name, Publisher<T> publisher) {
            return publisher;
        }

        @Override
        public <T> Publisher<T> decoratePublisherWithTimerMetricLogP99(String name, Publisher<T> publisher) {
            return publisher;
        }
    }
}
