package plight.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import plight.control.LbView;
import plight.state.State;

/**
 * Who probes this node: one entry per source address (load balancers open a new connection per check, so the
 * port means nothing), with when it was last seen, how often it probes, and which state it was last served and
 * how many times in a row; what kind of prober it is and, when it reports one (HAProxy's {@code send-state}), the
 * load balancer's own view. Agent-port checks are sources of their own, next to the same address's HTTP checks. {@code stats} shows the table and the protocol's {@code wait} waits on it. Bounded: at most
 * {@link #MAX_SOURCES} addresses by default; when full, a new source evicts the least recently seen one;
 * {@link #forgetOlderThan} drops the silent ones.
 */
public final class ProbeSources implements ProbeListener {
    public static final int MAX_SOURCES = 4096;

    private final ConcurrentHashMap<Key, Source> sources = new ConcurrentHashMap<>();
    private final AtomicInteger evicted = new AtomicInteger();
    private final int capacity;
    private final LongSupplier clockMillis;

    public ProbeSources() {
        this(System::currentTimeMillis);
    }

    public ProbeSources(LongSupplier clockMillis) {
        this(MAX_SOURCES, clockMillis);
    }

    /** @param capacity how many sources the table holds at most */
    public ProbeSources(int capacity, LongSupplier clockMillis) {
        if (capacity < 1) throw new IllegalArgumentException("source table capacity " + capacity + ": must be at least 1");
        this.capacity = capacity;
        this.clockMillis = clockMillis;
    }

    /** HTTP probes and agent checks from one address are told apart. */
    private record Key(InetAddress address, boolean agent) {
    }

    /**
     * What is known about one source, as of the moment it was copied.
     *
     * @param kind      {@code haproxy}, {@code envoy}, {@code kube-probe}, {@code other}, or {@code agent} for agent checks
     * @param view      the last view the source reported of this node, or {@code null}
     * @param viewFresh whether that view was reported after the source had been served {@code state} already
     *                  (so it shows what the load balancer made of that state)
     */
    public record Seen(String address, long lastSeenMillis, long intervalMillis, String state, long streak, long probes,
                       String kind, LbView view, boolean viewFresh) {
        /**
         * Whether this source has taken in {@code target}: one that reports its view when that view is settled on the
         * target's code and was reported after being served it; any other when served it {@code fall} times in a row.
         */
        public boolean confirms(State target, int fall) {
            if (!state.equals(target.name())) return false;
            return view != null ? viewFresh && view.settledOn(target.code()) : streak >= fall;
        }
    }

    /** Where a wait stands: the sources seen within the window that confirmed, and those that did not yet. */
    public record Progress(List<Seen> confirmed, List<Seen> lagging) {
    }

    @Override
    public void served(InetSocketAddress remote, State state) {
        Source s = source(remote, false);
        if (s != null) s.served(state.name(), clockMillis.getAsLong(), null, null);
    }

    @Override
    public void served(InetSocketAddress remote, State state, String userAgent, String serverState) {
        Source s = source(remote, false);
        if (s == null) return;
        // Parsed here, off the decoder, and only for the requests that carry the headers.
        LbView view = serverState == null ? null : LbView.parse(serverState);
        s.served(state.name(), clockMillis.getAsLong(), kind(userAgent, serverState), view);
    }

    /** An agent check answered with {@code state}'s agent line. */
    public void agentServed(InetSocketAddress remote, State state) {
        Source s = source(remote, true);
        if (s != null) s.served(state.name(), clockMillis.getAsLong(), "agent", null);
    }

    /** The prober's kind from its {@code User-Agent}; a request with send-state comes from HAProxy whatever it says. */
    static String kind(String userAgent, String serverState) {
        if (serverState != null) return "haproxy";
        if (userAgent == null) return null;
        if (userAgent.startsWith("kube-probe/")) return "kube-probe";
        if (userAgent.startsWith("Envoy/HC")) return "envoy";
        if (userAgent.startsWith("grpc-")) return "grpc"; // grpc-go/…, grpc-java-netty/…: gRPC health checkers
        if (userAgent.toLowerCase(java.util.Locale.ROOT).contains("haproxy")) return "haproxy";
        return "other";
    }

