/*
 * watlinks: the hyperlinks of one WAT record's HTML-Metadata.Links JSON array, parsed straight from its bytes into
 * growable Arrow column buffers (no Python object per entry).
 *
 *     b = LinkColumns()
 *     b.add(links_json_bytes, page)  -> rows appended (ValueError on invalid JSON or a non-array; nothing appended)
 *     b.rows, b.truncate(n), b.take() -> {"page", "kind", "<c>_offsets", "<c>_data", "<c>_validity" for c in
 *                                         url, text, rel, alt}
 *
 * A row per entry whose "path" is "A@/href" (kind 1) or "AREA@/href" (kind 2) and whose "url" is a non-empty
 * string; "text" and "rel" when they are strings, else null; "alt" is that of an "IMG@/src" entry directly before
 * ("" when that image has no string alt), else null. Keys and values are compared after JSON unescaping, and the
 * last of duplicate keys wins.
 *
 * Validation is strict RFC 8259 as orjson applies it: UTF-8 checked in every string (overlongs, surrogates,
 * > U+10FFFF, truncated sequences rejected), escaped surrogates must pair, nesting at most 1024 deep, and a number
 * whose value rounds to an infinite double is rejected (orjson's "number is infinity when parsed as double").
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define COLD __attribute__((cold, noinline))
#define INLINE static inline __attribute__((always_inline))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define COLD
#define INLINE static inline
#endif

#define MAX_DEPTH 1024

/* ------------------------------------------------------------------------------------------------ buffers */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} Buf;

COLD static int buf_grow(Buf *b, size_t extra) {
    size_t need = b->len + extra;
    if (need < b->len) return -1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    if (cap > (size_t)PY_SSIZE_T_MAX) return -1;
    uint8_t *np = PyMem_Realloc(b->p, cap);
    if (np == NULL) return -1;
    b->p = np;
    b->cap = cap;
    return 0;
}

INLINE int buf_reserve(Buf *b, size_t extra) {
    if (LIKELY(b->cap - b->len >= extra)) return 0;
    return buf_grow(b, extra);
}

