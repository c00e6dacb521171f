/*
 * wathrefs: resolution and anchors of the hyperlink rows that watlinks.LinkColumns cut out of WAT records,
 * for a whole batch in one pass over the column buffers (no Python object per link).
 *
 * resolve(columns: dict, rows: int, pages: list[tuple[bytes root, bytes scheme, bytes directory, bool legacy]])
 *   -> dict[str, bytes]
 *
 * `columns` is what LinkColumns.take() returned (page, kind, url, text, alt; int32 offsets, validity bitmaps).
 * Per row, the rules of pipelines.ingest.crawl.resolve.Resolver and of the WAT anchor (see
 * pipelines/ingest/crawl/hyperlinks.py, which documents them and holds the Python reference):
 *   - legacy pages (writers before 2019): a value whose every '&' starts "&amp;" has them replaced by '&';
 *     any other '&' makes the row FLAG_PYTHON (Python decodes it: HTML references are a big table);
 *   - the href (url stripped of bytes <= 0x20 at both ends) as target: "" and "#..." dropped; ASCII
 *     "//x" -> scheme + href, "/x" -> root + href (dropped when the base is no http(s) URL), "/\x" etc. ->
 *     FLAG_JOIN; "http(s)://host..." as written; javascript:/mailto:/tel:/data: dropped; a plain relative
 *     path (and query) -> directory + href; anything else (non-ASCII, dot segments, other schemes, escapes)
 *     -> FLAG_JOIN (Python asks ada);
 *   - anchor: an A's text with whitespace collapsed as " ".join(text.split()) (Python's whitespace set);
 *     without text, the alt of a preceding image (FLAG_IMAGE); an AREA has no anchor and is FLAG_IMAGE.
 * Output: "flags" (uint8 per row: FLAG_JOIN 1, FLAG_PYTHON 2, FLAG_IMAGE 4, FLAG_DROP 8) and "target_*",
 * "anchor_*" string columns (offsets, data, validity) as in take(); a row with FLAG_JOIN, FLAG_PYTHON or
 * FLAG_DROP has a null target.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

enum { FLAG_JOIN = 1, FLAG_PYTHON = 2, FLAG_IMAGE = 4, FLAG_DROP = 8 };
enum { KIND_A = 1, KIND_AREA = 2 };

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buf;

static int buf_reserve(Buf *b, Py_ssize_t extra) {
    if (b->len + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static int buf_put(Buf *b, const void *src, Py_ssize_t n) {
    if (n == 0) return 0;
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->data + b->len, src, (size_t)n);
    b->len += n;
    return 0;
}

/* A string column being written: offsets (int32, rows+1), data, validity bitmap. */
typedef struct {
    Buf offsets, data, validity;
    Py_ssize_t rows;
} Column;

static int column_init(Column *c, Py_ssize_t rows) {
    memset(c, 0, sizeof *c);
    if (buf_reserve(&c->offsets, (rows + 1) * 4) < 0) return -1;
    if (buf_reserve(&c->validity, (rows + 7) / 8) < 0) return -1;
    c->validity.len = (rows + 7) / 8;
    if (c->validity.len) memset(c->validity.data, 0, (size_t)c->validity.len);
    int32_t zero = 0;
    return buf_put(&c->offsets, &zero, 4);
}

static int column_end_row(Column *c, int valid) {
    if (c->data.len > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "a batch's strings exceed 2 GiB");
        return -1;
    }
    int32_t end = (int32_t)c->data.len;
    if (valid) c->validity.data[c->rows / 8] |= (char)(1u << (c->rows % 8));
    c->rows++;
    return buf_put(&c->offsets, &end, 4);
}

static void column_free(Column *c) {
    PyMem_Free(c->offsets.data);
    PyMem_Free(c->data.data);
    PyMem_Free(c->validity.data);
}

/* A read-only string column of the input. */
typedef struct {
    Py_buffer offsets, data, validity;
    int held;
} Input;

typedef struct {
    const char *p;
    Py_ssize_t n;
    int valid;
} Str;

