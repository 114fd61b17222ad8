/*
 * libSQL's vector values and scalar functions, written for the worker's stock SQLite.
 *
 * Why here: tenants migrating from Turso store embeddings with vector32('[...]') and rank them with
 * vector_distance_cos; the blobs must be byte-for-byte libSQL's so a file moves between Turso and this platform
 * unchanged, and the results must be libSQL's to the last bit (the differential tests compare them with the npm
 * libsql engine). The arithmetic therefore follows libSQL's exactly: single-precision accumulation, every
 * distance returned through a float, the same float16/bfloat16/float8 rounding.
 *
 * Blob formats (little-endian elements, optional trailing type byte = VEC_*):
 *   float32   [f32 * dims] [1]?                      an even-length blob without a type byte is float32
 *   float64   [f64 * dims] [2]
 *   float16   [u16 * dims] [5]          bfloat16   [u16 * dims] [6]
 *   float1bit [bits, (dims+7)/8 bytes] [0 if that count is even] [trailing bits] [3]
 *             (dims = 8 * (length - 1) - trailing bits)
 *   float8    [u8 * dims] [0 * pad to 4] [alpha f32] [shift f32] [0] [pad] [4]   (x = alpha * q + shift)
 *
 * Hostile input never allocates more than the blob or text it came from allows (at most VEC_MAX_DIMS
 * elements) and never reads past it: lengths are checked before any element is read.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "vector.h"

#define ALIGN4(n) ((((size_t) (n)) + 3) / 4 * 4)

/* ---- element conversions --------------------------------------------------------------------------------- */

