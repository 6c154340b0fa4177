package plight.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * CPU time a process has used, from {@code /proc/PID/stat} (utime + stime, all its threads: for a JVM this
 * includes GC, JIT and log writers). The figure a load generator that saturates first cannot cap.
 */
final class CpuTime {
    /** Linux reports these fields in USER_HZ, which is 100 on every architecture it runs on. */
    private static final long TICKS_PER_SECOND = 100;

    private CpuTime() {
    }

    /** CPU time of {@code pid} so far, in microseconds. */
    static long micros(long pid) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IOException("--pid " + pid + ": no such process (no /proc/" + pid + "/stat)");
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // after comm: state is f[0], utime (field 14) is f[11], stime (field 15) is f[12]
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1_000_000L / TICKS_PER_SECOND;
    }
}
