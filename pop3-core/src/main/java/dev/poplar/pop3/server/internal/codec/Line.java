package dev.poplar.pop3.server.internal.codec;

/**
 * One line received from a client, without its line end.
 *
 * @param text the line, decoded as UTF-8 (malformed octets become U+FFFD); empty for an over-long line
 * @param octets the number of octets the line had, line end included
 * @param tooLong whether the line exceeded the decoder's limit and was discarded
 */
public record Line(String text, int octets, boolean tooLong) {

    /**
     * An over-long line that was discarded.
     *
     * @param octets how many octets it had
     * @return the marker line
     */
    public static Line tooLong(int octets) {
        return new Line("", octets, true);
    }
}
