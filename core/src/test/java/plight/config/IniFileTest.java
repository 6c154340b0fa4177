package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The INI dialect of the original (Python ConfigParser). */
class IniFileTest {
    private static final Path FILE = Path.of("/etc/plight/plight.conf");

    @Test
    void keysValuesCommentsAndLineNumbers() throws Exception {
        IniFile ini = IniFile.parse(FILE, String.join("\n",
                "# a comment",                    // 1
                "; another",                      // 2
                "",                               // 3
                "[webserver]   ; trailing",       // 4
                "Port = 10101  ",                 // 5
                "host: ::1 ; colon separator",    // 6
                "   ",                            // 7
                "[enabled]",                      // 8
                "message = a=b;c",                // 9: '=' and ';' without space before it are part of the value
                ""));
        assertEquals(List.of("webserver", "enabled"), ini.sections().stream().map(IniFile.Section::name).toList());
        IniFile.Section web = ini.section("webserver").orElseThrow();
        assertEquals(4, web.line());
        assertEquals(new IniFile.Entry("Port", "10101", 5), web.get("port").orElseThrow());
        assertEquals(new IniFile.Entry("Port", "10101", 5), web.get("PORT").orElseThrow());
        assertEquals(new IniFile.Entry("host", "::1", 6), web.get("host").orElseThrow());
        assertEquals("a=b;c", ini.section("enabled").orElseThrow().get("message").orElseThrow().value());
        assertEquals(FILE, ini.file());
    }

    @Test
    void indentedCommentBetweenEntriesIsNotAContinuation() throws Exception {
        IniFile ini = IniFile.parse(FILE, "[disabled]\ncommand = disable   ; verb\n      ; more comment\ncode = 404\n");
        IniFile.Section s = ini.section("disabled").orElseThrow();
        assertEquals("disable", s.get("command").orElseThrow().value());
        assertEquals("404", s.get("code").orElseThrow().value());
    }

    @Test
    void hashInsideAValueIsKept() throws Exception {
        IniFile ini = IniFile.parse(FILE, "[offline]\nagent = down # node is offline\n");
        assertEquals("down # node is offline", ini.section("offline").orElseThrow().get("agent").orElseThrow().value());
    }

    @Test
    void errorsCarryTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[a]\nx = 1\n[b]\n[a]\n"));
        assertEquals(4, e.line());
        assertEquals("/etc/plight/plight.conf:4: duplicate section [a] (first at line 1)", e.getMessage());
        e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[a]\nx = 1\nX = 2\n"));
        assertEquals("/etc/plight/plight.conf:3: duplicate key 'X' (first at line 2)", e.getMessage());
        e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[]\n"));
        assertEquals(1, e.line());
        e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[a]\n= value\n"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("expected 'key = value'"), e.getMessage());
    }
}
