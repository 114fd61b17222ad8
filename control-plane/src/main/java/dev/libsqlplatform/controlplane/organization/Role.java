package dev.libsqlplatform.controlplane.organization;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Organization roles, weakest first: each role may do everything the weaker ones may. */
public enum Role {
    VIEWER, MEMBER, ADMIN, OWNER;

    private static final Role[] ALL = values();

    /** Computed once: every organization-scoped request parses a role (a stream per call showed in JFR). */
    private final String id = name().toLowerCase(Locale.ROOT);

    public String id() {
        return id;
    }

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    public static Optional<Role> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (Role r : ALL) {
            if (r.id.equals(wanted)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** "member, admin or owner" — the roles allowed when {@code this} is the minimum. */
    String andAbove() {
        var names = Arrays.stream(values()).filter(r -> r.atLeast(this)).map(Role::id).collect(Collectors.toList());
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
