package dev.apprepo.refresh.quarkus;

import dev.apprepo.refresh.support.KubernetesNames;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/** The OpenAPI description's path parameters take the name rules the route applies, from where they are written. */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class OpenApiNames implements OASFilter {

    @Override
    public Parameter filterParameter(Parameter parameter) {
        if (parameter.getIn() != Parameter.In.PATH) {
            return parameter;
        }
        switch (parameter.getName()) {
            case "namespace" -> parameter.setSchema(OASFactory.createSchema().addType(
                    Schema.SchemaType.STRING)
                    .maxLength(KubernetesNames.LABEL_MAX_LENGTH).pattern("^" + KubernetesNames.LABEL + "$"));
            case "name" -> parameter.setSchema(OASFactory.createSchema().addType(
                    Schema.SchemaType.STRING)
                    .maxLength(KubernetesNames.SUBDOMAIN_MAX_LENGTH).pattern("^" + KubernetesNames.SUBDOMAIN + "$"));
            default -> {
            }
        }
        return parameter;
    }
}
