package dev.libsqlplatform.quotas;

/**
 * The answer to "may this happen?". A denial carries a stable machine code and a message that names
 * the limit, so the API can answer 402 with both and the user knows which quota they hit.
 */
public sealed interface QuotaDecision {

    record Allowed() implements QuotaDecision {
    }

    record Denied(String code, String message) implements QuotaDecision {
    }

    QuotaDecision ALLOWED = new Allowed();

    default boolean allowed() {
        return this instanceof Allowed;
    }
}
