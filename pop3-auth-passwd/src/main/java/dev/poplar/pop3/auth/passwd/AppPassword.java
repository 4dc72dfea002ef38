package dev.poplar.pop3.auth.passwd;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One app password of a user, as {@link AppPasswords#list()} shows it: everything but the secret, which is stored
 * only as a digest.
 *
 * @param user the user it logs in as
 * @param id its identifier, unique in the file; {@link AppPasswords#revoke} takes it
 * @param label what the user called it ("Phone", "Backup script")
 * @param networks the client networks it may log in from, in CIDR notation; empty for anywhere
 * @param created when it was added
 * @param revoked when it was revoked; empty while it is valid
 * @param lastUsed when it last logged in, as far as recorded (at most a minute behind); empty if never
 */
public record AppPassword(String user, String id, String label, List<String> networks, Instant created,
                          Optional<Instant> revoked, Optional<Instant> lastUsed) {

    /**
     * Validates and copies the fields.
     *
     * @param user the user it logs in as
     * @param id its identifier, unique in the file; {@link AppPasswords#revoke} takes it
     * @param label what the user called it ("Phone", "Backup script")
     * @param networks the client networks it may log in from, in CIDR notation; empty for anywhere
     * @param created when it was added
     * @param revoked when it was revoked; empty while it is valid
     * @param lastUsed when it last logged in, as far as recorded (at most a minute behind); empty if never
     * @throws NullPointerException if any is null
     */
    public AppPassword {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        networks = List.copyOf(networks);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(revoked, "revoked");
        Objects.requireNonNull(lastUsed, "lastUsed");
    }

    /**
     * Whether it was revoked and no longer logs in.
     *
     * @return {@code true} once revoked
     */
    public boolean isRevoked() {
        return revoked.isPresent();
    }
}
