package dev.libsqlplatform.controlplane.audit;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * What a handler adds to the audit entry the {@link AuditInterceptor} writes for the current request: extra
 * {@code data} keys (never secrets), and a second organization whose audit log records the same entry (a group
 * transfer is recorded by the source and the target organization).
 */
public final class AuditDetails {

    static final String DATA = AuditDetails.class.getName() + ".data";
    static final String ALSO_FOR = AuditDetails.class.getName() + ".alsoFor";

    private AuditDetails() {
    }

    public static void put(String key, String value) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) attributes.getAttribute(DATA, RequestAttributes.SCOPE_REQUEST);
            if (data == null) {
                data = new LinkedHashMap<>();
                attributes.setAttribute(DATA, data, RequestAttributes.SCOPE_REQUEST);
            }
            data.put(key, value);
        }
    }

    public static void alsoFor(String organizationId) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null) {
            attributes.setAttribute(ALSO_FOR, organizationId, RequestAttributes.SCOPE_REQUEST);
        }
    }
}
