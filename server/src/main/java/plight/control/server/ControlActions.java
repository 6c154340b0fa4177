package plight.control.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import plight.control.Caller;
import plight.control.Reply;
import plight.control.Request;

/**
 * What the control socket may ask of the daemon. Each method answers with the {@link Reply} to send; the
 * daemon decides what is in it. Methods other than {@link #await} may block briefly (a change waits for fsync).
 */
public interface ControlActions {
    Reply status();

    Reply listStates();

    Reply set(String state, String reason, Duration ttl, Caller caller);

    Reply reload(Caller caller);

    Reply stats();

    /** The metrics in the Prometheus text format, a {@code line} field per line. */
    Reply metrics();

    /** Completes when the condition holds or {@code timeout} passes. */
    CompletableFuture<Reply> await(Request.Wait wait);

    /** Answers, then the daemon stops. */
    Reply stop(Caller caller);
}
