package dev.libsqlplatform.contract.token;

import java.util.List;
import java.util.Map;

/**
 * The payload of a database or group token, as sqld and Turso read it. On the wire the keys are sorted at every
 * level and absent (null) claims are left out: {@code {"a","exp"?,"gid"|"id","iat","jti","p"?}}.
 *
 * @param a   {@code rw} or {@code ro}; ignored by workers when {@code p} is present
 * @param exp expiry, unix seconds; null = never
 * @param iat issued at, unix seconds
 * @param id  the database a database token opens
 * @param gid the group a group token opens
 * @param jti the token's id, listed in {@code revokedTokenIds} once revoked
 * @param p   sqld's fine-grained permissions: {@code rw|ro|rwa|roa} → databases and groups
 */
public record TokenClaims(String a, Long exp, Long iat, String id, String gid, String jti, Map<String, Permission> p) {

    public static final String READ_WRITE = "rw";
    public static final String READ_ONLY = "ro";

    /** A database token, as the control plane mints it without read_attach. */
    public static TokenClaims database(String access, Long exp, long iat, String databaseId, String jti) {
        return new TokenClaims(access, exp, iat, databaseId, null, jti, null);
    }

    /** A group token, as the control plane mints it without read_attach. */
    public static TokenClaims group(String access, Long exp, long iat, String groupId, String jti) {
        return new TokenClaims(access, exp, iat, null, groupId, jti, null);
    }

    public TokenClaims withPermissions(Map<String, Permission> permissions) {
        return new TokenClaims(a, exp, iat, id, gid, jti, permissions);
    }

    /**
     * One entry of {@code p}: the database ids ({@code ns}) and group ids ({@code tags}) it applies to; either list
     * may be absent.
     */
    public record Permission(List<String> ns, List<String> tags) {

        public static Permission databases(List<String> ids) {
            return new Permission(List.copyOf(ids), null);
        }

        public static Permission groups(List<String> ids) {
            return new Permission(null, List.copyOf(ids));
        }

        /** Whether it names database {@code databaseId} or, when the database has one, its group. */
        public boolean names(String databaseId, String groupId) {
            return (ns != null && ns.contains(databaseId)) || (groupId != null && tags != null && tags.contains(groupId));
        }
    }
}
