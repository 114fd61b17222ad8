#!/usr/bin/env bash
# Builds the worker's SQLite engine: sqlite-jdbc's own JNI glue (NativeDB.c, from the sqlite-jdbc sources
# jar of the exact version on the classpath), the SQLite amalgamation, and the tenant sandbox
# (tenant_sandbox.c) with libSQL's vector SQL (vector.c, vector_index.c), linked into one libsqlitejdbc.so that sqlite-jdbc loads instead of its bundled one.
# Why: see tenant_sandbox.c and the README's Security section.
#
#   build.sh <dir with org/sqlite/core/NativeDB.c> <output dir>
#
# The amalgamation comes from the npm registry (better-sqlite3's package bundles the official, unmodified
# sqlite3.c), fetched with curl and checked against the registry's pinned sha512; one reviewed source patch,
# sqlite-random-rowid.patch (libSQL's RANDOM ROWID, see its header), is then applied with `patch --fuzz=0`,
# only to the exact sqlite3.c it was made for (SQLITE_C_SHA256). Results are cached under
# ${LIBSQL_PLATFORM_CACHE:-~/.cache/libsql-platform}, keyed by the hash of every input, so only the first
# build on a machine compiles SQLite (about a minute).
set -euo pipefail

NATIVEDB_DIR="$1"
OUT_DIR="$2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The SQLite release the workers run, as bundled by this better-sqlite3 version.
AMALGAMATION_PACKAGE="better-sqlite3-13.2.0.tgz"
AMALGAMATION_SHA512="Z8Q/9x/uNyKxA1v4FNodyItRVRw1TeKBrmj32JhxhR0ceNcBY+wMobt/Bv7M7TzwPAXjnZRtNaEsATnUZSKWZQ=="
SQLITE_VERSION="3.54.1"
# sha256 of that release's sqlite3.c, the one file sqlite-random-rowid.patch was made against
SQLITE_C_SHA256="75a4760a7b9727a4c4c877aec92eacf39e52a8f2921ce00bd33be6d3a8e8e254"
PATCH_FILE="$HERE/sqlite-random-rowid.patch"
REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org/}"

CACHE="${LIBSQL_PLATFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libsql-platform}"
say() { printf '[native] %s\n' "$*"; }
die() { printf '[native] ERROR: %s\n' "$*" >&2; exit 1; }

command -v gcc >/dev/null 2>&1 || die "gcc is missing (bin/run and bin/test install it: apt-get install gcc)"
command -v patch >/dev/null 2>&1 || die "patch is missing (bin/run and bin/test install it: apt-get install patch)"
[ -f "$NATIVEDB_DIR/org/sqlite/core/NativeDB.c" ] || die "NativeDB.c not found under $NATIVEDB_DIR"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=linux-x86_64 ;;
  Linux-aarch64) PLATFORM=linux-aarch64 ;;
  *) die "unsupported platform $(uname -s)-$(uname -m)" ;;
esac

JAVA_HOME_DIR="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")}"
[ -f "$JAVA_HOME_DIR/include/jni.h" ] || die "jni.h not found under $JAVA_HOME_DIR/include (set JAVA_HOME to a JDK)"

