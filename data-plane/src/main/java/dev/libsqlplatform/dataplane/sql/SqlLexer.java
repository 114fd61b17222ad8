package dev.libsqlplatform.dataplane.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SQLite tokenizer: understands '..', "..", `..`, [..] quoting, -- and C-style comments,
 * numbers, parameters ({@code ? ?NNN :name @name $name}) and punctuation. It is deliberately not a
 * parser: it finds statement boundaries and the few keywords the security guard and the router need.
 */
final class SqlLexer {
    private SqlLexer() {
    }

    static List<SqlToken> tokenize(String sql) {
        List<SqlToken> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int endc = sql.indexOf("*/", i + 2);
                i = endc < 0 ? n : endc + 2;
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = quoted(sql, i, c);
                SqlToken.Kind kind = c == '\'' ? SqlToken.Kind.STRING : SqlToken.Kind.QUOTED_ID;
                out.add(new SqlToken(kind, unquote(sql.substring(i, end), c), i, end));
                i = end;
            } else if (c == '[') {
                int close = sql.indexOf(']', i + 1);
                int end = close < 0 ? n : close + 1;
                out.add(new SqlToken(SqlToken.Kind.QUOTED_ID, sql.substring(i + 1, Math.max(i + 1, end - 1)), i, end));
                i = end;
            } else if (c == '?') {
                int j = i + 1;
                while (j < n && Character.isDigit(sql.charAt(j))) {
                    j++;
                }
                out.add(new SqlToken(SqlToken.Kind.PARAM, sql.substring(i, j), i, j));
                i = j;
            } else if ((c == ':' || c == '@' || c == '$') && i + 1 < n && isIdentPart(sql.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && (isIdentPart(sql.charAt(j)) || (c == '$' && sql.charAt(j) == ':'
                        && j + 1 < n && sql.charAt(j + 1) == ':'))) {
                    j += sql.charAt(j) == ':' ? 2 : 1;
                }
                out.add(new SqlToken(SqlToken.Kind.PARAM, sql.substring(i, j), i, j));
                i = j;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int j = i + 1;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (Character.isLetterOrDigit(d) || d == '.' || d == '_') {
                        j++;
                    } else if ((d == '+' || d == '-') && (sql.charAt(j - 1) == 'e' || sql.charAt(j - 1) == 'E')) {
                        j++;
                    } else {
                        break;
                    }
                }
                out.add(new SqlToken(SqlToken.Kind.NUMBER, sql.substring(i, j), i, j));
                i = j;
            } else if (isIdentStart(c)) {
                int j = i + 1;
                while (j < n && isIdentPart(sql.charAt(j))) {
                    j++;
                }
                out.add(new SqlToken(SqlToken.Kind.WORD, sql.substring(i, j).toUpperCase(Locale.ROOT), i, j));
                i = j;
            } else {
                out.add(new SqlToken(SqlToken.Kind.PUNCT, String.valueOf(c), i, i + 1));
                i++;
            }
        }
        return out;
    }

    private static int quoted(String sql, int start, char q) {
        int n = sql.length();
        int i = start + 1;
        while (i < n) {
            if (sql.charAt(i) == q) {
                if (i + 1 < n && sql.charAt(i + 1) == q) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return n;
    }

    private static String unquote(String raw, char q) {
        String inner = raw.length() >= 2 && raw.charAt(raw.length() - 1) == q
                ? raw.substring(1, raw.length() - 1) : raw.substring(1);
        String dq = String.valueOf(q);
        return inner.replace(dq + dq, dq);
    }

    static boolean isIdentStart(char c) {
        return c == '_' || (c < 128 ? Character.isLetter(c) : !Character.isWhitespace(c));
    }

    static boolean isIdentPart(char c) {
        return c == '_' || c == '$' || (c < 128 ? Character.isLetterOrDigit(c) : !Character.isWhitespace(c));
    }
}