    private Source source(InetSocketAddress remote, boolean agent) {
        if (remote == null) return null;
        Key key = new Key(remote.getAddress(), agent);
        Source s = sources.get(key);
        if (s == null) {
            // Full: make room rather than drop the newcomer, or a flood of one-shot sources would hide a real LB for good.
            if (sources.size() >= capacity) evictLeastRecentlySeen();
            long now = clockMillis.getAsLong();
            s = sources.computeIfAbsent(key, k -> new Source(Addresses.of(k.address()), k.agent() ? "agent" : "other", now));
        }
        return s;
    }

    /** O(n), but only when the table is full and a new source arrives; a known source never gets here. */
    private void evictLeastRecentlySeen() {
        Key stalest = null;
        Source victim = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Key, Source> e : sources.entrySet()) {
            long seen = e.getValue().lastSeen();
            if (seen < oldest) {
                oldest = seen;
                stalest = e.getKey();
                victim = e.getValue();
            }
        }
        if (stalest != null && sources.remove(stalest, victim)) evicted.incrementAndGet();
    }

    /** The sources, most recently seen first. */
    public List<Seen> snapshot() {
        List<Seen> list = new ArrayList<>(sources.size());
        for (Source s : sources.values()) {
            list.add(s.copy());
        }
        list.sort(Comparator.comparingLong(Seen::lastSeenMillis).reversed());
        return list;
    }

    /** The sources seen within {@code windowMillis}, split by whether they confirm {@code target} (see {@link Seen#confirms}). */
    public Progress progress(State target, int fall, long windowMillis) {
        long since = clockMillis.getAsLong() - windowMillis;
        List<Seen> confirmed = new ArrayList<>();
        List<Seen> lagging = new ArrayList<>();
        for (Seen s : snapshot()) {
            if (s.lastSeenMillis() >= since) {
                (s.confirms(target, fall) ? confirmed : lagging).add(s);
            }
        }
        return new Progress(confirmed, lagging);
    }

    /** Sources dropped, least recently seen first, to make room for new ones in a full table. */
    public int evicted() {
        return evicted.get();
    }

    public void forgetOlderThan(long ageMillis) {
        long cutoff = clockMillis.getAsLong() - ageMillis;
        sources.values().removeIf(s -> s.lastSeen() < cutoff);
    }

    /** Updated by whichever event loop answered; a monitor per source, uncontended in practice. */
    private static final class Source {
        private final String address;
        private String kind;
        private LbView view;
        /** {@link #probes} when {@link #view} was reported. */
        private long viewAt;
        private long lastSeen;
        private long interval;
        private String state = "";
        private long streak;
        private long probes;

        /** @param now counts as seen, so that a concurrent eviction does not take it before its first probe is recorded */
        Source(String address, String kind, long now) {
            this.address = address;
            this.kind = kind;
            this.lastSeen = now;
        }

        /** @param kind {@code null} to keep the known one; {@code view} {@code null} keeps the last one reported */
        synchronized void served(String stateName, long now, String kind, LbView view) {
            if (probes > 0) {
                long gap = Math.max(0, now - lastSeen);
                // Exponentially weighted, so that one late check does not swing the estimate.
                interval = probes == 1 ? gap : (interval * 7 + gap) / 8;
            }
            lastSeen = now;
            probes++;
            if (stateName.equals(state)) {
                streak++;
            } else {
                state = stateName;
                streak = 1;
            }
            if (kind != null) this.kind = kind;
            if (view != null) {
                this.view = view;
                viewAt = probes;
            }
        }

        synchronized long lastSeen() {
            return lastSeen;
        }

        synchronized Seen copy() {
            // The view in the n-th request of the current streak shows what the LB made of the n-1 answers before it.
            boolean fresh = view != null && viewAt - (probes - streak) >= 2;
            return new Seen(address, lastSeen, interval, state, streak, probes, kind, view, fresh);
        }
    }
}
