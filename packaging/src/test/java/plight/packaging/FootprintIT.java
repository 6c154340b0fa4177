package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.testkit.Await;

/**
 * What the resident daemon keeps (RELIABILITY.md, "Footprint"): no classes it does not use, and the memory
 * settings bin/plight gives it. The figures themselves are bench/scripts/footprint.sh's.
 */
@Timeout(120)
class FootprintIT extends OneNode {
    @Test
    void theDaemonLoadsNeitherTheCommandLineParserNorTheMetricsLibraryNorNettysFlightRecorderEventsWhenTheyAreNotUsed() throws Exception {
        node = new PlightNode(dir);
        Path classes = dir.resolve("classes.txt");
        PlightNode.Daemon daemon = node.start(List.of(), Map.of("PLIGHT_JAVA_OPTS", "-Xlog:class+load:file=" + classes));
        assertEquals(200, node.probe().code());
        assertEquals(0, node.plight("status").exit());
        String loaded = Files.readString(classes);
        assertTrue(loaded.contains("plight.daemon.Daemon "), "the log names the daemon's classes");
        // One exception class of JCommander's is loaded when plight.cli.Main is verified (a catch clause names it).
        assertEquals(1, loaded.lines().filter(l -> l.contains(" com.beust.jcommander.")).count(),
                "JCommander is loaded in the daemon:\n" + loaded.lines().filter(l -> l.contains("com.beust")).toList());
        assertFalse(loaded.contains("io.prometheus.metrics.core"), "client_java's model is loaded with the metrics port off");
        // Netty's allocator events register with Flight Recorder's metadata on the first chunk, which loads ~130
        // classes (JFR's type library, annotation proxies, reflection accessors): ~2 MiB for events nobody records.
        assertFalse(loaded.contains(" io.netty.buffer.AllocateChunkEvent "), "Netty's JFR events are loaded");
        assertFalse(loaded.contains(" jdk.jfr.internal.MetadataRepository "), "Flight Recorder's metadata is set up");
        String environ = Files.readString(Path.of("/proc/" + daemon.pid() + "/environ")).replace('\0', '\n');
        assertTrue(environ.contains("\nMALLOC_ARENA_MAX=") || environ.startsWith("MALLOC_ARENA_MAX="), "MALLOC_ARENA_MAX is set");
    }

    /**
     * The daemon logs through plight.log, its own logger: tinylog's runtime loaded java.lang.management and
     * java.util.logging in a static initialiser, Netty settled on java.util.logging after trying SLF4J, and
     * DateTimeFormatter's day and month names loaded the locale providers: ~430 classes and ~4.5 MiB together.
     * Run with the access log on, a probe logged, and the console, so that every log path has been taken.
     */
    @Test
    void theDaemonLoadsNoLoggingLibraryNorJavaManagementNorDateTimeFormatterWhileLoggingAndAnswering() throws Exception {
        node = new PlightNode(dir);
        node.access = "INFO";
        Path classes = dir.resolve("classes.txt");
        node.start(List.of(), Map.of("PLIGHT_JAVA_OPTS", "-Xlog:class+load:file=" + classes));
        assertEquals(200, node.probe().code());
        assertEquals(0, node.plight("status").exit());
        Await.until(() -> read(node.accessLog()).contains("\"GET / HTTP/1.1\" 200"), Duration.ofSeconds(10),
                "the probe in the access log " + node.accessLog());
        String loaded = Files.readString(classes);
        assertTrue(loaded.contains(" plight.log.LogThread "), "the log names plight's logger");
        for (String unused : List.of(" org.tinylog.", " org.slf4j.", " java.util.logging.", " java.lang.management.",
                " sun.management.", " java.time.format.DateTimeFormatter ", " sun.util.locale.provider.", " sun.util.cldr.")) {
            assertEquals(List.of(), loaded.lines().filter(l -> l.contains(unused)).toList(), unused.strip() + " is loaded");
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