static float f32_of_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t bits_of_f32(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float f16_to_float(uint16_t h) {
    uint32_t sign = ((uint32_t) h & 0x8000) << 16;
    int exp = ((h >> 10) & 0x1f) - 15;
    uint32_t mant = h & 0x3ff;
    if (exp == 16) {
        /* infinity, or NaN (kept as a quiet NaN) */
        exp = 128;
        mant = (mant != 0) << 22;
    } else if (exp == -15 && mant == 0) {
        exp = -127;
    } else if (exp == -15) {
        /* subnormal half: normalise into a float */
        exp++;
        while ((mant & 0x400) == 0) {
            mant <<= 1;
            exp--;
        }
        mant = (mant & 0x3ff) << 13;
    } else {
        mant <<= 13;
    }
    return f32_of_bits(sign | ((uint32_t) (exp + 127) << 23) | mant);
}

static uint16_t f16_from_float(float f) {
    uint32_t u = bits_of_f32(f);
    uint32_t sign = (u >> 16) & 0x8000;
    int exp = (int) ((u >> 23) & 0xff) - 127;
    uint32_t mant = u & 0x7fffff;
    if (exp == 128) {
        exp = 16;
        mant = (mant != 0) << 22;
    } else if (exp > 15) {
        /* out of half range: infinity */
        exp = 16;
        mant = 0;
    } else if (exp < -14 && exp >= -25) {
        mant = (mant | 0x800000) >> (-exp - 14);
        exp = -15;
    } else if (exp < -24) {
        exp = -15;
        mant = 0;
    }
    /* round to nearest, ties to even; a carry out of the mantissa bumps the exponent */
    if ((mant & 0x1fff) > (0x1000 - ((mant >> 13) & 1))) {
        mant += 0x2000;
    }
    uint32_t m = mant >> 13;
    return (uint16_t) (sign | ((uint32_t) (exp + 15 + (int) (m >> 10)) << 10) | (m & 0x3ff));
}

/* bfloat16 truncates (libSQL does not round) */
static float bf16_to_float(uint16_t h) { return f32_of_bits((uint32_t) h << 16); }
static uint16_t bf16_from_float(float f) { return (uint16_t) (bits_of_f32(f) >> 16); }

/* ---- vectors ----------------------------------------------------------------------------------------------- */

size_t vec_data_size(int type, int dims) {
    size_t d = (size_t) dims;
    switch (type) {
        case VEC_F32: return d * 4;
        case VEC_F64: return d * 8;
        case VEC_1BIT: return (d + 7) / 8;
        case VEC_F8: return ALIGN4(d) + 8;
        case VEC_F16:
        case VEC_BF16: return d * 2;
        default: return 0;
    }
}

static int vec_alloc(Vec *v, int type, int dims) {
    v->type = type;
    v->dims = dims;
    /* +8: every type may be read as a whole number of 4-byte words (1-bit distance) */
    v->data = sqlite3_malloc64(vec_data_size(type, dims) + 8);
    if (v->data == 0) {
        return -1;
    }
    memset(v->data, 0, vec_data_size(type, dims) + 8);
    return 0;
}

void vec_free(Vec *v) {
    if (v != 0) {
        sqlite3_free(v->data);
        v->data = 0;
    }
}

static void f8_params(const Vec *v, float *alpha, float *shift) {
    memcpy(alpha, v->data + ALIGN4(v->dims), 4);
    memcpy(shift, v->data + ALIGN4(v->dims) + 4, 4);
}

static void f8_set_params(Vec *v, float alpha, float shift) {
    memcpy(v->data + ALIGN4(v->dims), &alpha, 4);
    memcpy(v->data + ALIGN4(v->dims) + 4, &shift, 4);
}

static int bit_at(const Vec *v, int i) { return (v->data[i / 8] >> (i & 7)) & 1; }

/* element i as a float, for every type but float8 (which needs its parameters) and float64 */
static float elem_f(const Vec *v, int i) {
    switch (v->type) {
        case VEC_F32: return ((const float *) v->data)[i];
        case VEC_F16: return f16_to_float(((const uint16_t *) v->data)[i]);
        case VEC_BF16: return bf16_to_float(((const uint16_t *) v->data)[i]);
        case VEC_1BIT: return bit_at(v, i) ? 1.0f : -1.0f;
        default: return 0;
    }
}

/* ---- text ------------------------------------------------------------------------------------------------- */

static locale_t c_locale;

/* A float as SQLite's parser accepts it: [+-]digits[.digits][e[+-]digits], at least one digit. The JVM may
 * have set a locale with a decimal comma, so strtod runs in the C locale. */
static int parse_float(const char *s, int n, double *out) {
    if (n == 0) {
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E')) {
            return -1; /* no hex, inf, nan: SQLite's parser has none of them */
        }
    }
    if (c_locale == 0) {
        locale_t l = newlocale(LC_ALL_MASK, "C", (locale_t) 0);
        if (l == 0) {
            return -1;
        }
        if (!__sync_bool_compare_and_swap(&c_locale, (locale_t) 0, l)) {
            freelocale(l);
        }
    }
    char *end = 0;
    *out = strtod_l(s, &end, c_locale);
    return end == s + n ? 0 : -1;
}

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

#define MAX_FLOAT_CHARS 1024

