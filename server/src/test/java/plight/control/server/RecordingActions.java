package plight.control.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import plight.control.Caller;
import plight.control.Reply;
import plight.control.Request;

/**
 * Control actions that write down what they were asked, with the caller, and answer with what they got: the
 * protocol tests see exactly what the server parsed. {@code wait} is answered when the test says so.
 */
final class RecordingActions implements ControlActions {
    /** One call as the server made it. */
    record Call(String what, String state, String reason, Duration ttl, Caller caller) {
    }

    /** A pending {@code wait}: the request as parsed and the answer the test completes. */
    record PendingWait(Request.Wait request, CompletableFuture<Reply> answer) {
    }

    final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    final BlockingQueue<PendingWait> waits = new LinkedBlockingQueue<>();
    volatile String state = "enabled";

    @Override
    public Reply status() {
        calls.add(new Call("status", null, null, null, null));
        return Reply.success().field("state", state).field("code", state.equals("enabled") ? 200 : 404).build();
    }

    @Override
    public Reply listStates() {
        calls.add(new Call("list", null, null, null, null));
        return Reply.success().field("state", "enabled").field("default", "yes").field("state", "disabled").field("default", "no").build();
    }

    @Override
    public Reply set(String word, String reason, Duration ttl, Caller caller) {
        calls.add(new Call("set", word, reason, ttl, caller));
        if (word.equals("bogus")) return Reply.error(Reply.USAGE, "unknown state 'bogus'");
        state = word;
        return Reply.success().field("state", word).field("reason", reason).field("ttl", ttl)
                .field("by", caller.describe()).build();
    }

    @Override
    public Reply reload(Caller caller) {
        calls.add(new Call("reload", null, null, null, caller));
        return Reply.success().field("config", "test.conf").field("state", state).build();
    }

    @Override
    public Reply stats() {
        calls.add(new Call("stats", null, null, null, null));
        return Reply.success().field("connections", 3).field("probes.enabled", 7).build();
    }

    @Override
    public Reply metrics() {
        calls.add(new Call("metrics", null, null, null, null));
        return Reply.success().field("line", "# TYPE plight_probe_sources gauge").field("line", "plight_probe_sources 0").build();
    }

    @Override
    public CompletableFuture<Reply> await(Request.Wait wait) {
        calls.add(new Call("wait", wait.state(), null, wait.timeout(), null));
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        waits.add(new PendingWait(wait, answer));
        return answer;
    }

    @Override
    public Reply stop(Caller caller) {
        calls.add(new Call("stop", null, null, null, caller));
        return Reply.success().field("stopping", "yes").build();
    }

    PendingWait nextWait() throws InterruptedException {
        PendingWait w = waits.poll(5, TimeUnit.SECONDS);
        if (w == null) throw new AssertionError("the server did not pass a wait on to the actions");
        return w;
    }

    List<String> names() {
        return calls.stream().map(Call::what).toList();
    }
}
