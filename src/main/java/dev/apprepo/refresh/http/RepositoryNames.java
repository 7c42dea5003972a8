package dev.apprepo.refresh.http;

import dev.apprepo.refresh.support.KubernetesNames;
import dev.apprepo.refresh.support.RefreshHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Refuses with 400 a namespace that is not a DNS-1123 label or a name that is not a DNS-1123 subdomain, before
 * anything reaches the API: no encoded slash or dot can turn the request into a call on another API path.
 */
public class RepositoryNames implements Processor {

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getIn();
        if (!KubernetesNames.isLabel(in.getHeader(RefreshHeaders.NAMESPACE, String.class))) {
            throw new BadRequestException("namespace must be a DNS-1123 label: at most "
                    + KubernetesNames.LABEL_MAX_LENGTH + " lower case alphanumerics or '-'");
        }
        if (!KubernetesNames.isSubdomain(in.getHeader(RefreshHeaders.REPOSITORY, String.class))) {
            throw new BadRequestException("name must be a DNS-1123 subdomain: at most "
                    + KubernetesNames.SUBDOMAIN_MAX_LENGTH
                    + " lower case alphanumerics, '-' or '.'");
        }
    }
}