/* libSQL's text grammar: '[' floats separated by ',' ']' with spaces anywhere; same messages. */
static int parse_text(sqlite3_value *arg, int type, Vec *out, char **err) {
    const char *p = (const char *) sqlite3_value_text(arg);
    int len = sqlite3_value_bytes(arg);
    if (p == 0) {
        *err = sqlite3_mprintf("vector: must start with '['");
        return -1;
    }
    /* capacity: one element per comma (+1); more than VEC_MAX_DIMS is an error before it is stored */
    int commas = 0;
    for (int i = 0; i < len; i++) {
        commas += p[i] == ',';
    }
    int cap = commas + 1 > VEC_MAX_DIMS ? VEC_MAX_DIMS : commas + 1;
    if (vec_alloc(out, type, cap) != 0) {
        *err = sqlite3_mprintf("vector: out of memory");
        return -1;
    }
    char buf[MAX_FLOAT_CHARS + 2];
    int nbuf = 0;
    int n = 0;
    while (is_space(*p)) {
        p++;
    }
    if (*p != '[') {
        *err = sqlite3_mprintf("vector: must start with '['");
        goto fail;
    }
    p++;
    for (; *p != 0; p++) {
        char c = *p;
        if (is_space(c)) {
            continue;
        }
        if (c != ',' && c != ']') {
            if (nbuf > MAX_FLOAT_CHARS) { /* libSQL's bound: a float of 1025 characters still parses */
                buf[nbuf] = 0;
                *err = sqlite3_mprintf("vector: float string length exceeded %d characters: '%s'", MAX_FLOAT_CHARS,
                                       buf);
                goto fail;
            }
            buf[nbuf++] = c;
            continue;
        }
        if (c == ']' && n == 0 && nbuf == 0) {
            break; /* '[]' */
        }
        buf[nbuf] = 0;
        double d;
        if (parse_float(buf, nbuf, &d) != 0) {
            *err = sqlite3_mprintf("vector: invalid float at position %d: '%s'", n, buf);
            goto fail;
        }
        if (n >= VEC_MAX_DIMS) {
            *err = sqlite3_mprintf("vector: max size exceeded %d", VEC_MAX_DIMS);
            goto fail;
        }
        if (type == VEC_F32) {
            ((float *) out->data)[n++] = (float) d;
        } else {
            ((double *) out->data)[n++] = d;
        }
        nbuf = 0;
        if (c == ']') {
            break;
        }
    }
    while (is_space(*p)) {
        p++;
    }
    if (*p != ']') {
        *err = sqlite3_mprintf("vector: must end with ']'");
        goto fail;
    }
    p++;
    while (is_space(*p)) {
        p++;
    }
    if (*p != 0) {
        *err = sqlite3_mprintf("vector: non-space symbols after closing ']' are forbidden");
        goto fail;
    }
    out->dims = n;
    return 0;
fail:
    vec_free(out);
    return -1;
}

/* ---- blobs ------------------------------------------------------------------------------------------------ */

static int parse_blob(sqlite3_value *arg, Vec *out, char **err) {
    const unsigned char *b = sqlite3_value_blob(arg);
    int n = sqlite3_value_bytes(arg);
    int type;
    int dims;
    size_t data_size;
    if (n % 2 == 0) {
        type = VEC_F32;
        dims = n / 4;
        data_size = (size_t) n; /* a length of 4k+2 fails the size check below, as in libSQL */
    } else {
        type = b[n - 1];
        n--;
        if (type == VEC_F32) {
            if (n % 4 != 0) {
                *err = sqlite3_mprintf("vector: float32 vector blob length must be divisible by 4 (excluding optional 'type'-byte): length=%d", n);
                return -1;
            }
            dims = n / 4;
            data_size = (size_t) n;
        } else if (type == VEC_F64) {
            if (n % 8 != 0) {
                *err = sqlite3_mprintf("vector: float64 vector blob length must be divisible by 8 (excluding 'type'-byte): length=%d", n);
                return -1;
            }
            dims = n / 8;
            data_size = (size_t) n;
        } else if (type == VEC_1BIT) {
            if (n == 0 || n % 2 != 0) {
                *err = sqlite3_mprintf("vector: float1bit vector blob length must be divisible by 2 and not be empty (excluding 'type'-byte): length=%d", n);
                return -1;
            }
            dims = n * 8 - b[n - 1];
            if (dims < 0) {
                *err = sqlite3_mprintf("vector: float1bit vector blob has more trailing bits than bits: length=%d", n);
                return -1;
            }
            data_size = ((size_t) dims + 7) / 8;
        } else if (type == VEC_F8) {
            if (n < 2 || n % 2 != 0) {
                *err = sqlite3_mprintf("vector: float8 vector blob length must be divisible by 2 and has at least 2 bytes (excluding 'type'-byte): length=%d", n);
                return -1;
            }
            dims = (n - 2) - 8 - b[n - 1];
            data_size = (size_t) (n - 2);
            if (dims < 0) {
                *err = sqlite3_mprintf("vector: float8 vector blob is shorter than its parameters: length=%d", n);
                return -1;
            }
        } else if (type == VEC_F16 || type == VEC_BF16) {
            if (n % 2 != 0) {
                *err = sqlite3_mprintf("vector: %s vector blob length must be divisible by 2 (excluding 'type'-byte): length=%d",
                                       type == VEC_F16 ? "float16" : "floatb16", n);
                return -1;
            }
            dims = n / 2;
            data_size = (size_t) n;
        } else {
            *err = sqlite3_mprintf("vector: unexpected binary type: %d", type);
            return -1;
        }
    }
    if (dims > VEC_MAX_DIMS) {
        *err = sqlite3_mprintf("vector: max size exceeded: %d > %d", dims, VEC_MAX_DIMS);
        return -1;
    }
    if (data_size != vec_data_size(type, dims)) {
        *err = sqlite3_mprintf("vector: unexpected data part size: type=%d, dims=%d, %u != %u", type, dims,
                               (unsigned) data_size, (unsigned) vec_data_size(type, dims));
        return -1;
    }
    if (vec_alloc(out, type, dims) != 0) {
        *err = sqlite3_mprintf("vector: out of memory");
        return -1;
    }
    if (type == VEC_F8) {
        /* the padding is not part of the value: keep it zero */
        memcpy(out->data, b, (size_t) dims);
        memcpy(out->data + ALIGN4(dims), b + ALIGN4(dims), 8);
    } else if (data_size > 0) {
        memcpy(out->data, b, data_size);
    }
    return 0;
}

