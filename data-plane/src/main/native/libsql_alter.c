/*
 * The one native step of libSQL's ALTER TABLE ... ALTER COLUMN ... TO ... on stock SQLite (storage AlterColumns):
 * the sandbox keeps every tenant connection in defensive mode, which forbids writing sqlite_schema; the platform
 * lifts it for the length of its own schema rewrite, inside a savepoint, and puts it back.
 */
#include <jni.h>
#include <stdint.h>
#include "sqlite3.h"

JNIEXPORT jint JNICALL Java_dev_libsqlplatform_dataplane_storage_AlterColumns_schemaWritable(JNIEnv *env, jclass cls,
                                                                                              jobject native_db,
                                                                                              jboolean writable) {
    (void) cls;
    jclass c = (*env)->GetObjectClass(env, native_db);
    jfieldID f = (*env)->GetFieldID(env, c, "pointer", "J");
    if (f == 0) {
        return SQLITE_MISUSE;
    }
    sqlite3 *db = (sqlite3 *) (intptr_t) (*env)->GetLongField(env, native_db, f);
    if (db == 0) {
        return SQLITE_MISUSE;
    }
    int ignored;
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, writable ? 0 : 1, &ignored);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, writable ? 1 : 0, &ignored);
    return rc;
}
