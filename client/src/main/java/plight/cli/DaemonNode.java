package plight.cli;

import java.time.Duration;
import java.time.Instant;
import plight.config.Durations;
import plight.control.ControlClient;
import plight.control.Reply;
import plight.state.Marker;
import plight.state.State;

/**
 * The node through the running daemon's control socket.
 *
 * @param pid the daemon's pid from its pidfile, -1 when unknown
 */
record DaemonNode(ControlClient client, long pid) implements Node {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Override
    public boolean running() {
        return true;
    }

    @Override
    public StatusView status() throws CliException {
        return view(ask("status", TIMEOUT));
    }

    @Override
    public Changed set(State target, String reason, Duration ttl) throws CliException {
        StringBuilder request = new StringBuilder("set ").append(target.name());
        if (ttl != null) request.append(" ttl=").append(Durations.format(ttl));
        if (reason != null) request.append(" reason=").append(reason);
        Reply reply = ask(request.toString(), TIMEOUT);
        return new Changed(view(reply), reply.all("warning"));
    }

    @Override
    public Reply call(String request, Duration timeout) throws CliException {
        Reply reply;
        try {
            reply = client.call(request, timeout);
        } catch (ControlClient.ConnectionLost e) {
            throw new Stopping(pid, false);
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage());
        }
        if (Reply.STOPPING.equals(reply.errorKind())) {
            throw new Stopping(pidOf(reply), true);
        }
        return reply;
    }

    @Override
    public Reply ask(String request, Duration timeout) throws CliException {
        Reply reply = call(request, timeout);
        if (!reply.isOk() && reply.get(Reply.CONFIG_ERROR) != null) {
            // A reload of a file with an error: reported as a file the CLI cannot load is.
            throw new CliException(ExitCode.BAD_CONFIG, reply.get(Reply.CONFIG_ERROR));
        }
        if (!reply.isOk()) {
            ExitCode code = Reply.USAGE.equals(reply.errorKind()) ? ExitCode.USAGE : ExitCode.FAILED;
            throw new CliException(code, reply.errorText());
        }
        return reply;
    }

    @Override
    public long stop() throws CliException {
        return pidOf(ask("stop", TIMEOUT));
    }

    /** The daemon's pid from a reply ({@code stop}, {@code ERR stopping}), else from the pidfile; -1 if neither. */
    private long pidOf(Reply reply) {
        try {
            String p = reply.get("pid");
            return p == null ? pid : Long.parseLong(p);
        } catch (NumberFormatException e) {
            return pid;
        }
    }

    static StatusView view(Reply r) throws CliException {
        try {
            Marker marker = new Marker(instant(r.get("since")), r.get("by"), r.get("reason"), instant(r.get("expires")));
            return new StatusView(r.get("state"), Integer.parseInt(r.get("code")), r.get("message"),
                    "yes".equals(r.get("default")), marker);
        } catch (RuntimeException e) {
            throw new CliException(ExitCode.FAILED, "plight's status reply is incomplete: " + r.render().strip());
        }
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
