package dev.libsqlplatform.controlplane.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** The audit log: one row per successful mutating Platform API call (written by {@link AuditInterceptor}). */
@Service
public class AuditService {

    private final NamedParameterJdbcTemplate jdbc;
    private final JsonMapper json;

    AuditService(NamedParameterJdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public record Entry(String code, String message, String origin, String author, Instant createdAt, Map<String, Object> data) {
    }

    public record Page(List<Entry> entries, long totalRows) {
    }

    public void record(String organizationId, String author, String code, String message, String origin,
                       Map<String, ?> data) {
        jdbc.update("INSERT INTO audit_logs (id, organization_id, author, code, message, origin, data, created_at) "
                + "VALUES (:id, :org, :author, :code, :message, :origin, :data, :now)", new MapSqlParameterSource()
                .addValue("id", Ids.newId()).addValue("org", organizationId).addValue("author", author)
                .addValue("code", code).addValue("message", message).addValue("origin", origin)
                .addValue("data", json.writeValueAsString(data)).addValue("now", Ids.now()));
    }

    /** Newest first; {@code page} starts at 1. */
    public Page page(Organization org, int page, int pageSize) {
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM audit_logs WHERE organization_id = :org",
                Map.of("org", org.id()), Long.class);
        List<Entry> entries = jdbc.query("SELECT * FROM audit_logs WHERE organization_id = :org "
                        + "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
                new MapSqlParameterSource().addValue("org", org.id()).addValue("limit", pageSize)
                        .addValue("offset", (long) (page - 1) * pageSize),
                (rs, i) -> new Entry(rs.getString("code"), rs.getString("message"), rs.getString("origin"),
                        rs.getString("author"), Instant.ofEpochMilli(rs.getLong("created_at")),
                        json.readValue(rs.getString("data"), new tools.jackson.core.type.TypeReference<Map<String, Object>>() { })));
        return new Page(entries, total == null ? 0 : total);
    }
}