static Str input_get(const Input *in, Py_ssize_t i) {
    const int32_t *off = (const int32_t *)in->offsets.buf;
    const uint8_t *bits = (const uint8_t *)in->validity.buf;
    Str s;
    s.valid = (bits[i / 8] >> (i % 8)) & 1;
    s.p = (const char *)in->data.buf + off[i];
    s.n = off[i + 1] - off[i];
    return s;
}

static int get_buffer(PyObject *columns, const char *key, Py_buffer *view, Py_ssize_t min_len) {
    PyObject *value = PyDict_GetItemString(columns, key);
    if (!value) {
        PyErr_Format(PyExc_KeyError, "columns has no %s", key);
        return -1;
    }
    if (PyObject_GetBuffer(value, view, PyBUF_SIMPLE) < 0) return -1;
    if (view->len < min_len) {
        PyErr_Format(PyExc_ValueError, "columns[%s] holds %zd bytes, fewer than %zd", key, view->len, min_len);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static int input_open(Input *in, PyObject *columns, const char *name, Py_ssize_t rows) {
    char key[32];
    in->held = 0;
    snprintf(key, sizeof key, "%s_offsets", name);
    if (get_buffer(columns, key, &in->offsets, (rows + 1) * 4) < 0) return -1;
    snprintf(key, sizeof key, "%s_data", name);
    if (get_buffer(columns, key, &in->data, 0) < 0) {
        PyBuffer_Release(&in->offsets);
        return -1;
    }
    snprintf(key, sizeof key, "%s_validity", name);
    if (get_buffer(columns, key, &in->validity, (rows + 7) / 8) < 0) {
        PyBuffer_Release(&in->offsets);
        PyBuffer_Release(&in->data);
        return -1;
    }
    const int32_t *off = (const int32_t *)in->offsets.buf;
    for (Py_ssize_t i = 0; i < rows; i++) {
        if (off[i] < 0 || off[i + 1] < off[i] || off[i + 1] > in->data.len) {
            PyErr_Format(PyExc_ValueError, "columns[%s_offsets] is not a valid offsets array", name);
            PyBuffer_Release(&in->offsets);
            PyBuffer_Release(&in->data);
            PyBuffer_Release(&in->validity);
            return -1;
        }
    }
    in->held = 1;
    return 0;
}

static void input_close(Input *in) {
    if (!in->held) return;
    PyBuffer_Release(&in->offsets);
    PyBuffer_Release(&in->data);
    PyBuffer_Release(&in->validity);
    in->held = 0;
}

/* Legacy references: 0 when the value has no '&', 1 when every '&' starts "&amp;" (decoded into `out`),
 * -1 when another reference (or a bare '&') needs Python's decoder. */
static int legacy_amp(Str s, Buf *out) {
    const char *amp = memchr(s.p, '&', (size_t)s.n);
    if (!amp) return 0;
    out->len = 0;
    const char *p = s.p, *end = s.p + s.n;
    while (amp) {
        if (end - amp < 5 || memcmp(amp, "&amp;", 5) != 0) return -1;
        if (buf_put(out, p, amp - p + 1) < 0) return -2;
        p = amp + 5;
        amp = memchr(p, '&', (size_t)(end - p));
    }
    if (buf_put(out, p, end - p) < 0) return -2;
    return 1;
}

/* The length of the UTF-8 whitespace character (Python's str.isspace) at p, or 0. */
static int space_at(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) ? 1 : 0;
    if (c == 0xc2 && end - p >= 2) return (p[1] == 0x85 || p[1] == 0xa0) ? 2 : 0;
    if (end - p < 3) return 0;
    if (c == 0xe1) return (p[1] == 0x9a && p[2] == 0x80) ? 3 : 0;  /* U+1680 */
    if (c == 0xe2 && p[1] == 0x80) return ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9
                                           || p[2] == 0xaf) ? 3 : 0;  /* U+2000-200A, 2028, 2029, 202F */
    if (c == 0xe2 && p[1] == 0x81) return p[2] == 0x9f ? 3 : 0;  /* U+205F */
    if (c == 0xe3) return (p[1] == 0x80 && p[2] == 0x80) ? 3 : 0;  /* U+3000 */
    return 0;
}

