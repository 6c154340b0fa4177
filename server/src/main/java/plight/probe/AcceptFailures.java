package plight.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * On a listener: when {@code accept} fails (no file descriptor left: EMFILE, ENFILE; no kernel memory), stops
 * accepting for {@code pause}, then tries again, and reports it in one line at most once per
 * {@link #INTERVAL_MILLIS}, without a stack trace.
 *
 * <p>Without it the failure reached the end of Netty's pipeline, whose acceptor pauses a whole second and whose
 * tail logged three lines through java.util.logging each time: a line a second while descriptors were short,
 * and probes answered again only up to a second after descriptors were freed. The waiting connection stays in
 * the listen backlog meanwhile and is accepted by the first retry that finds a descriptor; each retry is one
 * {@code epoll_ctl} and one failing {@code accept}, so a long shortage costs no CPU to speak of.
 */
@ChannelHandler.Sharable
public final class AcceptFailures extends ChannelInboundHandlerAdapter {
    static final long INTERVAL_MILLIS = ReportThrottle.INTERVAL_MILLIS;

    private final String what;
    private final long pauseMillis;
    private final ProbeErrors.Sink sink;
    private final ReportThrottle throttle;
    private final AtomicLong failures = new AtomicLong();

    /** @param what names the listener in the log line, e.g. "probe port" */
    public AcceptFailures(String what, Duration pause, ProbeErrors.Sink sink) {
        this(what, pause, sink, System::currentTimeMillis);
    }

    AcceptFailures(String what, Duration pause, ProbeErrors.Sink sink, LongSupplier clockMillis) {
        this.what = what;
        this.pauseMillis = pause.toMillis();
        this.sink = sink;
        this.throttle = new ReportThrottle(clockMillis);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        Channel listener = ctx.channel();
        if (listener.config().isAutoRead()) {
            listener.config().setAutoRead(false);
            listener.eventLoop().schedule(() -> {
                if (listener.isOpen()) listener.config().setAutoRead(true);
            }, pauseMillis, TimeUnit.MILLISECONDS);
        }
        failed(cause);
    }

    /** One failed {@code accept}: counted, and reported when the last report is old enough. */
    void failed(Throwable cause) {
        failures.incrementAndGet();
        long count = throttle.event();
        if (count == 0) {
            return;
        }
        sink.report(what + ": cannot accept connections (" + cause.getMessage() + "); " + count
                + (count == 1 ? " failure" : " failures") + " since the last report; retrying every " + pauseMillis
                + " ms, waiting connections stay queued; this is reported at most once a minute", null);
    }

    /** Failed {@code accept} calls so far. */
    public long failures() {
        return failures.get();
    }
}
