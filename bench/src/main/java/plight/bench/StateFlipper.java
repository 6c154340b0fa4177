package plight.bench;

/**
 * Changes the daemon's state, for the flip scenario. Called from one thread, one call at a time.
 *
 * <p>{@link SocketFlipper} talks to the daemon's control socket, as the CLI does; {@link CommandFlipper} runs a
 * command per change instead. The load side does not know which.
 */
interface StateFlipper extends AutoCloseable {

    /**
     * Requests the next state change and returns once the daemon has acknowledged it.
     *
     * @return the name of the state that was acknowledged, as the probe port shows it in {@code X-Plight-State}
     * @throws Exception when the change was not acknowledged
     */
    String flip() throws Exception;

    /** Puts things back as they were before the first flip, where that is possible. */
    @Override
    void close() throws Exception;
}
