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
static uint64_t value_hash(sqlite3_value *v);

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
        /* the entry's value: a hash of the vector, which tells a search which rows its quantized copy still knows
         * (see "the approximate path") */
        sqlite3_result_int64(ctx, (sqlite3_int64) value_hash(argv[0]));
        return;
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

/* ---- the approximate path: a quantized copy of each large vector index ------------------------------------- */

/*
 * Why: ranking every row reads every row (100,000 × 768 floats is 100,000 table pages, about a second). Instead the
 * worker keeps, per database file and index, an int8 copy of the indexed vectors in memory (768 bytes a row for
 * 768 dimensions, a quarter of the floats), scans that copy, and re-ranks the best few times k candidates exactly from
 * the table on the caller's connection.
 *
 * Correctness does not depend on keeping the copy up to date. Each index entry holds a 64-bit hash of its row's
 * vector (libsql_vector_idx returns it; SQLite stores it in the index b-tree, maintained in the writing transaction).
 * A search first reads the index alone (a covering scan: about 300 entries a page, no table row) on the caller's
 * connection, so it sees exactly the rows the caller sees: its own uncommitted writes, rows committed by other
 * connections, replicated frames, an imported file, the partial index's WHERE. Only copy entries whose (rowid, hash)
 * appear in that scan are candidates; every other indexed row (new, changed, or unknown to the copy) is ranked
 * exactly. The rows returned are ranked by their exact distance, read on the caller's connection. A stale or
 * foreign copy can therefore only cost recall or time, never return a row the caller cannot see; a copy is
 * content-addressed and shared by every connection to the file.
 *
 * Bounds: indexes under ANN_MIN_ROWS rows are ranked exactly (recall 1.0). All copies together hold at most
 * ANN_BUDGET_BYTES (least recently used copies are dropped first; an index whose copy does not fit is ranked exactly).
 * When more than an eighth of the indexed rows are unknown to the copy, the search ranks every row exactly and
 * rebuilds the copy from that scan.
 */
#include <math.h>
#include <pthread.h>

#define ANN_MIN_ROWS 1000
#define ANN_BUDGET_BYTES ((size_t) 256 << 20)
#define ANN_FLAG_OK 0
#define ANN_FLAG_SKIP 1  /* the row's vector does not fit this index's column: never ranked by it */
#define ANN_FLAG_EXACT 2 /* zero, huge or non-finite: ranked exactly on every search */

/* The index entry's hash of a vector value. Stored in tenants' files: never change it. Entries made by another
 * function (NULL, before entries held hashes) still search correctly and SQLite still deletes them (it falls back
 * to finding an expression index's entry by rowid), but PRAGMA integrity_check reports those rows missing from
 * the index until REINDEX. */
