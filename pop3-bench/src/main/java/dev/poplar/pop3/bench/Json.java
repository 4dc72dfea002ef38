package dev.poplar.pop3.bench;

/** A minimal JSON writer for the report: objects, arrays, strings, numbers, booleans and null. */
final class Json {

    private final StringBuilder out = new StringBuilder();
    private boolean needComma;
    private int depth;

    Json open(char bracket) {
        comma();
        out.append(bracket);
        depth++;
        needComma = false;
        return this;
    }

    Json close(char bracket) {
        depth--;
        newline();
        out.append(bracket);
        needComma = true;
        return this;
    }

    Json key(String key) {
        comma();
        string(key);
        out.append(": ");
        needComma = false;
        return this;
    }

    Json value(String value) {
        comma();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    Json value(Double value) {
        comma();
        out.append(value == null || value.isNaN() || value.isInfinite() ? "null" : Double.toString(value));
        needComma = true;
        return this;
    }

    Json value(boolean value) {
        comma();
        out.append(value);
        needComma = true;
        return this;
    }

    @Override
    public String toString() {
        return out + "\n";
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
        if (needComma || out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
            newline();
        }
    }

    private void newline() {
        if (out.length() > 0) {
            out.append('\n').append("  ".repeat(depth));
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
