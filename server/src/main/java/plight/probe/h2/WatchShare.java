package plight.probe.h2;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import plight.probe.Refusals;

/**
 * The part of the HTTP/2 connection slots that connections holding gRPC watches may take: watches stay open as
 * long as their client wants, so without a share one client's watch connections could hold every slot, and a
 * prober that opens a connection per {@code Check} (the kubelet) would be refused. A connection enters the share
 * with its first watch and leaves it with its last; the share is bounded daemon-wide and per peer address (one
 * client cannot take the share from the others either).
 */
final class WatchShare {
    /** The key of a peer whose address is unknown (not a TCP connection): all such count as one. */
    private static final Object NO_ADDRESS = new Object();

    private final int limit;
    private final int perPeer;
    private final AtomicInteger count = new AtomicInteger();
    private final Map<Object, Integer> byPeer = new ConcurrentHashMap<>();
    private final Refusals refusedOverall;
    private final Refusals refusedPeer;

    /**
     * @param limit   connections that may hold watches at a time, daemon-wide (0: no watches at all)
     * @param perPeer of them, from one peer address
     */
    WatchShare(int limit, int perPeer) {
        if (limit < 0 || perPeer < 0) {
            throw new IllegalArgumentException("watch shares cannot be negative: " + limit + ", " + perPeer);
        }
        this.limit = limit;
        this.perPeer = perPeer;
        this.refusedOverall = new Refusals("gRPC watches on connections over the limit of " + limit
                + " HTTP/2 connections holding watches (RESOURCE_EXHAUSTED)");
        this.refusedPeer = new Refusals("gRPC watches on connections over the limit of " + perPeer
                + " HTTP/2 connections holding watches per client address (RESOURCE_EXHAUSTED)");
    }

    /**
     * A connection from {@code peer} (null if unknown) starts watching: {@code false} (and not counted) when it
     * would go over either share, and the refusal reported. Never blocks.
     */
    boolean enter(InetAddress peer) {
        Object key = key(peer);
        boolean[] admitted = {false};
        byPeer.compute(key, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= perPeer) {
                return n;
            }
            admitted[0] = true;
            return held + 1;
        });
        if (!admitted[0]) {
            refusedPeer.refused();
            return false;
        }
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            leavePeer(key);
            refusedOverall.refused();
            return false;
        }
        return true;
    }

    /** A connection that {@link #enter}ed holds no watch any more. */
    void leave(InetAddress peer) {
        count.decrementAndGet();
        leavePeer(key(peer));
    }

    private void leavePeer(Object key) {
        byPeer.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    int count() {
        return count.get();
    }

    private static Object key(InetAddress peer) {
        return peer == null ? NO_ADDRESS : peer;
    }
}
