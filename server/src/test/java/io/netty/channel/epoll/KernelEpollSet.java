package io.netty.channel.epoll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel watches, read from /proc/self/fdinfo of this process's epoll descriptors: Netty's own
 * bookkeeping cannot show an entry the kernel kept for a closed descriptor whose open file lives on elsewhere.
 */
final class KernelEpollSet {
    /** One watched descriptor: its number, and the inode of the open file the entry is for. */
    record Entry(int epfd, int fd, long inode) {
    }

    private KernelEpollSet() {
    }

    /** The inode of the open file descriptor {@code fd} of this process refers to, or -1 if it is not open. */
    static long inodeOf(int fd) throws IOException {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd", String.valueOf(fd))).toString();
            // socket:[123], or anon_inode:[eventfd] for Netty's wake-up descriptors (no number)
            String inside = link.substring(link.indexOf('[') + 1, link.length() - 1);
            return inside.chars().allMatch(Character::isDigit) ? Long.parseLong(inside) : -2;
        } catch (NoSuchFileException closed) {
            return -1;
        }
    }

    /** Whether descriptor {@code fd} is an eventfd or timerfd (Netty's event loop watches its own). */
    static boolean isNettysOwn(int fd) throws IOException {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd", String.valueOf(fd))).toString();
            return link.equals("anon_inode:[eventfd]") || link.equals("anon_inode:[timerfd]");
        } catch (NoSuchFileException closed) {
            return false;
        }
    }

    /** Every entry of every epoll set of this process. */
    static List<Entry> all() throws IOException {
        List<Entry> found = new ArrayList<>();
        List<Path> fds;
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            fds = list.toList();
        }
        for (Path fd : fds) {
            try {
                if (!Files.readSymbolicLink(fd).toString().equals("anon_inode:[eventpoll]")) {
                    continue;
                }
                int epfd = Integer.parseInt(fd.getFileName().toString());
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", String.valueOf(epfd)))) {
                    if (line.startsWith("tfd:")) {
                        String[] words = line.trim().split("\\s+");
                        int n = Integer.parseInt(words[1]);
                        long inode = -1;
                        for (String w : words) {
                            if (w.startsWith("ino:")) {
                                inode = Long.parseLong(w.substring(4), 16);
                            }
                        }
                        found.add(new Entry(epfd, n, inode));
                    }
                }
            } catch (NoSuchFileException gone) {
                // closed meanwhile: not an epoll set of the test's
            }
        }
        return found;
    }

    /** The entries of the epoll set that watches the open file of descriptor {@code fd}, e.g. a listener's. */
    static List<Entry> setWatching(int fd) throws IOException {
        long inode = inodeOf(fd);
        List<Entry> all = all();
        int epfd = all.stream().filter(e -> e.fd() == fd && e.inode() == inode).mapToInt(Entry::epfd).findFirst()
                .orElseThrow(() -> new AssertionError("no epoll set watches descriptor " + fd));
        return all.stream().filter(e -> e.epfd() == epfd).toList();
    }
}
