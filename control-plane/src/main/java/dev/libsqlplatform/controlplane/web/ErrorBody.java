package dev.libsqlplatform.controlplane.web;

/** The Platform API error shape: {@code {"error": "<message>", "code": "<stable_code>"}}. */
public record ErrorBody(String error, String code) {

    public static ErrorBody of(ApiError e, String message) {
        return new ErrorBody(message, e.code());
    }
}