# --- the amalgamation --------------------------------------------------------------------------------------
SRC="$CACHE/sqlite-$SQLITE_VERSION"
if [ ! -f "$SRC/sqlite3.c" ]; then
  say "fetching the SQLite $SQLITE_VERSION amalgamation ($AMALGAMATION_PACKAGE from $REGISTRY)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  curl -fsSL --retry 3 -o "$tmp/pkg.tgz" "${REGISTRY%/}/better-sqlite3/-/$AMALGAMATION_PACKAGE" \
    || die "cannot download $AMALGAMATION_PACKAGE from $REGISTRY"
  actual="$(openssl dgst -sha512 -binary "$tmp/pkg.tgz" 2>/dev/null | base64 -w0 || true)"
  [ "$actual" = "$AMALGAMATION_SHA512" ] || die "$AMALGAMATION_PACKAGE does not match its pinned sha512"
  tar -xzf "$tmp/pkg.tgz" -C "$tmp" package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
  grep -q "#define SQLITE_VERSION *\"$SQLITE_VERSION\"" "$tmp/package/deps/sqlite3/sqlite3.h" \
    || die "$AMALGAMATION_PACKAGE does not bundle SQLite $SQLITE_VERSION"
  mkdir -p "$SRC.partial"
  cp "$tmp/package/deps/sqlite3/sqlite3.c" "$tmp/package/deps/sqlite3/sqlite3.h" "$SRC.partial/"
  rm -rf "$SRC" && mv "$SRC.partial" "$SRC"
fi

# --- libSQL's RANDOM ROWID: the one source patch ------------------------------------------------------------
patch_hash="$(sha256sum "$PATCH_FILE" | cut -c1-16)"
PATCHED="$CACHE/sqlite-$SQLITE_VERSION-libsql-$patch_hash"
if [ ! -f "$PATCHED/sqlite3.c" ]; then
  [ "$(sha256sum "$SRC/sqlite3.c" | cut -c1-64)" = "$SQLITE_C_SHA256" ] \
    || die "$SRC/sqlite3.c is not the SQLite $SQLITE_VERSION that sqlite-random-rowid.patch was made against"
  rm -rf "$PATCHED.partial" && mkdir -p "$PATCHED.partial"
  cp "$SRC/sqlite3.c" "$SRC/sqlite3.h" "$PATCHED.partial/"
  patch --batch --quiet --fuzz=0 --no-backup-if-mismatch -p1 -d "$PATCHED.partial" < "$PATCH_FILE" \
    || die "sqlite-random-rowid.patch does not apply cleanly to SQLite $SQLITE_VERSION"
  rm -rf "$PATCHED" && mv "$PATCHED.partial" "$PATCHED"
fi

# --- compile options ---------------------------------------------------------------------------------------
# sqlite-jdbc's own feature set (FTS3/4/5, R*Tree, JSON, math, STAT4, dbstat, column metadata), plus:
#  - SQLITE_DEFAULT_WORKER_THREADS=0 / MAX_WORKER_THREADS=0: sorts never start helper threads;
#  - SQLITE_MAX_ATTACHED=1: only VACUUM's own temporary copy can ever be attached;
#  - SQLITE_DQS=3: double-quoted strings as stock SQLite (clients depend on it);
#  - SQLITE_ENABLE_STMT_SCANSTATUS: rows scanned per statement (read in NativeSandbox.leave), what usage counts as rows read;
#    no_hwtime.h (force-included into sqlite3.c only) drops the rdtsc pair it adds to every VDBE opcode for cycle counts;
#  - SQLITE_ENABLE_DBPAGE_VTAB: sqlite_dbpage, through which the platform applies pages pushed by offline replicas
#    (storage/PushedPages); tenants never reach it (tenant_sandbox.c refuses the table, defensive mode its writes).
# Extension loading stays compiled (NativeDB.c calls sqlite3_enable_load_extension) but is switched off per
# connection, the VFS cannot open libraries, and load_extension() is refused by the authorizer.
SQLITE_FLAGS=(
  -DSQLITE_THREADSAFE=1 -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_DEFAULT_FILE_PERMISSIONS=0600
  -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4
  -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_STAT4 -DSQLITE_ENABLE_DBSTAT_VTAB
  -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_PERCENTILE -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT
  -DSQLITE_ENABLE_LOAD_EXTENSION=1 -DSQLITE_HAVE_ISNAN -DHAVE_USLEEP=1 -DSQLITE_CORE
  -DSQLITE_DEFAULT_WORKER_THREADS=0 -DSQLITE_MAX_WORKER_THREADS=0 -DSQLITE_MAX_ATTACHED=1
  -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_DQS=3 -DSQLITE_ENABLE_STMT_SCANSTATUS -DSQLITE_ENABLE_DBPAGE_VTAB
)
CFLAGS=(-O2 -fPIC -fvisibility=hidden -fno-strict-aliasing -I"$PATCHED" -I"$JAVA_HOME_DIR/include" -I"$JAVA_HOME_DIR/include/linux")

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
flags_hash="$( { printf '%s\n' "${SQLITE_FLAGS[@]}" "${CFLAGS[@]}"; cat "$HERE/no_hwtime.h"; } | sha256sum | cut -c1-16)"

