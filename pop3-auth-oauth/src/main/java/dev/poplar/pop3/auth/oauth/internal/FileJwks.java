package dev.poplar.pop3.auth.oauth.internal;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.List;
import java.util.Objects;

/**
 * Signing keys from a JWKS file, read again when it changes. Each use compares the file's attributes (modification
 * time, size, file key) with those last seen, which costs one {@code stat} and no read; a changed file is read and
 * parsed. A file that cannot be read or parsed keeps the keys of the last good one, and says why in the log once per
 * change. Replacing the file by an atomic move is the safe way to update it.
 */
public final class FileJwks implements JWKSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(FileJwks.class);

    /** The attributes that tell a changed file. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(FileTime.fromMillis(0), -1, null);
    }

    private record Loaded(JWKSet keys, Stamp seen) {
    }

    private final Path file;
    private volatile Loaded loaded;

    /**
     * Reads the file now.
     *
     * @param file the JWKS file
     * @throws IOException if it cannot be read
     * @throws ParseException if it is not a JWK set, or holds no public key
     */
    public FileJwks(Path file) throws IOException, ParseException {
        this.file = file;
        Stamp stamp = stamp();
        this.loaded = new Loaded(read(), stamp);
        LOG.info("Loaded {} signing keys from {}: {}", loaded.keys().size(), file, RemoteJwks.keyIds(loaded.keys()));
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        Loaded current = loaded;
        Stamp stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            stamp = Stamp.MISSING;
        }
        if (!stamp.equals(current.seen())) {
            current = reload(current, stamp);
        }
        return selector.select(current.keys());
    }

    private synchronized Loaded reload(Loaded before, Stamp stamp) {
        if (loaded != before) {
            return loaded;
        }
        Loaded next;
        try {
            if (stamp == Stamp.MISSING) {
                throw new NoSuchFileException(file.toString());
            }
            JWKSet keys = read();
            if (!RemoteJwks.keyIds(keys).equals(RemoteJwks.keyIds(before.keys()))) {
                LOG.info("The signing keys in {} changed: {} -> {}", file, RemoteJwks.keyIds(before.keys()),
                        RemoteJwks.keyIds(keys));
            }
            next = new Loaded(keys, stamp);
        } catch (IOException | ParseException e) {
            LOG.warn("Cannot reload the signing keys from {}; keeping the {} keys read before: {}", file,
                    before.keys().size(), e instanceof NoSuchFileException ? "no such file" : e.getMessage());
            next = new Loaded(before.keys(), stamp);
        }
        loaded = next;
        return next;
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    }

    private JWKSet read() throws IOException, ParseException {
        if (Files.size(file) > JwksFetcher.MAX_BYTES) {
            throw new IOException("larger than " + JwksFetcher.MAX_BYTES + " bytes");
        }
        JWKSet keys = JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8)).toPublicJWKSet();
        if (keys.isEmpty()) {
            throw new ParseException("no public key in the set", 0);
        }
        return keys;
    }

    @Override
    public String toString() {
        return Objects.toString(file);
    }
}
