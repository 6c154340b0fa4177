package plight.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which JDK the end-to-end tests run {@code bin/plight} on. By default the one of the build's environment; with
 * {@code -Dplight.test.javaHome=DIR} (as {@code .ci/run} does once with the newest JDK present) that one, passed to
 * {@code bin/plight} as {@code JAVA_HOME}, so a new runtime's warnings or failures show up in the tests first.
 */
final class Jdks {
    /** Where Debian and the Temurin packages install JDKs. */
    static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private Jdks() {
    }

    /** The JDK named by {@code -Dplight.test.javaHome}, if any; fails when it names no JDK. */
    static Optional<Path> configured() {
        String home = System.getProperty("plight.test.javaHome", "").strip();
        if (home.isEmpty()) return Optional.empty();
        Path path = Path.of(home);
        if (!Files.isExecutable(path.resolve("bin/java"))) {
            throw new IllegalStateException("-Dplight.test.javaHome=" + home + " has no executable bin/java");
        }
        return Optional.of(path);
    }

    /** The JDK under /usr/lib/jvm with the highest feature version (by its {@code release} file). */
    static Optional<Path> newestInstalled() {
        if (!Files.isDirectory(JVM_DIR)) return Optional.empty();
        try (Stream<Path> homes = Files.list(JVM_DIR)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && feature(h).isPresent())
                    .max(Comparator.comparingInt((Path h) -> feature(h).getAsInt()).thenComparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The feature version of the JDK at {@code home} (17, 25, ...), from its {@code release} file. */
    static OptionalInt feature(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }
}
