package plight.testkit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** External tools a test needs (promtool, prometheus): skipped with a message where missing, a failure in CI. */
public final class Tools {
    private Tools() {
    }

    /** The tool's path on the {@code PATH}; skips the test when it is not there, fails it when {@code CI=true}. */
    public static Path require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) return p;
        }
        String message = name + " is not installed (apt-get install " + debianPackage + "; .ci/run installs it)";
        if ("true".equals(System.getenv("CI"))) fail(message);
        assumeTrue(false, message);
        return null;
    }
}
