package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Processes;

/**
 * The man pages and the bash completion against the CLI itself: what {@code plight --help} and
 * {@code plight COMMAND --help} list is what plight(1) describes and what completes, and every key of the shipped
 * plight.conf is in plight.conf(5).
 */
@Timeout(120)
class ManPageIT {
    @TempDir
    Path dir;

    private PlightNode node;

    @BeforeEach
    void node() throws Exception {
        node = new PlightNode(dir);
    }

    private static String page(String name) throws Exception {
        return Files.readString(ServiceFilesIT.src().resolve("man").resolve(name), StandardCharsets.UTF_8);
    }

    /** The words of the tags of a page's ".TP" entries ("enable", "--reason", ...), roff escapes undone. */
    private static Set<String> tagWords(String roff) {
        Set<String> words = new LinkedHashSet<>();
        List<String> lines = roff.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).equals(".TP") || lines.get(i).equals(".TQ")) {
                String tag = lines.get(i + 1).replace("\\-", "-").replaceAll("\\\\f[BIRP]", "").replaceAll("^\\.[A-Z]+ ", "");
                for (String w : tag.split("[\\s\",]+")) {
                    if (!w.isEmpty()) words.add(w);
                }
            }
        }
        return words;
    }

    /** The commands of {@code plight --help}: the lines of its "Commands:" section. */
    private List<String> helpCommands() throws Exception {
        Processes.Result help = node.plight("--help");
        assertEquals(0, help.exit(), help::toString);
        List<String> commands = new ArrayList<>();
        boolean on = false;
        for (String line : help.out().lines().toList()) {
            if (line.equals("Commands:")) {
                on = true;
            } else if (on && line.matches("  [a-z0-9].*")) {
                commands.add(line.strip().split("\\s+")[0]);
            }
        }
        assertTrue(commands.size() >= 10, help::toString);
        return commands;
    }

    /** The option names of {@code plight COMMAND --help} (JCommander's usage: "    --reason", "    -h, --help"). */
    private List<String> helpOptions(String command) throws Exception {
        Processes.Result help = node.plight(command, "--help");
        assertEquals(0, help.exit(), help::toString);
        List<String> options = new ArrayList<>();
        for (String line : help.out().lines().toList()) {
            if (line.matches(" +-.*")) {
                for (String w : line.strip().split("[,\\s]+")) {
                    if (w.startsWith("-")) options.add(w);
                }
            }
        }
        return options;
    }

    @Test
    void plight1DescribesEveryCommandAndOptionOfTheHelp() throws Exception {
        Set<String> described = tagWords(page("plight.1"));
        for (String command : helpCommands()) {
            assertTrue(described.contains(command), () -> "'" + command + "' of plight --help is not in plight(1): " + described);
            for (String option : helpOptions(command)) {
                assertTrue(described.contains(option), () -> "'" + option + "' of plight " + command + " --help is not in plight(1)");
            }
        }
        for (String option : List.of("-c", "--config", "-h", "--help", "--version")) {
            assertTrue(described.contains(option), option);
        }
    }

    @Test
    void plightConf5DescribesEveryKeyOfTheShippedFile() throws Exception {
        Path shipped = Path.of(System.getProperty("plight.root", "..")).resolve("conf/plight.conf");
        Set<String> described = tagWords(page("plight.conf.5"));
        Pattern section = Pattern.compile("^;?\\s*\\[([a-z]+)\\]");
        Pattern key = Pattern.compile("^;?\\s*([a-z_]+)\\s*=");
        Set<String> sections = new LinkedHashSet<>();
        for (String line : Files.readAllLines(shipped)) {
            Matcher s = section.matcher(line);
            if (s.find()) sections.add(s.group(1));
            Matcher k = key.matcher(line);
            if (k.find()) {
                assertTrue(described.contains(k.group(1)), () -> "key '" + k.group(1) + "' of " + shipped + " is not in plight.conf(5)");
            }
        }
        String page = page("plight.conf.5");
        for (String s : List.of("webserver", "logging", "priorities", "control", "agent", "daemon")) {
            assertTrue(page.contains(".SH [" + s + "]"), "no section [" + s + "] in plight.conf(5)");
        }
        assertTrue(sections.containsAll(List.of("webserver", "logging", "control", "daemon", "priorities")), sections::toString);
    }

    @Test
    void theManPagesFormatWithoutWarnings() {
        Assumptions.assumeTrue(Shell.has("groff"), "groff is not installed (Debian: apt-get install groff-base)");
        for (String page : List.of("plight.1", "plight.conf.5")) {
            Shell.Result r = Shell.run("groff", "-man", "-Tutf8", "-ww", "-z", ServiceFilesIT.src().resolve("man").resolve(page).toString());
            assertEquals(0, r.exit(), r::toString);
            assertEquals("", r.err(), r::toString);
        }
    }

    /** What bash completes after {@code words}, the last one being the word under the cursor. */
    private static List<String> complete(String... words) {
        String script = ". \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _plight; printf '%s\\n' \"${COMPREPLY[@]}\"";
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", script, "complete",
                ServiceFilesIT.src().resolve("completion/plight").toString()));
        cmd.addAll(List.of(words));
        Shell.Result r = Shell.run(Map.of("PLIGHT_NO_CDS", "1"), cmd);
        assertEquals(0, r.exit(), r::toString);
        return r.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void bashCompletesCommandsTheConfiguredVerbsAndEachCommandsOptions() throws Exception {
        Assumptions.assumeTrue(Shell.has("bash"), "no bash");
        node.writeConf(PlightNode.CONF.replace("states = enabled,disabled,offline", "states = enabled,disabled,maint,offline")
                + "[maint]\nfile = @DIR@/state/node_maint\ncode = 503\nmessage = maintenance\ncommand = drain\n");
        String bin = PlightNode.bin().toString();
        String conf = node.conf.toString();

        assertEquals(helpCommands(), complete(bin, "-c", conf, ""));
        assertTrue(complete(bin, "-c", conf, "").contains("drain"), "the configured verb 'drain'");
        assertEquals(List.of("disable"), complete(bin, "--config=" + conf, "disa"));
        assertEquals(List.of("drain"), complete(bin, "-c", conf, "dr"));
        assertEquals(Set.copyOf(helpOptions("disable")), Set.copyOf(complete(bin, "-c", conf, "disable", "-")));
        assertTrue(complete(bin, "-c", conf, "disable", "--").containsAll(List.of("--reason", "--ttl")));
        assertEquals(List.of("--json"), complete(bin, "-c", conf, "status", "--j"));
        assertEquals(List.of("--config"), complete(bin, "--c"));
        assertEquals(List.of(conf), complete(bin, "-c", conf));
        assertTrue(complete(bin, "-c", conf, "offline", "--ttl", "").contains("2h"));
    }
}