# SQLite itself (the slow part) is cached apart from the glue, which changes more often.
SQLITE_OBJ="$CACHE/obj/sqlite3-$SQLITE_VERSION-$flags_hash-$patch_hash.o"
if [ ! -f "$SQLITE_OBJ" ]; then
  mkdir -p "$CACHE/obj"
  say "compiling SQLite $SQLITE_VERSION (once per machine, about a minute)"
  gcc "${CFLAGS[@]}" "${SQLITE_FLAGS[@]}" -include "$HERE/no_hwtime.h" -c "$PATCHED/sqlite3.c" -o "$SQLITE_OBJ.partial"
  mv "$SQLITE_OBJ.partial" "$SQLITE_OBJ"
fi

glue_hash="$(hash_of "$NATIVEDB_DIR/org/sqlite/core/NativeDB.c" "$HERE/tenant_sandbox.c" "$HERE/vector.h" "$HERE/vector.c" \
  "$HERE/vector_index.c" "$HERE/libsql_alter.c" "$HERE/build.sh")"
LIB="$CACHE/lib/$PLATFORM-$SQLITE_VERSION-$flags_hash-$patch_hash-$glue_hash/libsqlitejdbc.so"
if [ ! -f "$LIB" ]; then
  work="$(mktemp -d)"
  # NativeDB.c includes the javah header only for its prototypes; JNIEXPORT on each definition is enough
  printf '#include <jni.h>\n' > "$work/NativeDB.h"
  gcc "${CFLAGS[@]}" "${SQLITE_FLAGS[@]}" -I"$work" -c "$NATIVEDB_DIR/org/sqlite/core/NativeDB.c" -o "$work/NativeDB.o"
  gcc "${CFLAGS[@]}" "${SQLITE_FLAGS[@]}" -Wall -Wextra -Werror -c "$HERE/tenant_sandbox.c" -o "$work/tenant_sandbox.o"
  # libSQL's vector functions and index (vector.c, vector_index.c): registered on every tenant connection
  gcc "${CFLAGS[@]}" "${SQLITE_FLAGS[@]}" -Wall -Wextra -Werror -c "$HERE/vector.c" -o "$work/vector.o"
  gcc "${CFLAGS[@]}" "${SQLITE_FLAGS[@]}" -Wall -Wextra -Werror -c "$HERE/vector_index.c" -o "$work/vector_index.o"
  gcc "${CFLAGS[@]}" "${SQLITE_FLAGS[@]}" -Wall -Wextra -Werror -c "$HERE/libsql_alter.c" -o "$work/libsql_alter.o"
  mkdir -p "$(dirname "$LIB")"
  gcc -shared -o "$LIB.partial" "$work/NativeDB.o" "$work/tenant_sandbox.o" "$work/vector.o" "$work/vector_index.o" "$work/libsql_alter.o" \
    "$SQLITE_OBJ" -lpthread -lm
  mv "$LIB.partial" "$LIB"
  rm -rf "$work"
  say "built $LIB"
fi

mkdir -p "$OUT_DIR/$PLATFORM"
cp "$LIB" "$OUT_DIR/$PLATFORM/libsqlitejdbc.so"
printf '%s\n' "$SQLITE_VERSION" > "$OUT_DIR/$PLATFORM/sqlite-version"
