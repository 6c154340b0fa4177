package plight.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Moved from MarkerHazardsTest with the wording itself: every message about an I/O failure says it this way. */
class IoErrorsTest {

    @Test
    void theOperatingSystemsReasonIsNeverThePath() {
        String path = "/var/lib/plight/node_disabled";
        assertEquals("directory not empty", IoErrors.reason(new DirectoryNotEmptyException(path)));
        assertEquals("not a directory", IoErrors.reason(new NotDirectoryException(path)));
        assertEquals("file exists", IoErrors.reason(new FileAlreadyExistsException(path)));
        assertEquals("permission denied", IoErrors.reason(new AccessDeniedException(path)));
        assertEquals("no such file or directory", IoErrors.reason(new NoSuchFileException(path)));
        assertEquals("Is a directory", IoErrors.reason(new FileSystemException(path, null, "Is a directory")));
        for (IOException e : List.of(new FileSystemException(path), new FileSystemException(path, "/other", null),
                new java.nio.file.FileSystemLoopException(path), new java.nio.file.NotLinkException(path))) {
            String reason = IoErrors.reason(e);
            assertFalse(reason.contains(path) || reason.contains("Exception"), e + " -> " + reason);
        }
        assertEquals("too many levels of symbolic links", IoErrors.reason(new java.nio.file.FileSystemLoopException(path)));
    }
}