INLINE int buf_append(Buf *b, const uint8_t *s, size_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static void buf_free(Buf *b) {
    PyMem_Free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* --------------------------------------------------------------------------------------------- the object */

enum { COL_URL, COL_TEXT, COL_REL, COL_ALT, NCOLS };
static const char *const COL_NAMES[NCOLS] = {"url", "text", "rel", "alt"};

/* The fields of a Links entry the kernel reads. */
enum { F_PATH, F_URL, F_TEXT, F_REL, F_ALT, NFIELDS };

typedef struct {
    PyObject_HEAD
    Py_ssize_t rows;
    Buf page;           /* int32 per row */
    Buf kind;           /* uint8 per row */
    Buf off[NCOLS];     /* int32, rows + 1 */
    Buf data[NCOLS];    /* UTF-8 bytes */
    Buf valid[NCOLS];   /* Arrow validity bitmap, ceil(rows / 8) bytes */
    Buf scratch[NFIELDS]; /* decoded (escaped) values of the current entry's fields */
    Buf key;            /* a decoded (escaped) key */
    Buf img;            /* the decoded alt of the previous IMG@/src entry */
} LinkColumns;

/* Drop every row at index >= n (n <= rows): every buffer's length follows from the row count and the offsets. */
static void truncate_to(LinkColumns *self, Py_ssize_t n) {
    size_t un = (size_t)n;
    self->rows = n;
    self->page.len = 4 * un;
    self->kind.len = un;
    for (int c = 0; c < NCOLS; c++) {
        int32_t end;
        memcpy(&end, self->off[c].p + 4 * un, 4);
        self->off[c].len = 4 * (un + 1);
        self->data[c].len = (size_t)end;
        self->valid[c].len = (un + 7) / 8;
        if (un & 7) self->valid[c].p[un >> 3] &= (uint8_t)((1u << (un & 7)) - 1);
    }
}

/* The empty state: offsets hold their single 0. Returns -1 on MemoryError (not set). */
static int reset_empty(LinkColumns *self) {
    for (int c = 0; c < NCOLS; c++) {
        self->off[c].len = 0;
        if (buf_reserve(&self->off[c], 4) < 0) return -1;
        memset(self->off[c].p, 0, 4);
        self->off[c].len = 4;
    }
    truncate_to(self, 0);
    return 0;
}

/* ----------------------------------------------------------------------------------------------- the parser */

typedef struct {
    const uint8_t *s; /* the value's bytes: in the input, or in a scratch buffer when it had escapes */
    size_t n;
    uint8_t state;    /* FIELD_ABSENT, FIELD_STRING, FIELD_OTHER */
    uint8_t scratch;  /* s points into the field's scratch buffer */
} Field;

enum { FIELD_ABSENT = 0, FIELD_STRING = 1, FIELD_OTHER = 2 };

typedef struct {
    LinkColumns *self;
    const uint8_t *start, *end;
    const char *err;        /* reason of a JSON error (NULL: none) */
    const uint8_t *errpos;
    int nomem;              /* MemoryError */
    const char *overflow;   /* a column whose data would exceed INT32_MAX bytes */
    int32_t page;
    /* the alt of an IMG@/src entry directly before the current one */
    int has_img;
    const uint8_t *img_s;
    size_t img_n;
} Parser;

COLD static const uint8_t *fail(Parser *ps, const uint8_t *at, const char *reason) {
    if (ps->err == NULL && !ps->nomem && ps->overflow == NULL) {
        ps->err = reason;
        ps->errpos = at;
    }
    return NULL;
}

COLD static const uint8_t *fail_nomem(Parser *ps) {
    ps->nomem = 1;
    return NULL;
}

/* Byte classes. */
static uint8_t WS[256];       /* JSON whitespace */
static uint8_t PLAIN[256];    /* a string byte copied as is: not '"', '\\', < 0x20, >= 0x80 */
static int8_t HEX[256];       /* hex digit value, -1 otherwise */

static void init_tables(void) {
    for (int i = 0; i < 256; i++) {
        WS[i] = (i == ' ' || i == '\t' || i == '\n' || i == '\r');
        PLAIN[i] = (i >= 0x20 && i < 0x80 && i != '"' && i != '\\');
        HEX[i] = (int8_t)(i >= '0' && i <= '9' ? i - '0' : i >= 'a' && i <= 'f' ? i - 'a' + 10
                          : i >= 'A' && i <= 'F' ? i - 'A' + 10 : -1);
    }
}

INLINE const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end) {
    if (LIKELY(p < end && *p > ' ')) return p; /* compact JSON: no whitespace at all */
    while (p < end && WS[*p]) p++;
    return p;
}

/* The first byte at or after p that is '"', '\\', a control character or >= 0x80 (end if none). */
INLINE const uint8_t *scan_plain(const uint8_t *p, const uint8_t *end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed x < 0x20: the control characters and every byte >= 0x80 */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask) return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end && PLAIN[*p]) p++;
    return p;
}

/* Length of the valid UTF-8 sequence (of a non-ASCII lead byte) at p, or 0 when it is invalid or truncated. */
INLINE size_t utf8_seq(const uint8_t *p, const uint8_t *end) {
    uint8_t c = p[0];
    size_t avail = (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80) return 0;
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;       /* overlong */
        else if (c == 0xED) hi = 0x9F;  /* surrogates */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90;       /* overlong */
        else if (c == 0xF4) hi = 0x8F;  /* > U+10FFFF */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        return 4;
    }
    return 0;
}

INLINE int hex4(const uint8_t *p) {
    int a = HEX[p[0]], b = HEX[p[1]], c = HEX[p[2]], d = HEX[p[3]];
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
}

