package plight.metrics;

import static plight.metrics.NodeMetrics.counter;
import static plight.metrics.NodeMetrics.gauge;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process and JVM basics under their usual names ({@code process_*}, {@code jvm_*}), read from {@code /proc}
 * and the platform MXBeans at scrape time. Figures the machine cannot give are left out, not made up.
 */
final class ProcessFigures {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path FDS = Path.of("/proc/self/fd");

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    private final double startSeconds = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;

    void addTo(List<MetricSnapshot> all) {
        long rss = residentBytes();
        if (rss >= 0) {
            all.add(GaugeSnapshot.builder().name("process_resident_memory_bytes").help("Resident memory size in bytes")
                    .dataPoint(gauge(rss)).build());
        }
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
            all.add(CounterSnapshot.builder().name("process_cpu_seconds").help("Total user and system CPU time spent in seconds")
                    .dataPoint(counter(sun.getProcessCpuTime() / 1e9)).build());
        }
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            all.add(GaugeSnapshot.builder().name("process_open_fds").help("Number of open file descriptors")
                    .dataPoint(gauge(unix.getOpenFileDescriptorCount())).build());
            all.add(GaugeSnapshot.builder().name("process_max_fds").help("Maximum number of open file descriptors")
                    .dataPoint(gauge(unix.getMaxFileDescriptorCount())).build());
        } else if (Files.isDirectory(FDS)) {
            all.add(GaugeSnapshot.builder().name("process_open_fds").help("Number of open file descriptors")
                    .dataPoint(gauge(countFds())).build());
        }
        all.add(GaugeSnapshot.builder().name("process_start_time_seconds")
                .help("Start time of the process since unix epoch in seconds").dataPoint(gauge(startSeconds)).build());
        all.add(GaugeSnapshot.builder().name("jvm_memory_used_bytes").help("Used bytes of a given JVM memory area")
                .dataPoint(gauge(memory.getHeapMemoryUsage().getUsed(), "area", "heap"))
                .dataPoint(gauge(memory.getNonHeapMemoryUsage().getUsed(), "area", "nonheap")).build());
        all.add(GaugeSnapshot.builder().name("jvm_memory_committed_bytes").help("Committed bytes of a given JVM memory area")
                .dataPoint(gauge(memory.getHeapMemoryUsage().getCommitted(), "area", "heap"))
                .dataPoint(gauge(memory.getNonHeapMemoryUsage().getCommitted(), "area", "nonheap")).build());
        CounterSnapshot.Builder gcTime = CounterSnapshot.builder().name("jvm_gc_collection_seconds")
                .help("Time spent in a given JVM garbage collector in seconds");
        for (GarbageCollectorMXBean gc : gcs) {
            if (gc.getCollectionTime() >= 0) gcTime.dataPoint(counter(gc.getCollectionTime() / 1000.0, "gc", gc.getName()));
        }
        all.add(gcTime.build());
        all.add(GaugeSnapshot.builder().name("jvm_threads_current").help("Current thread count of the JVM")
                .dataPoint(gauge(ManagementFactory.getThreadMXBean().getThreadCount())).build());
    }

    /** VmRSS from /proc/self/status, in bytes; -1 where there is no /proc. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long countFds() {
        try (var list = Files.list(FDS)) {
            return list.count();
        } catch (IOException e) {
            return 0;
        }
    }
}