static const char *type_name(int t) {
    switch (t) {
        case SQLITE_NULL: return "NULL";
        case SQLITE_INTEGER: return "INTEGER";
        case SQLITE_FLOAT: return "FLOAT";
        case SQLITE_BLOB: return "BLOB";
        case SQLITE_TEXT: return "TEXT";
        default: return "UNKNOWN";
    }
}

int vec_from_value(sqlite3_value *v, int type_hint, Vec *out, char **err) {
    out->data = 0;
    switch (sqlite3_value_type(v)) {
        case SQLITE_BLOB: return parse_blob(v, out, err);
        case SQLITE_TEXT: return parse_text(v, type_hint == VEC_F64 ? VEC_F64 : VEC_F32, out, err);
        default:
            *err = sqlite3_mprintf("vector: unexpected value type: got %s, expected TEXT or BLOB",
                                   type_name(sqlite3_value_type(v)));
            return -1;
    }
}

/* ---- conversion ------------------------------------------------------------------------------------------- */

static int clip_u8(float f) {
    if (f < 0) {
        return 0;
    }
    if (f > 255) {
        return 255;
    }
    return (int) (f + 0.5);
}

/* to float8: min/max quantisation as libSQL (a constant vector gives alpha 0 and libSQL's 0/0 behaviour) */
static void convert_to_f8(const Vec *from, Vec *to) {
    float lo = 0;
    float hi = 0;
    unsigned char *dst = to->data;
    float alpha;
    float shift;
    if (from->type == VEC_F64) {
        const double *s = (const double *) from->data;
        for (int i = 0; i < from->dims; i++) {
            if (i == 0) {
                lo = (float) s[i];
                hi = (float) s[i];
            } else {
                lo = (float) (lo < s[i] ? lo : s[i]);
                hi = (float) (hi > s[i] ? hi : s[i]);
            }
        }
        shift = lo;
        alpha = (hi - lo) / 255;
        for (int i = 0; i < from->dims; i++) {
            dst[i] = (unsigned char) clip_u8((float) ((s[i] - shift) / alpha));
        }
    } else {
        for (int i = 0; i < from->dims; i++) {
            float x = elem_f(from, i);
            if (i == 0) {
                lo = x;
                hi = x;
            } else {
                lo = lo < x ? lo : x;
                hi = hi > x ? hi : x;
            }
        }
        shift = lo;
        alpha = (hi - lo) / 255;
        for (int i = 0; i < from->dims; i++) {
            dst[i] = (unsigned char) clip_u8((elem_f(from, i) - shift) / alpha);
        }
    }
    f8_set_params(to, alpha, shift);
}

