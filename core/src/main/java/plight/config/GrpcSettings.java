package plight.config;

import java.util.List;

/**
 * {@code [grpc]}: gRPC health checking on the probe port.
 *
 * @param services             service names answered besides {@code ""} (the node), each served the node's state
 * @param notServingUnavailable {@code not_serving_status = unavailable}: a NOT_SERVING answer to {@code Check}
 *                             also carries grpc-status 14, for checkers that look only at the status (AWS ALB)
 */
public record GrpcSettings(List<String> services, boolean notServingUnavailable) {
    public GrpcSettings {
        services = List.copyOf(services);
    }
}
