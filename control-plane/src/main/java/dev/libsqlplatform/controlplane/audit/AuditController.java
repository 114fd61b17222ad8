package dev.libsqlplatform.controlplane.audit;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class AuditController {

    private final Authorizer authorizer;
    private final AuditService audit;

    AuditController(Authorizer authorizer, AuditService audit) {
        this.authorizer = authorizer;
        this.audit = audit;
    }

    record AuditLogView(String code, String message, String origin, String author,
                        @JsonProperty("created_at") Instant createdAt, java.util.Map<String, Object> data) {
    }

    record Pagination(int page, @JsonProperty("page_size") int pageSize, @JsonProperty("total_pages") long totalPages,
                      @JsonProperty("total_rows") long totalRows) {
    }

    record AuditLogs(@JsonProperty("audit_logs") List<AuditLogView> auditLogs, Pagination pagination) {
    }

    /** Reference §4.2; newest first; {@code page} from 1, {@code page_size} 1..1000 (default 100). Not plan-gated. */
    @GetMapping("/v1/organizations/{org}/audit-logs")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST})
    AuditLogs list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                   @RequestParam(required = false, defaultValue = "1") int page,
                   @RequestParam(name = "page_size", required = false, defaultValue = "100") int pageSize) {
        Organization o = authorizer.require(caller, org, Action.AUDIT_LOG_READ);
        if (page < 1) {
            throw ApiError.BAD_REQUEST.exception("invalid page: must be 1 or more");
        }
        if (pageSize < 1 || pageSize > 1000) {
            throw ApiError.BAD_REQUEST.exception("invalid page_size: must be between 1 and 1000");
        }
        AuditService.Page p = audit.page(o, page, pageSize);
        return new AuditLogs(p.entries().stream().map(e -> new AuditLogView(e.code(), e.message(), e.origin(),
                e.author(), e.createdAt(), e.data())).toList(),
                new Pagination(page, pageSize, (p.totalRows() + pageSize - 1) / pageSize, p.totalRows()));
    }
}
