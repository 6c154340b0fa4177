package plight.text;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Locale;

/** The one wording of I/O failures in plight's messages. */
public final class IoErrors {
    private IoErrors() {
    }

    /**
     * The operating system's words for an I/O failure, never the path (which Java puts in the message of the
     * exceptions that carry no reason, such as {@link DirectoryNotEmptyException}), nor a class name.
     */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof DirectoryNotEmptyException) return "directory not empty";
        if (e instanceof FileAlreadyExistsException) return "file exists";
        if (e instanceof NotDirectoryException) return "not a directory";
        if (e instanceof NotLinkException) return "not a symbolic link";
        if (e instanceof FileSystemLoopException) return "too many levels of symbolic links";
        if (e instanceof FileSystemException fse) {
            return fse.getReason() != null ? fse.getReason() : words(fse.getClass().getSimpleName());
        }
        return e.getMessage() != null ? e.getMessage() : words(e.getClass().getSimpleName());
    }

    /** {@code FileSystemException} → {@code file system error}: a last resort that still reads as words. */
    private static String words(String className) {
        String name = className.endsWith("Exception") ? className.substring(0, className.length() - "Exception".length()) : className;
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT) + " error";
    }
}
