package plight.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Response;
import plight.config.Durations;

/**
 * One probe on AsyncHttpClient before any load, as a real client sees the target, so that a wrong URL gives
 * one clear error instead of a table of errors, and the state served is known before flipping it.
 */
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
        try {
            target.resolve();
        } catch (UnknownHostException e) {
            throw new IOException("cannot reach " + target + ": unknown host " + target.host);
        }
        try (AsyncHttpClient client = Ahc.client(false, 1, "auto", timeoutNanos)) {
            Response r = client.prepareGet(target.url).execute().get();
            return new Answer(r.getStatusCode(), r.getHeader("X-Plight-State"));
        } catch (ExecutionException e) {
            throw explain(target, e.getCause(), timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking " + target);
        }
    }

    private static IOException explain(Target target, Throwable cause, long timeoutNanos) {
        if (cause instanceof TimeoutException) {
            return new IOException("cannot reach " + target + ": no answer within "
                    + Durations.format(Duration.ofNanos(timeoutNanos)) + " (--timeout)");
        }
        if (cause instanceof ConnectException) {
            return new IOException("cannot reach " + target + ": " + cause.getMessage());
        }
        // Netty's decoder turns a first line that is not HTTP/1.x into a failed message, AsyncHttpClient into this
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof IllegalArgumentException || message.contains("invalid version format")) {
            return new IOException(target + " does not answer with HTTP/1.x: bad status line (" + message + ")");
        }
        if (cause instanceof ClosedChannelException || message.toLowerCase(java.util.Locale.ROOT).contains("closed")) {
            return new IOException(target + " closed the connection without a complete HTTP answer");
        }
        return new IOException("cannot reach " + target + ": " + cause);
    }
}
