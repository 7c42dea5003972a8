package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes tests start (the packaged service, Camel's own runner): each is killed when the test JVM itself ends,
 * whatever happened, so that none outlives the build.
 */
final class ChildProcesses {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "child-processes-kill"));
    }

    private ChildProcesses() {
    }

    static Process start(ProcessBuilder builder) {
        try {
            Process process = builder.start();
            LIVE.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process if it still runs, and waits until it has ended. */
    static void kill(Process process) {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LIVE.remove(process);
    }
}
