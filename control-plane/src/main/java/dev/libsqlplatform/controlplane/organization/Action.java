package dev.libsqlplatform.controlplane.organization;

/**
 * Every organization-scoped operation of the Platform API and the weakest role allowed to do it. The matrix:
 * viewer reads; member also manages databases, groups, their tokens, rotations and configuration; admin also
 * manages members, invites, the organization's settings and API tokens, transfers groups (admin of both
 * organizations) and reads the audit log; owner also
 * deletes the organization and changes the roles of admins and owners.
 */
public enum Action {
    READ(Role.VIEWER, "reading the organization"),

    DATABASE_CREATE(Role.MEMBER, "creating databases"),
    DATABASE_DELETE(Role.MEMBER, "deleting databases"),
    DATABASE_CONFIGURE(Role.MEMBER, "changing database configuration"),
    DATABASE_MINT_TOKEN(Role.MEMBER, "creating database tokens"),
    DATABASE_ROTATE(Role.MEMBER, "rotating database credentials"),
    DATABASE_REVOKE_TOKEN(Role.MEMBER, "revoking database tokens"),
    GROUP_CREATE(Role.MEMBER, "creating groups"),
    GROUP_DELETE(Role.MEMBER, "deleting groups"),
    GROUP_CONFIGURE(Role.MEMBER, "changing group configuration"),
    GROUP_MINT_TOKEN(Role.MEMBER, "creating group tokens"),
    GROUP_ROTATE(Role.MEMBER, "rotating group credentials"),
    GROUP_REVOKE_TOKEN(Role.MEMBER, "revoking group tokens"),

    MEMBERS_MANAGE(Role.ADMIN, "managing members"),
    INVITES_READ(Role.ADMIN, "listing invites"),
    INVITES_MANAGE(Role.ADMIN, "managing invites"),
    ORGANIZATION_UPDATE(Role.ADMIN, "updating the organization"),
    API_TOKENS_MANAGE(Role.ADMIN, "managing the organization's API tokens"),
    GROUP_TRANSFER(Role.ADMIN, "transferring groups between organizations"),
    AUDIT_LOG_READ(Role.ADMIN, "reading the audit log"),

    ORGANIZATION_DELETE(Role.OWNER, "deleting the organization"),
    OWNER_ROLES(Role.OWNER, "changing the role of an admin or owner");

    private final Role minimum;
    private final String description;

    Action(Role minimum, String description) {
        this.minimum = minimum;
        this.description = description;
    }

    public Role minimum() {
        return minimum;
    }

    /** {@code "creating databases requires role member, admin or owner"}. */
    public String deniedMessage() {
        return description + " requires role " + minimum.andAbove();
    }
}
