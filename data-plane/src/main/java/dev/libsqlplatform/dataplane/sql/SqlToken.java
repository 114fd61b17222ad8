package dev.libsqlplatform.dataplane.sql;

/** One lexical token. {@code text} is upper-cased for words, raw otherwise. */
record SqlToken(Kind kind, String text, int start, int end) {
    enum Kind { WORD, QUOTED_ID, STRING, NUMBER, PARAM, PUNCT }

    boolean isWord(String upper) {
        return kind == Kind.WORD && text.equals(upper);
    }

    boolean isPunct(char c) {
        return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }
}
