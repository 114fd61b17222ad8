package dev.libsqlplatform.controlplane.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits the console's text into statements at top-level semicolons: not inside quotes ({@code '..'}, {@code ".."},
 * {@code `..`}, {@code [..]}), comments, or the {@code BEGIN ... END} body of a {@code CREATE TRIGGER}. Hrana runs
 * one statement per step, so the console sends one step per statement. Anything the splitter gets wrong, SQLite
 * still reports as an error of the step: the splitter never decides what is allowed.
 */
final class Statements {

    private Statements() {
    }

    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        if (sql == null) {
            return out;
        }
        StringBuilder current = new StringBuilder();
        int depth = 0; // BEGIN..END nesting inside a trigger body
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`' || c == '[') {
                char close = c == '[' ? ']' : c;
                int j = i + 1;
                while (j < n) {
                    if (sql.charAt(j) == close) {
                        if (close != ']' && j + 1 < n && sql.charAt(j + 1) == close) {
                            j += 2; // doubled quote inside a string
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                int end = Math.min(j, n - 1);
                current.append(sql, i, end + 1);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int j = sql.indexOf('\n', i);
                int end = j < 0 ? n - 1 : j;
                current.append(sql, i, end + 1);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int j = sql.indexOf("*/", i + 2);
                int end = j < 0 ? n - 1 : j + 1;
                current.append(sql, i, end + 1);
                i = end;
            } else if (Character.isLetter(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                int j = i;
                while (j < n && isWordChar(sql.charAt(j))) {
                    j++;
                }
                String word = sql.substring(i, j).toUpperCase(Locale.ROOT);
                if (word.equals("BEGIN") && isTrigger(current)) {
                    depth++;
                } else if (word.equals("END") && depth > 0) {
                    depth--;
                }
                current.append(sql, i, j);
                i = j - 1;
            } else if (c == ';' && depth == 0) {
                add(out, current);
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        add(out, current);
        return out;
    }

    private static boolean isTrigger(CharSequence statement) {
        String s = statement.toString().toUpperCase(Locale.ROOT);
        return s.contains("TRIGGER") && s.trim().startsWith("CREATE");
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static void add(List<String> out, StringBuilder statement) {
        String s = statement.toString().trim();
        if (!s.isEmpty() && !onlyComments(s)) {
            out.add(s);
        }
    }

    private static boolean onlyComments(String s) {
        String stripped = s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("--[^\\n]*", "").trim();
        return stripped.isEmpty();
    }
}
