/*
 * The tenant sandbox, enforced by the SQLite engine itself.
 *
 * Compiled into the worker's own build of sqlite-jdbc's native library (beside sqlite-jdbc's NativeDB.c
 * and the SQLite amalgamation, see build.sh): sqlite-jdbc does not reach sqlite3_set_authorizer,
 * sqlite3_db_config or the VFS, and its shipped library hides every sqlite3_* symbol, so these controls
 * can only live in the same shared object as the SQLite the connections use.
 *
 * Per connection (a Guard): an authorizer that refuses pragmas outside the platform's policy wherever they
 * appear (EXPLAIN, pragma_* table-valued functions, schema-qualified), forbidden functions (pointers,
 * files, extensions) at prepare time, ATTACH of any file and every DETACH, and virtual-table modules
 * outside an allowlist; SQLite's defensive mode; sqlite3_limit bounds; a statement deadline checked by a
 * progress handler; and a byte budget for the connection's temporary files (TEMP tables, sort spills,
 * materialisations, statement journals), enforced by a VFS shim that answers SQLITE_FULL past it.
 *
 * The Java side is dev.libsqlplatform.dataplane.storage.NativeSandbox.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "sqlite3.h"
#include "vector.h"

#define JNI_FN(name) Java_dev_libsqlplatform_dataplane_storage_NativeSandbox_##name

/* Progress handler period in virtual-machine instructions: about 10 us of work, so a deadline is noticed
 * within well under a millisecond while the clock read stays invisible in the cost of a statement. */
#define PROGRESS_OPS 1000

#define FLAG_TIMED_OUT 1
#define FLAG_TEMP_FULL 2
#define FLAG_DENIED 4

typedef struct Guard {
    volatile int enforcing;       /* 0 while the platform itself runs maintenance on the connection */
    volatile int64_t deadline;    /* CLOCK_MONOTONIC nanoseconds (System.nanoTime()); 0 = none */
    volatile int flags;           /* FLAG_* raised since the last enter() */
    int64_t temp_limit;           /* bytes of temporary files this connection may hold */
    int64_t temp_used;
    char denial[240];             /* why the authorizer refused, for a clear client error */
} Guard;

/* ---- policy (set once from Java: sql.SqlPolicy is the single source) --------------------------------- */

typedef struct Names {
    int n;
    char **v;
} Names;

static Names pragmas_read;       /* readable, no argument */
static Names pragmas_read_arg;   /* readable with an object-name argument (table_info(t)) */
static Names pragmas_set;        /* settable by tenants */
static Names functions_denied;
static Names modules_allowed;

