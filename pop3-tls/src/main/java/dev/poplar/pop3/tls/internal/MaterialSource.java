package dev.poplar.pop3.tls.internal;

import dev.poplar.pop3.tls.KeyMaterial;
import dev.poplar.pop3.tls.TlsException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a server's key material comes from: fixed material, or files that can be read again. Immutable; a
 * password given for files is kept (as a copy) so that the files can be reloaded.
 */
public interface MaterialSource {

    /**
     * Loads (or returns) the material.
     *
     * @return checked key material
     * @throws TlsException naming the file and the problem
     */
    KeyMaterial load() throws TlsException;

    /**
     * The files to watch for changes.
     *
     * @return the files; empty for fixed material
     */
    List<Path> files();

    /**
     * Fixed material.
     *
     * @param material the material
     * @return the source
     */
    static MaterialSource fixed(KeyMaterial material) {
        return new MaterialSource() {
            @Override
            public KeyMaterial load() {
                return material;
            }

            @Override
            public List<Path> files() {
                return List.of();
            }
        };
    }

    /**
     * PEM files.
     *
     * @param chain the chain file
     * @param key the key file
     * @param password the key's password, or {@code null}
     * @return the source
     */
    static MaterialSource pem(Path chain, Path key, char[] password) {
        char[] secret = password == null ? null : password.clone();
        List<Path> files = chain.equals(key) ? List.of(chain) : List.of(chain, key);
        return new MaterialSource() {
            @Override
            public KeyMaterial load() throws TlsException {
                return KeyMaterial.fromPem(chain, key, secret);
            }

            @Override
            public List<Path> files() {
                return files;
            }
        };
    }

    /**
     * A PKCS#12 file.
     *
     * @param file the file
     * @param password its password
     * @return the source
     */
    static MaterialSource pkcs12(Path file, char[] password) {
        char[] secret = password.clone();
        return new MaterialSource() {
            @Override
            public KeyMaterial load() throws TlsException {
                return KeyMaterial.fromPkcs12(file, secret);
            }

            @Override
            public List<Path> files() {
                return List.of(file);
            }
        };
    }
}
