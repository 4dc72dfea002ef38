package dev.poplar.examples;

import dev.poplar.pop3.auth.passwd.PasswordScheme;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code poplar pw}: hashes a password for the users file, or tests one against a hash, as {@code doveadm pw} does
 * (same options, same output, the same schemes as {@link PasswordScheme}).
 */
final class PasswordTool {

    static final String DEFAULT_SCHEME = "SHA512-CRYPT";

    static final String USAGE = String.join("\n",
            "usage: poplar pw [-l] [-s SCHEME] [-r ROUNDS] [-p PASSWORD] [-t HASH] [-V]",
            "Prints the password field for a users-file line user:{SCHEME}secret, as doveadm pw does.",
            "  -l           list the schemes",
            "  -s SCHEME    the scheme (default " + DEFAULT_SCHEME + ")",
            "  -r ROUNDS    rounds or cost, where the scheme has one",
            "  -p PASSWORD  the password (other users of this machine may see it in the process list)",
            "  -t HASH      test the password against HASH instead of hashing it; exit status 1 if it does not match",
            "  -V           verify the new hash before printing it",
            "Without -p: asks twice on the terminal without echo, or reads one line from standard input.");

    private PasswordTool() {
    }

    /**
     * Runs the tool.
     *
     * @param args the arguments after {@code pw}
     * @param console the terminal, if there is one
     * @param stdin standard input, read when there is no terminal
     * @param out where the result goes
     * @param err where problems go
     * @return the exit status: 0, 1 for a hash that does not match, 2 for bad arguments or input
     */
    static int run(String[] args, Optional<Console> console, BufferedReader stdin, PrintStream out,
                   PrintStream err) {
        String scheme = DEFAULT_SCHEME;
        Integer rounds = null;
        String password = null;
        String test = null;
        boolean verify = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-l" -> {
                        Arrays.stream(PasswordScheme.values()).forEach(s -> out.println(s.dovecotName()));
                        return 0;
                    }
                    case "-s" -> scheme = value(args, ++i, "-s");
                    case "-r" -> rounds = rounds(value(args, ++i, "-r"));
                    case "-p" -> password = value(args, ++i, "-p");
                    case "-t" -> test = value(args, ++i, "-t");
                    case "-V" -> verify = true;
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see -h)");
                }
            }
            PasswordScheme chosen = PasswordScheme.forName(scheme);
            if (password == null) {
                password = read(console, stdin, test == null);
            }
            if (test != null) {
                if (PasswordScheme.verify(test, password)) {
                    out.println(test + " (verified)");
                    return 0;
                }
                err.println("poplar pw: the password does not match the hash");
                return 1;
            }
            String hash = rounds == null ? chosen.hash(password) : chosen.hash(password, rounds);
            if (verify && !PasswordScheme.verify(hash, password)) {
                err.println("poplar pw: the new hash does not verify");
                return 1;
            }
            out.println(hash + (verify ? " (verified)" : ""));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("poplar pw: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("poplar pw: cannot read the password: " + e.getMessage());
            return 2;
        }
    }

    private static String read(Optional<Console> console, BufferedReader stdin, boolean twice) throws IOException {
        if (console.isPresent()) {
            char[] first = console.get().readPassword("Enter new password: ");
            if (first == null) {
                throw new IllegalArgumentException("no password given");
            }
            if (twice) {
                char[] again = console.get().readPassword("Retype new password: ");
                if (again == null || !Arrays.equals(first, again)) {
                    throw new IllegalArgumentException("the passwords do not match");
                }
            }
            return nonEmpty(new String(first));
        }
        String line = stdin.readLine();
        if (line == null) {
            throw new IllegalArgumentException("no password on standard input");
        }
        return nonEmpty(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }

    private static String nonEmpty(String password) {
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
        return password;
    }

    private static int rounds(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-r must be a number: " + text);
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }
}
