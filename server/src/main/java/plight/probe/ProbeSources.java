package plight.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import plight.state.State;

/**
 * Who probes this node: one entry per source address (load balancers open a new connection per check, so the
 * port means nothing), with when it was last seen, how often it probes, and which state it was last served and
 * how many times in a row. {@code stats} shows the table and the protocol's {@code wait} waits on it. Bounded: at most
 * {@link #MAX_SOURCES} addresses; {@link #forgetOlderThan} drops the silent ones.
 */
public final class ProbeSources implements ProbeListener {
    public static final int MAX_SOURCES = 4096;

    private final ConcurrentHashMap<InetAddress, Source> sources = new ConcurrentHashMap<>();
    private final AtomicInteger untracked = new AtomicInteger();
    private final LongSupplier clockMillis;

    public ProbeSources() {
        this(System::currentTimeMillis);
    }

    public ProbeSources(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** What is known about one source, as of the moment it was copied. */
    public record Seen(String address, long lastSeenMillis, long intervalMillis, String state, long streak, long probes) {
    }

    @Override
    public void served(InetSocketAddress remote, State state) {
        if (remote == null) return;
        InetAddress address = remote.getAddress();
        Source s = sources.get(address);
        if (s == null) {
            if (sources.size() >= MAX_SOURCES) {
                untracked.incrementAndGet();
                return;
            }
            s = sources.computeIfAbsent(address, a -> new Source(Addresses.of(a)));
        }
        s.served(state.name(), clockMillis.getAsLong());
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

    /** Sources seen within {@code windowMillis} that were not yet served {@code state} {@code fall} times in a row. */
    public List<Seen> lagging(String state, int fall, long windowMillis) {
        long since = clockMillis.getAsLong() - windowMillis;
        List<Seen> lagging = new ArrayList<>();
        for (Seen s : snapshot()) {
            if (s.lastSeenMillis() >= since && !(s.state().equals(state) && s.streak() >= fall)) {
                lagging.add(s);
            }
        }
        return lagging;
    }

    /** Probes from addresses the table had no room for. */
    public int untracked() {
        return untracked.get();
    }

    public void forgetOlderThan(long ageMillis) {
        long cutoff = clockMillis.getAsLong() - ageMillis;
        sources.values().removeIf(s -> s.lastSeen() < cutoff);
    }

    /** Updated by whichever event loop answered; a monitor per source, uncontended in practice. */
    private static final class Source {
        private final String address;
        private long lastSeen;
        private long interval;
        private String state = "";
        private long streak;
        private long probes;

        Source(String address) {
            this.address = address;
        }

        synchronized void served(String stateName, long now) {
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
        }

        synchronized long lastSeen() {
            return lastSeen;
        }

        synchronized Seen copy() {
            return new Seen(address, lastSeen, interval, state, streak, probes);
        }
    }
}
