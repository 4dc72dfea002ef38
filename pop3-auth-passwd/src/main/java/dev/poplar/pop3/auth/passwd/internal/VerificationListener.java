package dev.poplar.pop3.auth.passwd.internal;

/**
 * Told of each verification step an authentication attempt runs, real or decoy. The steps of an attempt depend on
 * the file and the kind of credentials only, never on the user: that is what makes unknown users cost what known
 * ones do. Tests use it to prove it; production passes {@link #NONE}.
 */
@FunctionalInterface
public interface VerificationListener {

    /** Listens to nothing. */
    VerificationListener NONE = step -> { };

    /**
     * A verification step ran.
     *
     * @param step the cost profile of a password check (e.g. {@code SHA512-CRYPT rounds=5000}), or the name of
     *     another step ({@code APP-PASSWORD}, {@code APOP}, {@code CRAM-MD5})
     */
    void ran(String step);
}