/* " ".join(s.split()) appended to `out`; returns the number of bytes written, -1 on MemoryError. */
static Py_ssize_t put_collapsed(Buf *out, Str s) {
    const unsigned char *p = (const unsigned char *)s.p, *end = p + s.n;
    Py_ssize_t start = out->len;
    int pending_space = 0;
    if (buf_reserve(out, s.n) < 0) return -1;
    while (p < end) {
        int w = space_at(p, end);
        if (w) {
            pending_space = out->len > start;
            p += w;
            continue;
        }
        if (pending_space) {
            out->data[out->len++] = ' ';
            pending_space = 0;
        }
        out->data[out->len++] = (char)*p++;
    }
    return out->len - start;
}

static int is_ascii(Str s) {
    for (Py_ssize_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] >= 0x80) return 0;
    return 1;
}

static int starts(Str s, const char *prefix) {
    size_t n = strlen(prefix);
    return (size_t)s.n >= n && memcmp(s.p, prefix, n) == 0;
}

static int absolute_http(Str s) {
    /* ^https?://(?![/\\]) case-insensitively, as Resolver's fast path */
    Py_ssize_t i = 4;
    if (s.n < 7 || (s.p[0] | 0x20) != 'h' || (s.p[1] | 0x20) != 't' || (s.p[2] | 0x20) != 't'
        || (s.p[3] | 0x20) != 'p')
        return 0;
    if ((s.p[4] | 0x20) == 's') i = 5;
    if (s.n < i + 3 || s.p[i] != ':' || s.p[i + 1] != '/' || s.p[i + 2] != '/') return 0;
    return s.n == i + 3 || (s.p[i + 3] != '/' && s.p[i + 3] != '\\');
}

/* Bytes WHATWG keeps as written in a path, and in a query (no "'": special URLs encode it there). */
static uint8_t PATH_CHAR[256], QUERY_CHAR[256];

static void init_tables(void) {
    for (int c = 0; c < 256; c++) {
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        PATH_CHAR[c] = (uint8_t)(alnum || (c && strchr("-._~!$&'()*+,;=@/", c)));
        QUERY_CHAR[c] = (uint8_t)(alnum || (c && strchr("-._~!$&()*+,;=:@/?%", c)));
    }
}

/* A relative path (and query) that WHATWG appends to the base's directory unchanged (see hyperlinks.py). */
static int plain_relative(Str s) {
    Py_ssize_t i = 0;
    if (s.n == 0 || s.p[0] == '.') return 0;
    while (i < s.n && s.p[i] != '?') {
        unsigned char c = (unsigned char)s.p[i];
        if (!PATH_CHAR[c]) return 0;
        if (c == '/' && i + 1 < s.n && s.p[i + 1] == '.') return 0;
        i++;
    }
    if (i == 0) return 0;
    for (; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (!QUERY_CHAR[c]) return 0;
        if (c == '/' && i + 1 < s.n && s.p[i + 1] == '.') return 0;
    }
    return 1;
}

typedef struct {
    Str root, scheme, directory;
    int legacy;
} Page;

/* The target of one href, appended to `target`: 1 written, 0 FLAG_DROP, 2 FLAG_JOIN. */
static int resolve_href(Str url, const Page *page, Buf *target) {
    Str h = url;
    while (h.n && (unsigned char)h.p[0] <= 0x20) {
        h.p++;
        h.n--;
    }
    while (h.n && (unsigned char)h.p[h.n - 1] <= 0x20) h.n--;
    if (h.n == 0 || h.p[0] == '#') return 0;
    if (!is_ascii(h)) return 2;
    Str prefix = {"", 0, 1};
    if (h.p[0] == '/') {
        if (page->root.n == 0) return 0;
        char second = h.n > 1 ? h.p[1] : 0;
        if (second == '/')
            prefix = page->scheme;
        else if (second == '\\' || second == '\t' || second == '\n' || second == '\r')
            return 2;
        else
            prefix = page->root;
    } else if (absolute_http(h)) {
        /* as written */
    } else if (starts(h, "javascript:") || starts(h, "mailto:") || starts(h, "tel:") || starts(h, "data:")) {
        return 0;
    } else if (page->directory.n && plain_relative(h)) {
        prefix = page->directory;
    } else {
        return 2;
    }
    if (buf_put(target, prefix.p, prefix.n) < 0 || buf_put(target, h.p, h.n) < 0) return -1;
    return 1;
}

