package plight.state;

import java.util.Objects;

/** What the node is in right now: a state and the metadata of its marker file (empty for the default state). */
public record NodeState(State state, Marker marker) {
    public NodeState {
        Objects.requireNonNull(state);
        Objects.requireNonNull(marker);
    }
}