/* The escape at p (p[0] == '\\'); its decoded bytes go to dst when dst is not NULL. Returns the byte after it. */
static const uint8_t *decode_escape(Parser *ps, const uint8_t *p, Buf *dst) {
    const uint8_t *end = ps->end;
    if (end - p < 2) return fail(ps, p, "unterminated string");
    uint8_t out;
    switch (p[1]) {
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case '/': out = '/'; break;
    case 'b': out = '\b'; break;
    case 'f': out = '\f'; break;
    case 'n': out = '\n'; break;
    case 'r': out = '\r'; break;
    case 't': out = '\t'; break;
    case 'u': {
        int cp;
        if (end - p < 6 || (cp = hex4(p + 2)) < 0) return fail(ps, p, "invalid \\u escape");
        size_t used = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int lo;
            if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || (lo = hex4(p + 8)) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                return fail(ps, p, "lone high surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(ps, p, "lone low surrogate in \\u escape");
        }
        if (dst) {
            if (buf_reserve(dst, 4) < 0) return fail_nomem(ps);
            uint8_t *o = dst->p + dst->len;
            if (cp < 0x80) {
                o[0] = (uint8_t)cp;
                dst->len += 1;
            } else if (cp < 0x800) {
                o[0] = (uint8_t)(0xC0 | (cp >> 6));
                o[1] = (uint8_t)(0x80 | (cp & 0x3F));
                dst->len += 2;
            } else if (cp < 0x10000) {
                o[0] = (uint8_t)(0xE0 | (cp >> 12));
                o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                o[2] = (uint8_t)(0x80 | (cp & 0x3F));
                dst->len += 3;
            } else {
                o[0] = (uint8_t)(0xF0 | (cp >> 18));
                o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
                o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                o[3] = (uint8_t)(0x80 | (cp & 0x3F));
                dst->len += 4;
            }
        }
        return p + used;
    }
    default:
        return fail(ps, p, "invalid escape in string");
    }
    if (dst) {
        if (buf_reserve(dst, 1) < 0) return fail_nomem(ps);
        dst->p[dst->len++] = out;
    }
    return p + 2;
}

/*
 * The string whose opening quote is just before p; returns the byte after its closing quote. With dst, *out and
 * *outn receive its decoded bytes: the input itself when it has no escape, else dst (overwritten), and *in_dst
 * says which. Without dst the string is only validated.
 */
static const uint8_t *parse_string(Parser *ps, const uint8_t *p, Buf *dst, const uint8_t **out, size_t *outn,
                                   uint8_t *in_dst) {
    const uint8_t *end = ps->end;
    const uint8_t *begin = p, *run = p;
    int escaped = 0;
    for (;;) {
        p = scan_plain(p, end);
        if (UNLIKELY(p >= end)) return fail(ps, begin - 1, "unterminated string");
        uint8_t c = *p;
        if (LIKELY(c == '"')) break;
        if (c >= 0x80) {
            do {
                size_t n = utf8_seq(p, end);
                if (UNLIKELY(n == 0)) return fail(ps, p, "invalid UTF-8 in string");
                p += n;
            } while (p < end && *p >= 0x80);
            continue;
        }
        if (UNLIKELY(c < 0x20)) return fail(ps, p, "control character in string");
        /* a backslash */
        if (dst) {
            if (!escaped) dst->len = 0;
            if (buf_append(dst, run, (size_t)(p - run)) < 0) return fail_nomem(ps);
        }
        escaped = 1;
        p = decode_escape(ps, p, dst);
        if (p == NULL) return NULL;
        run = p;
    }
    if (dst) {
        if (escaped) {
            if (buf_append(dst, run, (size_t)(p - run)) < 0) return fail_nomem(ps);
            *out = dst->p;
            *outn = dst->len;
            *in_dst = 1;
        } else {
            *out = begin;
            *outn = (size_t)(p - begin);
            *in_dst = 0;
        }
    }
    return p + 1;
}

/* The decimal digits of 2**1024 - 2**970, half-way between DBL_MAX and 2**1024: a number at or above it in
 * magnitude rounds (to even) to an infinite double. */
static const char OVERFLOW_DIGITS[] =
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286"
    "416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571"
    "366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/* Whether the number with integer digits [ib, ie), fraction digits [fb, fe) and exponent e rounds to infinity. */
COLD static int number_overflows(const uint8_t *ib, const uint8_t *ie, const uint8_t *fb, const uint8_t *fe,
                                 int64_t e) {
    int64_t k = ie - ib, total = k + (fe - fb), z = 0;
    /* the digits D = integer digits then fraction digits; value = 0.D * 10**(k + e) */
#define DIGIT(i) ((i) < k ? ib[(i)] : fb[(i) - k])
    while (z < total && DIGIT(z) == '0') z++;
    if (z == total) return 0; /* zero */
    int64_t mag = k - 1 - z + e; /* value in [10**mag, 10**(mag + 1)) */
    if (mag < 308) return 0;
    if (mag > 308) return 1;
    for (int64_t i = 0; i < 309; i++) {
        char d = z + i < total ? (char)DIGIT(z + i) : '0';
        if (d != OVERFLOW_DIGITS[i]) return d > OVERFLOW_DIGITS[i];
    }
#undef DIGIT
    return 1; /* at least the half-way value */
}

