package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refused configuration names file, line and problem in one line ({@code FILE:LINE: problem}); nothing is
 * half-loaded.
 */
class ConfigErrorsTest extends WithConfigFile {
    private static final String CLASSIC_STATES = String.join("\n",
            "[priorities]",                        // 1
            "states = enabled,disabled,offline",   // 2
            "[enabled]",                           // 3
            "code = 200",                          // 4
            "message = OK",                        // 5
            "[disabled]",                          // 6
            "file = /var/lib/plight/node_disabled",// 7
            "code = 404",                          // 8
            "message = node is unavailable",       // 9
            "[offline]",                           // 10
            "file = /var/lib/plight/node_offline", // 11
            "code = 503",                          // 12
            "message = node is offline",           // 13
            "");

    @Test
    void theBaseConfigOfTheseTestsIsValid() throws Exception {
        assertEquals(3, loader.loadFile(write(CLASSIC_STATES)).states().states().size());
    }

    @Test
    void unknownStateInPriorities() throws Exception {
        refused(CLASSIC_STATES.replace("states = enabled,disabled,offline", "states = enabled,disabled,offline,maintenance"),
                2, "'maintenance'", "no [maintenance] section");
    }

    @Test
    void sameStateTwiceInPriorities() throws Exception {
        refused(CLASSIC_STATES.replace("states = enabled,disabled,offline", "states = enabled,disabled,disabled,offline"),
                2, "'disabled' twice");
    }

    @Test
    void emptyNameInPriorities() throws Exception {
        refused(CLASSIC_STATES.replace("states = enabled,disabled,offline", "states = enabled,,offline"), 2, "empty name");
    }

    @Test
    void twoDefaults() throws Exception {
        refused(CLASSIC_STATES.replace("file = /var/lib/plight/node_disabled\n", ""),
                6, "'enabled' (line 3)", "'disabled'", "both have no 'file'");
    }

    @Test
    void noDefault() throws Exception {
        refused(CLASSIC_STATES.replace("code = 200", "file = /var/lib/plight/node_enabled\ncode = 200"),
                1, "no default state");
    }

    @Test
    void missingCode() throws Exception {
        refused(CLASSIC_STATES.replace("code = 404\n", ""), 6, "[disabled]", "no 'code'");
    }

    @Test
    void code99() throws Exception {
        refused(CLASSIC_STATES.replace("code = 404", "code = 99"), 8, "'code = 99'", "200-599");
    }

    /** Codes outside 200-599 that are not 1xx name the valid range only: the 1xx reason would mislead. */
    @ParameterizedTest
    @ValueSource(strings = {"600", "099", "99", "2e2", "not found", "-150"})
    void aCodeOutsideTheRangeNamesTheRangeAndNotTheReasonFor1xx(String code) throws Exception {
        ConfigException e = refused(CLASSIC_STATES.replace("code = 503", "code = " + code), 12, "'code = " + code + "'",
                "an HTTP status code 200-599");
        assertFalse(e.problem().contains("1xx"), e.problem());
    }

    /** A 1xx status is not a final answer: a prober would wait for the response that never follows. */
    @ParameterizedTest
    @ValueSource(ints = {100, 101, 103, 199})
    void informationalCodeIsRefused(int code) throws Exception {
        refused(CLASSIC_STATES.replace("code = 404", "code = " + code), 8, "'code = " + code + "'", "200-599",
                "1xx");
    }

    @Test
    void codeBoundsAreAccepted() throws Exception {
        Config c = loader.loadFile(write(CLASSIC_STATES.replace("code = 404", "code = 200").replace("code = 503", "code = 599")));
        assertEquals(200, c.states().byName("disabled").orElseThrow().code());
        assertEquals(599, c.states().byName("offline").orElseThrow().code());
    }

    @Test
    void nonNumericCode() throws Exception {
        refused(CLASSIC_STATES.replace("code = 404", "code = not found"), 8, "'code = not found'", "200-599");
    }

    @Test
    void badDuration() throws Exception {
        refused("[webserver]\nport = 10101\nidle_timeout = 5 parsecs\n" + CLASSIC_STATES, 3,
                "idle_timeout", "unparsable duration '5 parsecs'");
    }

    @Test
    void zeroDuration() throws Exception {
        refused("[webserver]\nrequest_timeout = 0s\n" + CLASSIC_STATES, 2, "request_timeout", "longer than 0");
    }

    @Test
    void duplicateKey() throws Exception {
        refused("[webserver]\nport = 10101\nhost = ::\nport = 10102\n" + CLASSIC_STATES, 4,
                "duplicate key 'port'", "first at line 2");
    }

    @Test
    void duplicateKeyIgnoresCase() throws Exception {
        refused("[webserver]\nport = 10101\nPORT = 10102\n", 3, "duplicate key 'PORT'", "first at line 2");
    }

    @Test
    void duplicateSection() throws Exception {
        refused(CLASSIC_STATES + "[enabled]\ncode = 204\n", 14, "duplicate section [enabled]", "first at line 3");
    }

