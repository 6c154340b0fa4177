package plight.daemon;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM, SIGINT and SIGHUP from the first moment of {@code plight start}. Installed before the pidfile is
 * taken: until then the JVM's own handlers end the process (status 129 for a SIGHUP) and leave the pidfile
 * behind. A stop asked for during start-up is kept until the daemon waits for it; a SIGHUP that comes before
 * the daemon can reload is kept and applied once it can.
 */
final class DaemonSignals {
    private final CountDownLatch stop = new CountDownLatch(1);
    private Runnable reload;
    private boolean hangupPending;

    private DaemonSignals() {
    }

    static DaemonSignals install() {
        DaemonSignals signals = new DaemonSignals();
        Signal.handle(new Signal("TERM"), s -> signals.requestStop());
        Signal.handle(new Signal("INT"), s -> signals.requestStop());
        Signal.handle(new Signal("HUP"), s -> signals.hangup());
        return signals;
    }

    void requestStop() {
        stop.countDown();
    }

    void awaitStop() throws InterruptedException {
        stop.await();
    }

    /** From now on a SIGHUP runs {@code action}; one that came before runs it now. */
    synchronized void onHangup(Runnable action) {
        reload = action;
        if (hangupPending) {
            hangupPending = false;
            action.run();
        }
    }

    private synchronized void hangup() {
        if (reload == null) {
            hangupPending = true;
        } else {
            reload.run();
        }
    }
}
