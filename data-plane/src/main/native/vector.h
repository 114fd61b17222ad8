/*
 * libSQL's vector SQL on the worker's stock SQLite: the value formats and scalar functions (vector.c) and the
 * vector index (vector_index.c). See vector.c for the blob formats; the README's "libSQL SQL" section for what
 * is supported and what differs.
 */
#ifndef PLATFORM_VECTOR_H
#define PLATFORM_VECTOR_H

#include <stdint.h>
#include "sqlite3.h"

/* Type ids: the trailing byte of non-float32 blobs, and the numbers in libSQL's error messages. */
#define VEC_F32 1
#define VEC_F64 2
#define VEC_1BIT 3
#define VEC_F8 4
#define VEC_F16 5
#define VEC_BF16 6

/* libSQL's MAX_VECTOR_SZ: the most dimensions any vector may have. */
#define VEC_MAX_DIMS 65536

typedef struct Vec {
    int type;
    int dims;
    unsigned char *data; /* vec_data_size(type, dims) bytes, little-endian element layout as stored in blobs */
} Vec;

size_t vec_data_size(int type, int dims);

/* Parses a TEXT ('[1,2]') or BLOB value into a newly allocated vector. type_hint applies to text only
 * (VEC_F32 or VEC_F64). Returns 0, or -1 with *err set to an sqlite3_malloc'ed message. */
int vec_from_value(sqlite3_value *v, int type_hint, Vec *out, char **err);
void vec_free(Vec *v);

/* Distances with libSQL's arithmetic (single precision results); both vectors of the same type and dims. */
float vec_distance_cos(const Vec *a, const Vec *b);
float vec_distance_l2(const Vec *a, const Vec *b);

/* Registers the scalar functions (vector.c) and the index marker + vector_top_k (vector_index.c) on a
 * connection. Called for every tenant connection by the sandbox install; never loadable by tenants. */
int platform_vector_install(sqlite3 *db);
int platform_vector_index_install(sqlite3 *db);

#endif
