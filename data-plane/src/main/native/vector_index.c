/*
 * libSQL's vector index on stock SQLite: CREATE INDEX i ON t (libsql_vector_idx(col, 'metric=...', ...))
 * [WHERE ...] and the table-valued function vector_top_k('i', query, k).
 *
 * How: libsql_vector_idx is a deterministic scalar function, so the CREATE INDEX is an ordinary expression
 * index that SQLite itself keeps in the tenant's file (schema text exactly as written, maintained by every
 * INSERT/UPDATE/DELETE in the same transaction, dropped with its table, copied by VACUUM, replicated with the
 * file, counted in its size). The function validates the row's vector and stores NULL, so each index entry is
 * only the row key: the vectors are read from the table itself. vector_top_k finds the index in the schema,
 * takes the column, options and partial-index WHERE from its CREATE INDEX text, and ranks every indexed row
 * exactly (a bounded heap of k). Exact search means recall 1.0 and cost linear in the rows: fine for the
 * small collections it is meant for; the README states the numbers.
 *
 * The scan runs on the calling connection, so it sees only this database (ATTACH is refused), under the
 * tenant's authorizer, statement deadline and temp budget like any other statement.
 */
#include <jni.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "vector.h"

#define MARKER "libsql_vector_idx"

/* ---- option strings ('metric=cosine', ...) ---------------------------------------------------------------- */

#define METRIC_COS 1
#define METRIC_L2 2

typedef struct Options {
    int metric;
} Options;

/* libSQL's parameter table: enum values match by case-insensitive prefix ('metric=cos' is cosine). */
static const struct {
    const char *name;
    int kind; /* 0 enum, 1 positive integer, 2 float */
    const char *value;
    int metric;
} PARAMS[] = {
    {"type", 0, "diskann", 0},
    {"metric", 0, "cosine", METRIC_COS},
    {"metric", 0, "l2", METRIC_L2},
    {"compress_neighbors", 0, "float1bit", 0},
    {"compress_neighbors", 0, "float8", 0},
    {"compress_neighbors", 0, "float16", 0},
    {"compress_neighbors", 0, "floatb16", 0},
    {"compress_neighbors", 0, "float32", 0},
    {"alpha", 2, 0, 0},
    {"search_l", 1, 0, 0},
    {"insert_l", 1, 0, 0},
    {"max_neighbors", 1, 0, 0},
};

/* Returns 0, or -1 with *why set to a static reason (libSQL's wording). */
static int parse_option(const char *opt, Options *o, const char **why) {
    const char *eq = strchr(opt, '=');
    if (eq == 0) {
        *why = "unexpected parameter format";
        return -1;
    }
    size_t klen = (size_t) (eq - opt);
    const char *value = eq + 1;
    size_t vlen = strlen(value);
    for (size_t i = 0; i < sizeof(PARAMS) / sizeof(PARAMS[0]); i++) {
        if (strlen(PARAMS[i].name) != klen || strncasecmp(PARAMS[i].name, opt, klen) != 0) {
            continue;
        }
        if (PARAMS[i].kind == 1) {
            long v = strtol(value, 0, 10);
            if (v == 0) {
                *why = "invalid representation of integer vector index parameter";
                return -1;
            }
            if (v < 0) {
                *why = "integer vector index parameter must be positive";
                return -1;
            }
            return 0;
        }
        if (PARAMS[i].kind == 2) {
            char *end = 0;
            (void) strtod(value, &end);
            if (vlen == 0 || end != value + vlen) {
                *why = "invalid representation of floating point vector index parameter";
                return -1;
            }
            return 0;
        }
        if (strncasecmp(PARAMS[i].value, value, vlen) == 0 && vlen <= strlen(PARAMS[i].value)) {
            if (PARAMS[i].metric != 0) {
                o->metric = PARAMS[i].metric;
            }
            return 0;
        }
    }
    *why = "invalid parameter";
    return -1;
}

typedef struct IndexDef IndexDef;
static int parse_index_sql(const char *sql, IndexDef *d, char **err);
static void index_def_free(IndexDef *d);
static int parse_column_type(const char *type, int *vtype, int *dims, const char **why);
static int insert_check(sqlite3_context *ctx, const Vec *v);

/* ---- the index marker: libsql_vector_idx(col, options...) ------------------------------------------------ */

/* Evaluated by SQLite for each row written to the index (and for existing rows at CREATE INDEX): refuses what
 * libSQL refuses at that point (a value that is not a vector, bad options) and stores NULL, so the index holds
 * only the row key. */
