package plight.metrics;

import java.util.function.LongSupplier;

/** How the last reload went; the start counts as a successful load, as Prometheus itself counts it. */
public final class Reloads {
    private final LongSupplier clockMillis;
    private volatile boolean lastSuccessful = true;
    private volatile long lastSuccessMillis;

    public Reloads() {
        this(System::currentTimeMillis);
    }

    public Reloads(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.lastSuccessMillis = clockMillis.getAsLong();
    }

    public void succeeded() {
        lastSuccessMillis = clockMillis.getAsLong();
        lastSuccessful = true;
    }

    public void failed() {
        lastSuccessful = false;
    }

    public boolean lastSuccessful() {
        return lastSuccessful;
    }

    public long lastSuccessMillis() {
        return lastSuccessMillis;
    }
}