static int names_has(const Names *names, const char *s) {
    if (s == 0) {
        return 0;
    }
    for (int i = 0; i < names->n; i++) {
        if (strcasecmp(names->v[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

static void names_set(JNIEnv *env, Names *names, jobjectArray arr) {
    for (int i = 0; i < names->n; i++) {
        free(names->v[i]);
    }
    free(names->v);
    names->n = 0;
    names->v = 0;
    jsize n = arr == 0 ? 0 : (*env)->GetArrayLength(env, arr);
    names->v = calloc(n > 0 ? (size_t) n : 1, sizeof(char *));
    for (jsize i = 0; i < n; i++) {
        jstring s = (jstring) (*env)->GetObjectArrayElement(env, arr, i);
        const char *utf = (*env)->GetStringUTFChars(env, s, 0);
        names->v[i] = strdup(utf);
        (*env)->ReleaseStringUTFChars(env, s, utf);
        (*env)->DeleteLocalRef(env, s);
    }
    names->n = n;
}

/* ---- authorizer ---------------------------------------------------------------------------------------- */

static int deny(Guard *g, const char *what, const char *name, const char *why) {
    sqlite3_snprintf((int) sizeof(g->denial), g->denial, "%s%s%s is not allowed on this server%s", what,
                     name ? " " : "", name ? name : "", why ? why : "");
    g->flags |= FLAG_DENIED;
    return SQLITE_DENY;
}

static int authorize_pragma(Guard *g, const char *name, const char *arg, const char *schema) {
    if (schema != 0 && strcasecmp(schema, "main") != 0 && strcasecmp(schema, "temp") != 0) {
        return deny(g, "PRAGMA on schema", schema, ": only main is reachable");
    }
    if (names_has(&pragmas_set, name) || names_has(&pragmas_read_arg, name)) {
        return SQLITE_OK;
    }
    if (names_has(&pragmas_read, name)) {
        if (arg == 0) {
            return SQLITE_OK;
        }
        sqlite3_snprintf((int) sizeof(g->denial), g->denial,
                         "setting PRAGMA %s is not allowed on this server", name);
        g->flags |= FLAG_DENIED;
        return SQLITE_DENY;
    }
    return deny(g, "PRAGMA", name, 0);
}

static int authorize(void *user, int action, const char *a1, const char *a2, const char *schema,
                     const char *inner) {
    (void) inner;
    Guard *g = (Guard *) user;
    if (!g->enforcing) {
        return SQLITE_OK;
    }
    switch (action) {
        case SQLITE_PRAGMA:
            return authorize_pragma(g, a1, a2, schema);
        case SQLITE_ATTACH:
            /* plain VACUUM attaches an anonymous temporary copy (''); every named file is another tenant's */
            if (a1 != 0 && a1[0] == 0) {
                return SQLITE_OK;
            }
            return deny(g, "ATTACH", 0, ": a database can only reach its own file");
        case SQLITE_DETACH:
            return deny(g, "DETACH", 0, ": a database can only reach its own file");
        case SQLITE_FUNCTION:
            if (names_has(&functions_denied, a2)) {
                return deny(g, "the SQL function", a2, 0);
            }
            return SQLITE_OK;
        case SQLITE_READ:
        case SQLITE_INSERT:
        case SQLITE_UPDATE:
        case SQLITE_DELETE:
            /* raw pages: only the platform applies pages (offline pushes), with this authorizer switched off */
            if (a1 != 0 && strcasecmp(a1, "sqlite_dbpage") == 0) {
                return deny(g, "the table", a1, 0);
            }
            return SQLITE_OK;
        case SQLITE_CREATE_VTABLE:
        case SQLITE_DROP_VTABLE:
            if (!names_has(&modules_allowed, a2)) {
                return deny(g, "the virtual table module", a2, 0);
            }
            return SQLITE_OK;
        default:
            return SQLITE_OK;
    }
}

/* ---- statement deadline ------------------------------------------------------------------------------- */

static int64_t now_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int on_progress(void *user) {
    Guard *g = (Guard *) user;
    int64_t deadline = g->deadline;
    if (deadline != 0 && now_nanos() - deadline > 0) {
        g->flags |= FLAG_TIMED_OUT;
        return 1; /* SQLITE_INTERRUPT: the statement (and an implicit transaction) is rolled back */
    }
    return 0;
}

/* ---- temporary-file budget: a VFS shim over the default VFS ------------------------------------------- */

/* The guard of the statement this thread is stepping, set by enter(): SQLite opens temporary files on the
 * stepping thread and gives xOpen no connection, so the file binds to the guard current at open. */
static __thread Guard *current_guard;

static sqlite3_vfs *base_vfs;
static sqlite3_vfs shim_vfs;

typedef struct TempFile {
    sqlite3_file base;            /* pMethods = temp_methods */
    Guard *guard;                 /* null: not metered (the platform's own work) */
    sqlite3_int64 size;           /* high-water mark charged to the guard */
    sqlite3_file *real;           /* the base VFS file, allocated right after this struct */
} TempFile;

static sqlite3_io_methods temp_methods;

static int charge(TempFile *f, sqlite3_int64 new_size) {
    if (f->guard == 0 || new_size <= f->size) {
        return SQLITE_OK;
    }
    Guard *g = f->guard;
    sqlite3_int64 delta = new_size - f->size;
    if (__atomic_add_fetch(&g->temp_used, delta, __ATOMIC_RELAXED) > g->temp_limit) {
        __atomic_sub_fetch(&g->temp_used, delta, __ATOMIC_RELAXED);
        g->flags |= FLAG_TEMP_FULL;
        return SQLITE_FULL;
    }
    f->size = new_size;
    return SQLITE_OK;
}

static void refund(TempFile *f, sqlite3_int64 new_size) {
    if (f->guard != 0 && new_size < f->size) {
        __atomic_sub_fetch(&f->guard->temp_used, f->size - new_size, __ATOMIC_RELAXED);
        f->size = new_size;
    }
}

static int t_close(sqlite3_file *p) {
    TempFile *f = (TempFile *) p;
    refund(f, 0);
    return f->real->pMethods->xClose(f->real);
}
static int t_read(sqlite3_file *p, void *buf, int amt, sqlite3_int64 off) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xRead(f->real, buf, amt, off);
}
static int t_write(sqlite3_file *p, const void *buf, int amt, sqlite3_int64 off) {
    TempFile *f = (TempFile *) p;
    int rc = charge(f, off + amt);
    if (rc != SQLITE_OK) {
        return rc;
    }
    return f->real->pMethods->xWrite(f->real, buf, amt, off);
}
static int t_truncate(sqlite3_file *p, sqlite3_int64 size) {
    TempFile *f = (TempFile *) p;
    int rc = f->real->pMethods->xTruncate(f->real, size);
    if (rc == SQLITE_OK) {
        refund(f, size);
    }
    return rc;
}
static int t_sync(sqlite3_file *p, int flags) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xSync(f->real, flags);
}
static int t_file_size(sqlite3_file *p, sqlite3_int64 *size) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xFileSize(f->real, size);
}
static int t_lock(sqlite3_file *p, int lock) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xLock(f->real, lock);
}
static int t_unlock(sqlite3_file *p, int lock) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xUnlock(f->real, lock);
}
static int t_check_reserved(sqlite3_file *p, int *out) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}
static int t_file_control(sqlite3_file *p, int op, void *arg) {
    TempFile *f = (TempFile *) p;
    if (op == SQLITE_FCNTL_SIZE_HINT) {
        /* pre-allocation is growth too */
        int rc = charge(f, *(sqlite3_int64 *) arg);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    return f->real->pMethods->xFileControl(f->real, op, arg);
}
static int t_sector_size(sqlite3_file *p) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xSectorSize(f->real);
}
static int t_device_characteristics(sqlite3_file *p) {
    TempFile *f = (TempFile *) p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int is_temporary(const char *name, int flags) {
    return name == 0 || (flags & (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TRANSIENT_DB
                                  | SQLITE_OPEN_SUBJOURNAL)) != 0;
}

static int shim_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    (void) vfs;
    if (!is_temporary(name, flags)) {
        /* database, WAL and journal files go straight to the base VFS: no cost on the hot path */
        return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
    }
    TempFile *f = (TempFile *) file;
    memset(f, 0, sizeof(TempFile));
    f->real = (sqlite3_file *) (f + 1);
    int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || f->real->pMethods == 0) {
        f->base.pMethods = 0;
        return rc;
    }
    f->guard = current_guard;
    f->base.pMethods = &temp_methods;
    return SQLITE_OK;
}