static void fn_marker(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    if (argc < 1) {
        sqlite3_result_error(ctx, "vector index: " MARKER " must contain at least one argument", -1);
        return;
    }
    Options o = {METRIC_COS};
    for (int i = 1; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) != SQLITE_TEXT) {
            sqlite3_result_error(ctx, "vector index: all arguments after first must be strings", -1);
            return;
        }
        const char *why = 0;
        const char *opt = (const char *) sqlite3_value_text(argv[i]);
        if (parse_option(opt, &o, &why) != 0) {
            char *msg = sqlite3_mprintf("vector index: invalid vector index parameter '%s': %s", opt, why);
            sqlite3_result_error(ctx, msg ? msg : "vector index: invalid vector index parameter", -1);
            sqlite3_free(msg);
            return;
        }
    }
    if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
        Vec v;
        char *err = 0;
        if (vec_from_value(argv[0], VEC_F32, &v, &err) != 0) {
            sqlite3_result_error(ctx, err ? err : "vector: out of memory", -1);
            sqlite3_free(err);
            return;
        }
        int refused = insert_check(ctx, &v);
        vec_free(&v);
        if (refused) {
            return;
        }
    }
    sqlite3_result_null(ctx);
}

/* ---- reading the CREATE INDEX text ------------------------------------------------------------------------ */

typedef struct Tok {
    const char *z;
    int n;
    char kind; /* 'w' word, 's' string, 'q' quoted identifier, or the punctuation character itself */
} Tok;

/* Next token at *pos, skipping spaces and comments; kind 0 at the end. */
static Tok next_token(const char *sql, int *pos) {
    Tok t = {0, 0, 0};
    int i = *pos;
    for (;;) {
        while (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r' || sql[i] == '\f') {
            i++;
        }
        if (sql[i] == '-' && sql[i + 1] == '-') {
            while (sql[i] != 0 && sql[i] != '\n') {
                i++;
            }
            continue;
        }
        if (sql[i] == '/' && sql[i + 1] == '*') {
            i += 2;
            while (sql[i] != 0 && !(sql[i] == '*' && sql[i + 1] == '/')) {
                i++;
            }
            if (sql[i] != 0) {
                i += 2;
            }
            continue;
        }
        break;
    }
    t.z = sql + i;
    char c = sql[i];
    if (c == 0) {
        *pos = i;
        return t;
    }
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        int j = i + 1;
        for (;;) {
            if (sql[j] == 0) {
                break;
            }
            if (sql[j] == close) {
                if (close != ']' && sql[j + 1] == close) {
                    j += 2;
                    continue;
                }
                j++;
                break;
            }
            j++;
        }
        t.n = j - i;
        t.kind = c == '\'' ? 's' : 'q';
        *pos = j;
        return t;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'
        || (unsigned char) c >= 0x80) {
        int j = i;
        while ((sql[j] >= 'a' && sql[j] <= 'z') || (sql[j] >= 'A' && sql[j] <= 'Z') || (sql[j] >= '0' && sql[j] <= '9')
               || sql[j] == '_' || sql[j] == '$' || (unsigned char) sql[j] >= 0x80) {
            j++;
        }
        t.n = j - i;
        t.kind = 'w';
        *pos = j;
        return t;
    }
    t.n = 1;
    t.kind = c;
    *pos = i + 1;
    return t;
}

/* The text of a word, string or quoted identifier without its quotes (sqlite3_malloc'ed). */
static char *dequote(Tok t) {
    if (t.kind == 'w') {
        return sqlite3_mprintf("%.*s", t.n, t.z);
    }
    char close = t.z[0] == '[' ? ']' : t.z[0];
    char *out = sqlite3_malloc(t.n + 1);
    if (out == 0) {
        return 0;
    }
    int o = 0;
    for (int i = 1; i < t.n - 1; i++) {
        out[o++] = t.z[i];
        if (close != ']' && t.z[i] == close && t.z[i + 1] == close) {
            i++;
        }
    }
    out[o] = 0;
    return out;
}

struct IndexDef {
    char *column;   /* the vector column */
    char **options; /* the option strings */
    int n_options;
    char *where;    /* the partial index condition, or 0 */
};

static void index_def_free(IndexDef *d) {
    sqlite3_free(d->column);
    for (int i = 0; i < d->n_options; i++) {
        sqlite3_free(d->options[i]);
    }
    sqlite3_free(d->options);
    sqlite3_free(d->where);
    memset(d, 0, sizeof(*d));
}

/* Parses "CREATE INDEX ... ON t ( libsql_vector_idx(col, 'opt', ...) ) [WHERE cond]". Returns 1 when the index
 * is a vector index, 0 when it is not, -1 with *err on a vector index this platform cannot read. */
