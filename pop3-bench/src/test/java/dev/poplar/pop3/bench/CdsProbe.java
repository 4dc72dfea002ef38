package dev.poplar.pop3.bench;

/** A main class for {@link ClassDataArchiveTest}: the training run of a class-data archive, or one that fails. */
public final class CdsProbe {

    private CdsProbe() {
    }

    /**
     * Prints a line; with the argument {@code fail}, prints why and exits with 3.
     *
     * @param args {@code fail}, or nothing
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("fail")) {
            System.out.println("probe refused to train");
            System.exit(3);
        }
        System.out.println("probe ran");
    }
}