    @Test
    void unknownKeyInAFixedSection() throws Exception {
        refused("[webserver]\nport = 10101\ncolour = blue\n", 3, "unknown key 'colour' in [webserver]", "port", "idle_timeout");
    }

    @Test
    void unknownKeyInAState() throws Exception {
        refused(CLASSIC_STATES.replace("file = /var/lib/plight/node_offline", "flie = /var/lib/plight/node_offline"),
                11, "unknown key 'flie' in state [offline]", "header.NAME");
    }

    @Test
    void portOutOfRange() throws Exception {
        refused("[webserver]\nport = 70000\n", 2, "'port = 70000'", "0-65535");
    }

    @Test
    void theApplicationLogAndTheAccessLogOnOneFileAreRefused() throws Exception {
        refused("[webserver]\nlogfile = /var/log/plight/x.log\n[logging]\nlogfile = /var/log/plight/../plight/x.log\n", 4,
                "[logging] logfile", "[webserver] logfile", "same file", "/var/log/plight/x.log");
    }

    @Test
    void aLogFilesizeOfAFewBytesIsRefused() throws Exception {
        refused("[logging]\nfilesize = 10\n", 2, "'filesize = 10'", "at least 4096");
        refused("[webserver]\nport = 10101\nfilesize = 4095\n", 3, "'filesize = 4095'", "at least 4096");
    }

    @Test
    void lineOutsideAnySection() throws Exception {
        refused("port = 10101\n" + CLASSIC_STATES, 1, "outside of any [section]");
    }

    @Test
    void lineThatIsNotKeyValue() throws Exception {
        refused("[webserver]\njust some words\n", 2, "expected 'key = value'");
    }

    @Test
    void malformedSectionHeader() throws Exception {
        refused("[webserver\nport = 1\n", 1, "malformed section header");
    }

    @Test
    void twoStatesSharingAFile() throws Exception {
        refused(CLASSIC_STATES.replace("file = /var/lib/plight/node_offline", "file = /var/lib/plight/node_disabled"),
                10, "same file", "'disabled'");
    }

    @Test
    void badLogLevel() throws Exception {
        refused("[logging]\nloglevel = LOUD\n", 2, "loglevel 'LOUD'");
    }

    @Test
    void controlCharacterInAMessage() throws Exception {
        refused(CLASSIC_STATES.replace("message = OK", "message = O\u0001K"), 5, "control character");
    }

