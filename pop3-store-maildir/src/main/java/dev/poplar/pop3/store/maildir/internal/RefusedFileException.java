package dev.poplar.pop3.store.maildir.internal;

import java.nio.file.FileSystemException;

/**
 * The store will not use a file system entry: a symbolic link it must not follow, a special file (FIFO, device,
 * socket), a directory where a file belongs or a file where a directory belongs, or an entry that changed between its
 * check and its open.
 */
public final class RefusedFileException extends FileSystemException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the entry
     * @param reason why it is refused
     */
    public RefusedFileException(String file, String reason) {
        super(file, null, reason);
    }
}
