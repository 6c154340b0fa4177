package plight.control;

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
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.tinylog.Logger;

/**
 * One control connection: greets, then answers request lines one at a time, in order. Anything malformed gets
 * an {@code ERR} line; a request that never completes times out; nothing here may throw past the pipeline.
 */
final class ControlHandler extends SimpleChannelInboundHandler<ByteBuf> {
    static final String GREETING = "PLIGHT 1\n";
    /** Queued in place of a request that is not UTF-8, and of one whose newline never came; compared by identity. */
    private static final String NOT_UTF8 = new String("not UTF-8");
    private static final String INCOMPLETE_LINE = new String("incomplete");
    private static final int MAX_QUEUED = 16;

    private final ControlActions actions;
    private final Queue<String> queued = new ArrayDeque<>();
    private Caller caller;
    private boolean busy;
    /** Set once the connection is to close: nothing read after that is run. */
    private boolean closing;
    /** The client has ended its input: close once everything asked is answered. */
    private boolean inputEnded;
    private CompletableFuture<Reply> pending;

    ControlHandler(ControlActions actions) {
        this.actions = actions;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        caller = callerOf(ctx);
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
            if (queued.size() >= MAX_QUEUED) {
                closeWith(ctx, Reply.error(Reply.USAGE, "too many requests sent ahead of their answers"));
                return;
            }
            queued.add(line == null ? NOT_UTF8 : line);
            return;
        }
        handle(ctx, line);
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
        if (request instanceof Request.Wait wait) {
            busy = true;
            pending = actions.await(wait);
            pending.whenComplete((reply, failure) -> ctx.executor().execute(() -> {
                busy = false;
                pending = null;
                if (failure instanceof java.util.concurrent.CancellationException) return;
                send(ctx, failure != null ? Reply.error(Reply.FAILED, String.valueOf(failure.getMessage())) : reply);
                drain(ctx);
            }));
            return;
        }
        Reply reply;
        try {
            reply = dispatch(request);
        } catch (RuntimeException e) {
            Logger.error(e, "control request '{}' failed", line);
            reply = Reply.error(Reply.FAILED, "internal error: " + e);
        }
        send(ctx, reply);
        if (request instanceof Request.Stop) {
            closing = true;
            ctx.close();
        }
    }

    private Reply dispatch(Request request) {
        if (request instanceof Request.Status) return actions.status();
        if (request instanceof Request.ListStates) return actions.listStates();
        if (request instanceof Request.Set s) return actions.set(s.state(), s.reason(), s.ttl(), caller);
        if (request instanceof Request.Reload) return actions.reload(caller);
        if (request instanceof Request.Stats) return actions.stats();
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
            String line = queued.poll();
            if (line == INCOMPLETE_LINE) {
                closeWith(ctx, Reply.error(Reply.USAGE, "incomplete request: no newline before the end of input"));
                return;
            }
            handle(ctx, line);
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
            closeWith(ctx, Reply.error(Reply.TIMEOUT, "no complete request within " + ControlServer.IDLE.toSeconds() + "s"));
        } else if (evt == RequestLines.INCOMPLETE) {
            queued.add(INCOMPLETE_LINE);
            drain(ctx);
        } else if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            inputEnded = true;
            drain(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.cancel(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            closeWith(ctx, Reply.error(Reply.TOO_LONG, "request line longer than " + Request.MAX_LINE_BYTES + " bytes"));
        } else if (cause instanceof IOException) {
            ctx.close();
        } else {
            Logger.warn(cause, "control connection failed");
            ctx.close();
        }
    }

    private static Caller callerOf(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof EpollDomainSocketChannel ch) {
            try {
                PeerCredentials cred = ch.peerCredentials();
                return new Caller(cred.uid(), cred.pid(), Users.nameOf(cred.uid()));
            } catch (IOException e) {
                Logger.warn("cannot read the peer credentials of a control connection: {}", e.getMessage());
            }
        }
        return new Caller(-1, -1, "unknown");
    }
}