#define IS_DIGIT(c) ((uint8_t)((c) - '0') < 10)

static const uint8_t *skip_number(Parser *ps, const uint8_t *p) {
    const uint8_t *end = ps->end, *start = p;
    if (*p == '-') p++;
    const uint8_t *ib = p;
    if (p >= end || !IS_DIGIT(*p)) return fail(ps, p, "invalid number: no digit");
    if (*p == '0') p++;
    else
        while (p < end && IS_DIGIT(*p)) p++;
    const uint8_t *ie = p, *fb = p, *fe = p;
    if (p < end && *p == '.') {
        p++;
        fb = p;
        if (p >= end || !IS_DIGIT(*p)) return fail(ps, p, "invalid number: no digit after the decimal point");
        while (p < end && IS_DIGIT(*p)) p++;
        fe = p;
    }
    int64_t e = 0;
    int has_exp = 0;
    if (p < end && (*p | 0x20) == 'e') {
        p++;
        int neg = 0;
        if (p < end && (*p == '+' || *p == '-')) neg = (*p++ == '-');
        if (p >= end || !IS_DIGIT(*p)) return fail(ps, p, "invalid number: no digit in the exponent");
        while (p < end && IS_DIGIT(*p)) {
            if (e < 1000000000) e = e * 10 + (*p - '0');
            p++;
        }
        if (neg) e = -e;
        has_exp = 1;
    }
    /* An upper bound of the decimal magnitude first: only numbers near 1e308 need the exact check. */
    int64_t k = ie - ib;
    int64_t bound = (ib[0] == '0' ? -1 : k - 1) + e;
    if (UNLIKELY(bound >= 308) && (has_exp || k > 308) && number_overflows(ib, ie, fb, fe, e))
        return fail(ps, start, "number is out of range (infinite as a double)");
    return p;
}

static const uint8_t *skip_value(Parser *ps, const uint8_t *p, int depth);

/* A container whose opening bracket is at p, at nesting depth `depth` (the top-level array is 1). */
static const uint8_t *skip_array(Parser *ps, const uint8_t *p, int depth) {
    const uint8_t *end = ps->end;
    if (depth > MAX_DEPTH) return fail(ps, p, "nesting deeper than 1024");
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']') return p + 1;
    for (;;) {
        p = skip_value(ps, p, depth + 1);
        if (p == NULL) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return fail(ps, p, "unterminated array");
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == ']') return fail(ps, p, "trailing comma in array");
            continue;
        }
        if (*p == ']') return p + 1;
        return fail(ps, p, "expected ',' or ']' in array");
    }
}

static const uint8_t *skip_object(Parser *ps, const uint8_t *p, int depth) {
    const uint8_t *end = ps->end;
    if (depth > MAX_DEPTH) return fail(ps, p, "nesting deeper than 1024");
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    for (;;) {
        if (p >= end) return fail(ps, p, "unterminated object");
        if (*p != '"') return fail(ps, p, "expected a string key in object");
        p = parse_string(ps, p + 1, NULL, NULL, NULL, NULL);
        if (p == NULL) return NULL;
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return fail(ps, p, "expected ':' in object");
        p = skip_value(ps, skip_ws(p + 1, end), depth + 1);
        if (p == NULL) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return fail(ps, p, "unterminated object");
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == '}') return fail(ps, p, "trailing comma in object");
            continue;
        }
        if (*p == '}') return p + 1;
        return fail(ps, p, "expected ',' or '}' in object");
    }
}

/* Validate the value at p (whitespace already skipped) and return the byte after it. */
static const uint8_t *skip_value(Parser *ps, const uint8_t *p, int depth) {
    const uint8_t *end = ps->end;
    if (p >= end) return fail(ps, p, "expected a JSON value");
    switch (*p) {
    case '"':
        return parse_string(ps, p + 1, NULL, NULL, NULL, NULL);
    case '{':
        return skip_object(ps, p, depth);
    case '[':
        return skip_array(ps, p, depth);
    case 't':
        if (end - p >= 4 && memcmp(p, "true", 4) == 0) return p + 4;
        return fail(ps, p, "invalid literal");
    case 'f':
        if (end - p >= 5 && memcmp(p, "false", 5) == 0) return p + 5;
        return fail(ps, p, "invalid literal");
    case 'n':
        if (end - p >= 4 && memcmp(p, "null", 4) == 0) return p + 4;
        return fail(ps, p, "invalid literal");
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        return skip_number(ps, p);
    default:
        return fail(ps, p, "expected a JSON value");
    }
}

