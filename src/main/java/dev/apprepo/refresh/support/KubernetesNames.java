package dev.apprepo.refresh.support;

import java.util.regex.Pattern;

/** The DNS-1123 rules of Kubernetes object names, as the API server applies them to namespaces and AppRepositories. */
public final class KubernetesNames {

    /** A DNS-1123 label: a namespace. */
    public static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    public static final int LABEL_MAX_LENGTH = 63;
    /** A DNS-1123 subdomain: labels joined by dots; the name of an AppRepository. */
    public static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
    public static final int SUBDOMAIN_MAX_LENGTH = 253;

    private static final Pattern LABEL_PATTERN = Pattern.compile(LABEL);
    private static final Pattern SUBDOMAIN_PATTERN = Pattern.compile(SUBDOMAIN);

    private KubernetesNames() {
    }

    public static boolean isLabel(String value) {
        return value != null && value.length() <= LABEL_MAX_LENGTH && LABEL_PATTERN.matcher(value).matches();
    }

    public static boolean isSubdomain(String value) {
        return value != null && value.length() <= SUBDOMAIN_MAX_LENGTH && SUBDOMAIN_PATTERN.matcher(value).matches();
    }
}