static int shim_delete(sqlite3_vfs *v, const char *n, int s) { (void) v; return base_vfs->xDelete(base_vfs, n, s); }
static int shim_access(sqlite3_vfs *v, const char *n, int f, int *o) { (void) v; return base_vfs->xAccess(base_vfs, n, f, o); }
static int shim_full_pathname(sqlite3_vfs *v, const char *n, int l, char *o) { (void) v; return base_vfs->xFullPathname(base_vfs, n, l, o); }
static void *shim_dlopen(sqlite3_vfs *v, const char *n) { (void) v; (void) n; return 0; /* never loads code */ }
static void shim_dlerror(sqlite3_vfs *v, int l, char *o) { (void) v; sqlite3_snprintf(l, o, "extensions are disabled"); }
static void (*shim_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void) v; (void) h; (void) s; return 0; }
static void shim_dlclose(sqlite3_vfs *v, void *h) { (void) v; (void) h; }
static int shim_randomness(sqlite3_vfs *v, int n, char *o) { (void) v; return base_vfs->xRandomness(base_vfs, n, o); }
static int shim_sleep(sqlite3_vfs *v, int us) { (void) v; return base_vfs->xSleep(base_vfs, us); }
static int shim_current_time(sqlite3_vfs *v, double *o) { (void) v; return base_vfs->xCurrentTime(base_vfs, o); }
static int shim_last_error(sqlite3_vfs *v, int n, char *o) { (void) v; return base_vfs->xGetLastError(base_vfs, n, o); }
static int shim_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *o) { (void) v; return base_vfs->xCurrentTimeInt64(base_vfs, o); }

