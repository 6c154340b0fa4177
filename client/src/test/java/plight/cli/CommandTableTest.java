package plight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import plight.config.ReservedCommands;
import plight.state.State;
import plight.state.StateTable;

/** The CLI's commands by name, and the one list of reserved names they come from. */
class CommandTableTest {
    private static final StateTable STATES = new StateTable(List.of(
            new State("enabled", null, 200, "OK", "enable", "up", Map.of(), 0),
            new State("maintenance", Path.of("/nonexistent/maint"), 503, "down for maintenance", "maint", "maint", Map.of(), 1)));

    private static List<String> fixedNames() {
        List<String> names = new ArrayList<>();
        for (CommandTable.Entry e : CommandTable.FIXED) {
            names.add(e.name());
        }
        return names;
    }

    @Test
    void everyFixedCommandIsAReservedNameAndOnlyHelpIsKeptForLater() {
        assertTrue(ReservedCommands.NAMES.containsAll(fixedNames()), fixedNames()::toString);
        List<String> leftOver = new ArrayList<>(ReservedCommands.NAMES);
        leftOver.removeAll(fixedNames());
        assertEquals(List.of("help"), leftOver);
    }

    @Test
    void eachFixedNameFindsItsOwnCommandAndAnyOtherWordAStateChange() {
        assertInstanceOf(StartCommand.class, CommandTable.find("start"));
        assertInstanceOf(StopCommand.class, CommandTable.find("stop"));
        assertInstanceOf(StatusCommand.class, CommandTable.find("status"));
        assertInstanceOf(ListStatesCommand.class, CommandTable.find("list-states"));
        assertInstanceOf(ReloadCommand.class, CommandTable.find("reload"));
        assertInstanceOf(StatsCommand.class, CommandTable.find("stats"));
        assertInstanceOf(VersionCommand.class, CommandTable.find("version"));
        assertInstanceOf(WaitCommand.class, CommandTable.find("wait"));
        assertInstanceOf(SetStateCommand.class, CommandTable.find("maint"));
    }

    @Test
    void aWordIsACommandWhenFixedOrAStatesVerbOrName() {
        for (String name : fixedNames()) {
            assertTrue(CommandTable.knows(name, STATES), name);
        }
        assertTrue(CommandTable.knows("maint", STATES));
        assertTrue(CommandTable.knows("maintenance", STATES));
        assertFalse(CommandTable.knows("disable", STATES));
        assertTrue(CommandTable.knows("wait", STATES));
        assertFalse(CommandTable.knows("help", STATES), "reserved for a command to come, not one yet");
    }

    @Test
    void onlyStartListStatesAndVersionRunWithoutTheDaemon() {
        List<String> local = new ArrayList<>();
        for (String name : fixedNames()) {
            if (CommandTable.isLocal(name)) local.add(name);
        }
        assertEquals(List.of("start", "list-states", "version"), local);
        assertFalse(CommandTable.isLocal("maint"));
    }

    @Test
    void helpListsTheFixedCommandsWithTheStateVerbsBeforeVersion() {
        assertEquals(List.of("start", "stop", "status", "list-states", "reload", "stats", "wait", "enable", "maint", "version"),
                new ArrayList<>(CommandTable.descriptions(STATES).keySet()));
        assertEquals("set the state 'maintenance' (503 down for maintenance) [--reason TEXT] [--ttl DURATION] [--wait[=TIMEOUT]] [--json]",
                CommandTable.descriptions(STATES).get("maint"));
    }
}