static int parse_index_sql(const char *sql, IndexDef *d, char **err) {
    memset(d, 0, sizeof(*d));
    int pos = 0;
    int depth = 0;
    int list_depth = -1;
    Tok t;
    /* find the marker call */
    for (;;) {
        t = next_token(sql, &pos);
        if (t.kind == 0) {
            return 0;
        }
        if (t.kind == '(') {
            depth++;
        } else if (t.kind == ')') {
            depth--;
        } else if (t.kind == 'w' && t.n == (int) strlen(MARKER) && strncasecmp(t.z, MARKER, t.n) == 0) {
            int save = pos;
            Tok open = next_token(sql, &pos);
            if (open.kind == '(') {
                list_depth = depth;
                break;
            }
            pos = save;
        }
    }
    /* arguments: first a column, then strings */
    int arg = 0;
    for (;;) {
        t = next_token(sql, &pos);
        if (t.kind == ')' && arg == 0) {
            *err = sqlite3_mprintf("vector index: " MARKER " must contain at least one argument");
            return -1;
        }
        Tok after = next_token(sql, &pos);
        if (arg == 0) {
            if ((t.kind != 'w' && t.kind != 'q') || (after.kind != ',' && after.kind != ')')) {
                *err = sqlite3_mprintf("vector index: " MARKER " first argument must be a column token");
                return -1;
            }
            d->column = dequote(t);
        } else {
            if (t.kind != 's' || (after.kind != ',' && after.kind != ')')) {
                *err = sqlite3_mprintf("vector index: all arguments after first must be strings");
                return -1;
            }
            char **grown = sqlite3_realloc64(d->options, sizeof(char *) * (size_t) (d->n_options + 1));
            if (grown == 0) {
                *err = sqlite3_mprintf("vector index: out of memory");
                return -1;
            }
            d->options = grown;
            d->options[d->n_options++] = dequote(t);
        }
        arg++;
        if (after.kind == ')') {
            break;
        }
    }
    /* the rest of the column list: nothing else may be indexed beside the vector */
    for (;;) {
        t = next_token(sql, &pos);
        if (t.kind == 0) {
            break;
        }
        if (t.kind == '(') {
            depth++;
        } else if (t.kind == ')') {
            if (depth == list_depth) {
                break;
            }
            depth--;
        } else if (t.kind == ',' && depth == list_depth) {
            *err = sqlite3_mprintf("vector index: must contain exactly one column wrapped into the " MARKER " function");
            return -1;
        }
    }
    t = next_token(sql, &pos);
    if (t.kind == 'w' && t.n == 5 && strncasecmp(t.z, "WHERE", 5) == 0) {
        d->where = sqlite3_mprintf("%s", sql + pos);
    }
    return 1;
}

/* libSQL's column types: FLOAT32(n) / F32_BLOB(n) and friends. */
static int parse_column_type(const char *type, int *vtype, int *dims, const char **why) {
    static const struct {
        const char *name;
        int type;
    } TYPES[] = {
        {"FLOAT32", VEC_F32}, {"F32_BLOB", VEC_F32}, {"FLOAT64", VEC_F64}, {"F64_BLOB", VEC_F64},
        {"FLOAT1BIT", VEC_1BIT}, {"F1BIT_BLOB", VEC_1BIT}, {"FLOAT8", VEC_F8}, {"F8_BLOB", VEC_F8},
        {"FLOAT16", VEC_F16}, {"F16_BLOB", VEC_F16}, {"FLOATB16", VEC_BF16}, {"FB16_BLOB", VEC_BF16},
    };
    const char *p = type;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        p++;
    }
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++) {
        size_t n = strlen(TYPES[i].name);
        if (strncasecmp(p, TYPES[i].name, n) != 0) {
            continue;
        }
        const char *q = p + n;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            q++;
        }
        if (*q != '(') {
            break;
        }
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            q++;
        }
        int d = 0;
        while (*q != 0 && *q != ')' && !(*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) {
            if (*q < '0' || *q > '9') {
                *why = "non digit symbol in vector column parameter";
                return -1;
            }
            d = d * 10 + (*q - '0');
            if (d > VEC_MAX_DIMS) {
                *why = "max vector dimension exceeded";
                return -1;
            }
            q++;
        }
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            q++;
        }
        if (*q != ')') {
            *why = "missed closing brace for vector column type";
            return -1;
        }
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
            q++;
        }
        if (*q != 0) {
            *why = "extra data after dimension parameter for vector column type";
            return -1;
        }
        if (d <= 0) {
            *why = "vector column must have non-zero dimension for index";
            return -1;
        }
        *vtype = TYPES[i].type;
        *dims = d;
        return 0;
    }
    *why = "unexpected vector column type";
    return -1;
}

/* ---- libSQL's INSERT check: the vector must have its indexed column's type and dimensions ---------------- */

/* The marker function sees a value, not its column. The connection keeps the (type, dims) of every vector-indexed
 * column of its database, reloaded when the schema cookie moves (and before refusing anything, since an index being
 * created is already in sqlite_schema while its rows are filled in, before the cookie changes). A value must match
 * one of them; with a single indexed column type in the database (the usual case) this is exactly libSQL's check
 * and message. */
#define MAX_SPECS 32

typedef struct Specs {
    int cookie;
    int loaded;
    int n;
    int type[MAX_SPECS];
    int dims[MAX_SPECS];
} Specs;

static const char *SPECS_KEY = "platform-vector-specs";

static int schema_cookie(sqlite3 *db) {
    sqlite3_stmt *st = 0;
    int cookie = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA main.schema_version", -1, &st, 0) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        cookie = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return cookie;
}