INLINE int match_key(const uint8_t *k, size_t n) {
    if (n == 3) {
        if (memcmp(k, "url", 3) == 0) return F_URL;
        if (memcmp(k, "rel", 3) == 0) return F_REL;
        if (memcmp(k, "alt", 3) == 0) return F_ALT;
    } else if (n == 4) {
        if (memcmp(k, "path", 4) == 0) return F_PATH;
        if (memcmp(k, "text", 4) == 0) return F_TEXT;
    }
    return -1;
}

INLINE uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The little-endian 64-bit value of up to 8 characters. */
#define LE(s) (((uint64_t)(uint8_t)(s)[0]) | ((uint64_t)(uint8_t)(s)[1] << 8) | ((uint64_t)(uint8_t)(s)[2] << 16) | \
               ((uint64_t)(uint8_t)(s)[3] << 24) | ((uint64_t)(uint8_t)(s)[4] << 32))
#define MASK(n) ((n) >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (8 * (n))) - 1))

/* The common, unescaped keys straight from the bytes after a key's opening quote: the field, with in its bits
 * 8 and up how far the key's closing quote + 1 is from the opening quote; -1 for every other key (and near the
 * end of the input), which the general path then reads. */
INLINE int fast_key(const uint8_t *k, const uint8_t *end) {
    if (UNLIKELY(end - k < 8)) return -1;
    uint64_t w = load64(k);
    uint64_t w4 = w & MASK(4), w5 = w & MASK(5);
    if (w4 == (LE("url\"\0") & MASK(4))) return F_URL | (5 << 8);
    if (w5 == (LE("path\"") & MASK(5))) return F_PATH | (6 << 8);
    if (w5 == (LE("text\"") & MASK(5))) return F_TEXT | (6 << 8);
    if (w4 == (LE("alt\"\0") & MASK(4))) return F_ALT | (5 << 8);
    if (w4 == (LE("rel\"\0") & MASK(4))) return F_REL | (5 << 8);
    return -1;
}

/* Append a row: page, kind and the four columns (NULL: null). Returns -1 with ps's error set. */
static int append_row(Parser *ps, uint8_t kind, const Field *url, const Field *text, const Field *rel,
                      const uint8_t *alt, size_t altn, int has_alt) {
    LinkColumns *self = ps->self;
    const uint8_t *vs[NCOLS] = {url->s, text->state == FIELD_STRING ? text->s : NULL,
                                rel->state == FIELD_STRING ? rel->s : NULL, has_alt ? alt : NULL};
    size_t ns[NCOLS] = {url->n, text->state == FIELD_STRING ? text->n : 0, rel->state == FIELD_STRING ? rel->n : 0,
                        has_alt ? altn : 0};
    int valid[NCOLS] = {1, text->state == FIELD_STRING, rel->state == FIELD_STRING, has_alt};
    size_t r = (size_t)self->rows;
    for (int c = 0; c < NCOLS; c++) {
        if (ns[c] > (size_t)INT32_MAX - self->data[c].len) {
            ps->overflow = COL_NAMES[c];
            return -1;
        }
    }
    if (buf_reserve(&self->page, 4) < 0 || buf_reserve(&self->kind, 1) < 0) goto nomem;
    for (int c = 0; c < NCOLS; c++) {
        if (buf_reserve(&self->off[c], 4) < 0 || buf_reserve(&self->data[c], ns[c]) < 0 ||
            buf_reserve(&self->valid[c], 1) < 0)
            goto nomem;
    }
    memcpy(self->page.p + self->page.len, &ps->page, 4);
    self->page.len += 4;
    self->kind.p[self->kind.len++] = kind;
    for (int c = 0; c < NCOLS; c++) {
        Buf *d = &self->data[c];
        if (ns[c]) memcpy(d->p + d->len, vs[c], ns[c]);
        d->len += ns[c];
        int32_t o = (int32_t)d->len;
        memcpy(self->off[c].p + self->off[c].len, &o, 4);
        self->off[c].len += 4;
        Buf *v = &self->valid[c];
        if ((r & 7) == 0) v->p[v->len++] = 0;
        if (valid[c]) v->p[r >> 3] |= (uint8_t)(1u << (r & 7));
    }
    self->rows++;
    return 0;
nomem:
    ps->nomem = 1;
    return -1;
}

