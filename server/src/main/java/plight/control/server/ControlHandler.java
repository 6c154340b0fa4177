package plight.control.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import plight.log.Log;
import plight.config.Durations;
import plight.control.Caller;
import plight.control.Reply;
import plight.control.Request;

/**
 * One control connection: greets, then answers request lines one at a time, in order. Anything malformed gets
 * an {@code ERR} line; a request that never completes times out; nothing here may throw past the pipeline.
 * Changes (set, reload, stop) are checked against {@link ControlAccess}; once the daemon is stopping they, and
 * waits, are answered {@code ERR stopping}.
 */
final class ControlHandler extends SimpleChannelInboundHandler<ByteBuf> {
    static final String GREETING = plight.control.Protocol.GREETING + "\n";
    /**
     * Requests a client may send ahead of the answer to a {@code wait}, in number and in bytes (16 lines of the
     * longest length): kept and answered in order; the excess is refused after them, then the connection closes.
     */
    static final int MAX_QUEUED = 128;
    static final int MAX_QUEUED_BYTES = 16 * Request.MAX_LINE_BYTES;
    /**
     * Queued in place of a request that is not UTF-8, of one whose newline never came, of the excess, and of a
     * line too long; compared by identity.
     */
    private static final String NOT_UTF8 = new String("not UTF-8");
    private static final String INCOMPLETE_LINE = new String("incomplete");
    private static final String TOO_MANY = new String("too many");
    private static final String TOO_LONG = new String("too long");

    private record Queued(String line, int bytes) { }

    private final ControlActions actions;
    private final ControlAccess access;
    private final Connections connections;
    private final Queue<Queued> queued = new ArrayDeque<>();
    private int queuedBytes;
    /** Past the cap: nothing more is kept. */
    private boolean overflowed;
    private Caller caller;
    private long callerGid = -1;
    private boolean busy;
    /** Set once the connection is to close: nothing read after that is run. */
    private boolean closing;
    /** The client has ended its input: close once everything asked is answered. */
    private boolean inputEnded;
    private CompletableFuture<Reply> pending;
    private final Duration idle;