static void specs_load(sqlite3 *db, Specs *sp) {
    sp->n = 0;
    sp->loaded = 1;
    sqlite3_stmt *st = 0;
    if (sqlite3_prepare_v2(db, "SELECT tbl_name, sql FROM main.sqlite_schema WHERE type = 'index' AND sql LIKE '%libsql_vector_idx%'",
                           -1, &st, 0) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW && sp->n < MAX_SPECS) {
        IndexDef def;
        memset(&def, 0, sizeof(def));
        char *err = 0;
        const char *table = (const char *) sqlite3_column_text(st, 0);
        const char *sql = (const char *) sqlite3_column_text(st, 1);
        if (table != 0 && sql != 0 && parse_index_sql(sql, &def, &err) == 1) {
            const char *decl = 0;
            const char *why = 0;
            int type;
            int dims;
            if (sqlite3_table_column_metadata(db, "main", table, def.column, &decl, 0, 0, 0, 0) == SQLITE_OK
                && parse_column_type(decl ? decl : "", &type, &dims, &why) == 0) {
                int seen = 0;
                for (int i = 0; i < sp->n; i++) {
                    seen |= sp->type[i] == type && sp->dims[i] == dims;
                }
                if (!seen) {
                    sp->type[sp->n] = type;
                    sp->dims[sp->n] = dims;
                    sp->n++;
                }
            }
        }
        sqlite3_free(err);
        index_def_free(&def);
    }
    sqlite3_finalize(st);
}

static int specs_match(const Specs *sp, const Vec *v) {
    if (sp->n == 0 || sp->n == MAX_SPECS) {
        return 1; /* nothing known (or too much to judge): accept, as before the check existed */
    }
    for (int i = 0; i < sp->n; i++) {
        if (sp->type[i] == v->type && sp->dims[i] == v->dims) {
            return 1;
        }
    }
    return 0;
}

/* 0 = accepted; 1 = refused with libSQL's message set on ctx */
static int insert_check(sqlite3_context *ctx, const Vec *v) {
    sqlite3 *db = sqlite3_context_db_handle(ctx);
    Specs *sp = sqlite3_get_clientdata(db, SPECS_KEY);
    if (sp == 0) {
        sp = sqlite3_malloc(sizeof(Specs));
        if (sp == 0) {
            return 0;
        }
        memset(sp, 0, sizeof(*sp));
        if (sqlite3_set_clientdata(db, SPECS_KEY, sp, sqlite3_free) != SQLITE_OK) {
            return 0;
        }
    }
    int cookie = schema_cookie(db);
    if (!sp->loaded || cookie != sp->cookie) {
        specs_load(db, sp);
        sp->cookie = cookie;
    }
    if (specs_match(sp, v)) {
        return 0;
    }
    specs_load(db, sp); /* an index being created right now is not under the cookie yet */
    if (specs_match(sp, v)) {
        return 0;
    }
    /* the spec libSQL would compare with: one of the same dimensions if any (a type mismatch), else the first */
    int k = 0;
    for (int i = 0; i < sp->n; i++) {
        if (sp->dims[i] == v->dims) {
            k = i;
            break;
        }
    }
    char *msg = sp->dims[k] != v->dims
        ? sqlite3_mprintf("vector index(insert): dimensions are different: %d != %d", v->dims, sp->dims[k])
        : sqlite3_mprintf("vector index(insert): vector type differs from column type: %d != %d", v->type, sp->type[k]);
    sqlite3_result_error(ctx, msg ? msg : "vector index(insert): the vector does not fit the indexed column", -1);
    sqlite3_free(msg);
    return 1;
}

/* ---- vector_top_k ----------------------------------------------------------------------------------------- */

#define COL_IDX 0
#define COL_VECTOR 1
#define COL_K 2
#define COL_ID 3

typedef struct Hit {
    double distance;
    int64_t seq;           /* scan order: equal distances keep it (rowid order for rowid tables) */
    int64_t rowid;
    sqlite3_value *key;    /* the primary key of a WITHOUT ROWID table, else 0 */
} Hit;

typedef struct TopK {
    sqlite3_vtab_cursor base;
    Hit *hits;
    int n;
    int i;
} TopK;

typedef struct TopKTab {
    sqlite3_vtab base;
    sqlite3 *db;
} TopKTab;

static int topk_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err) {
    (void) aux;
    (void) argc;
    (void) argv;
    (void) err;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(idx hidden, vector hidden, k hidden, id)");
    if (rc != SQLITE_OK) {
        return rc;
    }
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    TopKTab *t = sqlite3_malloc(sizeof(TopKTab));
    if (t == 0) {
        return SQLITE_NOMEM;
    }
    memset(t, 0, sizeof(*t));
    t->db = db;
    *out = &t->base;
    return SQLITE_OK;
}

static int topk_disconnect(sqlite3_vtab *v) {
    sqlite3_free(v);
    return SQLITE_OK;
}

