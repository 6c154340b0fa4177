package plight.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured states in priority order (lowest first), with the default state and the CLI verbs. */
public final class StateTable {
    private final List<State> byPriority;
    private final State defaultState;
    private final Map<String, State> byVerbOrName;

    public StateTable(List<State> byPriority) {
        this.byPriority = List.copyOf(byPriority);
        State dflt = null;
        Map<String, State> lookup = new LinkedHashMap<>();
        for (State s : this.byPriority) {
            if (s.isDefault()) {
                if (dflt != null) {
                    throw new IllegalArgumentException("two default states: " + dflt.name() + ", " + s.name());
                }
                dflt = s;
            }
        }
        if (dflt == null) {
            throw new IllegalArgumentException("no default state");
        }
        // Verbs first so that a verb wins over a state of the same name, as in the original.
        for (State s : this.byPriority) {
            lookup.put(s.verb(), s);
        }
        for (State s : this.byPriority) {
            lookup.putIfAbsent(s.name(), s);
        }
        this.defaultState = dflt;
        this.byVerbOrName = Collections.unmodifiableMap(lookup);
    }

    /** Lowest priority first. */
    public List<State> states() {
        return byPriority;
    }

    /** Highest priority first: the order in which marker files decide the current state. */
    public List<State> highestFirst() {
        List<State> reversed = new ArrayList<>(byPriority);
        Collections.reverse(reversed);
        return reversed;
    }

    public State defaultState() {
        return defaultState;
    }

    /** A state by its CLI verb or its name, case-insensitively. */
    public Optional<State> byVerbOrName(String word) {
        return Optional.ofNullable(byVerbOrName.get(word.toLowerCase(java.util.Locale.ROOT)));
    }

    public Optional<State> byName(String name) {
        for (State s : byPriority) {
            if (s.name().equals(name)) return Optional.of(s);
        }
        return Optional.empty();
    }

    /** The verbs, in priority order, for help and error messages. */
    public List<String> verbs() {
        List<String> verbs = new ArrayList<>(byPriority.size());
        for (State s : byPriority) {
            verbs.add(s.verb());
        }
        return verbs;
    }
}
