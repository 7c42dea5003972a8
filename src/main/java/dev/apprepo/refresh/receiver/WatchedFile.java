package dev.apprepo.refresh.receiver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * A small file read again whenever its modification time changes: Kubernetes updates mounted Secrets and
 * projected ServiceAccount tokens in place, and a rotated credential must be picked up without a restart.
 */
final class WatchedFile {

    private record Snapshot(FileTime modified, String content) {
    }

    private final Path path;
    private volatile Snapshot snapshot;

    WatchedFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** The file's content without surrounding white space (a trailing newline is no part of a secret). */
    String content() {
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            Snapshot current = snapshot;
            if (current == null || !current.modified().equals(modified)) {
                current = new Snapshot(modified, Files.readString(path).strip());
                snapshot = current;
            }
            return current.content();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
