package dev.libsqlplatform.controlplane.organization;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The organization reads every organization-scoped request makes, hand-written: by slug, and by slug with the
 * caller's role in one statement. Through Spring Data's derived queries ({@code findBySlug},
 * {@code findByOrganizationIdAndUserId}) they rebuilt their SQL on every call; a JFR profile of
 * {@code GET .../databases/{db}} at 5,000 databases put 38% of the request's CPU there (session 6).
 */
@Component
class OrganizationReads {

    private static final String COLUMNS = "o.id, o.slug, o.name, o.type, o.plan_id, o.lock_version, o.created_at, "
            + "o.overages, o.require_mfa, o.deleted_at, o.blocked_reads, o.blocked_writes, o.block_reason";

    private final JdbcClient jdbc;

    OrganizationReads(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The organization and the user's role in it ({@code role} null: not a member). */
    record WithRole(Organization organization, String role) {
    }

    /** The organization holding {@code slug}, deleted or not (a deleted one's slug was renamed). */
    Optional<Organization> bySlug(String slug) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM organizations o WHERE o.slug = ?").param(slug)
                .query((rs, n) -> organization(rs)).optional();
    }

    /** {@link #bySlug} and, in the same statement, {@code userId}'s membership role there. */
    Optional<WithRole> bySlugWithRole(String slug, String userId) {
        return jdbc.sql("SELECT " + COLUMNS + ", m.role FROM organizations o "
                        + "LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = ? WHERE o.slug = ?")
                .param(userId).param(slug).query((rs, n) -> new WithRole(organization(rs), rs.getString(ROLE_INDEX)))
                .optional();
    }

    /** {@code m.role}: the column after {@link #COLUMNS}. */
    private static final int ROLE_INDEX = 14;

    /**
     * The columns by position, in {@link #COLUMNS}' order: by name, sqlite-jdbc fetched every column's name over JNI
     * for each result set (JFR of the get at 5,000 databases).
     */
    private static Organization organization(ResultSet rs) throws SQLException {
        long deletedAt = rs.getLong(10);
        Long deleted = rs.wasNull() ? null : deletedAt;
        return new Organization(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getLong(6), rs.getLong(7),
                rs.getBoolean(8), rs.getBoolean(9), deleted, rs.getBoolean(11),
                rs.getBoolean(12), rs.getString(13));
    }
}