/* idxNum: bit c set when hidden column c is constrained; the arguments arrive in column order */
static int topk_best_index(sqlite3_vtab *v, sqlite3_index_info *info) {
    (void) v;
    int which[3] = {-1, -1, -1};
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->usable && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->iColumn >= COL_IDX && c->iColumn <= COL_K) {
            which[c->iColumn] = i;
        }
    }
    int argv_index = 1;
    int mask = 0;
    for (int c = 0; c < 3; c++) {
        if (which[c] >= 0) {
            info->aConstraintUsage[which[c]].argvIndex = argv_index++;
            info->aConstraintUsage[which[c]].omit = 1;
            mask |= 1 << c;
        }
    }
    info->idxNum = mask;
    /* all three arguments make the cheap plan; without them the call is an error anyway */
    info->estimatedCost = mask == 7 ? 1.0 : 1e12;
    info->estimatedRows = 100;
    return SQLITE_OK;
}

static int topk_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
    (void) v;
    TopK *c = sqlite3_malloc(sizeof(TopK));
    if (c == 0) {
        return SQLITE_NOMEM;
    }
    memset(c, 0, sizeof(*c));
    *out = &c->base;
    return SQLITE_OK;
}

static void topk_reset(TopK *c) {
    for (int i = 0; i < c->n; i++) {
        sqlite3_value_free(c->hits[i].key);
    }
    sqlite3_free(c->hits);
    c->hits = 0;
    c->n = 0;
    c->i = 0;
}

static int topk_close(sqlite3_vtab_cursor *cur) {
    topk_reset((TopK *) cur);
    sqlite3_free(cur);
    return SQLITE_OK;
}

/* worse = larger distance, or the same distance later in the scan */
static int hit_worse(const Hit *a, const Hit *b) {
    return a->distance > b->distance || (a->distance == b->distance && a->seq > b->seq);
}

static void heap_sift_down(Hit *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1;
        int r = l + 1;
        int m = i;
        if (l < n && hit_worse(&h[l], &h[m])) {
            m = l;
        }
        if (r < n && hit_worse(&h[r], &h[m])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        Hit t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void heap_sift_up(Hit *h, int i) {
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!hit_worse(&h[i], &h[p])) {
            return;
        }
        Hit t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static int hit_cmp(const void *a, const void *b) {
    const Hit *x = a;
    const Hit *y = b;
    if (hit_worse(x, y)) {
        return 1;
    }
    return hit_worse(y, x) ? -1 : 0;
}

static int set_error(sqlite3_vtab_cursor *cur, char *msg) {
    sqlite3_free(cur->pVtab->zErrMsg);
    cur->pVtab->zErrMsg = msg ? msg : sqlite3_mprintf("vector index(search): out of memory");
    return SQLITE_ERROR;
}

/* The key column of the indexed table: "rowid", or the single primary-key column of a WITHOUT ROWID table. */
static int table_key(sqlite3 *db, const char *table, char **key, int *is_rowid, char **err) {
    if (sqlite3_table_column_metadata(db, "main", table, "rowid", 0, 0, 0, 0, 0) == SQLITE_OK) {
        /* "rowid" resolves: a rowid table (or a column really named rowid, which is its key in SQLite too) */
        *key = sqlite3_mprintf("rowid");
        *is_rowid = 1;
        return *key ? 0 : -1;
    }
    char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q) WHERE pk > 0", table);
    sqlite3_stmt *st = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    int n = 0;
    char *name = 0;
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0) {
            name = sqlite3_mprintf("\"%w\"", (const char *) sqlite3_column_text(st, 0));
        }
    }
    sqlite3_finalize(st);
    if (n != 1) {
        sqlite3_free(name);
        *err = sqlite3_mprintf("vector index: unsupported for tables without ROWID and composite primary key");
        return -1;
    }
    *key = name;
    *is_rowid = 0;
    return name ? 0 : -1;
}