/* A Links entry: the object whose '{' is just before p (depth 2). Returns the byte after its '}'. */
static const uint8_t *parse_entry(Parser *ps, const uint8_t *p) {
    const uint8_t *end = ps->end;
    LinkColumns *self = ps->self;
    Field f[NFIELDS];
    for (int i = 0; i < NFIELDS; i++) f[i].state = FIELD_ABSENT; /* the rest is set with the state */
    p = skip_ws(p, end);
    if (p < end && *p == '}') {
        p++;
        goto done;
    }
    for (;;) {
        if (p >= end) return fail(ps, p, "unterminated object");
        if (*p != '"') return fail(ps, p, "expected a string key in object");
        int fi = fast_key(p + 1, end);
        if (fi >= 0) {
            p += fi >> 8;
            fi &= 0xFF;
        } else {
            const uint8_t *k;
            size_t kn;
            uint8_t kd;
            p = parse_string(ps, p + 1, &self->key, &k, &kn, &kd);
            if (p == NULL) return NULL;
            fi = match_key(k, kn);
        }
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return fail(ps, p, "expected ':' in object");
        p = skip_ws(p + 1, end);
        if (fi >= 0) {
            if (p < end && *p == '"') {
                p = parse_string(ps, p + 1, &self->scratch[fi], &f[fi].s, &f[fi].n, &f[fi].scratch);
                f[fi].state = FIELD_STRING;
            } else {
                p = skip_value(ps, p, 3);
                f[fi].state = FIELD_OTHER;
            }
        } else {
            p = skip_value(ps, p, 3);
        }
        if (p == NULL) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return fail(ps, p, "unterminated object");
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == '}') return fail(ps, p, "trailing comma in object");
            continue;
        }
        if (*p == '}') {
            p++;
            break;
        }
        return fail(ps, p, "expected ',' or '}' in object");
    }
done:;
    uint8_t kind = 0;
    if (f[F_PATH].state == FIELD_STRING) {
        const uint8_t *s = f[F_PATH].s;
        size_t n = f[F_PATH].n;
        if (n == 7 && memcmp(s, "A@/href", 7) == 0) {
            kind = 1;
        } else if (n == 10 && memcmp(s, "AREA@/href", 10) == 0) {
            kind = 2;
        } else if (n == 8 && memcmp(s, "IMG@/src", 8) == 0) {
            ps->has_img = 1;
            if (f[F_ALT].state == FIELD_STRING) {
                if (f[F_ALT].scratch) {
                    /* keep the decoded alt: the next entry decodes into the other buffer */
                    Buf tmp = self->img;
                    self->img = self->scratch[F_ALT];
                    self->scratch[F_ALT] = tmp;
                    ps->img_s = self->img.p;
                } else {
                    ps->img_s = f[F_ALT].s;
                }
                ps->img_n = f[F_ALT].n;
            } else {
                ps->img_s = (const uint8_t *)"";
                ps->img_n = 0;
            }
            return p;
        }
    }
    if (kind && f[F_URL].state == FIELD_STRING && f[F_URL].n > 0) {
        if (append_row(ps, kind, &f[F_URL], &f[F_TEXT], &f[F_REL], ps->img_s, ps->img_n, ps->has_img) < 0)
            return NULL;
    }
    ps->has_img = 0;
    return p;
}

