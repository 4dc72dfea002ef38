package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.proxy.Cidr;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Listener} behind a TCP load balancer (HAProxy, nginx {@code stream}, a cloud balancer) learns the real
 * client: the balancer opens each connection with a PROXY protocol header (HAProxy's specification, version 1 or 2,
 * both accepted) that names the client's address.
 *
 * <p><b>Who may send a header.</b> Only the {@linkplain Builder#trust(String) trusted sources}, the balancers. A
 * connection from a trusted source must start with a valid header, complete within the
 * {@linkplain Builder#headerTimeout(Duration) header timeout} from accept; otherwise it is closed without a word
 * (the specification forbids guessing whether a header is present). A connection from any other address is served as
 * a direct client with its own address, and if it starts with a PROXY header it is closed as a protocol error: nobody
 * else may claim to speak for a client.
 *
 * <p><b>What the header changes.</b> Everything that uses the client's address uses the one in the header: the
 * per-address connection limit, the failed-login delay, the clear-text password policy (loopback or not), events and
 * logs. A header that relays no address (v1 {@code UNKNOWN}, v2 {@code LOCAL} as in health checks) leaves the
 * connection's own addresses. With implicit TLS the balancer passes the TLS stream through ({@code mode tcp}): the
 * header comes first, then the TLS handshake with this server.
 *
 * <p><b>TLS ended at the balancer.</b> With {@link Builder#trustClientTls(boolean) trustClientTls}, a v2 header whose
 * SSL TLV says that the client connected to the balancer over TLS makes the session count as secure: clear-text
 * passwords are allowed as after {@code STLS}, and {@code STLS} is not offered. Turn it on only when the path from the
 * balancer to this server is itself trusted (the same host, or a private network nobody else can read), since the
 * passwords cross it in clear.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProxyProtocol {

    private final List<Cidr> trusted;
    private final Duration headerTimeout;
    private final boolean trustClientTls;

    private ProxyProtocol(List<Cidr> trusted, Duration headerTimeout, boolean trustClientTls) {
        this.trusted = List.copyOf(trusted);
        this.headerTimeout = headerTimeout;
        this.trustClientTls = trustClientTls;
    }

    /**
     * Starts a configuration.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The trusted sources, as configured.
     *
     * @return CIDR blocks, e.g. {@code 10.0.0.0/8}
     */
    public List<String> trustedSources() {
        return trusted.stream().map(Cidr::toString).toList();
    }

    /**
     * How long a trusted source has, from accept, to send its complete header.
     *
     * @return the timeout
     */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /**
     * Whether a v2 header saying that the client connected to the balancer over TLS makes the session secure.
     *
     * @return {@code true} if the balancer's word on TLS is trusted
     */
    public boolean trustClientTls() {
        return trustClientTls;
    }

    /**
     * Whether connections from an address must start with a PROXY header.
     *
     * @param address the address a connection comes from
     * @return {@code true} if the address is in a trusted block
     */
    public boolean trusts(InetAddress address) {
        for (Cidr block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyProtocol p && trustedSources().equals(p.trustedSources())
                && headerTimeout.equals(p.headerTimeout) && trustClientTls == p.trustClientTls;
    }

    @Override
    public int hashCode() {
        return Objects.hash(trustedSources(), headerTimeout, trustClientTls);
    }

    @Override
    public String toString() {
        return "ProxyProtocol[trusted=" + trustedSources() + ", headerTimeout=" + headerTimeout
                + ", trustClientTls=" + trustClientTls + "]";
    }

    /** Builds a {@link ProxyProtocol}. Not thread-safe. */
    public static final class Builder {
        private final List<Cidr> trusted = new ArrayList<>();
        private Duration headerTimeout = Duration.ofSeconds(5);
        private boolean trustClientTls;

        private Builder() {
        }

        /**
         * Adds a trusted source: a balancer's address, or a block of them. At least one is required.
         *
         * @param cidr an IPv4 or IPv6 address, optionally with a prefix length: {@code 10.1.2.3},
         *     {@code 10.0.0.0/8}, {@code fd00::/8}
         * @return this builder
         * @throws IllegalArgumentException naming the text, if it is not an address or block (host names are not
         *     accepted: they would need a lookup)
         */
        public Builder trust(String cidr) {
            Objects.requireNonNull(cidr, "cidr");
            try {
                trusted.add(Cidr.parse(cidr.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("proxyProtocol trust: " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * How long a trusted source has, from accept, to send its complete header; the connection is closed after.
         * Default 5 seconds (the specification asks for at least 3, to cover a TCP retransmit).
         *
         * @param timeout 1 second to 1 minute
         * @return this builder
         */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = Objects.requireNonNull(timeout, "headerTimeout");
            return this;
        }

        /**
         * Whether a v2 header whose SSL TLV says that the client used TLS to reach the balancer makes the session
         * secure (see the class description for the trust this implies). Default {@code false}.
         *
         * @param trust {@code true} to trust the balancer's word on TLS
         * @return this builder
         */
        public Builder trustClientTls(boolean trust) {
            this.trustClientTls = trust;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws IllegalStateException naming the setting, if no source is trusted or the timeout is out of range
         */
        public ProxyProtocol build() {
            if (trusted.isEmpty()) {
                throw new IllegalStateException("proxyProtocol: trust(...) at least one balancer address or block");
            }
            if (headerTimeout.compareTo(Duration.ofSeconds(1)) < 0
                    || headerTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalStateException("proxyProtocol headerTimeout must be 1 second to 1 minute: "
                        + headerTimeout);
            }
            return new ProxyProtocol(trusted, headerTimeout, trustClientTls);
        }
    }
}