/* from must differ in type from to; both have the same dims and to->data is zeroed */
static void convert(const Vec *from, Vec *to) {
    int n = from->dims;
    if (to->type == VEC_F8) {
        convert_to_f8(from, to);
        return;
    }
    float alpha = 0;
    float shift = 0;
    if (from->type == VEC_F8) {
        f8_params(from, &alpha, &shift);
    }
    for (int i = 0; i < n; i++) {
        /* the source element, in the precision libSQL reads it with */
        double dv;
        float fv;
        int from_f64 = from->type == VEC_F64;
        if (from_f64) {
            dv = ((const double *) from->data)[i];
            fv = (float) dv;
        } else if (from->type == VEC_F8) {
            fv = alpha * from->data[i] + shift;
            dv = fv;
        } else {
            fv = elem_f(from, i);
            dv = fv;
        }
        switch (to->type) {
            case VEC_F32: ((float *) to->data)[i] = fv; break;
            case VEC_F64: ((double *) to->data)[i] = dv; break;
            case VEC_F16: ((uint16_t *) to->data)[i] = f16_from_float(fv); break;
            case VEC_BF16: ((uint16_t *) to->data)[i] = bf16_from_float(fv); break;
            case VEC_1BIT:
                if (from_f64 ? dv > 0 : fv > 0) {
                    to->data[i / 8] |= (unsigned char) (1 << (i & 7));
                }
                break;
            default: break;
        }
    }
}

/* ---- serialisation ---------------------------------------------------------------------------------------- */

static size_t meta_size(int type, int dims) {
    switch (type) {
        case VEC_F32: return 0;
        case VEC_F64:
        case VEC_F16:
        case VEC_BF16: return 1;
        case VEC_1BIT: return (vec_data_size(type, dims) % 2 == 0 ? 1 : 0) + 2;
        case VEC_F8: return 3;
        default: return 0;
    }
}

static void result_blob(sqlite3_context *ctx, const Vec *v) {
    size_t data = vec_data_size(v->type, v->dims);
    size_t total = data + meta_size(v->type, v->dims);
    if (total == 0) {
        sqlite3_result_zeroblob(ctx, 0);
        return;
    }
    unsigned char *b = sqlite3_malloc64(total);
    if (b == 0) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    memcpy(b, v->data, data);
    if (v->type == VEC_1BIT) {
        b[total - 1] = VEC_1BIT;
        b[total - 2] = (unsigned char) (8 * (total - 1) - (size_t) v->dims);
        if (meta_size(v->type, v->dims) == 3) {
            b[total - 3] = 0;
        }
    } else if (v->type == VEC_F8) {
        b[total - 1] = VEC_F8;
        b[total - 2] = (unsigned char) (ALIGN4(v->dims) - (size_t) v->dims);
        b[total - 3] = 0;
    } else if (v->type != VEC_F32) {
        b[total - 1] = (unsigned char) v->type;
    }
    sqlite3_result_blob64(ctx, b, total, sqlite3_free);
}

static void result_text(sqlite3_context *ctx, const Vec *v) {
    sqlite3_str *s = sqlite3_str_new(sqlite3_context_db_handle(ctx));
    sqlite3_str_appendchar(s, 1, '[');
    for (int i = 0; i < v->dims; i++) {
        double d = v->type == VEC_F64 ? ((const double *) v->data)[i] : (double) ((const float *) v->data)[i];
        sqlite3_str_appendf(s, i == 0 ? "%g" : ",%g", d);
    }
    sqlite3_str_appendchar(s, 1, ']');
    int len = sqlite3_str_length(s);
    char *text = sqlite3_str_finish(s);
    if (text == 0) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, text, len, sqlite3_free);
}

