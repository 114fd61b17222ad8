package dev.libsqlplatform.controlplane.web;

import io.swagger.v3.oas.annotations.media.Schema;

/** The Platform API error shape: {@code {"error": "<message>", "code": "<stable_code>"}}. */
@Schema(name = "Error", description = "Every Platform API error (4xx and 5xx)")
public record ErrorBody(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "what went wrong, for people (clients print it)")
        String error,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                description = "stable machine code, e.g. database_not_found; the codes a route answers are listed per status")
        String code) {

    public static ErrorBody of(ApiError e, String message) {
        return new ErrorBody(message, e.code());
    }
}