static PyObject *put_column(PyObject *dict, const char *name, Column *c) {
    char key[32];
    PyObject *v;
    snprintf(key, sizeof key, "%s_offsets", name);
    if (!(v = PyBytes_FromStringAndSize(c->offsets.data, c->offsets.len)) || PyDict_SetItemString(dict, key, v) < 0)
        goto fail;
    Py_DECREF(v);
    snprintf(key, sizeof key, "%s_data", name);
    if (!(v = PyBytes_FromStringAndSize(c->data.data, c->data.len)) || PyDict_SetItemString(dict, key, v) < 0)
        goto fail;
    Py_DECREF(v);
    snprintf(key, sizeof key, "%s_validity", name);
    if (!(v = PyBytes_FromStringAndSize(c->validity.data, c->validity.len)) || PyDict_SetItemString(dict, key, v) < 0)
        goto fail;
    Py_DECREF(v);
    return dict;
fail:
    Py_XDECREF(v);
    return NULL;
}

static int read_pages(PyObject *pages, Page **out, Py_ssize_t *count) {
    PyObject *seq = PySequence_Fast(pages, "pages must be a sequence");
    if (!seq) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Page *all = PyMem_Calloc((size_t)(n ? n : 1), sizeof(Page));
    if (!all) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        PyObject *root, *scheme, *directory;
        int legacy;
        if (!PyTuple_Check(item) || !PyArg_ParseTuple(item, "SSSp", &root, &scheme, &directory, &legacy)) {
            if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError, "pages[%zd] must be (bytes root, bytes scheme, bytes directory, bool)", i);
            }
            PyMem_Free(all);
            Py_DECREF(seq);
            return -1;
        }
        /* The bytes stay alive: `pages` holds them for the whole call. */
        all[i].root = (Str){PyBytes_AS_STRING(root), PyBytes_GET_SIZE(root), 1};
        all[i].scheme = (Str){PyBytes_AS_STRING(scheme), PyBytes_GET_SIZE(scheme), 1};
        all[i].directory = (Str){PyBytes_AS_STRING(directory), PyBytes_GET_SIZE(directory), 1};
        all[i].legacy = legacy;
    }
    Py_DECREF(seq);
    *out = all;
    *count = n;
    return 0;
}