/* The whole input: one array of entries. Returns 0, or -1 with ps's error set. */
static int parse_links(Parser *ps) {
    const uint8_t *end = ps->end;
    const uint8_t *p = skip_ws(ps->start, end);
    if (p >= end) return fail(ps, p, "empty input"), -1;
    if (*p != '[') return fail(ps, p, "the top-level value is not an array"), -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']') {
        p++;
    } else {
        for (;;) {
            if (p >= end) return fail(ps, p, "unterminated array"), -1;
            if (*p == '{') {
                p = parse_entry(ps, p + 1);
            } else {
                p = skip_value(ps, p, 2);
                ps->has_img = 0;
            }
            if (p == NULL) return -1;
            p = skip_ws(p, end);
            if (p >= end) return fail(ps, p, "unterminated array"), -1;
            if (*p == ',') {
                p = skip_ws(p + 1, end);
                if (p < end && *p == ']') return fail(ps, p, "trailing comma in array"), -1;
                continue;
            }
            if (*p == ']') {
                p++;
                break;
            }
            return fail(ps, p, "expected ',' or ']' in array"), -1;
        }
    }
    p = skip_ws(p, end);
    if (p != end) return fail(ps, p, "unexpected content after the array"), -1;
    return 0;
}

/* --------------------------------------------------------------------------------------------- Python API */

static PyObject *LinkColumns_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "LinkColumns() takes no arguments");
        return NULL;
    }
    LinkColumns *self = (LinkColumns *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    if (reset_empty(self) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static void LinkColumns_dealloc(LinkColumns *self) {
    buf_free(&self->page);
    buf_free(&self->kind);
    for (int c = 0; c < NCOLS; c++) {
        buf_free(&self->off[c]);
        buf_free(&self->data[c]);
        buf_free(&self->valid[c]);
    }
    for (int i = 0; i < NFIELDS; i++) buf_free(&self->scratch[i]);
    buf_free(&self->key);
    buf_free(&self->img);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *LinkColumns_add(LinkColumns *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    PyObject *data = nargs > 0 ? args[0] : NULL, *page = nargs > 1 ? args[1] : NULL;
    if (nargs > 2) {
        PyErr_Format(PyExc_TypeError, "add() takes 2 positional arguments but %zd were given", nargs);
        return NULL;
    }
    if (kwnames != NULL) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
            PyObject *name = PyTuple_GET_ITEM(kwnames, i), *value = args[nargs + i];
            PyObject **slot;
            if (PyUnicode_CompareWithASCIIString(name, "data") == 0) slot = &data;
            else if (PyUnicode_CompareWithASCIIString(name, "page") == 0) slot = &page;
            else {
                PyErr_Format(PyExc_TypeError, "add() got an unexpected keyword argument '%U'", name);
                return NULL;
            }
            if (*slot != NULL) {
                PyErr_Format(PyExc_TypeError, "add() got multiple values for argument '%U'", name);
                return NULL;
            }
            *slot = value;
        }
    }
    if (data == NULL || page == NULL) {
        PyErr_SetString(PyExc_TypeError, "add() missing a required argument: 'data' and 'page' are required");
        return NULL;
    }
    if (!PyLong_Check(page)) {
        PyErr_Format(PyExc_TypeError, "page must be an int, not %.100s", Py_TYPE(page)->tp_name);
        return NULL;
    }
    long pg = PyLong_AsLong(page);
    if (pg == -1 && PyErr_Occurred()) return NULL;
    if (pg < INT32_MIN || pg > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "page does not fit an int32");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) return NULL;
    Parser ps;
    memset(&ps, 0, sizeof ps);
    ps.self = self;
    ps.start = (const uint8_t *)view.buf;
    ps.end = ps.start + view.len;
    ps.page = (int32_t)pg;
    Py_ssize_t before = self->rows;
    int rc = parse_links(&ps);
    PyBuffer_Release(&view);
    if (rc < 0) {
        truncate_to(self, before);
        if (ps.nomem) return PyErr_NoMemory();
        if (ps.overflow)
            return PyErr_Format(PyExc_ValueError, "column %s would exceed %d bytes of data (int32 offsets)",
                                ps.overflow, INT32_MAX);
        return PyErr_Format(PyExc_ValueError, "invalid JSON: %s at byte %zd", ps.err ? ps.err : "error",
                            (Py_ssize_t)(ps.errpos - ps.start));
    }
    return PyLong_FromSsize_t(self->rows - before);
}

static PyObject *LinkColumns_truncate(LinkColumns *self, PyObject *arg) {
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0 || n > self->rows)
        return PyErr_Format(PyExc_ValueError, "truncate(%zd): rows must be in [0, %zd]", n, self->rows);
    truncate_to(self, n);
    Py_RETURN_NONE;
}

