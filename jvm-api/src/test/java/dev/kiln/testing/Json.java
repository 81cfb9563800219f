package dev.kiln.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON the golden files' safetensors headers hold: objects (key order kept), arrays, strings, numbers, true,
 * false, null. Numbers read as Long when integral, else Double.
 */
final class Json {
    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /** The object {@code text} holds. */
    static Map<String, Object> object(String text) {
        Json json = new Json(text);
        Object value = json.value();
        json.space();
        if (!(value instanceof Map) || json.at != text.length()) {
            throw json.error("a single JSON object");
        }
        return cast(value);
    }

    /** A parsed value as the type its use expects (Map, List, String, Number). */
    @SuppressWarnings("unchecked")
    static <T> T cast(Object value) {
        return (T) value;
    }

    private Object value() {
        space();
        char c = peek();
        switch (c) {
            case '{':
                return members();
            case '[':
                return elements();
            case '"':
                return string();
            case 't':
                return word("true", Boolean.TRUE);
            case 'f':
                return word("false", Boolean.FALSE);
            case 'n':
                return word("null", null);
            default:
                return number();
        }
    }

    private Map<String, Object> members() {
        Map<String, Object> out = new LinkedHashMap<>();
        at++;
        space();
        if (peek() == '}') {
            at++;
            return out;
        }
        do {
            space();
            String key = string();
            space();
            expect(':');
            out.put(key, value());
            space();
        } while (next() == ',');
        at--;
        expect('}');
        return out;
    }

    private List<Object> elements() {
        List<Object> out = new ArrayList<>();
        at++;
        space();
        if (peek() == ']') {
            at++;
            return out;
        }
        do {
            out.add(value());
            space();
        } while (next() == ',');
        at--;
        expect(']');
        return out;
    }

    private String string() {
        expect('"');
        StringBuilder s = new StringBuilder();
        for (char c = next(); c != '"'; c = next()) {
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case 'n': s.append('\n'); break;
                case 't': s.append('\t'); break;
                case 'r': s.append('\r'); break;
                case 'b': s.append('\b'); break;
                case 'f': s.append('\f'); break;
                case 'u':
                    s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                    break;
                default: s.append(e); // \" \\ \/
            }
        }
        return s.toString();
    }

    private Number number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String n = text.substring(start, at);
        if (n.isEmpty()) {
            throw error("a value");
        }
        return n.matches("-?\\d+") ? (Number) Long.parseLong(n) : (Number) Double.parseDouble(n);
    }

    private Object word(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error(word);
        }
        at += word.length();
        return value;
    }

    private void space() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw error("more JSON");
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            at--;
            throw error("'" + c + "'");
        }
    }

    private IllegalStateException error(String expected) {
        return new IllegalStateException("golden file header: expected " + expected + " at character " + at);
    }
}