static int topk_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc, sqlite3_value **argv) {
    (void) idx_str;
    TopK *c = (TopK *) cur;
    sqlite3 *db = ((TopKTab *) cur->pVtab)->db;
    topk_reset(c);
    if (argc != 3 || idx_num != 7) {
        return set_error(cur, sqlite3_mprintf("vector index(search): got %d parameters, expected 3", argc));
    }
    char *err = 0;
    Vec query;
    query.data = 0;
    if (vec_from_value(argv[1], VEC_F32, &query, &err) != 0) {
        return set_error(cur, err);
    }
    int rc = SQLITE_OK;
    int k = 0;
    IndexDef def;
    memset(&def, 0, sizeof(def));
    char *table = 0;
    char *key = 0;
    char *scan_sql = 0;
    sqlite3_stmt *st = 0;
    Hit *heap = 0;
    int n = 0;
    int cap = 0;

    if (sqlite3_value_type(argv[2]) == SQLITE_INTEGER) {
        sqlite3_int64 k64 = sqlite3_value_int64(argv[2]);
        if (k64 < 0) {
            rc = set_error(cur, sqlite3_mprintf("vector index(search): third parameter (k) must be a non-negative integer, but negative value were provided"));
            goto out;
        }
        k = k64 > 0x7fffffff ? 0x7fffffff : (int) k64;
    } else if (sqlite3_value_type(argv[2]) == SQLITE_FLOAT) {
        double kd = sqlite3_value_double(argv[2]);
        if (!(kd >= -2147483648.0 && kd <= 2147483647.0) || (double) (int) kd != kd) {
            rc = set_error(cur, sqlite3_mprintf("vector index(search): third parameter (k) must be an integer, but float value were provided"));
            goto out;
        }
        k = (int) kd;
        if (k < 0) {
            rc = set_error(cur, sqlite3_mprintf("vector index(search): third parameter (k) must be a non-negative integer, but negative value were provided"));
            goto out;
        }
    } else {
        rc = set_error(cur, sqlite3_mprintf("vector index(search): third parameter (k) must be an integer, but unexpected type of value were provided"));
        goto out;
    }
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
        rc = set_error(cur, sqlite3_mprintf("vector index(search): first parameter (index) must be a string"));
        goto out;
    }
    const char *full = (const char *) sqlite3_value_text(argv[0]);
    const char *name = full;
    const char *dot = strchr(full, '.');
    if (dot != 0) {
        if ((size_t) (dot - full) != 4 || strncasecmp(full, "main", 4) != 0) {
            rc = set_error(cur, sqlite3_mprintf("vector index(search): unknown schema '%.*s'", (int) (dot - full), full));
            goto out;
        }
        name = dot + 1;
    }

    /* the index, from this database's own schema */
    rc = sqlite3_prepare_v2(db, "SELECT tbl_name, sql FROM main.sqlite_schema WHERE type = 'index' AND name = ?1",
                            -1, &st, 0);
    if (rc != SQLITE_OK) {
        rc = set_error(cur, sqlite3_mprintf("vector index(search): %s", sqlite3_errmsg(db)));
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int found = 0;
    int parsed = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 1) != 0) {
        found = 1;
        table = sqlite3_mprintf("%s", (const char *) sqlite3_column_text(st, 0));
        parsed = parse_index_sql((const char *) sqlite3_column_text(st, 1), &def, &err);
    }
    sqlite3_finalize(st);
    st = 0;
    if (parsed < 0) {
        rc = set_error(cur, err);
        goto out;
    }
    if (!found || parsed == 0 || table == 0 || def.column == 0) {
        /* libSQL's answer for a missing index and for one that is not a vector index alike (the name is
         * matched exactly, as libSQL's metadata lookup does) */
        rc = set_error(cur, sqlite3_mprintf("vector index(search): failed to parse vector index parameters"));
        goto out;
    }
    Options opts = {METRIC_COS};
    for (int i = 0; i < def.n_options; i++) {
        const char *why = 0;
        if (parse_option(def.options[i], &opts, &why) != 0) {
            rc = set_error(cur, sqlite3_mprintf("vector index: invalid vector index parameter '%s': %s", def.options[i], why));
            goto out;
        }
    }
    const char *decl = 0;
    if (sqlite3_table_column_metadata(db, "main", table, def.column, &decl, 0, 0, 0, 0) != SQLITE_OK) {
        rc = set_error(cur, sqlite3_mprintf("no such column: %s", def.column));
        goto out;
    }
    int col_type = 0;
    int col_dims = 0;
    const char *why = 0;
    if (parse_column_type(decl ? decl : "", &col_type, &col_dims, &why) != 0) {
        rc = set_error(cur, sqlite3_mprintf("vector index: %s: %s", why, decl ? decl : ""));
        goto out;
    }
    if (query.dims != col_dims) {
        rc = set_error(cur, sqlite3_mprintf("vector index(search): dimensions are different: %d != %d", query.dims, col_dims));
        goto out;
    }
    if (query.type != col_type) {
        rc = set_error(cur, sqlite3_mprintf("vector index(search): vector type differs from column type: %d != %d", query.type, col_type));
        goto out;
    }
    int is_rowid = 1;
    if (table_key(db, table, &key, &is_rowid, &err) != 0) {
        rc = set_error(cur, err);
        goto out;
    }
    if (k == 0) {
        goto out;
    }

    /* rank every indexed row: the rows the partial index covers, with a vector */
    scan_sql = sqlite3_mprintf("SELECT %s, \"%w\" FROM main.\"%w\" WHERE \"%w\" IS NOT NULL%s%s%s", key, def.column, table,
                               def.column, def.where ? " AND (" : "", def.where ? def.where : "", def.where ? "\n)" : "");
    const char *tail = 0;
    rc = scan_sql ? sqlite3_prepare_v2(db, scan_sql, -1, &st, &tail) : SQLITE_NOMEM;
    if (rc != SQLITE_OK || (tail != 0 && *tail != 0)) {
        rc = set_error(cur, sqlite3_mprintf("vector index(search): cannot read the index: %s", sqlite3_errmsg(db)));
        goto out;
    }
    int64_t seq = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        Vec v;
        char *ignored = 0;
        if (vec_from_value(sqlite3_column_value(st, 1), col_type == VEC_F64 ? VEC_F64 : VEC_F32, &v, &ignored) != 0) {
            sqlite3_free(ignored);
            continue;
        }
        if (v.type != col_type || v.dims != col_dims) {
            /* libSQL refuses such rows at INSERT; they cannot be ranked against this index */
            vec_free(&v);
            continue;
        }
        Hit h;
        h.distance = opts.metric == METRIC_L2 && col_type != VEC_1BIT ? vec_distance_l2(&query, &v)
                                                                        : vec_distance_cos(&query, &v);
        vec_free(&v);
        h.seq = seq++;
        h.rowid = sqlite3_column_int64(st, 0);
        h.key = 0;
        if (n == k && !hit_worse(&heap[0], &h)) {
            continue;
        }
        if (!is_rowid) {
            h.key = sqlite3_value_dup(sqlite3_column_value(st, 0));
            if (h.key == 0) {
                rc = SQLITE_NOMEM;
                break;
            }
        }
        if (n < k) {
            if (n == cap) {
                int grown_cap = cap == 0 ? 16 : cap * 2;
                if (grown_cap > k) {
                    grown_cap = k;
                }
                Hit *grown = sqlite3_realloc64(heap, sizeof(Hit) * (size_t) grown_cap);
                if (grown == 0) {
                    sqlite3_value_free(h.key);
                    rc = SQLITE_NOMEM;
                    break;
                }
                heap = grown;
                cap = grown_cap;
            }
            heap[n++] = h;
            heap_sift_up(heap, n - 1);
        } else {
            sqlite3_value_free(heap[0].key);
            heap[0] = h;
            heap_sift_down(heap, n, 0);
        }
    }
    if (rc != SQLITE_DONE) {
        rc = set_error(cur, sqlite3_mprintf("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db)));
        goto out;
    }
    rc = SQLITE_OK;
    qsort(heap, (size_t) n, sizeof(Hit), hit_cmp);
    c->hits = heap;
    c->n = n;
    heap = 0;
    n = 0;
out:
    for (int i = 0; i < n; i++) {
        sqlite3_value_free(heap[i].key);
    }
    sqlite3_free(heap);
    sqlite3_finalize(st);
    sqlite3_free(scan_sql);
    sqlite3_free(key);
    sqlite3_free(table);
    index_def_free(&def);
    vec_free(&query);
    return rc;
}

static int topk_next(sqlite3_vtab_cursor *cur) {
    ((TopK *) cur)->i++;
    return SQLITE_OK;
}

static int topk_eof(sqlite3_vtab_cursor *cur) {
    TopK *c = (TopK *) cur;
    return c->i >= c->n;
}

static int topk_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    TopK *c = (TopK *) cur;
    if (col != COL_ID) {
        sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
    Hit *h = &c->hits[c->i];
    if (h->key != 0) {
        sqlite3_result_value(ctx, h->key);
    } else {
        sqlite3_result_int64(ctx, h->rowid);
    }
    return SQLITE_OK;
}

static int topk_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    TopK *c = (TopK *) cur;
    *rowid = c->hits[c->i].key == 0 ? c->hits[c->i].rowid : c->i;
    return SQLITE_OK;
}

