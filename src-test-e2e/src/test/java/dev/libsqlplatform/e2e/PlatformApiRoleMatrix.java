package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Platform API callers {owner, admin, member, viewer, non-member, another organization's owner, no token, garbage
 * token} × representative routes of organization {@code default}, each cell with its exact status and, for
 * errors, its {@code {"error", "code"}} body. Expected answers follow the role rules of README "Platform API":
 * viewer reads; member also manages databases, tokens, rotation and configuration; admin also members, the
 * organization's settings and the audit log; owner also deletes the organization. A non-member gets
 * {@code 403 not_a_member}, a too-weak role {@code 403 forbidden}, a bad or missing token {@code 401
 * unauthorized}, an unknown organization {@code 404 organization_not_found}.
 */
final class PlatformApiRoleMatrix {

    enum Role {
        VIEWER, MEMBER, ADMIN, OWNER
    }

    private static final String ORG = Platform.ORG;
    private static final String O = "/v1/organizations/" + ORG;

    private final Platform platform;
    private final ApiFixtures api;
    private final String sfx = Platform.randomSuffix();

    /** Caller name → token (null = no Authorization header). Owner last: it deletes the throwaway organization. */
    private final Map<String, String> tokens = new LinkedHashMap<>();
    /** Caller name → role in the organizations under test (absent: not a member). */
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();

    PlatformApiRoleMatrix(Platform platform) {
        this.platform = platform;
        this.api = new ApiFixtures(platform);
    }

    private String user(String role) {
        return "e2e-rm-" + role + "-" + sfx;
    }

    /** A request for one caller; {@code after} checks side effects (null when there are none). */
    private record Call(String method, String path, Object body, AfterCheck after) {
    }

    @FunctionalInterface
    private interface AfterCheck {
        /** null when the route's effect (or its absence) is right. */
        String problem(boolean allowed) throws Exception;
    }

    @FunctionalInterface
    private interface Route {
        Call forCaller(String caller) throws Exception;
    }

    void run() throws Exception {
        String admin = platform.adminToken();
        String throwaway = "e2e-rm-z-" + sfx;
        String otherOrg = "e2e-rm-x-" + sfx;

        String adminUser = api.createUser(user("admin"));
        String memberUser = api.createUser(user("member"));
        String viewerUser = api.createUser(user("viewer"));
        String nonMember = api.createUser(user("nonmember"));
        String otherOwner = api.createUser(user("otherowner"));
        api.createOrganization(otherOwner, otherOrg);
        api.createOrganization(admin, throwaway);
        for (String org : List.of(ORG, throwaway)) {
            api.addMember(admin, org, user("admin"), "admin");
            api.addMember(admin, org, user("member"), "member");
            api.addMember(admin, org, user("viewer"), "viewer");
        }
        tokens.put("admin", adminUser);
        tokens.put("member", memberUser);
        tokens.put("viewer", viewerUser);
        tokens.put("non-member", nonMember);
        tokens.put("other org's owner", otherOwner);
        tokens.put("no token", null);
        tokens.put("garbage token", "garbage-" + Platform.randomToken());
        tokens.put("owner", admin);
        roles.put("owner", Role.OWNER);
        roles.put("admin", Role.ADMIN);
        roles.put("member", Role.MEMBER);
        roles.put("viewer", Role.VIEWER);

        String shared = "e2e-rm-db-" + sfx;
        String rotating = "e2e-rm-rot-" + sfx;
        api.createDatabase(admin, ORG, shared);
        api.createDatabase(admin, ORG, rotating);
        // one database per caller for the delete row; a caller who may not delete must leave its database alone
        for (String caller : tokens.keySet()) {
            api.createDatabase(admin, ORG, deletable(caller));
            api.createUser(addable(caller));
        }

        check("list databases", Role.VIEWER, ORG, c -> new Call("GET", O + "/databases", null, null));
        check("get database", Role.VIEWER, ORG, c -> new Call("GET", O + "/databases/" + shared, null, null));
        check("create database", Role.MEMBER, ORG, c -> {
            String name = "e2e-rm-new-" + slug(c) + "-" + sfx;
            return new Call("POST", O + "/databases", Map.of("name", name, "group", "default"),
                    allowed -> exists(O + "/databases/" + name, allowed));
        });
        check("delete database", Role.MEMBER, ORG, c -> new Call("DELETE", O + "/databases/" + deletable(c), null,
                allowed -> exists(O + "/databases/" + deletable(c), !allowed)));
        check("mint database token", Role.MEMBER, ORG,
                c -> new Call("POST", O + "/databases/" + shared + "/auth/tokens", null, null));
        check("rotate database keys", Role.MEMBER, ORG,
                c -> new Call("POST", O + "/databases/" + rotating + "/auth/rotate", null, null));
        check("PATCH database configuration", Role.MEMBER, ORG, c -> new Call("PATCH",
                O + "/databases/" + shared + "/configuration", Map.of("delete_protection", false), null));
        check("list members", Role.VIEWER, ORG, c -> new Call("GET", O + "/members", null, null));
        check("add member", Role.ADMIN, ORG, c -> new Call("POST", O + "/members",
                Map.of("username", addable(c), "role", "viewer"),
                allowed -> exists(O + "/members/" + addable(c), allowed)));
        check("PATCH organization", Role.ADMIN, ORG,
                c -> new Call("PATCH", O, Map.of("overages", false), null));
        check("audit logs", Role.ADMIN, ORG, c -> new Call("GET", O + "/audit-logs", null, null));
        check("list databases of an unknown organization", Role.VIEWER, "e2e-rm-nope-" + sfx,
                c -> new Call("GET", "/v1/organizations/e2e-rm-nope-" + sfx + "/databases", null, null));
        // last, on the throwaway organization: only its owner (iterated last) may delete it
        check("delete organization", Role.OWNER, throwaway, c -> new Call("DELETE", "/v1/organizations/" + throwaway,
                null, allowed -> exists("/v1/organizations/" + throwaway, !allowed)));

        System.out.println("Platform API role matrix on " + platform + ":\n" + report);
        if (!failures.isEmpty()) {
            fail(failures.size() + " wrong cell(s):\n  " + String.join("\n  ", failures) + "\n" + report);
        }
    }

