package dev.libsqlplatform.contract.internalapi;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A mapper that refuses what the contract types do not describe (unknown fields, nulls for primitives, trailing
 * tokens). The apps themselves bind leniently (Spring Boot's default ignores unknown fields, so an older peer keeps
 * working); the test stand-ins bind with this one, so a body that has drifted from the contract fails the test that
 * sent it instead of passing unnoticed.
 */
public final class ContractJson {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ContractJson() {
    }

    public static JsonMapper strict() {
        return STRICT;
    }

    /** {@code json} as {@code type}; {@link IllegalArgumentException} naming what does not fit. */
    public static <T> T parseStrictly(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("empty body, expected " + type.getSimpleName());
        }
        try {
            T value = STRICT.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("null body, expected " + type.getSimpleName());
            }
            return value;
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