/* ---- distances (libSQL's arithmetic, see the file comment) ------------------------------------------------ */

static int popcount_xor(const Vec *a, const Vec *b) {
    /* whole bytes, as libSQL: bits past dims in the last byte count if a crafted blob set them */
    int diff = 0;
    int bytes = (a->dims + 7) / 8;
    for (int i = 0; i < bytes; i++) {
        diff += __builtin_popcount((unsigned) (a->data[i] ^ b->data[i]));
    }
    return diff;
}

float vec_distance_cos(const Vec *a, const Vec *b) {
    int n = a->dims;
    if (a->type == VEC_1BIT) {
        return (float) popcount_xor(a, b);
    }
    if (a->type == VEC_F64) {
        const double *x = (const double *) a->data;
        const double *y = (const double *) b->data;
        double dot = 0;
        double n1 = 0;
        double n2 = 0;
        for (int i = 0; i < n; i++) {
            dot += x[i] * y[i];
            n1 += x[i] * x[i];
            n2 += y[i] * y[i];
        }
        return (float) (1.0 - (dot / sqrt(n1 * n2)));
    }
    if (a->type == VEC_F8) {
        float a1, s1, a2, s2;
        f8_params(a, &a1, &s1);
        f8_params(b, &a2, &s2);
        uint32_t sum1 = 0, sum2 = 0, sq1 = 0, sq2 = 0, doti = 0;
        for (int i = 0; i < n; i++) {
            uint32_t p = a->data[i];
            uint32_t q = b->data[i];
            sum1 += p;
            sum2 += q;
            sq1 += p * p;
            sq2 += q * q;
            doti += p * q;
        }
        float dot = a1 * a2 * (float) doti + a1 * s2 * (float) sum1 + a2 * s1 * (float) sum2 + s1 * s2 * n;
        float n1 = a1 * a1 * (float) sq1 + 2 * a1 * s1 * (float) sum1 + s1 * s1 * n;
        float n2 = a2 * a2 * (float) sq2 + 2 * a2 * s2 * (float) sum2 + s2 * s2 * n;
        return (float) (1.0 - (dot / sqrt(n1 * n2)));
    }
    float dot = 0;
    float n1 = 0;
    float n2 = 0;
    for (int i = 0; i < n; i++) {
        float x = elem_f(a, i);
        float y = elem_f(b, i);
        dot += x * y;
        n1 += x * x;
        n2 += y * y;
    }
    return (float) (1.0 - (dot / sqrt(n1 * n2)));
}

float vec_distance_l2(const Vec *a, const Vec *b) {
    int n = a->dims;
    if (a->type == VEC_1BIT) {
        return (float) popcount_xor(a, b);
    }
    if (a->type == VEC_F64) {
        const double *x = (const double *) a->data;
        const double *y = (const double *) b->data;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - y[i];
            sum += d * d;
        }
        return (float) sqrt(sum);
    }
    float sum = 0;
    if (a->type == VEC_F8) {
        float a1, s1, a2, s2;
        f8_params(a, &a1, &s1);
        f8_params(b, &a2, &s2);
        for (int i = 0; i < n; i++) {
            float d = (a1 * a->data[i] + s1) - (a2 * b->data[i] + s2);
            sum += d * d;
        }
        return (float) sqrt(sum);
    }
    for (int i = 0; i < n; i++) {
        float d = elem_f(a, i) - elem_f(b, i);
        sum += d * d;
    }
    return (float) sqrt(sum);
}

/* ---- SQL functions ---------------------------------------------------------------------------------------- */

