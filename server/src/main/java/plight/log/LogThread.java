package plight.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's one log-writing thread: callers (event loops among them) only queue a line; this thread writes
 * each to the writers that take it, and flushes them whenever the queue runs empty. Waits without polling when
 * there is nothing to write; after writing, it pauses briefly so that a busy access log is written in batches
 * and its callers seldom have to wake it.
 */
public final class LogThread extends Thread implements LogSink {
    /** How long the thread lets lines gather after a batch: a line reaches its file at most this much later. */
    private static final long BATCH_MILLIS = 10;
    /**
     * Queued lines beyond which access-log lines are dropped (and counted): a writer that falls behind (a stuck
     * console pipe, a tiny filesize) must cost lines, not the heap. Callers never wait for the writer.
     */
    static final int MAX_QUEUED = 65_536;
    /** Application-log lines (state changes) still queue up to this many; beyond it they are dropped too. */
    static final int MAX_QUEUED_APP = MAX_QUEUED + 16_384;
    /** The same bound in characters of the messages (long request lines): about 8 MiB, twice that for the app log. */
    static final long MAX_QUEUED_CHARS = 4L << 20;

    private final Route[] routes;
    private final Level appMin;
    private final Level accessMin;
    private final Object lock = new Object();
    private ArrayList<Entry> queue = new ArrayList<>();
    private ArrayList<Entry> spare = new ArrayList<>();
    private boolean waiting;
    private boolean stopping;
    private long queuedChars;
    private long droppedAccess;
    private long droppedApp;

    public LogThread(List<Route> routes) {
        super("plight-log");
        setDaemon(true);
        this.routes = routes.toArray(new Route[0]);
        Level app = Level.OFF;
        Level access = Level.OFF;
        for (Route r : this.routes) {
            if (r.access) access = min(access, r.min);
            else app = min(app, r.min);
        }
        this.appMin = app;
        this.accessMin = access;
    }

    private static Level min(Level a, Level b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public boolean accepts(Level level, boolean access) {
        return level != Level.OFF && level.compareTo(access ? accessMin : appMin) >= 0;
    }

    @Override
    public void log(Level level, boolean access, long epochMilli, String message) {
        Entry e = new Entry(level, access, epochMilli, message);
        synchronized (lock) {
            if (stopping) return;
            int n = queue.size();
            boolean full = access ? n >= MAX_QUEUED || queuedChars >= MAX_QUEUED_CHARS
                    : n >= MAX_QUEUED_APP || queuedChars >= 2 * MAX_QUEUED_CHARS;
            if (full) {
                if (access) droppedAccess++;
                else droppedApp++;
                return;
            }
            queue.add(e);
            queuedChars += message.length();
            if (waiting) {
                waiting = false;
                lock.notify();
            }
        }
    }

    /** Lines waiting for the writer (for tests of the bound). */
    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Writes what is queued, flushes and closes every writer; lines logged after this are dropped. */
    public void shutdown() throws InterruptedException {
        synchronized (lock) {
            stopping = true;
            lock.notify();
        }
        join();
    }

    @Override
    public void run() {
        try {
            while (true) {
                ArrayList<Entry> batch;
                boolean last;
                long lostAccess = 0;
                long lostApp = 0;
                synchronized (lock) {
                    while (queue.isEmpty() && !stopping && droppedAccess + droppedApp == 0) {
                        waiting = true;
                        lock.wait();
                    }
                    waiting = false;
                    last = stopping;
                    batch = queue;
                    queue = spare;
                    spare = batch;
                    queuedChars = 0;
                    // Caught up (this batch is below the bound) or stopping: report the loss once.
                    if (last || batch.size() < MAX_QUEUED) {
                        lostAccess = droppedAccess;
                        lostApp = droppedApp;
                        droppedAccess = 0;
                        droppedApp = 0;
                    }
                }
                for (int i = 0; i < batch.size(); i++) {
                    write(batch.get(i));
                }
                batch.clear();
                long now = System.currentTimeMillis();
                if (lostAccess > 0) {
                    write(new Entry(Level.WARN, false, now, lostAccess + " access-log lines dropped (the log writer fell behind)"));
                }
                if (lostApp > 0) {
                    write(new Entry(Level.WARN, false, now, lostApp + " application-log lines dropped (the log writer fell behind)"));
                }
                if (last) break;
                flushIfIdle();
                Thread.sleep(BATCH_MILLIS);
            }
        } catch (InterruptedException e) {
            // shutdown() interrupts nobody: this is a JVM going down; write what we have
        } finally {
            for (Route r : routes) {
                try {
                    r.writer.close();
                } catch (IOException e) {
                    r.failed(e);
                }
            }
        }
    }

    private void flushIfIdle() {
        synchronized (lock) {
            if (!queue.isEmpty()) return;
        }
        for (Route r : routes) {
            try {
                r.writer.flush();
            } catch (IOException e) {
                r.failed(e);
            }
        }
    }

    private void write(Entry e) {
        for (Route r : routes) {
            if (r.access == e.access() && e.level().compareTo(r.min) >= 0) {
                try {
                    r.writer.write(e.level(), e.epochMilli(), e.message());
                    r.failing = false;
                } catch (IOException ex) {
                    r.failed(ex);
                }
            }
        }
    }

    /** A writer, the lowest level it takes, and whether it is the access log's. */
    public static final class Route {
        final LineWriter writer;
        final Level min;
        final boolean access;
        final String name;
        /** So that a full disk is one line on stderr, not one per log line. */
        boolean failing;

        public Route(LineWriter writer, Level min, boolean access, String name) {
            this.writer = writer;
            this.min = min;
            this.access = access;
            this.name = name;
        }

        void failed(IOException e) {
            if (!failing) {
                failing = true;
                System.err.println("plight: cannot write " + name + ": " + plight.text.IoErrors.reason(e));
            }
        }
    }

    private record Entry(Level level, boolean access, long epochMilli, String message) {
    }
}
