package dev.libsqlplatform.controlplane.web;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * {@code {}}: the answer of routes where Turso answers "no content" (success is always 200 with a JSON body here).
 * One shared type so the document names the shape once; Jackson writes an empty record as {@code {}}. The schema is
 * spelled out because springdoc describes a record without components as {@code {}}, which would allow any body.
 */
@Schema(type = "object", description = "always the empty object {}",
        additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record EmptyResponse() {

    public static final EmptyResponse INSTANCE = new EmptyResponse();
}
