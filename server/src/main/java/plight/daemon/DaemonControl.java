package plight.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import plight.log.Log;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.control.Caller;
import plight.control.server.ControlActions;
import plight.control.Reply;
import plight.control.Request;
import plight.control.SourceLine;
import plight.metrics.Reloads;
import plight.probe.LiveResponses;
import plight.probe.ProbeSources;
import plight.state.NodeState;
import plight.state.State;

/** The daemon's answers to the control socket. */
final class DaemonControl implements ControlActions {
    private final StateKeeper keeper;
    private final ConfigLoader loader;
    private final LiveResponses responses;
    private final ProbeSources sources;
    private final IntSupplier openConnections;
    private final ScheduledExecutorService timer;
    private final Runnable stop;
    private final Duration waitPoll;
    private final SystemdNotifier systemd;
    private final Reloads reloads;
    private final Supplier<String> metrics;
    private volatile Config config;

    /**
     * @param systemd told of reloads
     * @param reloads told how each reload went
     * @param metrics the Prometheus text exposition, rendered when asked for
     */
    DaemonControl(Config config, ConfigLoader loader, StateKeeper keeper, LiveResponses responses, ProbeSources sources,
                  IntSupplier openConnections, ScheduledExecutorService timer, Runnable stop, Duration waitPoll,
                  SystemdNotifier systemd, Reloads reloads, Supplier<String> metrics) {
        this.reloads = reloads;
        this.metrics = metrics;
        this.config = config;
        this.loader = loader;
        this.keeper = keeper;
        this.responses = responses;
        this.sources = sources;
        this.openConnections = openConnections;
        this.timer = timer;
        this.stop = stop;
        this.waitPoll = waitPoll;
        this.systemd = systemd;
    }

    @Override
    public Reply status() {
        return statusReply(keeper.current());
    }

    @Override
    public Reply listStates() {
        Reply.Builder b = Reply.success();
        for (State s : keeper.table().states()) {
            b.field("state", s.name()).field("code", s.code()).field("message", s.message()).field("verb", s.verb())
                    .field("default", s.isDefault() ? "yes" : "no").field("agent", s.agentLine());
        }
        return b.build();
    }

    @Override
    public Reply set(String word, String reason, Duration ttl, Caller caller) {
        try {
            // The lookup happens in the keeper, in the same step as the change: a reload cannot come between.
            StateKeeper.Changed changed = keeper.change(word, caller.describe(), caller, reason, ttl);
            Reply.Builder b = statusFields(changed.node());
            changed.warnings().forEach(w -> b.field("warning", w));
            return b.build();
        } catch (StateKeeper.Refused e) {
            return Reply.error(e.usage() ? Reply.USAGE : Reply.FAILED, e.getMessage());
        }
    }

    @Override
    public synchronized Reply reload(Caller caller) {
        systemd.reloading();
        try {
            return reloadNow(caller);
        } finally {
            systemd.ready();
        }
    }

    private Reply reloadNow(Caller caller) {
        Config next;
        try {
            next = config.source() == null ? loader.defaults() : loader.loadFile(config.source());
        } catch (ConfigException e) {
            reloads.failed();
            Log.event("reload").caller(caller).field("status", "refused").field("reason", e.getMessage())
                    .error("reload by {} refused: {}", caller.describe(), e.getMessage());
            return Reply.error(Reply.FAILED, "reload refused, the running configuration stays: " + e.getMessage());
        }
        State before = keeper.current().state();
        List<String> restart = restartNeeded(config, next);
        NodeState now;
        try {
            // Checked and swapped in one step of the keeper: a reload never changes the served state.
            now = keeper.reload(next.states(), next.describeSource());
        } catch (StateKeeper.Refused | IllegalArgumentException e) {
            reloads.failed();
            Log.event("reload").caller(caller).field("status", "refused").field("reason", e.getMessage())
                    .error("reload by {} refused: {}", caller.describe(), e.getMessage());
            return Reply.error(Reply.FAILED, "reload refused, the running configuration stays: " + e.getMessage());
        }
        config = next;
        reloads.succeeded();
        Log.event("reload").caller(caller).field("status", "ok").field("config", next.describeSource())
                .field("state", now.state().name())
                .info("configuration reloaded by {} from {}; state '{}'{}", caller.describe(), next.describeSource(),
                now.state().name(), restart.isEmpty() ? "" : "; needs a restart to apply: " + String.join(", ", restart));
        if (!now.state().name().equals(before.name())) {
            Log.event("state_change").field("from", before.name()).field("to", now.state().name()).field("origin", "reload")
                    .caller(caller).info("state {} -> {} (reload by {})", before.name(), now.state().name(), caller.describe());
        }
        next.warnings().forEach(Log::warn);
        Reply.Builder b = Reply.success().field("config", next.describeSource()).field("state", now.state().name());
        restart.forEach(r -> b.field("restart-needed", r));
        return b.build();
    }

