package plight.testkit;

/** What the fuzz and security tests check of text that reaches a log line, a reply line or a response. */
public final class Texts {
    private Texts() {
    }

    /** No line break of any kind: LF, CR, NEL, U+2028, U+2029, VT, FF. */
    public static boolean oneLine(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0x0b || c == 0x0c) return false;
        }
        return true;
    }

    /** No control character (C0 but tab, DEL, C1), no line break. */
    public static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f) return false;
        }
        return oneLine(s);
    }
}
