package dev.apprepo.refresh.kubernetes;

public class UnknownClusterException extends RuntimeException {

    public UnknownClusterException(String cluster) {
        super("cluster \"" + cluster + "\" has no configuration");
    }
}
