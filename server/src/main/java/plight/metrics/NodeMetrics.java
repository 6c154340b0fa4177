package plight.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import plight.config.Version;
import plight.probe.ProbeSources;
import plight.probe.Rejections;
import plight.state.NodeState;
import plight.state.State;
import plight.state.StateTable;

/**
 * The node's metrics, read from the counters the daemon keeps anyway, at scrape time: a scrape adds no work to
 * the probe path, and nothing here is updated per probe.
 */
public final class NodeMetrics {
    /** Where each figure comes from; every supplier must be cheap and must not block. */
    public record Sources(Supplier<StateTable> table, Supplier<NodeState> node, Supplier<Map<String, Long>> httpProbes,
                          Supplier<Map<String, Long>> agentProbes, IntSupplier httpConnections, ProbeSources sources,
                          Rejections rejections, StateChanges changes, Reloads reloads, Http2 http2) {
        /** Without HTTP/2 figures. */
        public Sources(Supplier<StateTable> table, Supplier<NodeState> node, Supplier<Map<String, Long>> httpProbes,
                       Supplier<Map<String, Long>> agentProbes, IntSupplier httpConnections, ProbeSources sources,
                       Rejections rejections, StateChanges changes, Reloads reloads) {
            this(table, node, httpProbes, agentProbes, httpConnections, sources, rejections, changes, reloads, Http2.NONE);
        }
    }

    /** The probe port's HTTP/2 side: probes answered per state over HTTP/2 and gRPC, and connections open. */
    public record Http2(Supplier<Map<String, Long>> h2Probes, Supplier<Map<String, Long>> grpcProbes,
                        IntSupplier h2Connections, IntSupplier grpcConnections) {
        static final Http2 NONE = new Http2(Map::of, Map::of, () -> 0, () -> 0);
    }

    /** Loaded at the first scrape, not at start: a daemon nobody scrapes never loads client_java or the MXBeans. */
    private static final class Writers {
        static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
        static final OpenMetricsTextFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();
    }

    private final Sources in;
    private ProcessFigures process;

    public NodeMetrics(Sources in) {
        this.in = in;
    }

    /** The Prometheus text format (0.0.4), as {@code plight stats --format prometheus} prints it. */
    public String text() {
        return new String(render(Writers.TEXT), StandardCharsets.UTF_8);
    }

    /** The writer for a scraper's {@code Accept} header: OpenMetrics when it asks for it, else the text format. */
    public static ExpositionFormatWriter writerFor(String accept) {
        return accept != null && Writers.OPEN_METRICS.accepts(accept) ? Writers.OPEN_METRICS : Writers.TEXT;
    }

    public byte[] render(ExpositionFormatWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, collect());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    synchronized MetricSnapshots collect() {
        List<MetricSnapshot> all = new ArrayList<>();
        NodeState node = in.node().get();
        StateTable table = in.table().get();

        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("plight_state")
                .help("The node's state: 1 for the state served, 0 for the others");
        for (State s : table.states()) {
            state.dataPoint(gauge(s.name().equals(node.state().name()) ? 1 : 0, "state", s.name()));
        }
        all.add(state.build());

        CounterSnapshot.Builder changes = CounterSnapshot.builder().name("plight_state_changes")
                .help("State changes, by what made them (cli, ttl, reload, file)");
        for (StateChanges.Count c : in.changes().counts()) {
            changes.dataPoint(counter(c.count(), "from", c.from(), "to", c.to(), "origin", c.origin().label()));
        }
        all.add(changes.build());

        // A change seen by this daemon, else the marker's own "since" (a state set before the start), else the start.
        long since = in.changes().lastChangeMillis(node.marker() != null && node.marker().since() != null
                ? node.marker().since().toEpochMilli() : -1);
        all.add(GaugeSnapshot.builder().name("plight_state_last_change_timestamp_seconds")
                .help("When the state served last changed (or the daemon started), in seconds since the epoch")
                .dataPoint(gauge(since / 1000.0)).build());
        GaugeSnapshot.Builder expiry = GaugeSnapshot.builder().name("plight_state_expiry_timestamp_seconds")
                .help("When the state's TTL runs out, in seconds since the epoch; absent without a TTL");
        if (node.marker() != null && node.marker().expires() != null) {
            expiry.dataPoint(gauge(node.marker().expires().toEpochMilli() / 1000.0));
        }
        all.add(expiry.build());

        CounterSnapshot.Builder probes = CounterSnapshot.builder().name("plight_probes")
                .help("Probes answered with a state, by protocol and state");
        in.httpProbes().get().forEach((name, n) -> probes.dataPoint(counter(n, "protocol", "http", "state", name)));
        in.http2().h2Probes().get().forEach((name, n) -> probes.dataPoint(counter(n, "protocol", "h2", "state", name)));
        in.http2().grpcProbes().get().forEach((name, n) -> probes.dataPoint(counter(n, "protocol", "grpc", "state", name)));
        in.agentProbes().get().forEach((name, n) -> probes.dataPoint(counter(n, "protocol", "agent", "state", name)));
        all.add(probes.build());

        CounterSnapshot.Builder rejections = CounterSnapshot.builder().name("plight_probe_rejections")
                .help("Requests answered with an error status and connections over max_connections, by reason");
        in.rejections().counts().forEach((reason, n) -> rejections.dataPoint(counter(n, "reason", reason)));
        all.add(rejections.build());

        all.add(GaugeSnapshot.builder().name("plight_connections_open").help("Probe connections open now")
                .dataPoint(gauge(in.httpConnections().getAsInt(), "protocol", "http"))
                .dataPoint(gauge(in.http2().h2Connections().getAsInt(), "protocol", "h2"))
                .dataPoint(gauge(in.http2().grpcConnections().getAsInt(), "protocol", "grpc")).build());

        List<ProbeSources.Seen> seen = in.sources().snapshot();
        all.add(GaugeSnapshot.builder().name("plight_probe_sources")
                .help("Probe sources (addresses) in the source table").dataPoint(gauge(seen.size())).build());
        GaugeSnapshot.Builder lastSeen = GaugeSnapshot.builder().name("plight_probe_source_last_seen_timestamp_seconds")
                .help("When each probe source was last seen, in seconds since the epoch; at most "
                        + ProbeSources.MAX_SOURCES + " sources");
        for (ProbeSources.Seen s : seen) {
            // An address is one source per kind of check (HTTP and agent apart), so {source, kind} stays unique.
            lastSeen.dataPoint(gauge(s.lastSeenMillis() / 1000.0, "source", s.address(), "kind",
                    s.kind() == null ? "other" : s.kind()));
        }
        all.add(lastSeen.build());

        all.add(GaugeSnapshot.builder().name("plight_config_last_reload_successful")
                .help("Whether the last reload succeeded (1) or was refused (0)")
                .dataPoint(gauge(in.reloads().lastSuccessful() ? 1 : 0)).build());
        all.add(GaugeSnapshot.builder().name("plight_config_last_reload_success_timestamp_seconds")
                .help("When the configuration was last loaded successfully, in seconds since the epoch")
                .dataPoint(gauge(in.reloads().lastSuccessMillis() / 1000.0)).build());
        all.add(InfoSnapshot.builder().name("plight_build").help("plight's version")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", Version.get())).build())
                .build());

        if (process == null) process = new ProcessFigures();
        process.addTo(all);
        return new MetricSnapshots(all);
    }

    static GaugeDataPointSnapshot gauge(double value, String... labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }

    static CounterDataPointSnapshot counter(double value, String... labels) {
        return CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }
}
