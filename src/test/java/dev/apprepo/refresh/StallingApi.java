package dev.apprepo.refresh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kubernetes API server that takes requests and then stalls, as one does behind a broken network or under an
 * overload: it accepts connections (so readiness, which only connects, says reachable), reads each request, and
 * either never answers or sends the head of an answer and part of its body, then nothing more. Closing it drops
 * every connection.
 */
public final class StallingApi implements AutoCloseable {

    public enum Stall {
        /** the request is read, and no byte of an answer ever comes */
        NO_ANSWER,
        /** a 200 with its headers and the first bytes of a body that never ends */
        PART_OF_ANSWER
    }

    private final Stall stall;
    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    public StallingApi(Stall stall) {
        this.stall = stall;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "stalling-api");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Requests whose head was read, which were then left to stall. */
    public int stalledRequests() {
        return requests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                connections.add(connection);
                Thread reader = new Thread(() -> stall(connection), "stalling-api-connection");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void stall(Socket connection) {
        try (InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
            if (!readHead(in)) {
                return;
            }
            requests.incrementAndGet();
            if (stall == Stall.PART_OF_ANSWER) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
                        + "{\"apiVersion\":\"kubeapps.com/v1alpha1\",").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            // nothing more is sent; the connection stays open until the client or close() ends it
            while (in.read() != -1) {
                // drained
            }
        } catch (IOException ended) {
            // the client gave up, or the API was closed
        }
    }

    /** Reads up to the blank line that ends a request's head; false if the connection ended first. */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b != -1; b = in.read()) {
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket connection : connections) {
            try {
                connection.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