static void fail(sqlite3_context *ctx, char *err) {
    sqlite3_result_error(ctx, err ? err : "vector: out of memory", -1);
    sqlite3_free(err);
}

/* Answers v through emit as type `as`: v itself when it has that type, else a converted copy. Frees v. */
static void result_as(sqlite3_context *ctx, Vec *v, int as, void (*emit)(sqlite3_context *, const Vec *)) {
    if (v->type == as) {
        emit(ctx, v);
    } else {
        Vec t;
        if (vec_alloc(&t, as, v->dims) != 0) {
            vec_free(v);
            sqlite3_result_error_nomem(ctx);
            return;
        }
        convert(v, &t);
        emit(ctx, &t);
        vec_free(&t);
    }
    vec_free(v);
}

/* vector/vector32, vector64, vector16, vectorb16, vector8, vector1bit: parse, convert, serialise */
static void fn_vector(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void) argc;
    int target = (int) (intptr_t) sqlite3_user_data(ctx);
    char *err = 0;
    Vec v;
    if (vec_from_value(argv[0], target == VEC_F64 ? VEC_F64 : VEC_F32, &v, &err) != 0) {
        fail(ctx, err);
        return;
    }
    result_as(ctx, &v, target, result_blob);
}

static void fn_extract(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void) argc;
    char *err = 0;
    Vec v;
    if (vec_from_value(argv[0], 0, &v, &err) != 0) {
        fail(ctx, err);
        return;
    }
    result_as(ctx, &v, v.type == VEC_F64 ? VEC_F64 : VEC_F32, result_text);
}

static void fn_distance(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void) argc;
    int l2 = sqlite3_user_data(ctx) != 0;
    char *err = 0;
    Vec a;
    Vec b;
    if (vec_from_value(argv[0], 0, &a, &err) != 0) {
        fail(ctx, err);
        return;
    }
    if (vec_from_value(argv[1], 0, &b, &err) != 0) {
        vec_free(&a);
        fail(ctx, err);
        return;
    }
    if (a.type != b.type) {
        fail(ctx, sqlite3_mprintf("vector_distance: vectors must have the same type: %d != %d", a.type, b.type));
    } else if (a.dims != b.dims) {
        fail(ctx, sqlite3_mprintf("vector_distance: vectors must have the same length: %d != %d", a.dims, b.dims));
    } else if (l2 && a.type == VEC_1BIT) {
        fail(ctx, sqlite3_mprintf("vector_distance: l2 distance is not supported for float1bit vectors"));
    } else {
        float d = l2 ? vec_distance_l2(&a, &b) : vec_distance_cos(&a, &b);
        sqlite3_result_double(ctx, d);
    }
    vec_free(&a);
    vec_free(&b);
}

int platform_vector_install(sqlite3 *db) {
    /* deterministic and innocuous: usable in index expressions, views and triggers with trusted_schema off */
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    static const struct {
        const char *name;
        int target;
    } makers[] = {
        {"vector", VEC_F32}, {"vector32", VEC_F32}, {"vector64", VEC_F64}, {"vector16", VEC_F16},
        {"vectorb16", VEC_BF16}, {"vector8", VEC_F8}, {"vector1bit", VEC_1BIT},
    };
    int rc = SQLITE_OK;
    for (size_t i = 0; i < sizeof(makers) / sizeof(makers[0]) && rc == SQLITE_OK; i++) {
        rc = sqlite3_create_function(db, makers[i].name, 1, flags, (void *) (intptr_t) makers[i].target, fn_vector, 0, 0);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_create_function(db, "vector_extract", 1, flags, 0, fn_extract, 0, 0);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_create_function(db, "vector_distance_cos", 2, flags, 0, fn_distance, 0, 0);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_create_function(db, "vector_distance_l2", 2, flags, (void *) 1, fn_distance, 0, 0);
    }
    if (rc == SQLITE_OK) {
        rc = platform_vector_index_install(db);
    }
    return rc;
}
