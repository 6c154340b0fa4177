package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code [grpc]} and a state's {@code grpc} key: defaults, what is accepted, and what is refused with file and line. */
class GrpcConfigTest extends WithConfigFile {
    private static final String STATES = String.join("\n",
            "[priorities]",                   // 1
            "states = enabled,draining,down", // 2
            "[enabled]",                      // 3
            "code = 200",                     // 4
            "[draining]",                     // 5
            "file = draining",                // 6
            "code = 200",                     // 7
            "grpc = not_serving",             // 8
            "[down]",                         // 9
            "file = down",                    // 10
            "code = 503",                     // 11
            "");

    @Test
    void defaultsServeOnlyTheNodeAndAnswerNotServingWithStatusOk() {
        Config config = loader.defaults();
        assertEquals(List.of(), config.grpc().services());
        assertFalse(config.grpc().notServingUnavailable());
        assertTrue(config.states().byName("enabled").orElseThrow().servesGrpc());
        assertFalse(config.states().byName("disabled").orElseThrow().servesGrpc());
    }

    @Test
    void aStateFollowsItsCodeUnlessItsGrpcKeySaysOtherwise() throws Exception {
        Config config = load(STATES);
        assertTrue(config.states().byName("enabled").orElseThrow().servesGrpc());
        assertFalse(config.states().byName("draining").orElseThrow().servesGrpc(), "2xx, but grpc = not_serving");
        assertFalse(config.states().byName("down").orElseThrow().servesGrpc());
        assertTrue(load(STATES.replace("code = 503", "code = 503\ngrpc = SERVING")).states().byName("down").orElseThrow().servesGrpc());
    }

    @Test
    void servicesAndNotServingStatusAreRead() throws Exception {
        Config config = load(STATES + "[grpc]\nservices = orders, my.pkg.Billing ,x-y/z\nnot_serving_status = Unavailable\n");
        assertEquals(List.of("orders", "my.pkg.Billing", "x-y/z"), config.grpc().services());
        assertTrue(config.grpc().notServingUnavailable());
    }

    @Test
    void badGrpcKeysAreRefusedWithTheirLine() throws Exception {
        refused(STATES.replace("grpc = not_serving", "grpc = maybe"), 8, "grpc 'maybe' in state [draining] is not one of serving, not_serving");
        refused(STATES + "[grpc]\nnot_serving_status = 503\n", 13, "not_serving_status '503' is not one of ok, unavailable");
        refused(STATES + "[grpc]\nservices = a,,b\n", 13, "'' is not a gRPC service name");
        refused(STATES + "[grpc]\nservices = a b\n", 13, "'a b' is not a gRPC service name");
        refused(STATES + "[grpc]\nservices = a,a\n", 13, "names 'a' twice");
        refused(STATES + "[grpc]\nport = 9000\n", 13, "unknown key 'port' in [grpc]");
    }

    @Test
    void aStateNamedAfterAnOptionsSectionIsRefusedAsReserved() throws Exception {
        refused(String.join("\n", "[priorities]", "states = enabled,grpc", "[enabled]", "code = 200", "[grpc]",
                "file = grpc", "code = 503", ""), 2, "state name 'grpc' is reserved for the [grpc] section");
    }
}
