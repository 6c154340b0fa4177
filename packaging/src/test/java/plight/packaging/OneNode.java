package plight.packaging;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with one plight node in its own directory: whatever the test started is stopped after it. */
abstract class OneNode {
    @TempDir
    Path dir;

    /** Set by the test (or its {@code @BeforeEach}); null while it has none. */
    PlightNode node;

    @AfterEach
    void cleanUpNode() throws InterruptedException {
        if (node != null) node.cleanUp();
    }
}
