package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.sql.SqlStatement;
import dev.libsqlplatform.dataplane.storage.StatementRunner;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Base64;
import java.util.List;

/**
 * Argument decoding: Hrana {@code Value}s (integers as decimal strings, floats as numbers, blobs as base64) and
 * named arguments ({@code :name}, {@code @name}, {@code $name}, {@code ?NNN}, or the bare name) bound straight
 * onto the prepared statement, without an intermediate value object per argument.
 */
final class Args {
    private Args() {
    }

    /** The binder the runner calls once the statement is prepared (so a SQL error still wins over bad arguments). */
    static StatementRunner.Binder<HranaException> binder(SqlStatement st, List<Proto.Value> args,
                                                          List<Proto.NamedArg> named) {
        if ((args == null || args.isEmpty()) && (named == null || named.isEmpty())) {
            return NONE;
        }
        return ps -> bind(ps, st, args, named);
    }

    private static final StatementRunner.Binder<HranaException> NONE = ps -> {
    };

    static void bind(PreparedStatement ps, SqlStatement st, List<Proto.Value> args, List<Proto.NamedArg> named)
            throws SQLException, HranaException {
        int count = st.paramCount();
        if (args != null) {
            if (args.size() > count) {
                throw new HranaException(HranaError.ARGS_INVALID, "Arguments do not match SQL parameters: the"
                        + " statement takes " + count + " parameters but " + args.size()
                        + " positional arguments were given");
            }
            for (int i = 0; i < args.size(); i++) {
                setValue(ps, i + 1, args.get(i));
            }
        }
        if (named != null) {
            for (Proto.NamedArg a : named) {
                Integer idx = paramIndex(st, a.name());
                if (idx == null) {
                    throw new HranaException(HranaError.ARGS_INVALID, "Arguments do not match SQL parameters: the"
                            + " statement has no parameter named '" + a.name() + "'");
                }
                setValue(ps, idx, a.value());
            }
        }
    }

    private static Integer paramIndex(SqlStatement st, String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        char c = name.charAt(0);
        if (c == ':' || c == '@' || c == '$' || c == '?') {
            return st.paramIndex().get(name);
        }
        Integer idx = st.paramIndex().get(":" + name);
        if (idx == null) {
            idx = st.paramIndex().get("@" + name);
        }
        if (idx == null) {
            idx = st.paramIndex().get("$" + name);
        }
        if (idx == null && name.chars().allMatch(Character::isDigit)) {
            idx = st.paramIndex().get("?" + name);
            if (idx == null) {
                try {
                    int n = Integer.parseInt(name);
                    idx = n >= 1 && n <= st.paramCount() ? n : null;
                } catch (NumberFormatException e) {
                    idx = null;
                }
            }
        }
        return idx;
    }

    static void setValue(PreparedStatement ps, int idx, Proto.Value v) throws SQLException {
        if (v == null || v.type() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a value has no type");
        }
        switch (v.type()) {
            case "null" -> ps.setNull(idx, Types.NULL);
            case "integer" -> ps.setLong(idx, toLong(v.value()));
            case "float" -> ps.setDouble(idx, toDouble(v.value()));
            case "text" -> {
                if (v.value() == null) {
                    throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a text value has no `value`");
                }
                ps.setString(idx, v.value().toString());
            }
            case "blob" -> ps.setBytes(idx, decodeBase64(v.base64()));
            default -> throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "unknown value type '" + v.type() + "'");
        }
    }

    private static long toLong(Object o) {
        try {
            if (o instanceof String s) {
                return Long.parseLong(s.trim());
            }
            if (o instanceof Number n) {
                return n.longValue();
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "an integer value must be a decimal string");
    }

    private static double toDouble(Object o) {
        try {
            if (o instanceof Number n) {
                return n.doubleValue();
            }
            if (o instanceof String s) {
                return Double.parseDouble(s.trim());
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a float value must be a number");
    }

    private static byte[] decodeBase64(String b64) {
        if (b64 == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a blob value has no `base64`");
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(b64);
            } catch (IllegalArgumentException e2) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a blob value is not valid base64");
            }
        }
    }
}
