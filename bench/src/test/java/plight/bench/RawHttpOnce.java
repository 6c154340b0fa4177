package plight.bench;

import java.io.IOException;
import plight.testkit.RawHttp;

/** The status code a new probe connection gets. */
final class RawHttpOnce {
    private RawHttpOnce() {
    }

    static int code(int port) throws IOException {
        return RawHttp.once(port).code();
    }
}