    ControlHandler(ControlActions actions, ControlAccess access, Connections connections, Duration idle) {
        this.actions = actions;
        this.access = access;
        this.connections = connections;
        this.idle = idle;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readCredentials(ctx);
        ctx.writeAndFlush(ctx.alloc().buffer(16).writeBytes(GREETING.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(frame.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            line = null;
        }
        if (busy) {
            enqueue(line == null ? NOT_UTF8 : line, frame.readableBytes() + 1);
            return;
        }
        handle(ctx, line);
    }

    /** Keeps a request for after the pending wait; past the cap, one refusal stands for it and all that follow. */
    private void enqueue(String line, int bytes) {
        if (overflowed) {
            return;
        }
        if (queued.size() >= MAX_QUEUED || queuedBytes + bytes > MAX_QUEUED_BYTES) {
            overflowed = true;
            queued.add(new Queued(TOO_MANY, 0));
            return;
        }
        queued.add(new Queued(line, bytes));
        queuedBytes += bytes;
    }

    private void handle(ChannelHandlerContext ctx, String line) {
        if (line == null || line == NOT_UTF8) {
            send(ctx, Reply.error(Reply.USAGE, "the request is not UTF-8 text"));
            return;
        }
        Request request;
        try {
            request = Request.parse(line);
        } catch (Request.BadRequest e) {
            send(ctx, Reply.error(Reply.USAGE, e.getMessage()));
            return;
        }
        String change = changeNamed(request);
        if (change != null && !access.permits(caller.uid(), callerGid, caller.pid())) {
            Log.event("denied").caller(caller).field("request", line.strip()).warn("denied: {} by {}: not root, the daemon's user or a member of the control group", line.strip(), caller.describe());
            send(ctx, Reply.error(Reply.DENIED, access.refusal(change, caller)));
            return;
        }
        if ((change != null || request instanceof Request.Wait) && connections.stopping()) {
            send(ctx, stopping());
            return;
        }
        if (request instanceof Request.Wait wait) {
            startWait(ctx, wait);
            return;
        }
        Reply reply;
        try {
            reply = dispatch(request);
        } catch (RuntimeException e) {
            Log.error(e, "control request '{}' failed", line);
            reply = Reply.error(Reply.FAILED, "internal error: " + e);
        }
        send(ctx, reply);
        if (request instanceof Request.Stop && reply.isOk()) {
            // Before anything else on this event loop: no change is made after a stop was acknowledged.
            connections.beginStop();
            closing = true;
            ctx.close();
        }
    }

    /** What a request that changes something does, for the refusal; {@code null} for read-only requests. */
    private static String changeNamed(Request request) {
        if (request instanceof Request.Set) return "changing the state";
        if (request instanceof Request.Reload) return "reloading the configuration";
        if (request instanceof Request.Stop) return "stopping plight";
        return null;
    }

    private static Reply stopping() {
        return new Reply(false, Reply.STOPPING, "plight is stopping",
                List.of(Map.entry("pid", Long.toString(ProcessHandle.current().pid()))));
    }

    private void startWait(ChannelHandlerContext ctx, Request.Wait wait) {
        CompletableFuture<Reply> answer = actions.await(wait);
        busy = true;
        pending = answer;
        answer.whenComplete((reply, failure) -> ctx.executor().execute(() -> {
            if (pending != answer) return; // answered already (the daemon is stopping), or the client left
            pending = null;
            busy = false;
            send(ctx, failure != null ? Reply.error(Reply.FAILED, String.valueOf(failure.getMessage())) : reply);
            drain(ctx);
        }));
    }

    private Reply dispatch(Request request) {
        if (request instanceof Request.Status) return actions.status();
        if (request instanceof Request.ListStates) return actions.listStates();
        if (request instanceof Request.Set s) return actions.set(s.state(), s.reason(), s.ttl(), caller);
        if (request instanceof Request.Reload) return actions.reload(caller);
        if (request instanceof Request.Stats) return actions.stats();
        if (request instanceof Request.Metrics) return actions.metrics();
        if (request instanceof Request.Stop) return actions.stop(caller);
        if (request instanceof Request.Version) {
            return Reply.success().field("protocol", 1).field("version", plight.config.Version.get()).build();
        }
        return Reply.success().field("commands", String.join(" ", Request.COMMANDS))
                .field("usage", "set STATE [ttl=DURATION] [reason=TEXT]")
                .field("usage", "wait STATE [fall=N] [timeout=DURATION] [window=DURATION]").build();
    }

    private void drain(ChannelHandlerContext ctx) {
        while (!busy && !closing && !queued.isEmpty() && ctx.channel().isActive()) {
            Queued next = queued.poll();
            queuedBytes -= next.bytes();
            if (next.line() == INCOMPLETE_LINE) {
                closeWith(ctx, Reply.error(Reply.USAGE, "incomplete request: no newline before the end of input"));
                return;
            }
            if (next.line() == TOO_MANY) {
                closeWith(ctx, Reply.error(Reply.USAGE, "too many requests sent ahead of the answer to a wait (at most "
                        + MAX_QUEUED + " requests or " + MAX_QUEUED_BYTES + " bytes)"));
                return;
            }
            if (next.line() == TOO_LONG) {
                closeWith(ctx, tooLong());
                return;
            }
            handle(ctx, next.line());
        }
        if (inputEnded && !busy && !closing && queued.isEmpty()) {
            closing = true;
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void send(ChannelHandlerContext ctx, Reply reply) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(reply.render().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void closeWith(ChannelHandlerContext ctx, Reply reply) {
        if (closing) {
            return;
        }
        closing = true;
        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(reply.render().getBytes(StandardCharsets.UTF_8)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !busy) {
            closeWith(ctx, Reply.error(Reply.TIMEOUT, "no complete request within " + Durations.format(idle)));
        } else if (evt == RequestLines.INCOMPLETE) {
            if (busy) {
                enqueue(INCOMPLETE_LINE, 0);
            } else {
                queued.add(new Queued(INCOMPLETE_LINE, 0));
            }
            drain(ctx);
        } else if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            inputEnded = true;
            drain(ctx);
        } else if (evt == Connections.STOPPING && pending != null) {
            // A wait in flight is answered, not cut off when the connection closes.
            CompletableFuture<Reply> answer = pending;
            pending = null;
            busy = false;
            answer.cancel(false);
            send(ctx, stopping());
            drain(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pending != null) {
            CompletableFuture<Reply> answer = pending;
            pending = null;
            answer.cancel(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            if (busy) {
                // The wait and what was queued behind it are answered first; nothing read after this line is kept.
                if (!overflowed) {
                    overflowed = true;
                    queued.add(new Queued(TOO_LONG, 0));
                }
            } else {
                closeWith(ctx, tooLong());
            }
        } else if (cause instanceof IOException) {
            ctx.close();
        } else {
            Log.warn(cause, "control connection failed");
            ctx.close();
        }
    }

    private static Reply tooLong() {
        return Reply.error(Reply.TOO_LONG, "request line longer than " + Request.MAX_LINE_BYTES + " bytes");
    }

    private void readCredentials(ChannelHandlerContext ctx) {
        caller = new Caller(-1, -1, "unknown");
        if (ctx.channel() instanceof EpollDomainSocketChannel ch) {
            try {
                PeerCredentials cred = ch.peerCredentials();
                caller = new Caller(cred.uid(), cred.pid(), Users.nameOf(cred.uid()));
                int[] gids = cred.gids();
                callerGid = gids.length > 0 ? gids[0] : -1;
            } catch (IOException e) {
                Log.warn("cannot read the peer credentials of a control connection: {}", e.getMessage());
            }
        }
    }
}