static sqlite3_module topk_module = {
    .iVersion = 0,
    .xCreate = 0, /* eponymous only: CREATE VIRTUAL TABLE ... USING vector_top_k is impossible */
    .xConnect = topk_connect,
    .xBestIndex = topk_best_index,
    .xDisconnect = topk_disconnect,
    .xDestroy = 0,
    .xOpen = topk_open,
    .xClose = topk_close,
    .xFilter = topk_filter,
    .xNext = topk_next,
    .xEof = topk_eof,
    .xColumn = topk_column,
    .xRowid = topk_rowid,
};

int platform_vector_index_install(sqlite3 *db) {
    int rc = sqlite3_create_function(db, MARKER, -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0,
                                     fn_marker, 0, 0);
    if (rc == SQLITE_OK) {
        rc = sqlite3_create_module(db, "vector_top_k", &topk_module, 0);
    }
    return rc;
}

/* ---- CREATE INDEX checks ---------------------------------------------------------------------------------- */

/* The table a CREATE INDEX statement names ("CREATE [UNIQUE] INDEX [IF NOT EXISTS] [s.]i ON [s.]t ("), with
 * whether IF NOT EXISTS was given; 0 if the text is not such a statement or names another schema. */
static char *create_index_table(const char *sql, char **index, int *if_not_exists) {
    int pos = 0;
    Tok t = next_token(sql, &pos);
    *if_not_exists = 0;
    *index = 0;
    if (!(t.kind == 'w' && t.n == 6 && strncasecmp(t.z, "CREATE", 6) == 0)) {
        return 0;
    }
    t = next_token(sql, &pos);
    if (t.kind == 'w' && t.n == 6 && strncasecmp(t.z, "UNIQUE", 6) == 0) {
        t = next_token(sql, &pos);
    }
    if (!(t.kind == 'w' && t.n == 5 && strncasecmp(t.z, "INDEX", 5) == 0)) {
        return 0;
    }
    t = next_token(sql, &pos);
    if (t.kind == 'w' && t.n == 2 && strncasecmp(t.z, "IF", 2) == 0) {
        next_token(sql, &pos); /* NOT */
        next_token(sql, &pos); /* EXISTS */
        *if_not_exists = 1;
        t = next_token(sql, &pos);
    }
    int save = pos;
    Tok dot = next_token(sql, &pos);
    if (dot.kind == '.') {
        if (!(t.n == 4 && strncasecmp(t.z, "main", 4) == 0) && !(t.kind == 'q' && t.n == 6 && strncasecmp(t.z + 1, "main", 4) == 0)) {
            return 0;
        }
        t = next_token(sql, &pos);
    } else {
        pos = save;
    }
    if (t.kind != 'w' && t.kind != 'q') {
        return 0;
    }
    *index = dequote(t);
    t = next_token(sql, &pos);
    if (!(t.kind == 'w' && t.n == 2 && strncasecmp(t.z, "ON", 2) == 0)) {
        return 0;
    }
    t = next_token(sql, &pos);
    if (t.kind != 'w' && t.kind != 'q') {
        return 0;
    }
    save = pos;
    dot = next_token(sql, &pos);
    if (dot.kind == '.') {
        return 0; /* a schema-qualified table: SQLite itself refuses it */
    }
    pos = save;
    return dequote(t);
}

