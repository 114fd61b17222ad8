package dev.libsqlplatform.controlplane.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.GlobalOperationComponentsCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.method.HandlerMethod;

/**
 * The public Platform API document ({@code /v3/api-docs}, Swagger UI at {@code /swagger-ui.html}); committed as
 * openapi/control-plane.json. Success bodies are typed by the controllers' return records; the error answers are
 * added here, in one place, because most of them come from code every route shares (the bearer filter, the
 * {@code Authorizer}, the JSON reader) rather than from the route itself.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    static final String ERROR_SCHEMA = "Error";

    @Bean
    OpenAPI platformOpenApi() {
        return new OpenAPI()
                .info(new Info().title("libSQL platform — control plane (Turso-compatible Platform API)").version("v1"))
                .components(new Components().addSecuritySchemes("bearerAuth",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("Platform API token")))
                .addSecurityItem(new SecurityRequirement().addList("bearerAuth"));
    }

    /**
     * Adds each operation's error answers, grouped by status, each with the {@link ErrorBody} schema and the codes
     * in its description: the shared ones (see {@link #sharedErrors}) and the route's own {@link ErrorAnswers}.
     */
    @Bean
    GlobalOperationComponentsCustomizer platformErrorAnswers() {
        return new GlobalOperationComponentsCustomizer() {
            @Override
            public Operation customize(Operation operation, Components components, HandlerMethod handlerMethod) {
                // the schema comes from the record (OpenAPI 3.1 model, as the rest of the document)
                if (components.getSchemas() == null || !components.getSchemas().containsKey(ERROR_SCHEMA)) {
                    ModelConverters.getInstance(true).read(ErrorBody.class).forEach(components::addSchemas);
                }
                addErrors(operation, errorsOf(operation, handlerMethod));
                return operation;
            }

            @Override
            public Operation customize(Operation operation, HandlerMethod handlerMethod) {
                return operation;
            }
        };
    }

    static Set<ApiError> errorsOf(Operation operation, HandlerMethod handlerMethod) {
        Set<ApiError> errors = new LinkedHashSet<>(sharedErrors(operation, handlerMethod));
        ErrorAnswers own = handlerMethod.getMethodAnnotation(ErrorAnswers.class);
        if (own != null) {
            errors.addAll(Arrays.asList(own.value()));
        }
        return errors;
    }

    /**
     * What any route of its kind can answer: 401 unless the route needs no token; under {@code {org}} the
     * Authorizer's 404 (unknown organization) and 403 (not a member, token bound to another organization); a JSON
     * body that does not parse is 400. A too-weak role ({@code forbidden}) is route-specific: READ routes never
     * answer it.
     */
    static List<ApiError> sharedErrors(Operation operation, HandlerMethod handlerMethod) {
        List<ApiError> errors = new ArrayList<>();
        boolean open = handlerMethod.hasMethodAnnotation(SecurityRequirements.class);
        if (!open) {
            errors.add(ApiError.UNAUTHORIZED);
        }
        // the route binds {org} (a route may have it in its path and ignore it: /v2/organizations/{org}/locations)
        boolean underOrganization = Arrays.stream(handlerMethod.getMethodParameters()).anyMatch(p -> {
            PathVariable v = p.getParameterAnnotation(PathVariable.class);
            return v != null && "org".equals(!v.value().isEmpty() ? v.value() : p.getParameter().getName());
        });
        if (underOrganization) {
            errors.add(ApiError.NOT_A_MEMBER);
            errors.add(ApiError.TOKEN_BOUND_TO_ORGANIZATION);
            errors.add(ApiError.ORGANIZATION_NOT_FOUND);
        }
        if (Arrays.stream(handlerMethod.getMethodParameters())
                .anyMatch(p -> p.hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class))) {
            errors.add(ApiError.MALFORMED_JSON);
        }
        return errors;
    }

    private static void addErrors(Operation operation, Set<ApiError> errors) {
        if (errors.isEmpty()) {
            return;
        }
        ApiResponses responses = operation.getResponses() != null ? operation.getResponses() : new ApiResponses();
        Map<Integer, List<ApiError>> byStatus = new TreeMap<>(errors.stream()
                .collect(Collectors.groupingBy(e -> e.status().value())));
        byStatus.forEach((status, list) -> {
            String codes = list.stream().map(e -> "`" + e.code() + "`").distinct().collect(Collectors.joining(", "));
            Schema<?> ref = new Schema<>().$ref("#/components/schemas/" + ERROR_SCHEMA);
            responses.addApiResponse(String.valueOf(status), new ApiResponse()
                    .description(list.get(0).status().getReasonPhrase() + ": " + codes)
                    .content(new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                            new MediaType().schema(ref))));
        });
        operation.setResponses(responses);
    }
}