static uint64_t value_hash(sqlite3_value *v) {
    int type = sqlite3_value_type(v);
    const unsigned char *p = type == SQLITE_BLOB ? sqlite3_value_blob(v) : sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v);
    uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t) (type + 1) ^ (uint64_t) n;
    int i = 0;
    for (; p != 0 && i + 8 <= n; i += 8) {
        uint64_t w = 0;
        for (int b = 7; b >= 0; b--) {
            w = (w << 8) | p[i + b];
        }
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    for (; p != 0 && i < n; i++) {
        h = (h ^ p[i]) * 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

typedef struct Ann {
    struct Ann *prev;
    struct Ann *next; /* the registry, most recently used first */
    char *key;        /* file \n index \n CREATE INDEX text \n column type */
    int refs;         /* searches using it; it is freed only at 0 */
    int linked;       /* in the registry (0 once replaced or evicted) */
    int dims;
    int metric;
    int n;
    int cap;
    int64_t *rowid;
    uint64_t *hash;
    float *scale;
    float *norm2;
    uint8_t *flag;
    int8_t *q;
    int32_t *table; /* rowid -> slot + 1, open addressing, 0 = empty */
    uint32_t tcap;
    size_t bytes;   /* reserved from the budget */
    pthread_mutex_t mu;
} Ann;

static pthread_mutex_t ann_lock = PTHREAD_MUTEX_INITIALIZER;
static Ann *ann_head;
static Ann *ann_tail;
static size_t ann_used;

static void ann_free(Ann *a) {
    if (a == 0) {
        return;
    }
    free(a->rowid);
    free(a->hash);
    free(a->scale);
    free(a->norm2);
    free(a->flag);
    free(a->q);
    free(a->table);
    sqlite3_free(a->key);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

static void ann_unlink(Ann *a) {
    if (!a->linked) {
        return;
    }
    if (a->prev) a->prev->next = a->next; else ann_head = a->next;
    if (a->next) a->next->prev = a->prev; else ann_tail = a->prev;
    a->prev = a->next = 0;
    a->linked = 0;
}

/* Takes `bytes` from the budget for `self`, dropping unused copies least recently used first; 0 on success.
 * Called with ann_lock held. */
static int ann_reserve_locked(Ann *self, size_t bytes) {
    Ann *c = ann_tail;
    while (ann_used + bytes > ANN_BUDGET_BYTES && c != 0) {
        Ann *prev = c->prev;
        if (c != self && c->refs == 0) {
            ann_unlink(c);
            ann_used -= c->bytes;
            ann_free(c);
        }
        c = prev;
    }
    if (ann_used + bytes > ANN_BUDGET_BYTES) {
        return -1;
    }
    ann_used += bytes;
    self->bytes += bytes;
    return 0;
}

static int ann_reserve(Ann *self, size_t bytes) {
    pthread_mutex_lock(&ann_lock);
    int rc = ann_reserve_locked(self, bytes);
    pthread_mutex_unlock(&ann_lock);
    return rc;
}

static size_t ann_slot_bytes(int dims) {
    return (size_t) dims + sizeof(int64_t) + sizeof(uint64_t) + 2 * sizeof(float) + 1 + 2 * sizeof(int32_t);
}

static Ann *ann_new(const char *key, int dims, int metric) {
    Ann *a = calloc(1, sizeof(Ann));
    if (a == 0) {
        return 0;
    }
    a->key = sqlite3_mprintf("%s", key);
    a->dims = dims;
    a->metric = metric;
    pthread_mutex_init(&a->mu, 0);
    if (a->key == 0) {
        ann_free(a);
        return 0;
    }
    return a;
}

/* Releases what `a` reserved and frees it (a copy that was never registered, or one no longer linked). */
static void ann_discard(Ann *a) {
    if (a == 0) {
        return;
    }
    pthread_mutex_lock(&ann_lock);
    ann_used -= a->bytes;
    pthread_mutex_unlock(&ann_lock);
    ann_free(a);
}

static uint32_t ann_probe(uint64_t rowid, uint32_t mask) {
    uint64_t h = (uint64_t) rowid * 0x9E3779B97F4A7C15ULL;
    return (uint32_t) (h >> 32) & mask;
}

static int ann_lookup(const Ann *a, int64_t rowid) {
    if (a->tcap == 0) {
        return -1;
    }
    uint32_t mask = a->tcap - 1;
    for (uint32_t i = ann_probe((uint64_t) rowid, mask);; i = (i + 1) & mask) {
        int32_t s = a->table[i];
        if (s == 0) {
            return -1;
        }
        if (a->rowid[s - 1] == rowid) {
            return s - 1;
        }
    }
}

static void ann_table_put(Ann *a, int64_t rowid, int slot) {
    uint32_t mask = a->tcap - 1;
    uint32_t i = ann_probe((uint64_t) rowid, mask);
    while (a->table[i] != 0) {
        i = (i + 1) & mask;
    }
    a->table[i] = slot + 1;
}

/* Room for `want` slots (the table stays at most half full); 0 on success, -1 out of budget or memory. */
static int ann_grow(Ann *a, int want) {
    if (want <= a->cap) {
        return 0;
    }
    if (want > (1 << 28)) {
        return -1;
    }
    int cap = a->cap == 0 ? 64 : a->cap;
    while (cap < want) {
        cap *= 2;
    }
    uint32_t tcap = 1;
    while (tcap < (uint32_t) cap * 2) {
        tcap <<= 1;
    }
    size_t more = (size_t) (cap - a->cap) * ann_slot_bytes(a->dims);
    if (ann_reserve(a, more) != 0) {
        return -1;
    }
    int64_t *rowid = realloc(a->rowid, sizeof(int64_t) * cap);
    if (rowid) a->rowid = rowid;
    uint64_t *hash = realloc(a->hash, sizeof(uint64_t) * cap);
    if (hash) a->hash = hash;
    float *scale = realloc(a->scale, sizeof(float) * cap);
    if (scale) a->scale = scale;
    float *norm2 = realloc(a->norm2, sizeof(float) * cap);
    if (norm2) a->norm2 = norm2;
    uint8_t *flag = realloc(a->flag, cap);
    if (flag) a->flag = flag;
    int8_t *q = realloc(a->q, (size_t) cap * a->dims);
    if (q) a->q = q;
    int32_t *table = calloc(tcap, sizeof(int32_t));
    if (!rowid || !hash || !scale || !norm2 || !flag || !q || !table) {
        free(table);
        return -1; /* what was reallocated stays valid for the old capacity */
    }
    free(a->table);
    a->table = table;
    a->tcap = tcap;
    a->cap = cap;
    for (int s = 0; s < a->n; s++) {
        ann_table_put(a, a->rowid[s], s);
    }
    return 0;
}

/* The int8 form of a float32 vector: unit length first for cosine; returns its flag. */
static int ann_quantize(const float *x, int dims, int metric, int8_t *q, float *scale, float *norm2) {
    double n2 = 0;
    for (int i = 0; i < dims; i++) {
        if (!isfinite(x[i])) {
            return ANN_FLAG_EXACT;
        }
        n2 += (double) x[i] * x[i];
    }
    if (!(n2 > 1e-30) || !(n2 < 1e30)) {
        return ANN_FLAG_EXACT;
    }
    double unit = metric == METRIC_COS ? 1.0 / sqrt(n2) : 1.0;
    double m = 0;
    for (int i = 0; i < dims; i++) {
        double v = fabs(x[i] * unit);
        if (v > m) {
            m = v;
        }
    }
    double s = m / 127.0;
    for (int i = 0; i < dims; i++) {
        double v = x[i] * unit / s;
        q[i] = (int8_t) (v >= 0 ? (int) (v + 0.5) : -(int) (-v + 0.5));
    }
    *scale = (float) s;
    *norm2 = metric == METRIC_COS ? 1.0f : (float) n2;
    return ANN_FLAG_OK;
}

/* Stores (rowid, hash, vector) in slot `s`; vec 0 means the row is not rankable by this index. */
static void ann_fill(Ann *a, int s, int64_t rowid, uint64_t hash, const Vec *vec) {
    a->rowid[s] = rowid;
    a->hash[s] = hash;
    a->scale[s] = 0;
    a->norm2[s] = 0;
    int8_t *q = a->q + (size_t) s * a->dims;
    if (vec == 0) {
        a->flag[s] = ANN_FLAG_SKIP;
        memset(q, 0, a->dims);
    } else {
        a->flag[s] = (uint8_t) ann_quantize((const float *) vec->data, a->dims, a->metric, q, &a->scale[s], &a->norm2[s]);
    }
}

/* Adds or replaces a row; -1 when the copy cannot grow (the row then stays unknown: ranked exactly). */
static int ann_put(Ann *a, int64_t rowid, uint64_t hash, const Vec *vec) {
    int s = ann_lookup(a, rowid);
    if (s < 0) {
        if (ann_grow(a, a->n + 1) != 0) {
            return -1;
        }
        s = a->n++;
        ann_table_put(a, rowid, s);
    }
    ann_fill(a, s, rowid, hash, vec);
    return 0;
}

__attribute__((optimize("O3"))) static int32_t dot_i8(const int8_t *restrict a, const int8_t *restrict b, int n) {
    int32_t sum = 0;
    for (int i = 0; i < n; i++) {
        sum += (int32_t) a[i] * (int32_t) b[i];
    }
    return sum;
}

/* The registered copy for `key`, or 0; ann_lock held. */
static Ann *ann_find_locked(const char *key) {
    Ann *a = ann_head;
    while (a != 0 && strcmp(a->key, key) != 0) {
        a = a->next;
    }
    return a;
}

/* Links an unlinked copy as the most recently used; ann_lock held. */
static void ann_push_front_locked(Ann *a) {
    a->linked = 1;
    a->prev = 0;
    a->next = ann_head;
    if (ann_head) ann_head->prev = a;
    ann_head = a;
    if (ann_tail == 0) ann_tail = a;
}

/* The registered copy for `key`, with a reference taken; 0 if none. */
static Ann *ann_acquire(const char *key) {
    pthread_mutex_lock(&ann_lock);
    Ann *a = ann_find_locked(key);
    if (a != 0) {
        a->refs++;
        if (a != ann_head) { /* most recently used first */
            ann_unlink(a);
            ann_push_front_locked(a);
        }
    }
    pthread_mutex_unlock(&ann_lock);
    return a;
}

static void ann_release(Ann *a) {
    pthread_mutex_lock(&ann_lock);
    int gone = --a->refs == 0 && !a->linked;
    if (gone) {
        ann_used -= a->bytes;
    }
    pthread_mutex_unlock(&ann_lock);
    if (gone) {
        ann_free(a);
    }
}

/* Registers a freshly built copy, replacing any copy of the same key. */
static void ann_install(Ann *a) {
    pthread_mutex_lock(&ann_lock);
    Ann *old = ann_find_locked(a->key);
    if (old != 0) {
        ann_unlink(old);
        if (old->refs == 0) {
            ann_used -= old->bytes;
            ann_free(old);
        }
    }
    ann_push_front_locked(a);
    pthread_mutex_unlock(&ann_lock);
}

typedef struct Cand {
    float d;
    int64_t rowid;
} Cand;

/* equal approximate distances keep the lower rowid, as the exact scan keeps the earlier row */
static int cand_worse(const Cand *a, const Cand *b) {
    return a->d > b->d || (a->d == b->d && a->rowid > b->rowid);
}

static void cand_sift_down(Cand *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cand_worse(&h[l], &h[m])) m = l;
        if (r < n && cand_worse(&h[r], &h[m])) m = r;
        if (m == i) return;
        Cand t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

static void cand_sift_up(Cand *h, int i) {
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!cand_worse(&h[i], &h[p])) return;
        Cand t = h[i]; h[i] = h[p]; h[p] = t;
        i = p;
    }
}

/* Adds an exactly ranked hit to the top-k heap (ties in rowid order, as the exact scan). 0, or -1 out of memory. */
static int topk_push(Hit *heap, int *n, int k, double distance, int64_t rowid) {
    Hit h = {distance, rowid, rowid, 0};
    if (*n == k) {
        if (!hit_worse(&heap[0], &h)) {
            return 0;
        }
        heap[0] = h;
        heap_sift_down(heap, *n, 0);
        return 0;
    }
    heap[(*n)++] = h;
    heap_sift_up(heap, *n - 1);
    return 0;
}

#define ANN_ANSWERED 1
#define ANN_REBUILD 0 /* rank every row exactly and rebuild the copy from that scan */
#define ANN_EXACT 2   /* rank every row exactly, keep the copy */

/*
 * The approximate search: entries_sql reads (rowid, hash) of every index entry the caller sees; row_sql reads one
 * row's vector by rowid. On ANN_ANSWERED, *out holds up to k hits (a heap, unsorted).
 */
static int ann_search(sqlite3 *db, Ann *a, const char *entries_sql, const char *row_sql, const Vec *query, int k,
                      Hit **out, int *out_n, char **err) {
    int result = ANN_EXACT;
    sqlite3_stmt *st = 0;
    int64_t *e_rowid = 0;
    uint64_t *e_hash = 0;
    int n_e = 0, cap_e = 0;
    int *delta = 0; /* entries ranked exactly: indexes into e_rowid/e_hash */
    int n_delta = 0;
    uint8_t *live = 0;
    Cand *cands = 0;
    int n_cands = 0;
    int8_t *qq = 0;
    Hit *heap = 0;
    int n_heap = 0;
    Ann *fresh = 0; /* rows read exactly, to add to the copy afterwards */

    /* 1. the index entries, exactly as the caller sees them (no table row is read) */
    int rc = sqlite3_prepare_v2(db, entries_sql, -1, &st, 0);
    if (rc != SQLITE_OK) {
        goto out; /* e.g. an index expression this code did not rebuild faithfully: rank exactly */
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n_e == cap_e) {
            int grown = cap_e == 0 ? 4096 : cap_e * 2;
            int64_t *r = sqlite3_realloc64(e_rowid, sizeof(int64_t) * (size_t) grown);
            if (r) e_rowid = r;
            uint64_t *h = sqlite3_realloc64(e_hash, sizeof(uint64_t) * (size_t) grown);
            if (h) e_hash = h;
            if (!r || !h) {
                rc = SQLITE_NOMEM;
                break;
            }
            cap_e = grown;
        }
        e_rowid[n_e] = sqlite3_column_int64(st, 0);
        /* a NULL or non-integer entry: a NULL vector, or an entry made before entries held hashes (read the row) */
        e_hash[n_e] = sqlite3_column_type(st, 1) == SQLITE_INTEGER ? (uint64_t) sqlite3_column_int64(st, 1) : 0;
        n_e++;
    }
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_NOMEM) {
            *err = sqlite3_mprintf("out of memory");
            result = -1;
        } else if (rc == SQLITE_INTERRUPT) {
            /* the statement deadline: the caller's error, as in the exact scan */
            *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
            result = -1;
        }
        /* anything else (e.g. the marker refusing a row while SQLite computes an entry it could not read from the
         * index): the exact scan answers, or reports the error in its own words */
        goto out;
    }
    sqlite3_finalize(st);
    st = 0;
    if (n_e < ANN_MIN_ROWS || (int64_t) k * 4 + 40 >= n_e) {
        goto out; /* small, or k close to the whole index: the exact scan is as cheap */
    }
    int r_want = k * 4 + 40;

    /* 2. match against the copy, scan it */
    delta = sqlite3_malloc64(sizeof(int) * (size_t) n_e);
    cands = sqlite3_malloc64(sizeof(Cand) * (size_t) r_want);
    qq = sqlite3_malloc64((size_t) a->dims);
    if (!delta || !cands || !qq) {
        *err = sqlite3_mprintf("out of memory");
        result = -1;
        goto out;
    }
    float qscale = 0, qnorm2 = 0;
    int qflag = ann_quantize((const float *) query->data, a->dims, a->metric, qq, &qscale, &qnorm2);
    if (qflag != ANN_FLAG_OK) {
        goto out; /* a zero or non-finite query: its exact ranking is libSQL's (NaN distances), not approximable */
    }
    pthread_mutex_lock(&a->mu);
    live = sqlite3_malloc64((size_t) a->n + 1);
    if (live == 0) {
        pthread_mutex_unlock(&a->mu);
        *err = sqlite3_mprintf("out of memory");
        result = -1;
        goto out;
    }
    memset(live, 0, (size_t) a->n + 1);
    int n_live = 0;
    int n_unknown = 0;
    for (int i = 0; i < n_e; i++) {
        /* hash 0: a NULL entry (a NULL vector, or an entry made before entries held hashes), known once read */
        int s = ann_lookup(a, e_rowid[i]);
        if (s >= 0 && a->hash[s] == e_hash[i]) {
            if (a->flag[s] == ANN_FLAG_OK) {
                live[s] = 1;
                n_live++;
            } else if (a->flag[s] == ANN_FLAG_EXACT) {
                delta[n_delta++] = i;
            }
        } else {
            delta[n_delta++] = i;
            n_unknown += e_hash[i] != 0;
        }
    }
    if (n_unknown > n_e / 8) {
        pthread_mutex_unlock(&a->mu);
        result = ANN_REBUILD;
        goto out;
    }
    for (int s = 0; s < a->n; s++) {
        if (!live[s]) {
            continue;
        }
        float dot = (float) dot_i8(qq, a->q + (size_t) s * a->dims, a->dims) * qscale * a->scale[s];
        float d = a->metric == METRIC_COS ? 1.0f - dot : qnorm2 + a->norm2[s] - 2.0f * dot;
        if (n_cands < r_want) {
            cands[n_cands].d = d;
            cands[n_cands].rowid = a->rowid[s];
            cand_sift_up(cands, n_cands++);
        } else if (d < cands[0].d || (d == cands[0].d && a->rowid[s] < cands[0].rowid)) {
            cands[0].d = d;
            cands[0].rowid = a->rowid[s];
            cand_sift_down(cands, n_cands, 0);
        }
    }
    /* rows the copy holds but no longer sees (deleted or changed, as seen by this caller): dropped when they are
     * most of it; a caller with an older snapshot then ranks them exactly */
    if (a->n > 2 * n_live + 1024) {
        int w = 0;
        for (int s = 0; s < a->n; s++) {
            if (live[s] || a->flag[s] != ANN_FLAG_OK) {
                if (w != s) {
                    a->rowid[w] = a->rowid[s];
                    a->hash[w] = a->hash[s];
                    a->scale[w] = a->scale[s];
                    a->norm2[w] = a->norm2[s];
                    a->flag[w] = a->flag[s];
                    memcpy(a->q + (size_t) w * a->dims, a->q + (size_t) s * a->dims, (size_t) a->dims);
                }
                w++;
            }
        }
        a->n = w;
        memset(a->table, 0, sizeof(int32_t) * a->tcap);
        for (int s = 0; s < a->n; s++) {
            ann_table_put(a, a->rowid[s], s);
        }
    }
    pthread_mutex_unlock(&a->mu);

    /* 3. exact distances of the candidates and of every row the copy does not know, read on the caller's connection */
    heap = sqlite3_malloc64(sizeof(Hit) * (size_t) k);
    fresh = n_delta > 0 ? ann_new("", a->dims, a->metric) : 0;
    if (heap == 0 || (n_delta > 0 && fresh == 0)) {
        *err = sqlite3_mprintf("out of memory");
        result = -1;
        goto out;
    }
    rc = sqlite3_prepare_v2(db, row_sql, -1, &st, 0);
    if (rc != SQLITE_OK) {
        *err = sqlite3_mprintf("vector index(search): cannot read the index: %s", sqlite3_errmsg(db));
        result = -1;
        goto out;
    }
    for (int i = 0; i < n_cands + n_delta; i++) {
        int known = i < n_cands;
        int64_t rowid = known ? cands[i].rowid : e_rowid[delta[i - n_cands]];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rowid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            continue; /* cannot happen within one read transaction; never a row the caller cannot see */
        }
        if (rc != SQLITE_ROW) {
            *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
            result = -1;
            goto out;
        }
        sqlite3_value *val = sqlite3_column_value(st, 0);
        Vec v;
        v.data = 0;
        int ok = 0;
        if (sqlite3_value_type(val) != SQLITE_NULL) {
            char *ignored = 0;
            ok = vec_from_value(val, VEC_F32, &v, &ignored) == 0;
            sqlite3_free(ignored);
            ok = ok && v.type == VEC_F32 && v.dims == query->dims;
        }
        if (!known) {
            /* keyed by the entry's hash as read (0 for a NULL entry), so the next search matches it */
            ann_put(fresh, rowid, e_hash[delta[i - n_cands]], ok ? &v : 0);
        }
        if (ok) {
            double d = a->metric == METRIC_L2 ? vec_distance_l2(query, &v) : vec_distance_cos(query, &v);
            topk_push(heap, &n_heap, k, d, rowid);
        }
        vec_free(&v);
    }
    sqlite3_finalize(st);
    st = 0;

    /* 4. what was read exactly joins the copy (content-addressed: right for every caller that sees the same entry) */
    if (fresh != 0 && fresh->n > 0) {
        pthread_mutex_lock(&a->mu);
        for (int s = 0; s < fresh->n; s++) {
            int slot = ann_lookup(a, fresh->rowid[s]);
            if (slot < 0) {
                if (ann_grow(a, a->n + 1) != 0) {
                    break;
                }
                slot = a->n++;
                ann_table_put(a, fresh->rowid[s], slot);
            }
            a->rowid[slot] = fresh->rowid[s];
            a->hash[slot] = fresh->hash[s];
            a->scale[slot] = fresh->scale[s];
            a->norm2[slot] = fresh->norm2[s];
            a->flag[slot] = fresh->flag[s];
            memcpy(a->q + (size_t) slot * a->dims, fresh->q + (size_t) s * a->dims, (size_t) a->dims);
        }
        pthread_mutex_unlock(&a->mu);
    }
    *out = heap;
    *out_n = n_heap;
    heap = 0;
    result = ANN_ANSWERED;
