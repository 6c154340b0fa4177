package plight.control.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The control server's open connections, and whether the daemon is stopping. Once it is, changes and waits are
 * answered {@code ERR stopping} and a wait in flight is answered so at once, rather than cut off at close.
 */
final class Connections {
    /** User event fired on every open connection when the daemon begins to stop. */
    static final Object STOPPING = new Object() {
        @Override
        public String toString() {
            return "Connections.STOPPING";
        }
    };

    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    void add(Channel ch) {
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
    }

    boolean stopping() {
        return stopping;
    }

    void beginStop() {
        if (stopping) return;
        stopping = true;
        for (Channel ch : open) {
            ch.pipeline().fireUserEventTriggered(STOPPING);
        }
    }

    /** Closes every connection, idle, half-sent or busy, waiting at most {@code millis} in all. */
    void closeAll(long millis) {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : open) {
            closing.add(ch.close());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }
}
