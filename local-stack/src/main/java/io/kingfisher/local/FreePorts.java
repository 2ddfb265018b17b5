package io.kingfisher.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.function.IntSupplier;

/**
 * Free loopback ports for the local stack's servers that must be told a port before they bind (the broker's
 * listeners, a MiniCluster's REST endpoint). A probe binds port 0 and releases what the OS gave, so the port is free
 * only until someone else takes it, and the OS may offer the same port to the next probe.
 */
public final class FreePorts {
    static final String LOOPBACK = "127.0.0.1";

    private FreePorts() {
    }

    /** @return a port that was free on {@value #LOOPBACK} a moment ago */
    public static int loopback() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    /**
     * @return a free port that is not {@code taken} (a port probed, released and not yet bound by its user, which the
     *     OS may offer again)
     */
    public static int loopbackOtherThan(int taken) {
        return otherThan(taken, FreePorts::loopback);
    }

    /** As {@link #loopbackOtherThan(int)}, asking {@code probe} for free ports. */
    static int otherThan(int taken, IntSupplier probe) {
        for (int attempt = 0; attempt < 16; attempt++) {
            int p = probe.getAsInt();
            if (p != taken) {
                return p;
            }
        }
        throw new IllegalStateException("the OS kept offering port " + taken + ", which is already taken");
    }
}
