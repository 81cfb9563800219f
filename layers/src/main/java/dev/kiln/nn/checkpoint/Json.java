package dev.kiln.nn.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser for the JSON of safetensors headers: objects, arrays, strings, integers
 * (as Long), true, false and null. Fractions and exponents are refused (a header holds none), as are
 * everything RFC 8259 forbids (leading zeros, control characters in strings, lone surrogates,
 * whitespace other than space, tab, CR and LF) and duplicate keys. Nesting deeper than
 * {@link #MAX_DEPTH} is refused as serde_json does, so a hostile header cannot overflow the stack.
 * Malformed input throws {@link IllegalArgumentException} with the character position.
 */
public final class Json {
    /** serde_json's recursion limit, which the reference safetensors reader inherits. */
    static final int MAX_DEPTH = 128;

    private final String s;
    private int i;
    private int depth;

    private Json(String s) {
        this.s = s;
    }

    static Map<String, Object> parseObject(String text) {
        Json p = new Json(text);
        p.skipSpace();
        if (p.i >= text.length() || text.charAt(p.i) != '{') {
            throw p.error("expected a JSON object");
        }
        Object v = p.value();
        p.skipSpace();
        if (p.i != text.length()) {
            throw p.error("extra input after the JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** str as a JSON string literal: quotes, backslashes and control characters escaped (also for reports). */
    public static String quote(String str) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : str.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private Object value() {
        skipSpace();
        char c = peek();
        switch (c) {
            case '{': return nested(true);
            case '[': return nested(false);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || isDigit(c)) {
                    return number();
                }
                throw error("unexpected character " + show(c));
        }
    }

    private Object nested(boolean object) {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        Object v = object ? object() : array();
        depth--;
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            skipSpace();
            int at = i;
            String key = string();
            skipSpace();
            expect(':');
            if (m.containsKey(key)) {
                i = at;
                throw error("duplicate key " + quote(key));
            }
            m.put(key, value());
            skipSpace();
            if (peek() == ',') {
                i++;
            } else {
                expect('}');
                return m;
            }
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            a.add(value());
            skipSpace();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                return a;
            }
        }
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, i)) {
            throw error("unexpected character " + show(s.charAt(i)));
        }
        i += word.length();
        return value;
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character " + show(c) + " in a string (it must be escaped)");
            }
            if (c != '\\') {
                b.append(c);
                i++;
                continue;
            }
            i++;
            char e = peek();
            i++;
            switch (e) {
                case '"': case '\\': case '/': b.append(e); break;
                case 'n': b.append('\n'); break;
                case 't': b.append('\t'); break;
                case 'r': b.append('\r'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u': b.append(unicodeEscape()); break;
                default:
                    i--;
                    throw error("bad escape \\" + e);
            }
        }
    }

    /** After "\\u": the code point, joining a surrogate pair written as two escapes. */
    private String unicodeEscape() {
        int start = i - 2;
        char c = hex4();
        if (Character.isLowSurrogate(c)) {
            i = start;
            throw error("lone low surrogate \\u" + Integer.toHexString(c));
        }
        if (!Character.isHighSurrogate(c)) {
            return String.valueOf(c);
        }
        if (!s.startsWith("\\u", i)) {
            i = start;
            throw error("lone high surrogate \\u" + Integer.toHexString(c));
        }
        i += 2;
        char low = hex4();
        if (!Character.isLowSurrogate(low)) {
            i = start;
            throw error("high surrogate \\u" + Integer.toHexString(c) + " not followed by a low one");
        }
        return new String(new char[] {c, low});
    }

    private char hex4() {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            char h = i < s.length() ? s.charAt(i) : 'x';
            int d = h <= 'f' ? Character.digit(h, 16) : -1; // Character.digit alone takes other scripts' digits too
            if (d < 0) {
                throw error("\\u needs four hex digits");
            }
            v = v * 16 + d;
            i++;
        }
        return (char) v;
    }

    private Long number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (i >= s.length() || !isDigit(s.charAt(i))) {
            throw error("a number needs digits");
        }
        if (s.charAt(i) == '0' && i + 1 < s.length() && isDigit(s.charAt(i + 1))) {
            throw error("leading zero in a number");
        }
        while (i < s.length() && isDigit(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && ".eE".indexOf(s.charAt(i)) >= 0) {
            throw error("only integers are expected in a safetensors header");
        }
        try {
            return Long.parseLong(s.substring(start, i));
        } catch (NumberFormatException e) {
            i = start;
            throw error("integer " + s.substring(start, Math.min(s.length(), start + 40)) + " is out of range");
        }
    }

    /** ASCII digits only: Character.isDigit also takes other scripts' digits, which JSON does not. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String show(char c) {
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private char peek() {
        if (i >= s.length()) {
            throw error("unexpected end of input");
        }
        return s.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "' but found " + show(s.charAt(i)));
        }
        i++;
    }

    /** JSON's four whitespace characters only. */
    private void skipSpace() {
        while (i < s.length() && " \t\n\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at position " + i);
    }
}