static int install_vfs(void) {
    if (base_vfs != 0) {
        return SQLITE_OK;
    }
    sqlite3_vfs *base = sqlite3_vfs_find(0);
    if (base == 0) {
        return SQLITE_ERROR;
    }
    temp_methods.iVersion = 1; /* no mmap/shm for temporary files: they are never shared */
    temp_methods.xClose = t_close;
    temp_methods.xRead = t_read;
    temp_methods.xWrite = t_write;
    temp_methods.xTruncate = t_truncate;
    temp_methods.xSync = t_sync;
    temp_methods.xFileSize = t_file_size;
    temp_methods.xLock = t_lock;
    temp_methods.xUnlock = t_unlock;
    temp_methods.xCheckReservedLock = t_check_reserved;
    temp_methods.xFileControl = t_file_control;
    temp_methods.xSectorSize = t_sector_size;
    temp_methods.xDeviceCharacteristics = t_device_characteristics;

    shim_vfs = *base;
    shim_vfs.iVersion = 2;
    shim_vfs.szOsFile = (int) sizeof(TempFile) + base->szOsFile;
    shim_vfs.zName = "platform-tenant";
    shim_vfs.pNext = 0;
    shim_vfs.xOpen = shim_open;
    shim_vfs.xDelete = shim_delete;
    shim_vfs.xAccess = shim_access;
    shim_vfs.xFullPathname = shim_full_pathname;
    shim_vfs.xDlOpen = shim_dlopen;
    shim_vfs.xDlError = shim_dlerror;
    shim_vfs.xDlSym = shim_dlsym;
    shim_vfs.xDlClose = shim_dlclose;
    shim_vfs.xRandomness = shim_randomness;
    shim_vfs.xSleep = shim_sleep;
    shim_vfs.xCurrentTime = shim_current_time;
    shim_vfs.xGetLastError = shim_last_error;
    shim_vfs.xCurrentTimeInt64 = shim_current_time_int64;
    base_vfs = base;
    /* the default VFS: sqlite-jdbc opens with a null VFS name, so every connection of this process gets it */
    return sqlite3_vfs_register(&shim_vfs, 1);
}

/* ---- JNI ------------------------------------------------------------------------------------------------ */

JNIEXPORT jstring JNICALL JNI_FN(engineVersion)(JNIEnv *env, jclass cls) {
    (void) cls;
    return (*env)->NewStringUTF(env, sqlite3_libversion());
}

JNIEXPORT jint JNICALL JNI_FN(configure)(JNIEnv *env, jclass cls, jobjectArray read, jobjectArray read_arg,
                                         jobjectArray set, jobjectArray denied_functions,
                                         jobjectArray allowed_modules) {
    (void) cls;
    names_set(env, &pragmas_read, read);
    names_set(env, &pragmas_read_arg, read_arg);
    names_set(env, &pragmas_set, set);
    names_set(env, &functions_denied, denied_functions);
    names_set(env, &modules_allowed, allowed_modules);
    return install_vfs();
}

static sqlite3 *handle_of(JNIEnv *env, jobject native_db) {
    jclass c = (*env)->GetObjectClass(env, native_db);
    jfieldID f = (*env)->GetFieldID(env, c, "pointer", "J");
    if (f == 0) {
        return 0;
    }
    return (sqlite3 *) (intptr_t) (*env)->GetLongField(env, native_db, f);
}

/* limits: pairs of (SQLITE_LIMIT_* id, value). Returns the guard, or 0 with an exception pending. */
JNIEXPORT jlong JNICALL JNI_FN(install)(JNIEnv *env, jclass cls, jobject native_db, jintArray limits) {
    (void) cls;
    sqlite3 *db = handle_of(env, native_db);
    if (db == 0) {
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"),
                         "the connection has no open sqlite3 handle");
        return 0;
    }
    Guard *g = calloc(1, sizeof(Guard));
    if (g == 0) {
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "sandbox guard");
        return 0;
    }
    int rc = SQLITE_OK;
    int ignored;
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &ignored);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &ignored);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &ignored);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, &ignored);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0, &ignored);
    /* VACUUM raises both flags for its own temporary copy; anything else attached could neither be created
     * nor written */
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, 0, &ignored);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, 0, &ignored);
    rc |= platform_vector_install(db); /* libSQL's vector functions and index (vector.c, vector_index.c) */
    if (rc != SQLITE_OK) {
        free(g);
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"),
                         "sqlite3_db_config refused a sandbox option");
        return 0;
    }
    if (limits != 0) {
        jsize n = (*env)->GetArrayLength(env, limits);
        jint *v = (*env)->GetIntArrayElements(env, limits, 0);
        for (jsize i = 0; i + 1 < n; i += 2) {
            sqlite3_limit(db, v[i], v[i + 1]);
        }
        (*env)->ReleaseIntArrayElements(env, limits, v, JNI_ABORT);
    }
    g->temp_limit = INT64_MAX;
    g->enforcing = 1;
    sqlite3_set_authorizer(db, authorize, g);
    sqlite3_progress_handler(db, PROGRESS_OPS, on_progress, g);
    return (jlong) (intptr_t) g;
}

