package dev.poplar.pop3.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The Java generator: a thread per connection in this JVM, blocking sockets, the JDK's TLS with one client context
 * shared by all connections (so that TLS sessions may be resumed). Its CPU is this JVM's over the run.
 */
final class JavaLoadGenerator implements LoadGenerator {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String description() {
        return "Java in the harness's JVM, a thread per connection (blocking sockets, JDK TLS, one shared client "
                + "context, so sessions may be resumed)";
    }

    @Override
    public SessionLoad.Result sessions(InetSocketAddress address, ClientSide tls, List<String> users,
                                       Duration duration) throws InterruptedException {
        return SessionLoad.run(address, tls == null ? null : tls.context(), users, duration);
    }

    @Override
    public RetrLoad.Result retr(InetSocketAddress address, ClientSide tls, List<String> users, int messages,
                                int size) throws InterruptedException {
        return RetrLoad.run(address, tls == null ? null : tls.context(), users, messages, size);
    }
}