static PyObject *resolve(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *columns, *pages;
    Py_ssize_t rows;
    if (!PyArg_ParseTuple(args, "O!nO", &PyDict_Type, &columns, &rows, &pages)) return NULL;
    if (rows < 0) {
        PyErr_SetString(PyExc_ValueError, "rows must be >= 0");
        return NULL;
    }
    Page *page_list = NULL;
    Py_ssize_t page_count = 0;
    Py_buffer page_view = {0}, kind_view = {0};
    Input url = {0}, text = {0}, alt = {0};
    Column target, anchor;
    Buf flags = {0}, scratch_url = {0}, scratch_text = {0}, scratch_alt = {0};
    PyObject *result = NULL;
    memset(&target, 0, sizeof target);
    memset(&anchor, 0, sizeof anchor);
    if (read_pages(pages, &page_list, &page_count) < 0) return NULL;
    if (get_buffer(columns, "page", &page_view, rows * 4) < 0) goto done;
    if (get_buffer(columns, "kind", &kind_view, rows) < 0) goto done;
    if (input_open(&url, columns, "url", rows) < 0 || input_open(&text, columns, "text", rows) < 0
        || input_open(&alt, columns, "alt", rows) < 0)
        goto done;
    if (column_init(&target, rows) < 0 || column_init(&anchor, rows) < 0 || buf_reserve(&flags, rows) < 0)
        goto done;
    const int32_t *page_of = (const int32_t *)page_view.buf;
    const uint8_t *kind_of = (const uint8_t *)kind_view.buf;
    for (Py_ssize_t i = 0; i < rows; i++) {
        if (page_of[i] < 0 || page_of[i] >= page_count) {
            PyErr_Format(PyExc_ValueError, "row %zd names page %d of %zd", i, page_of[i], page_count);
            goto done;
        }
        const Page *page = &page_list[page_of[i]];
        Str u = input_get(&url, i), t = input_get(&text, i), a = input_get(&alt, i);
        uint8_t flag = 0;
        if (page->legacy) {
            int ru = u.valid ? legacy_amp(u, &scratch_url) : 0;
            int rt = t.valid ? legacy_amp(t, &scratch_text) : 0;
            int ra = a.valid ? legacy_amp(a, &scratch_alt) : 0;
            if (ru == -2 || rt == -2 || ra == -2) goto done;
            if (ru < 0 || rt < 0 || ra < 0) {
                flags.data[flags.len++] = FLAG_PYTHON;
                if (column_end_row(&target, 0) < 0 || column_end_row(&anchor, 0) < 0) goto done;
                continue;
            }
            if (ru) u = (Str){scratch_url.data, scratch_url.len, 1};
            if (rt) t = (Str){scratch_text.data, scratch_text.len, 1};
            if (ra) a = (Str){scratch_alt.data, scratch_alt.len, 1};
        }
        int resolved = u.valid ? resolve_href(u, page, &target.data) : 0;
        if (resolved < 0) goto done;
        if (resolved == 0) flag |= FLAG_DROP;
        if (resolved == 2) flag |= FLAG_JOIN;
        int anchor_valid = 1;
        if (kind_of[i] == KIND_AREA) {
            flag |= FLAG_IMAGE;
            anchor_valid = 0;
        } else {
            Py_ssize_t written = 0;
            int has_text = t.valid && t.n > 0;
            if (has_text && (written = put_collapsed(&anchor.data, t)) < 0) goto done;
            if ((!has_text || written == 0) && a.valid) {
                if (put_collapsed(&anchor.data, a) < 0) goto done;
                flag |= FLAG_IMAGE;
            }
        }
        flags.data[flags.len++] = (char)flag;
        if (column_end_row(&target, resolved == 1) < 0 || column_end_row(&anchor, anchor_valid) < 0) goto done;
    }
    result = PyDict_New();
    if (!result) goto done;
    PyObject *f = PyBytes_FromStringAndSize(flags.data, flags.len);
    if (!f || PyDict_SetItemString(result, "flags", f) < 0 || !put_column(result, "target", &target)
        || !put_column(result, "anchor", &anchor)) {
        Py_XDECREF(f);
        Py_CLEAR(result);
        goto done;
    }
    Py_DECREF(f);
done:
    if (page_view.obj) PyBuffer_Release(&page_view);
    if (kind_view.obj) PyBuffer_Release(&kind_view);
    input_close(&url);
    input_close(&text);
    input_close(&alt);
    column_free(&target);
    column_free(&anchor);
    PyMem_Free(flags.data);
    PyMem_Free(scratch_url.data);
    PyMem_Free(scratch_text.data);
    PyMem_Free(scratch_alt.data);
    PyMem_Free(page_list);
    return result;
}

static PyMethodDef methods[] = {
    {"resolve", resolve, METH_VARARGS,
     "resolve(columns, rows, pages) -> dict: flags, target and anchor columns of a batch of WAT hyperlinks"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "wathrefs", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_wathrefs(void) {
    init_tables();
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    if (PyModule_AddIntConstant(m, "FLAG_JOIN", FLAG_JOIN) < 0 || PyModule_AddIntConstant(m, "FLAG_PYTHON", FLAG_PYTHON) < 0
        || PyModule_AddIntConstant(m, "FLAG_IMAGE", FLAG_IMAGE) < 0 || PyModule_AddIntConstant(m, "FLAG_DROP", FLAG_DROP) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