JNIEXPORT void JNICALL JNI_FN(setEnforcing)(JNIEnv *env, jclass cls, jlong guard, jboolean on) {
    (void) env;
    (void) cls;
    ((Guard *) (intptr_t) guard)->enforcing = on ? 1 : 0;
}

JNIEXPORT void JNICALL JNI_FN(enter)(JNIEnv *env, jclass cls, jlong guard, jlong deadline, jlong temp_limit) {
    (void) env;
    (void) cls;
    Guard *g = (Guard *) (intptr_t) guard;
    g->deadline = deadline;
    g->temp_limit = temp_limit > 0 ? temp_limit : INT64_MAX;
    g->flags = 0;
    g->denial[0] = 0;
    current_guard = g;
}

static sqlite3_int64 rows_scanned(sqlite3_stmt *s);

/*
 * After the statement: clears the guard's deadline and returns its flags raised since enter (low 8 bits; guard 0 =
 * a connection without the sandbox) and, when stmt is not 0, the rows it scanned since the previous count (the
 * bits above: rows_scanned, then reset). One call per statement for both, not a second JNI call for the counters.
 */
JNIEXPORT jlong JNICALL JNI_FN(leave)(JNIEnv *env, jclass cls, jlong guard, jlong stmt) {
    (void) env;
    (void) cls;
    Guard *g = (Guard *) (intptr_t) guard;
    int flags = 0;
    if (g != 0) { /* 0: a connection without the sandbox (benchmark switch), counted all the same */
        g->deadline = 0;
        current_guard = 0;
        flags = g->flags & 0xFF;
    }
    sqlite3_int64 rows = stmt == 0 ? 0 : rows_scanned((sqlite3_stmt *) (intptr_t) stmt);
    return (jlong) ((rows << 8) | flags);
}

JNIEXPORT jstring JNICALL JNI_FN(denial)(JNIEnv *env, jclass cls, jlong guard) {
    (void) cls;
    Guard *g = (Guard *) (intptr_t) guard;
    if (g->denial[0] == 0) {
        return 0;
    }
    return (*env)->NewStringUTF(env, g->denial);
}

JNIEXPORT jlong JNICALL JNI_FN(tempBytes)(JNIEnv *env, jclass cls, jlong guard) {
    (void) env;
    (void) cls;
    return __atomic_load_n(&((Guard *) (intptr_t) guard)->temp_used, __ATOMIC_RELAXED);
}

/* After the connection is closed: its temporary files are closed (refunded) and nothing calls back. */
JNIEXPORT void JNICALL JNI_FN(release)(JNIEnv *env, jclass cls, jlong guard) {
    (void) env;
    (void) cls;
    free((Guard *) (intptr_t) guard);
}

/*
 * Rows scanned by a statement since the last call (then reset): the sum over the statement's loops of
 * SQLITE_SCANSTAT_NVISIT, i.e. every row a full scan stepped through and every entry an index search or
 * index range visited, in every table of a join and every subquery. Loops over SQLite's own tables
 * (sqlite_schema, sqlite_sequence, sqlite_stat*) are free, as Turso counts them; automatic indexes of tenant
 * tables (sqlite_autoindex_*) count. Needs SQLITE_ENABLE_STMT_SCANSTATUS (build.sh).
 */
static sqlite3_int64 rows_scanned(sqlite3_stmt *s) {
    sqlite3_int64 total = 0;
    for (int i = 0;; i++) {
        sqlite3_int64 visited = 0;
        const char *name = 0;
        if (sqlite3_stmt_scanstatus_v2(s, i, SQLITE_SCANSTAT_NVISIT, 0, &visited) != 0) {
            break;
        }
        if (sqlite3_stmt_scanstatus_v2(s, i, SQLITE_SCANSTAT_NAME, 0, &name) == 0 && name != 0
                && strncasecmp(name, "sqlite_", 7) == 0 && strncasecmp(name, "sqlite_autoindex_", 17) != 0) {
            continue;
        }
        total += visited;
    }
    sqlite3_stmt_scanstatus_reset(s);
    return total;
}
