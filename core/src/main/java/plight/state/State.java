package plight.state;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One configured state: what a probe is answered with while the node is in it.
 *
 * @param name      section name in plight.conf, also the {@code X-Plight-State} value
 * @param file      marker file; {@code null} for the default state
 * @param code      HTTP status code (100–599)
 * @param message   reason phrase and body
 * @param verb      CLI command that selects this state
 * @param agentLine HAProxy agent-check line, without the trailing newline
 * @param headers   extra response headers, in configuration order
 * @param priority  position in {@code [priorities] states}, 0 = lowest
 * @param grpc      the gRPC health status this state answers: {@code true} SERVING, {@code false} NOT_SERVING,
 *                  {@code null} to follow the code (2xx is SERVING)
 */
public record State(String name, Path file, int code, String message, String verb, String agentLine,
                    Map<String, String> headers, int priority, Boolean grpc) {

    /** A state whose gRPC status follows its code. */
    public State(String name, Path file, int code, String message, String verb, String agentLine,
                 Map<String, String> headers, int priority) {
        this(name, file, code, message, verb, agentLine, headers, priority, null);
    }

    public State {
        Objects.requireNonNull(name);
        Objects.requireNonNull(message);
        Objects.requireNonNull(verb);
        Objects.requireNonNull(agentLine);
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Whether gRPC health checks see this state as SERVING: the {@code grpc} key, else a 2xx code. */
    public boolean servesGrpc() {
        return grpc != null ? grpc : code / 100 == 2;
    }

    public boolean isDefault() {
        return file == null;
    }
}
