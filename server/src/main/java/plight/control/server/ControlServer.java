package plight.control.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import plight.log.Log;
import plight.config.ControlSettings;
import plight.config.Environment;
import plight.control.Reply;
import plight.control.Request;

/**
 * The control socket: a Unix domain socket (epoll, for SO_PEERCRED) with the configured mode and group,
 * speaking the line protocol of {@link Request} and {@link Reply}. A socket file left by a crash is replaced;
 * the file is removed when the server closes.
 */
public final class ControlServer implements AutoCloseable {
    /** By default, a connection that sends no complete request for this long is answered with a timeout and closed. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(10);

    private final ControlSettings settings;
    private final ControlActions actions;
    private final Duration idle;
    private final Connections connections = new Connections();
    /** Caps control connections per uid; touched on the control event loop only. */
    private ControlQuota quota;
    private int refusedSinceLog;
    private long nextRefusalLog = System.nanoTime();
    /** Root and the daemon's user only until the socket's group is known. */
    private volatile ControlAccess access;
    private EventLoopGroup group;
    private Channel channel;
    private boolean bound;

    public ControlServer(ControlSettings settings, ControlActions actions) {
        this(settings, actions, DEFAULT_IDLE);
    }

    /** @param idle how long a connection may go without a complete request before it is answered with a timeout */
    public ControlServer(ControlSettings settings, ControlActions actions, Duration idle) {
        this.settings = settings;
        this.actions = actions;
        this.idle = idle;
    }

    public Path path() {
        return settings.socket();
    }

    public void start() throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("the control socket needs Netty's native epoll transport: " + Epoll.unavailabilityCause());
        }
        Path path = settings.socket();
        long daemonUid = Environment.current().uid();
        access = ControlAccess.of(path, daemonUid, -1, null);
        quota = new ControlQuota(daemonUid, ControlQuota.PER_UID, ControlQuota.OTHERS);
        Files.createDirectories(path.toAbsolutePath().getParent());
        replaceStale(path);
        // Bound under a temporary name and renamed into place once mode and group are set, so that the socket
        // is never reachable with the permissions the umask would give it.
        Path bindPath = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(bindPath);
        group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "plight-control");
            t.setDaemon(true);
            return t;
        }, EpollIoHandler.newFactory());
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    // A client that ends its input (socat with a pipe) still gets its answers.
                    .childOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                        @Override
                        protected void initChannel(EpollDomainSocketChannel ch) {
                            long uid = peerUid(ch);
                            String refused = quota.admit(uid);
                            if (refused != null) {
                                refuse(ch, uid, refused);
                                return;
                            }
                            ch.closeFuture().addListener(f -> quota.release(uid));
                            // The idle timer sees complete lines only: a client trickling bytes still times out.
                            connections.add(ch);
                            ch.pipeline().addLast(
                                    new RequestLines(),
                                    new IdleStateHandler(idle.toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                    new ControlHandler(actions, access, connections, idle));
                        }
                    })
                    .bind(new DomainSocketAddress(bindPath.toFile())).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding " + path, e);
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        String group = applyPermissions(bindPath);
        // The group the socket ended up with is the control group: its members may change the state.
        access = ControlAccess.of(path, daemonUid, ((Number) Files.getAttribute(bindPath, "unix:gid")).longValue(), group);
        Files.move(bindPath, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        bound = true;
        Log.info("control socket {} (mode {}, group {})", path, String.format("%04o", settings.mode()), group);
    }

    private static long peerUid(EpollDomainSocketChannel ch) {
        try {
            return ch.peerCredentials().uid();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Answers {@code ERR busy} instead of the greeting and closes; logged at most once a minute. */
    private void refuse(EpollDomainSocketChannel ch, long uid, String why) {
        refusedSinceLog++;
        long now = System.nanoTime();
        if (now - nextRefusalLog >= 0) {
            nextRefusalLog = now + TimeUnit.MINUTES.toNanos(1);
            Log.warn("control socket: refused {} connection(s) in the last minute, the latest from {}: {}",
                    refusedSinceLog, Users.nameOf(uid) + " (uid " + uid + ")", why);
            refusedSinceLog = 0;
        }
        byte[] line = Reply.error(Reply.BUSY, why).render().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
                ctx.writeAndFlush(ctx.alloc().buffer(line.length).writeBytes(line))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }

            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        });
    }

    /** A socket file nobody answers on is a leftover of a crash; one that answers belongs to another daemon. */
    private static void replaceStale(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        int mode = (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        boolean answered = false;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            answered = probe.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException nobodyListens) {
            // refused (or not even that): nobody serves it
        }
        if (answered) throw new IOException("another process serves the control socket " + path);
        Files.delete(path);
        Log.info("removed the stale control socket {}", path);
    }

    /** Sets mode and group; returns the group the socket ended up with. */
    private String applyPermissions(Path path) throws IOException {
        Files.setPosixFilePermissions(path, permissions(settings.mode()));
        String groupName = settings.group();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (groupName != null) {
            setGroup(path, view, groupName);
        }
        return view.readAttributes().group().getName();
    }

    private static void setGroup(Path path, PosixFileAttributeView view, String groupName) {
        try {
            GroupPrincipal g = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(groupName);
            view.setGroup(g);
        } catch (UserPrincipalNotFoundException e) {
            Log.warn("group '{}' of the control socket does not exist on this machine; the socket keeps the daemon's group", groupName);
        } catch (IOException e) {
            Log.warn("cannot give the control socket to group '{}': {}; it keeps the daemon's group", groupName, e.getMessage());
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) perms.add(order[bit]);
        }
        return perms;
    }

    /**
     * The daemon begins to stop: from now on changes and waits are answered {@code ERR stopping} (a wait in
     * flight at once), read-only requests as before, until {@link #close}.
     */
    public void beginStop() {
        connections.beginStop();
    }

    /** Stops listening, closes every connection (idle, half-sent or waiting) and removes the socket file. */
    @Override
    public void close() {
        boolean ours = bound;
        bound = false;
        connections.beginStop();
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        connections.closeAll(500);
        if (group != null) {
            group.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).syncUninterruptibly();
            group = null;
        }
        if (!ours) {
            return; // never bound: the file, if any, belongs to someone else
        }
        try {
            Files.deleteIfExists(settings.socket());
        } catch (IOException e) {
            Log.warn("cannot remove the control socket {}: {}", settings.socket(), e.getMessage());
        }
    }
}