/* What libSQL checks when a vector index is created and SQLite cannot see in an expression index: the column's
 * vector type, the options and the table key. 0 = fine or not ours to judge (SQLite reports missing tables and
 * columns itself); -1 with *err = libSQL's message. */
static int check_create_index(sqlite3 *db, const char *sql, char **err) {
    char *index = 0;
    int if_not_exists = 0;
    char *table = create_index_table(sql, &index, &if_not_exists);
    IndexDef def;
    memset(&def, 0, sizeof(def));
    int rc = 0;
    const char *decl = 0;
    const char *why = 0;
    int type = 0;
    int dims = 0;
    if (table == 0 || index == 0) {
        goto out;
    }
    if (if_not_exists) {
        sqlite3_stmt *st = 0;
        int exists = 0;
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_schema WHERE type = 'index' AND name = ?1 COLLATE NOCASE", -1,
                               &st, 0) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
            exists = sqlite3_step(st) == SQLITE_ROW;
        }
        sqlite3_finalize(st);
        if (exists) {
            goto out;
        }
    }
    int parsed = parse_index_sql(sql, &def, err);
    if (parsed <= 0) {
        rc = parsed;
        goto out;
    }
    if (sqlite3_table_column_metadata(db, "main", table, def.column, &decl, 0, 0, 0, 0) != SQLITE_OK) {
        goto out; /* no such table / column: SQLite's own message */
    }
    if (parse_column_type(decl ? decl : "", &type, &dims, &why) != 0) {
        *err = sqlite3_mprintf("vector index: %s: %s", why, decl ? decl : "");
        rc = -1;
        goto out;
    }
    Options o = {METRIC_COS};
    for (int i = 0; i < def.n_options; i++) {
        if (parse_option(def.options[i], &o, &why) != 0) {
            *err = sqlite3_mprintf("vector index: invalid vector index parameter '%s': %s", def.options[i], why);
            rc = -1;
            goto out;
        }
    }
    char *key = 0;
    int is_rowid = 1;
    if (table_key(db, table, &key, &is_rowid, err) != 0) {
        rc = -1;
        goto out;
    }
    sqlite3_free(key);
out:
    index_def_free(&def);
    sqlite3_free(table);
    sqlite3_free(index);
    return rc;
}

/* dev.libsqlplatform.dataplane.storage.VectorIndexCheck.check(NativeDB, String): libSQL's message, or null */

JNIEXPORT jstring JNICALL Java_dev_libsqlplatform_dataplane_storage_VectorIndexCheck_check(JNIEnv *env, jclass cls,
                                                                                             jobject native_db,
                                                                                             jstring sql) {
    (void) cls;
    jclass c = (*env)->GetObjectClass(env, native_db);
    jfieldID f = (*env)->GetFieldID(env, c, "pointer", "J");
    if (f == 0) {
        return 0;
    }
    sqlite3 *db = (sqlite3 *) (intptr_t) (*env)->GetLongField(env, native_db, f);
    if (db == 0 || sql == 0) {
        return 0;
    }
    const char *text = (*env)->GetStringUTFChars(env, sql, 0);
    if (text == 0) {
        return 0;
    }
    char *err = 0;
    int rc = check_create_index(db, text, &err);
    (*env)->ReleaseStringUTFChars(env, sql, text);
    jstring out = 0;
    if (rc != 0) {
        out = (*env)->NewStringUTF(env, err ? err : "vector index: out of memory");
    }
    sqlite3_free(err);
    return out;
}