    @Test
    void noSuchFile() throws Exception {
        Path missing = dir.resolve("missing.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(missing));
        assertEquals(0, e.line());
        assertEquals(missing + ": cannot read the configuration: no such file or directory", e.getMessage());
    }

    /** A path that cannot be read even by root: a directory. */
    @Test
    void directoryInsteadOfAFile() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("plight.conf.d"));
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(sub));
        assertEquals(0, e.line());
        assertTrue(e.getMessage().startsWith(sub + ": cannot read the configuration: "), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("directory"), e.getMessage());
    }

    /** Mode 000: refused for a plain user. Root reads it anyway, so this variant only runs when not root. */
    @Test
    void unreadableFile() throws Exception {
        assumeFalse(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0), "root reads mode-000 files");
        Path file = write(CLASSIC_STATES);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertEquals(file + ": cannot read the configuration: permission denied", e.getMessage());
    }

    @Test
    void notUtf8() throws Exception {
        Path file = dir.resolve("plight.conf");
        byte[] latin1 = "[enabled]\ncode = 200\nmessage = d\u00e9sactiv\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertEquals(3, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ":3: "), e.getMessage());
        assertTrue(e.problem().contains("not valid UTF-8"), e.getMessage());
    }

    /**
     * CR, LF, NUL, NEL and the Unicode separators can never reach a response, a path or a log line from the config:
     * each is refused with its line and the character named (RELIABILITY.md, "Security").
     */
    @Test
    void controlCharactersAreRefusedWithTheirLineWhereverTheyAre() throws Exception {
        refused(CLASSIC_STATES.replace("message = OK", "message = O\rK"), 5, "control character U+000D");
        refused(CLASSIC_STATES.replace("node_disabled", "node\u0000disabled"), 7, "control character U+0000");
        refused(CLASSIC_STATES.replace("message = node is offline", "message = node is\u0085offline"), 13, "U+0085");
        refused(CLASSIC_STATES.replace("message = node is offline", "message = node is\u2028offline"), 13, "U+2028");
        refused(CLASSIC_STATES.replace("code = 503", "code = 503\nheader.x-why = a\u000bb"), 13, "U+000B");
        refused("[webserver]\nhost = 127.0.0.1,\u001b[2J\n", 2, "U+001B");
        refused("[control]\ngroup = adm\u0000in\n", 2, "U+0000");
    }

    /** A continuation line would put a line break into a value: refused where the value is text on one line. */
    @Test
    void aContinuationLineIsRefusedInMessagesHeadersAndPaths() throws Exception {
        refused(CLASSIC_STATES.replace("message = OK", "message = OK\n  then more"), 5, "line break");
        refused(CLASSIC_STATES.replace("code = 503", "code = 503\nheader.x-why = a\n  b"), 13, "line break");
        refused(CLASSIC_STATES.replace("file = /var/lib/plight/node_offline", "file = /var/lib/plight/node_offline\n  /x"), 11, "line break");
    }

    /** Without [priorities] the classic list applies; giving the default a file is refused at that file's line (a fuzz finding: it was line 0). */
    @Test
    void noDefaultAmongTheBuiltInStatesNamesTheFileLine() throws Exception {
        refused("\n[enabled]\ncode = 200\nfile = /tmp/x\n", 4, "no default state");
    }

    @Test
    void utf8MessagesAreFine() throws Exception {
        Config c = loader.loadFile(write(CLASSIC_STATES.replace("message = node is offline", "message = nœud hors ligne")));
        assertEquals("nœud hors ligne", c.states().byName("offline").orElseThrow().message());
    }

    @Test
    void metricsAndLogFormatKeysAreCheckedWithFileAndLine() throws Exception {
        refused(CLASSIC_STATES + "[metrics]\nport = 70000\n", 15, "port", "0-65535");
        refused(CLASSIC_STATES + "[metrics]\nhost = a b\n", 15, "host");
        refused(CLASSIC_STATES + "[metrics]\npath = /x\n", 15, "unknown key 'path'", "host, port");
        refused(CLASSIC_STATES + "[logging]\nformat = xml\n", 15, "format 'xml'", "text, json");
        refused(CLASSIC_STATES + "[webserver]\nlogformat = yaml\n", 15, "logformat 'yaml'", "text, json");
    }

    @Test
    void anUnknownTransportIsRefusedWithFileLineAndTheValidOnes() throws Exception {
        refused(CLASSIC_STATES + "[webserver]\ntransport = kqueue\n", 15, "transport 'kqueue'", "auto, io_uring, epoll, nio");
        refused(CLASSIC_STATES + "[webserver]\ntransport =\n", 15, "transport ''", "auto, io_uring, epoll, nio");
    }

    @Test
    void theTransportIsAutoByDefaultAndReadInAnyCase() throws Exception {
        assertEquals(TransportChoice.AUTO, loader.loadFile(write(CLASSIC_STATES)).web().transport());
        assertEquals(TransportChoice.IO_URING, loader.loadFile(write(CLASSIC_STATES + "[webserver]\ntransport = io_uring\n")).web().transport());
        assertEquals(TransportChoice.EPOLL, loader.loadFile(write(CLASSIC_STATES + "[webserver]\ntransport = EPOLL\n")).web().transport());
        assertEquals(TransportChoice.NIO, loader.loadFile(write(CLASSIC_STATES + "[webserver]\ntransport = nio\n")).web().transport());
        assertEquals(TransportChoice.AUTO, loader.loadFile(write(CLASSIC_STATES + "[webserver]\ntransport = auto\n")).web().transport());
    }

    @Test
    void metricsAreOffOnLoopbackAndLogsAreTextByDefault() throws Exception {
        Config c = loader.loadFile(write(CLASSIC_STATES));
        assertFalse(c.metrics().enabled());
        assertEquals(java.util.List.of("127.0.0.1"), c.metrics().hosts());
        assertFalse(c.appLog().json());
        assertFalse(c.web().accessLog().json());
        Config on = loader.loadFile(write(CLASSIC_STATES + "[metrics]\nport = 10103\n[logging]\nformat = JSON\n"
                + "[webserver]\nlogformat = json\n"));
        assertEquals(10103, on.metrics().port());
        assertTrue(on.appLog().json());
        assertTrue(on.web().accessLog().json());
    }

    /** HAProxy skips an agent word it does not know, so a typo would keep the node in rotation: refused at load. */
    @Test
    void agentLineOutsideHaproxysGrammarIsRefusedWithItsLine() throws Exception {
        for (String bad : new String[] {"failed", "donw", "down#x", "up ready sometimes", "maxconn:x", "150 %"}) {
            refused(CLASSIC_STATES + "agent = " + bad + "\n", 14, "agent line", "valid: up, down");
        }
    }

    @Test
    void agentLinesInHaproxysGrammarLoad() throws Exception {
        for (String good : new String[] {"up ready", "down # planned, maintenance", "up,drain", "up\t50%", "maint",
                "fail #x", "stopped", "up ready 100% maxconn:30", "#only a description"}) {
            Path file = write(CLASSIC_STATES + "agent = " + good + "\n");
            assertEquals(good, loader.loadFile(file).states().byName("offline").orElseThrow().agentLine());
        }
        Config c = loader.loadFile(write(CLASSIC_STATES + "agent = up weight:50\n"));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains(":14: ") && w.contains("HAProxy 3.1")), c.warnings().toString());
    }
}