    private String slug(String caller) {
        return caller.replaceAll("[^a-z]+", "-");
    }

    private String deletable(String caller) {
        return "e2e-rm-del-" + slug(caller) + "-" + sfx;
    }

    private String addable(String caller) {
        return "e2e-rm-add-" + slug(caller).replaceAll("-+$", "") + "-" + sfx;
    }

    /** null when GET {@code path} (as the owner) answers 200 exactly when {@code shouldExist}. */
    private String exists(String path, boolean shouldExist) throws Exception {
        Http.Answer a = api.call(platform.adminToken(), "GET", path, null);
        boolean found = a.status() == 200;
        if (found == shouldExist && (found || a.status() == 404)) {
            return null;
        }
        return "afterwards GET " + path + " answered " + a.status() + " (expected " + (shouldExist ? 200 : 404) + ")";
    }

    /** Expected status and code for one caller on a route needing {@code minimum} in organization {@code org}. */
    private Object[] expected(String caller, Role minimum, String org) {
        if (tokens.get(caller) == null || caller.equals("garbage token")) {
            return new Object[] {401, "unauthorized"};
        }
        if (org.startsWith("e2e-rm-nope-")) {
            return new Object[] {404, "organization_not_found"};
        }
        Role role = roles.get(caller);
        if (role == null) {
            return new Object[] {403, "not_a_member"};
        }
        return role.compareTo(minimum) >= 0 ? new Object[] {200, null} : new Object[] {403, "forbidden"};
    }

    private void check(String routeName, Role minimum, String org, Route route) throws Exception {
        report.append(String.format("  %-44s", routeName));
        for (Map.Entry<String, String> e : tokens.entrySet()) {
            String caller = e.getKey();
            Call call = route.forCaller(caller);
            Http.Answer a = api.call(e.getValue(), call.method(), call.path(), call.body());
            Object[] exp = expected(caller, minimum, org);
            int status = (Integer) exp[0];
            String code = (String) exp[1];
            String problem = null;
            if (a.status() != status) {
                problem = "expected " + status + (code == null ? "" : " " + code) + ", got " + a;
            } else if (status == 200) {
                if (a.json() == null || !a.json().isContainer()) {
                    problem = "200 without a JSON body: " + a;
                }
            } else if (!a.contentType().startsWith("application/json") || !code.equals(a.field("code"))
                    || a.field("error") == null || a.field("error").isEmpty()) {
                problem = "expected {\"error\", \"code\": \"" + code + "\"}, got " + a + " (" + a.contentType() + ")";
            } else if (code.equals("not_a_member")
                    && !a.field("error").equals("you are not a member of organization " + org)) {
                problem = "not_a_member with message " + a.field("error");
            } else if (code.equals("forbidden") && !a.field("error").contains("requires role")) {
                problem = "forbidden without naming the required role: " + a.field("error");
            }
            if (problem == null && call.after() != null) {
                String after = call.after().problem(a.status() == 200);
                if (after != null) {
                    problem = "answered " + a.status() + " but " + after;
                }
            }
            if (problem != null) {
                failures.add(routeName + " × " + caller + ": " + problem);
            }
            report.append(String.format("%-22s", caller + "=" + (problem == null ? a.status() : "WRONG")));
        }
        report.append('\n');
    }
}
