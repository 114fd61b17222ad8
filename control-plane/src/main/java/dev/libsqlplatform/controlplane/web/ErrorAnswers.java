package dev.libsqlplatform.controlplane.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The route-specific errors a Platform API route answers, for the OpenAPI document only (behaviour comes from the
 * code that throws them). {@link OpenApiConfig} adds the errors every route shares (401; for routes under an
 * organization 403 {@code not_a_member}/{@code token_bound_to_organization} and 404 {@code organization_not_found};
 * 400 {@code malformed_json} where there is a body) and groups all of them by status with the one error schema.
 * Listing the {@link ApiError} constants rather than free text keeps the documented codes the real ones.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ErrorAnswers {
    ApiError[] value();
}