out:
    sqlite3_finalize(st);
    sqlite3_free(e_rowid);
    sqlite3_free(e_hash);
    sqlite3_free(delta);
    sqlite3_free(live);
    sqlite3_free(cands);
    sqlite3_free(qq);
    sqlite3_free(heap);
    ann_discard(fresh);
    return result;
}

/* A user column named rowid hides the real rowid from SQL: such tables are ranked exactly. */
static int rowid_shadowed(sqlite3 *db, const char *table) {
    sqlite3_stmt *st = 0;
    int shadowed = 1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_xinfo(?1, 'main') WHERE name = 'rowid' COLLATE NOCASE",
                           -1, &st, 0) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            shadowed = sqlite3_column_int(st, 0) != 0;
        }
    }
    sqlite3_finalize(st);
    return shadowed;
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
    char *index_sql = 0;
    char *ann_key = 0;
    char *entries_sql = 0;
    char *row_sql = 0;
    Ann *builder = 0;

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
        index_sql = sqlite3_mprintf("%s", (const char *) sqlite3_column_text(st, 1));
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

    /* float32 vectors of a rowid table in a database file: the quantized copy (see "the approximate path") */
    const char *file = sqlite3_db_filename(db, "main");
    if (is_rowid && col_type == VEC_F32 && file != 0 && file[0] != 0 && index_sql != 0 && !rowid_shadowed(db, table)) {
        ann_key = sqlite3_mprintf("%s\n%s\n%s\n%s", file, name, index_sql, decl ? decl : "");
        sqlite3_str *e = sqlite3_str_new(db);
        sqlite3_str_appendf(e, "SELECT rowid, " MARKER "(\"%w\"", def.column);
        for (int i = 0; i < def.n_options; i++) {
            sqlite3_str_appendf(e, ", %Q", def.options[i]);
        }
        sqlite3_str_appendf(e, ") FROM main.\"%w\" INDEXED BY \"%w\"", table, name);
        if (def.where) {
            sqlite3_str_appendf(e, " WHERE (%s\n)", def.where);
        }
        entries_sql = sqlite3_str_finish(e);
        row_sql = sqlite3_mprintf("SELECT \"%w\" FROM main.\"%w\" WHERE rowid = ?1", def.column, table);
        if (ann_key == 0 || entries_sql == 0 || row_sql == 0) {
            rc = set_error(cur, 0);
            goto out;
        }
        Ann *a = ann_acquire(ann_key);
        int how = ANN_REBUILD;
        if (a != 0) {
            how = ann_search(db, a, entries_sql, row_sql, &query, k, &heap, &n, &err);
            ann_release(a);
        }
        if (how < 0) {
            rc = set_error(cur, err);
            goto out;
        }
        if (how == ANN_ANSWERED) {
            goto ranked;
        }
        if (how == ANN_REBUILD) {
            builder = ann_new(ann_key, col_dims, opts.metric);
        }
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
            if (builder != 0 && ann_put(builder, sqlite3_column_int64(st, 0), value_hash(sqlite3_column_value(st, 1)), 0) != 0) {
                ann_discard(builder);
                builder = 0;
            }
            continue;
        }
        if (v.type != col_type || v.dims != col_dims) {
            /* libSQL refuses such rows at INSERT; they cannot be ranked against this index */
            vec_free(&v);
            if (builder != 0 && ann_put(builder, sqlite3_column_int64(st, 0), value_hash(sqlite3_column_value(st, 1)), 0) != 0) {
                ann_discard(builder);
                builder = 0;
            }
            continue;
        }
        if (builder != 0 && ann_put(builder, sqlite3_column_int64(st, 0), value_hash(sqlite3_column_value(st, 1)), &v) != 0) {
            /* over the memory budget: this index stays exact */
            ann_discard(builder);
            builder = 0;
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
    if (builder != 0 && builder->n >= ANN_MIN_ROWS) {
        ann_install(builder);
        builder = 0;
    }
ranked:
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
    sqlite3_free(index_sql);
    sqlite3_free(ann_key);
    sqlite3_free(entries_sql);
    sqlite3_free(row_sql);
    ann_discard(builder);
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