    /** Settings that the running daemon cannot change in place; states, codes, messages and headers can. */
    static List<String> restartNeeded(Config before, Config after) {
        List<String> changed = new ArrayList<>();
        if (!before.web().hosts().equals(after.web().hosts())) changed.add("[webserver] host");
        if (before.web().port() != after.web().port()) changed.add("[webserver] port");
        if (before.web().threads() != after.web().threads()) changed.add("[webserver] threads");
        if (before.web().maxConnections() != after.web().maxConnections()) changed.add("[webserver] max_connections");
        if (!before.web().idleTimeout().equals(after.web().idleTimeout())) changed.add("[webserver] idle_timeout");
        if (!before.web().requestTimeout().equals(after.web().requestTimeout())) changed.add("[webserver] request_timeout");
        if (!before.web().accessLog().equals(after.web().accessLog())) changed.add("[webserver] access log");
        if (!before.appLog().equals(after.appLog())) changed.add("[logging]");
        if (!before.control().equals(after.control())) changed.add("[control]");
        if (!before.agent().equals(after.agent())) changed.add("[agent]");
        if (!before.metrics().equals(after.metrics())) changed.add("[metrics]");
        if (!before.grpc().equals(after.grpc())) changed.add("[grpc]");
        if (!Objects.equals(before.pidFile(), after.pidFile())) changed.add("[daemon] pidfile");
        return changed;
    }

    @Override
    public Reply stats() {
        Reply.Builder b = Reply.success().field("connections", openConnections.getAsInt());
        for (Map.Entry<String, Long> e : responses.served().entrySet()) {
            b.field("probes." + e.getKey(), e.getValue());
        }
        for (ProbeSources.Seen s : sources.snapshot()) {
            b.field("source", describe(s));
        }
        if (sources.evicted() > 0) b.field("evicted-sources", sources.evicted());
        return b.build();
    }

    @Override
    public Reply metrics() {
        Reply.Builder b = Reply.success();
        metrics.get().lines().forEach(line -> b.field("line", line));
        return b.build();
    }

    @Override
    public CompletableFuture<Reply> await(Request.Wait wait) {
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        Optional<State> state = keeper.lookup(wait.state());
        if (state.isEmpty()) {
            answer.complete(Reply.error(Reply.USAGE, "unknown state '" + wait.state() + "'"));
            return answer;
        }
        State target = state.get();
        String name = target.name();
        if (!keeper.current().state().name().equals(name)) {
            answer.complete(Reply.error(Reply.FAILED, "the node is in '" + keeper.current().state().name() + "', not '" + name + "'"));
            return answer;
        }
        long deadline = System.nanoTime() + wait.timeout().toNanos();
        ScheduledFuture<?>[] poll = new ScheduledFuture<?>[1];
        poll[0] = timer.scheduleWithFixedDelay(() -> {
            if (answer.isDone()) { // answered, or the client went away
                poll[0].cancel(false);
                return;
            }
            ProbeSources.Progress progress = sources.progress(target, wait.fall(), wait.window().toMillis());
            boolean done = progress.lagging().isEmpty();
            if (done || System.nanoTime() - deadline >= 0 || !keeper.current().state().name().equals(name)) {
                Reply reply;
                if (done) {
                    Reply.Builder b = Reply.success().field("state", name);
                    progress.confirmed().forEach(s -> b.field("source", describe(s)));
                    progress.confirmed().forEach(s -> b.field("confirmed", describe(s)));
                    reply = b.build();
                } else if (!keeper.current().state().name().equals(name)) {
                    reply = Reply.error(Reply.FAILED, "the state changed to '" + keeper.current().state().name() + "' while waiting");
                } else {
                    Reply.Builder b = Reply.success();
                    progress.lagging().forEach(s -> b.field("lagging", describe(s)));
                    progress.confirmed().forEach(s -> b.field("confirmed", describe(s)));
                    reply = new Reply(false, Reply.TIMEOUT, progress.lagging().size() + " probe source(s) have not confirmed '" + name
                            + "' (served " + wait.fall() + " times in a row, or the load balancer's own view)", b.build().fields());
                }
                answer.complete(reply);
                poll[0].cancel(false);
            }
        }, waitPoll.toMillis(), waitPoll.toMillis(), TimeUnit.MILLISECONDS);
        return answer;
    }

    @Override
    public Reply stop(Caller caller) {
        Log.event("stop").caller(caller).info("stop requested by {}", caller.describe());
        stop.run();
        // The CLI waits for this process to end, whether or not it can find the pidfile.
        return Reply.success().field("stopping", "yes").field("pid", ProcessHandle.current().pid()).build();
    }

    static Reply statusReply(NodeState node) {
        return statusFields(node).build();
    }

    private static Reply.Builder statusFields(NodeState node) {
        State s = node.state();
        return Reply.success().field("state", s.name()).field("code", s.code()).field("message", s.message())
                .field("default", s.isDefault() ? "yes" : "no")
                .field("since", node.marker().since()).field("by", node.marker().by())
                .field("reason", node.marker().reason()).field("expires", node.marker().expires());
    }

    private static String describe(ProbeSources.Seen s) {
        return new SourceLine(s.address(), Instant.ofEpochMilli(s.lastSeenMillis()), s.intervalMillis(), s.state(), s.streak(),
                s.probes(), s.kind(), s.view()).render();
    }
}
