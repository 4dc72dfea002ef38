package dev.poplar.pop3.tls;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS material could not be loaded or used: a file is missing or unreadable, is not what it should be, holds an
 * expired certificate or a key that does not match the certificate, or the password is wrong. The message names the
 * file (where there is one) and says what is wrong with it, in words meant for the person who configures the
 * server.
 */
public final class TlsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates an exception about a file.
     *
     * @param file the file at fault, or {@code null} if the problem is not about one file
     * @param message what is wrong, naming the file
     * @param cause the underlying failure, or {@code null}
     */
    public TlsException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /**
     * Creates an exception that is not about a file.
     *
     * @param message what is wrong
     */
    public TlsException(String message) {
        this(null, message, null);
    }

    /**
     * The file at fault.
     *
     * @return the file, or empty if the problem is not about one file
     */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }
}
