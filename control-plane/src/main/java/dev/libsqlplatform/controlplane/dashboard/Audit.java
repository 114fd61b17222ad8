package dev.libsqlplatform.controlplane.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.libsqlplatform.controlplane.audit.AuditService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The audit log entries of dashboard actions: the same codes and messages the Platform API's AuditInterceptor writes
 * for the same routes (db-create, db-token-revoke, ...), origin {@code web}, data {@code path} = the dashboard's.
 * Written after the action succeeded; a failure to write is logged, never undoes the action (as in the API).
 */
@Component
class Audit {

    private static final Logger log = LoggerFactory.getLogger(Audit.class);

    private final AuditService audit;

    Audit(AuditService audit) {
        this.audit = audit;
    }

    /** {@code organizationId} null for user-level actions (Platform API tokens). */
    void record(String organizationId, String author, String code, String message, Map<String, ?> data) {
        try {
            Map<String, Object> all = new LinkedHashMap<>(data);
            all.put("via", "dashboard");
            audit.record(organizationId, author, code, message, "web", all);
        } catch (RuntimeException e) {
            log.warn("could not write the audit log entry {} of {}: {}", code, author, e.toString());
        }
    }

    void record(Shell shell, String code, String message, Map<String, ?> data) {
        record(shell.org().id(), shell.username(), code, message, data);
    }
}
