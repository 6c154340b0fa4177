package plight.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import plight.config.Durations;

/** One plain blocking probe before any load, so that a wrong URL gives one clear error instead of a table of errors. */
final class Preflight {
    private Preflight() {
    }

    /** The answer: status code and {@code X-Plight-State} (null when absent). */
    record Answer(int status, String state) {
        @Override
        public String toString() {
            return status + (state == null ? ", no X-Plight-State header" : ", X-Plight-State: " + state);
        }
    }

    /**
     * @return the answer
     * @throws IOException with a message fit for the user when the target cannot be reached or does not speak HTTP
     */
    static Answer check(Target target, long timeoutNanos) throws IOException {
        int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000));
        InetSocketAddress address;
        try {
            address = target.resolve();
        } catch (UnknownHostException e) {
            throw new IOException("cannot reach " + target + ": unknown host " + target.host);
        }
        ResponseParser parser = new ResponseParser();
        Answer[] answer = new Answer[1];
        ResponseParser.Listener listener = (status, state, close) -> answer[0] = new Answer(status, state);
        long deadline = System.nanoTime() + timeoutNanos;
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(target.request(true));
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            while (answer[0] == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException(); // e.g. an endless body
                }
                int n = in.read(buf);
                if (n < 0) {
                    if (!parser.endOfInput(listener)) {
                        throw new IOException(target + " closed the connection without a complete HTTP answer");
                    }
                    break;
                }
                ByteBuf b = Unpooled.wrappedBuffer(buf, 0, n);
                parser.feed(b, listener);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("cannot reach " + target + ": no answer within "
                    + Durations.format(Duration.ofNanos(timeoutNanos)) + " (--timeout)");
        } catch (HttpParseException e) {
            throw new IOException(target + " does not answer with HTTP/1.x: " + e.getMessage());
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(target.toString())) {
                throw e;
            }
            throw new IOException("cannot reach " + target + " (" + address + "): " + e.getMessage());
        }
        return answer[0];
    }
}
