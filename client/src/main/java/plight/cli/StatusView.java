package plight.cli;

import plight.state.Marker;
import plight.state.NodeState;

/** The state as {@code status} shows it, whether read from the files or from the daemon. */
record StatusView(String state, int code, String message, boolean isDefault, Marker marker) {
    static StatusView of(NodeState node) {
        return new StatusView(node.state().name(), node.state().code(), node.state().message(), node.state().isDefault(), node.marker());
    }
}
