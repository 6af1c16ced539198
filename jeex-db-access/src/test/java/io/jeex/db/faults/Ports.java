package io.jeex.db.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Local ports for fault tests. */
public final class Ports {

    private Ports() {
    }

    /**
     * A port on 127.0.0.1 where nothing listens (bound, then released): a connection to it is
     * refused at once.
     *
     * @return the port
     */
    public static int closed() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