static int put_bytes(PyObject *dict, const char *key, const Buf *b) {
    PyObject *v = PyBytes_FromStringAndSize((const char *)b->p, (Py_ssize_t)b->len);
    if (v == NULL) return -1;
    int rc = PyDict_SetItemString(dict, key, v);
    Py_DECREF(v);
    return rc;
}

#define RETAIN_MAX ((size_t)64 << 20)

/* Empty a buffer, shrinking a very large one (kept when even that fails: the builder stays usable). */
static void release_large(Buf *b) {
    b->len = 0;
    if (b->cap > RETAIN_MAX) {
        uint8_t *np = PyMem_Realloc(b->p, 64);
        if (np != NULL) {
            b->p = np;
            b->cap = 64;
        }
    }
}

static PyObject *LinkColumns_take(LinkColumns *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *d = PyDict_New();
    if (d == NULL) return NULL;
    char key[32];
    if (put_bytes(d, "page", &self->page) < 0 || put_bytes(d, "kind", &self->kind) < 0) goto error;
    for (int c = 0; c < NCOLS; c++) {
        PyOS_snprintf(key, sizeof key, "%s_offsets", COL_NAMES[c]);
        if (put_bytes(d, key, &self->off[c]) < 0) goto error;
        PyOS_snprintf(key, sizeof key, "%s_data", COL_NAMES[c]);
        if (put_bytes(d, key, &self->data[c]) < 0) goto error;
        PyOS_snprintf(key, sizeof key, "%s_validity", COL_NAMES[c]);
        if (put_bytes(d, key, &self->valid[c]) < 0) goto error;
    }
    /* Empty again. The buffers are kept for the next rows (a builder fills batch after batch of about the same
     * size: no new pages to fault in), but not a very large one. */
    release_large(&self->page);
    release_large(&self->kind);
    for (int c = 0; c < NCOLS; c++) {
        release_large(&self->off[c]);
        release_large(&self->data[c]);
        release_large(&self->valid[c]);
    }
    self->rows = 0;
    (void)reset_empty(self); /* cannot fail: every offsets buffer still has room for its 0 */
    return d;
error:
    Py_DECREF(d);
    return NULL;
}

static PyObject *LinkColumns_get_rows(LinkColumns *self, void *Py_UNUSED(closure)) {
    return PyLong_FromSsize_t(self->rows);
}

static PyMethodDef LinkColumns_methods[] = {
    {"add", (PyCFunction)(void (*)(void))LinkColumns_add, METH_FASTCALL | METH_KEYWORDS,
     "add($self, data, page)\n--\n\nParse one WAT Links JSON array (a bytes-like object) and append a row per "
     "hyperlink, tagged with page (int32). Returns the rows appended; ValueError (nothing appended) on invalid "
     "JSON or a non-array."},
    {"truncate", (PyCFunction)LinkColumns_truncate, METH_O,
     "truncate($self, rows, /)\n--\n\nDrop every row at index >= rows (0 <= rows <= self.rows)."},
    {"take", (PyCFunction)LinkColumns_take, METH_NOARGS,
     "take($self, /)\n--\n\nThe Arrow buffers of the rows held (page, kind, and <c>_offsets, <c>_data, "
     "<c>_validity for c in url, text, rel, alt); the builder is empty afterwards."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef LinkColumns_getset[] = {
    {"rows", (getter)LinkColumns_get_rows, NULL, "The number of rows held.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject LinkColumnsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "watlinks.LinkColumns",
    .tp_basicsize = sizeof(LinkColumns),
    .tp_itemsize = 0,
    .tp_dealloc = (destructor)LinkColumns_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "LinkColumns()\n--\n\nThe hyperlinks of WAT Links arrays as Arrow column buffers.",
    .tp_methods = LinkColumns_methods,
    .tp_getset = LinkColumns_getset,
    .tp_new = LinkColumns_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "watlinks",
    .m_doc = "The hyperlinks of WAT HTML-Metadata.Links JSON arrays, parsed into Arrow column buffers.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_watlinks(void) {
    init_tables();
    if (PyType_Ready(&LinkColumnsType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&LinkColumnsType);
    if (PyModule_AddObject(m, "LinkColumns", (PyObject *)&LinkColumnsType) < 0) {
        Py_DECREF(&LinkColumnsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
