/* The compiled fast paths of validation. Each stands in front of Python code that stays
 * the reference, runs wherever this module was not built, and decides whenever a fast path
 * is not sure:
 *   exact_parse    orjson's parse is certainly the exact parser's (store/reading.py
 *                  `_orjson_exact`), or "ask the reference" (exact_json: from the text alone);
 *   layers_sound   an annotation file certainly has nothing to report (validation/checks.py
 *                  `_LayerChecks.run`), or "ask the reference";
 *   normalizes_to  normalize(raw) == text, computed without building the normalised text
 *                  (model/normalize.py `normalize`; a U+FEFF is left to it);
 *   first_control  the first control character of a text (normalize.py's expression).
 * tests/test_fastcheck.py and tests/test_json_fastpath.py check each against its reference
 * on arbitrary input: never a yes where the reference finds anything.
 *
 * Raise VERSION whenever what a function answers changes: Python uses a module only of the
 * version it was written for, so a stale build is ignored rather than trusted.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>


#define VERSION 4

#if PY_VERSION_HEX >= 0x030C0000
#define READY(o) 0   /* every str is ready from Python 3.12 on */
#else
#define READY(o) PyUnicode_READY(o)
#endif

/* ------------------------------------------------------------------ exact_json */

/* Objects nested deeper, or with more keys, are left to the reference. */
#define MAX_DEPTH 255
#define MAX_KEYS 64
#define KEY_STACK 1024

/* The bytes passed over between tokens: JSON's white space, and the colon. */
static unsigned char SKIP[256];

typedef struct {
    const unsigned char *at;
    Py_ssize_t len;
} Key;

/* 1 when the JSON text `s` (already parsed by orjson) holds no duplicate key, no number
 * with a fraction or an exponent, no integer of more than 18 digits, no \u escape and
 * no escaped key: then orjson's value is exactly the exact parser's. 0 otherwise, or on
 * anything unexpected. Reads nothing outside s[0:len]. */
static int
scan_exact(const unsigned char *s, Py_ssize_t len)
{
    char in_object[MAX_DEPTH + 1];
    int key_base[MAX_DEPTH + 1];
    Key keys[KEY_STACK];
    int depth = 0, nkeys = 0, expect_key = 0;
    Py_ssize_t i = 0;

    in_object[0] = 0;
    key_base[0] = 0;
    for (;;) {
        unsigned char c;
        /* White space and colons in one run (the structure is orjson's, already checked):
           a line break and its indentation cost one tight loop, not a dispatch a byte. */
        while (i < len && SKIP[s[i]])
            i++;
        if (i >= len)
            break;
        c = s[i];
        switch (c) {
        case ',':
            expect_key = in_object[depth];
            i++;
            break;
        case '{': case '[':
            if (depth >= MAX_DEPTH)
                return 0;
            depth++;
            in_object[depth] = (c == '{');
            key_base[depth] = nkeys;
            expect_key = in_object[depth];
            i++;
            break;
        case '}': case ']':
            if (depth == 0)
                return 0;
            nkeys = key_base[depth];
            depth--;
            expect_key = 0;
            i++;
            break;
        case '"': {
            /* orjson has checked the string (no raw control byte, valid escapes): find its
               closing quote and whether an escape comes before it. */
            const unsigned char *end = s + len, *from = s + i + 1, *close, *escape;
            Py_ssize_t start = i + 1;
            int escaped = 0;
            for (;;) {
                close = memchr(from, '"', (size_t)(end - from));
                if (close == NULL)
                    return 0;
                escape = memchr(from, '\\', (size_t)(close - from));
                if (escape == NULL)
                    break;
                if (escape + 1 >= end || escape[1] == 'u')
                    return 0;   /* a \u escape: the reference decides */
                escaped = 1;
                from = escape + 2;
            }
            i = close - s;
            if (expect_key) {
                Py_ssize_t n = i - start;
                int k;
                if (escaped || nkeys - key_base[depth] >= MAX_KEYS || nkeys >= KEY_STACK)
                    return 0;
                for (k = key_base[depth]; k < nkeys; k++) {
                    if (keys[k].len == n && memcmp(keys[k].at, s + start, (size_t)n) == 0)
                        return 0;
                }
                keys[nkeys].at = s + start;
                keys[nkeys].len = n;
                nkeys++;
                expect_key = 0;
            }
            i++;
            break;
        }
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
            Py_ssize_t digits = 0;
            if (c == '-')
                i++;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                digits++;
                i++;
            }
            if (digits == 0 || digits > 18)
                return 0;
            if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
                return 0;
            break;
        }
        case 't': case 'f': case 'n':
            while (i < len && s[i] >= 'a' && s[i] <= 'z')
                i++;
            break;
        default:
            return 0;
        }
    }
    return depth == 0;
}

/* The number of bytes equal to `b` in s[0:len], eight bytes at a time. */
static Py_ssize_t
count_byte(const unsigned char *s, Py_ssize_t len, unsigned char b)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL, pattern = 0x0101010101010101ULL * b;
    Py_ssize_t found = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, nonzero;
        memcpy(&x, s + i, 8);
        x ^= pattern;                              /* a byte equal to b is now 0 */
        nonzero = ((((x & low7) + low7) | x) & ~low7) >> 7;   /* 1 in each byte not 0 */
        found += 8 - (Py_ssize_t)((nonzero * 0x0101010101010101ULL) >> 56);   /* their sum */
    }
    for (; i < len; i++)
        found += s[i] == b;
    return found;
}

/* The strings (keys and string values) of `obj`, orjson's parse; -1 at a float (a number
 * with a fraction or an exponent, or an integer beyond 64 bits), at anything a JSON parse
 * does not give, or deeper than MAX_DEPTH. */
static Py_ssize_t
count_strings(PyObject *obj, int depth)
{
    Py_ssize_t found = 0, i, n, pos = 0;
    PyObject *key, *value;
    if (PyUnicode_CheckExact(obj))
        return 1;
    if (PyLong_CheckExact(obj) || obj == Py_None || obj == Py_True || obj == Py_False)
        return 0;
    if (depth >= MAX_DEPTH)
        return -1;
    if (PyList_CheckExact(obj)) {
        n = PyList_GET_SIZE(obj);
        for (i = 0; i < n; i++) {
            Py_ssize_t inner = count_strings(PyList_GET_ITEM(obj, i), depth + 1);
            if (inner < 0)
                return -1;
            found += inner;
        }
        return found;
    }
    if (PyDict_CheckExact(obj)) {
        while (PyDict_Next(obj, &pos, &key, &value)) {
            Py_ssize_t inner = count_strings(value, depth + 1);
            if (inner < 0 || !PyUnicode_CheckExact(key))
                return -1;
            found += 1 + inner;
        }
        return found;
    }
    return -1;
}

/* exact_parse(data, obj): 1 when `obj`, orjson's parse of `data`, is certainly what the
 * exact parser returns. Without a backslash in `data`, every '"' delimits a string, so
 * the text holds count('"') / 2 strings; a duplicate key, whose pair orjson drops, leaves
 * fewer in `obj`. Then a float in `obj` is the only other difference. With a backslash,
 * the scan of the text (scan_exact) decides. */
static PyObject *
exact_parse(PyObject *module, PyObject *args)
{
    Py_buffer view;
    PyObject *data, *obj;
    int found;
    if (!PyArg_ParseTuple(args, "OO:exact_parse", &data, &obj))
        return NULL;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    if (memchr(view.buf, '\\', (size_t)view.len) != NULL) {
        found = scan_exact((const unsigned char *)view.buf, view.len);
    }
    else {
        Py_ssize_t strings = count_strings(obj, 0);
        found = strings >= 0 && count_byte((const unsigned char *)view.buf, view.len, '"') == 2 * strings;
    }
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

static PyObject *
exact_json(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    int found;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    found = scan_exact((const unsigned char *)view.buf, view.len);
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

/* ---------------------------------------------------------------- layers_sound */

static PyObject *K_ENTITIES, *K_QUOTES, *K_CLAIMS, *K_ORPHANS, *K_ID, *K_START, *K_END,
                *K_TEXT, *K_ENTITY, *K_LABEL, *K_TYPE, *K_CUE, *K_SPEAKER, *K_CLAIMANT, *K_QUOTE;

static PyObject **KEYS[] = {&K_ENTITIES, &K_QUOTES, &K_CLAIMS, &K_ORPHANS, &K_ID, &K_START, &K_END,
                            &K_TEXT, &K_ENTITY, &K_LABEL, &K_TYPE, &K_CUE, &K_SPEAKER, &K_CLAIMANT,
                            &K_QUOTE};
#define N_KEYS (sizeof(KEYS) / sizeof(KEYS[0]))

/* Take the key objects of `item` as the keys looked up from now on. A dict finds a key
 * of its own at once, by identity; an equal key of another object costs a comparison of
 * the strings on every lookup. orjson keeps one object per short key, so after the first
 * file the lookups find theirs by identity. Equal strings either way: nothing else changes. */
static void
adopt_keys(PyObject *item)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    size_t k;
    if (!PyDict_CheckExact(item))
        return;
    while (PyDict_Next(item, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key))
            continue;
        for (k = 0; k < N_KEYS; k++) {
            if (*KEYS[k] == key)
                break;
        }
        if (k < N_KEYS)
            continue;
        for (k = 0; k < N_KEYS; k++) {
            if (PyUnicode_Compare(*KEYS[k], key) == 0) {
                Py_INCREF(key);
                Py_SETREF(*KEYS[k], key);
                break;
            }
        }
        PyErr_Clear();
    }
}

/* item[key] as a borrowed reference; NULL (no error set) when `item` is not a dict or has
 * no such key (an error in the lookup, an unhashable key, counts as none). */
static PyObject *
field(PyObject *item, PyObject *key)
{
    PyObject *value;
    if (!PyDict_CheckExact(item))
        return NULL;
    value = PyDict_GetItemWithError(item, key);
    if (value == NULL)
        PyErr_Clear();
    return value;
}

/* An exact int in [0, PY_SSIZE_T_MAX]; -1 for anything else. */
static Py_ssize_t
offset(PyObject *item, PyObject *key)
{
    PyObject *value = field(item, key);
    Py_ssize_t n;
    if (value == NULL || !PyLong_CheckExact(value))
        return -1;
    n = PyLong_AsSsize_t(value);
    if (n == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    return n;
}

/* Whether `item` is a span of `text` that `_LayerChecks.span` passes: a non-empty
 * [start:end] within the text whose characters are item["text"], without white space
 * at either end and, when `inline`, without a newline. */
static int
span_sound(PyObject *item, PyObject *text, Py_ssize_t n, int inline_)
{
    Py_ssize_t start = offset(item, K_START), end = offset(item, K_END), len;
    PyObject *expected = field(item, K_TEXT);
    int kind;
    const void *data;
    if (start < 0 || end < 0 || !(start < end && end <= n))
        return 0;
    if (expected == NULL || !PyUnicode_CheckExact(expected) || READY(expected) < 0)
        return 0;
    len = PyUnicode_GET_LENGTH(expected);
    if (len != end - start)
        return 0;
    kind = PyUnicode_KIND(expected);
    data = PyUnicode_DATA(expected);
    if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, 0))
        || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, len - 1)))
        return 0;
    if (inline_ && PyUnicode_FindChar(expected, '\n', 0, len, 1) != -1)
        return 0;
    /* A prefix match of `expected` over text[start:end], whose lengths are equal. */
    return PyUnicode_Tailmatch(text, expected, start, end, -1) == 1;
}

static int
contains(PyObject *set, PyObject *key)
{
    int found = PySequence_Contains(set, key);
    if (found < 0) {
        PyErr_Clear();
        return 0;
    }
    return found;
}

/* Whether `ref` (a speaker or claimant) is None, the author where allowed, or the id of a
 * mention of a speaker type: what `_LayerChecks.agent` passes. */
static int
agent_sound(PyObject *ref, PyObject *mentions, PyObject *speaker_types,
            PyObject *author_id, int allow_author)
{
    PyObject *mention, *label;
    if (ref == Py_None)
        return 1;
    if (allow_author && PyUnicode_CheckExact(ref) && PyUnicode_Compare(ref, author_id) == 0)
        return 1;
    if (!PyUnicode_CheckExact(ref))
        return 0;
    mention = field(mentions, ref);
    if (mention == NULL)
        return 0;
    label = field(mention, K_LABEL);
    return label != NULL && contains(speaker_types, label);
}

/* Whether `data` (one annotation file, valid against its schema) has nothing
 * `_LayerChecks.run` would report; 0 sends it to that reference. */
static int
layers_ok(PyObject *data, PyObject *text, PyObject *registry, PyObject *link_required,
          PyObject *value_types, PyObject *speaker_types, PyObject *author_id,
          PyObject *ids, PyObject *mentions, PyObject *quotes)
{
    PyObject **layer_keys[3] = {&K_ENTITIES, &K_QUOTES, &K_CLAIMS};
    PyObject *layers[3], *orphans;
    Py_ssize_t n, i, count;
    int l;

    if (!PyUnicode_CheckExact(text) || READY(text) < 0)
        return 0;
    n = PyUnicode_GET_LENGTH(text);
    adopt_keys(data);
    for (l = 0; l < 3; l++) {
        layers[l] = field(data, *layer_keys[l]);
        if (layers[l] != NULL && PyList_CheckExact(layers[l]) && PyList_GET_SIZE(layers[l]) > 0)
            adopt_keys(PyList_GET_ITEM(layers[l], 0));
        if (layers[l] == NULL || !PyList_CheckExact(layers[l]))
            return 0;
    }
    orphans = field(data, K_ORPHANS);
    if (orphans != NULL && (!PyList_CheckExact(orphans) || PyList_GET_SIZE(orphans) != 0))
        return 0;
    for (l = 0; l < 3; l++) {
        count = PyList_GET_SIZE(layers[l]);
        for (i = 0; i < count; i++) {
            PyObject *item = PyList_GET_ITEM(layers[l], i);
            PyObject *item_id = field(item, K_ID);
            if (item_id == NULL || !PyUnicode_CheckExact(item_id))
                return 0;
            if (PySet_Contains(ids, item_id) != 0 || PySet_Add(ids, item_id) < 0)
                return 0;
            if (!span_sound(item, text, n, l == 0))
                return 0;
            if (l == 0 && PyDict_SetItem(mentions, item_id, item) < 0)
                return 0;
            if (l == 1 && PyDict_SetItem(quotes, item_id, item) < 0)
                return 0;
        }
    }
    if (registry != Py_None) {
        if (!PyDict_CheckExact(registry))
            return 0;
        count = PyList_GET_SIZE(layers[0]);
        for (i = 0; i < count; i++) {
            PyObject *m = PyList_GET_ITEM(layers[0], i);
            PyObject *entity = field(m, K_ENTITY), *label = field(m, K_LABEL), *target, *type;
            if (entity == NULL || label == NULL || !PyUnicode_CheckExact(label))
                return 0;
            if (entity == Py_None) {
                if (contains(link_required, label))
                    return 0;
                continue;
            }
            if (!PyUnicode_CheckExact(entity) || contains(value_types, label))
                return 0;
            target = field(registry, entity);
            if (target == NULL)
                return 0;
            type = field(target, K_TYPE);
            if (type == NULL || !PyUnicode_CheckExact(type) || PyUnicode_Compare(type, label) != 0)
                return 0;
        }
    }
    count = PyList_GET_SIZE(layers[1]);
    for (i = 0; i < count; i++) {
        PyObject *q = PyList_GET_ITEM(layers[1], i);
        PyObject *cue = field(q, K_CUE), *speaker = field(q, K_SPEAKER);
        if (cue == NULL || speaker == NULL)
            return 0;
        if (cue != Py_None && !span_sound(cue, text, n, 1))
            return 0;
        if (!agent_sound(speaker, mentions, speaker_types, author_id, 0))
            return 0;
    }
    count = PyList_GET_SIZE(layers[2]);
    for (i = 0; i < count; i++) {
        PyObject *c = PyList_GET_ITEM(layers[2], i);
        PyObject *claimant = field(c, K_CLAIMANT), *quote_id = field(c, K_QUOTE), *quote;
        if (claimant == NULL || quote_id == NULL)
            return 0;
        if (!agent_sound(claimant, mentions, speaker_types, author_id, 1))
            return 0;
        if (quote_id == Py_None)
            continue;
        if (!PyUnicode_CheckExact(quote_id))
            return 0;
        quote = field(quotes, quote_id);
        if (quote == NULL)
            return 0;
        if (!(offset(quote, K_START) <= offset(c, K_START) && offset(c, K_END) <= offset(quote, K_END))
            || offset(quote, K_START) < 0 || offset(c, K_END) < 0)
            return 0;
    }
    return 1;
}

static PyObject *
layers_sound(PyObject *module, PyObject *args)
{
    PyObject *data, *text, *registry, *link_required, *value_types, *speaker_types, *author_id;
    PyObject *ids, *mentions, *quotes;
    int found = 0;
    if (!PyArg_ParseTuple(args, "OUOOOOU:layers_sound", &data, &text, &registry, &link_required,
                          &value_types, &speaker_types, &author_id))
        return NULL;
    ids = PySet_New(NULL);
    mentions = PyDict_New();
    quotes = PyDict_New();
    if (ids != NULL && mentions != NULL && quotes != NULL)
        found = layers_ok(data, text, registry, link_required, value_types, speaker_types,
                          author_id, ids, mentions, quotes);
    Py_XDECREF(ids);
    Py_XDECREF(mentions);
    Py_XDECREF(quotes);
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_MemoryError))
            PyErr_Clear();   /* whatever went wrong, the reference decides */
        else
            return NULL;
    }
    return PyBool_FromLong(found);
}

/* -------------------------------------------------------------- first_control */

#define CONTROL(ch) (((ch) < 0x20 && (ch) != '\n') || ((ch) >= 0x7f && (ch) <= 0x9f))

/* The offset of the first control character (C0, DEL, C1) other than a newline in a str,
 * or -1: what normalize.first_control_character finds with its regular expression. */
static PyObject *
first_control(PyObject *module, PyObject *text)
{
    Py_ssize_t i, n;
    int kind;
    const void *data;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "first_control() takes a str");
        return NULL;
    }
    if (READY(text) < 0)
        return NULL;
    n = PyUnicode_GET_LENGTH(text);
    kind = PyUnicode_KIND(text);
    data = PyUnicode_DATA(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *at = (const Py_UCS1 *)data;
        for (i = 0; i < n; i++)
            if (CONTROL(at[i]))
                return PyLong_FromSsize_t(i);
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *at = (const Py_UCS2 *)data;
        for (i = 0; i < n; i++)
            if (CONTROL(at[i]))
                return PyLong_FromSsize_t(i);
    }
    else {
        const Py_UCS4 *at = (const Py_UCS4 *)data;
        for (i = 0; i < n; i++)
            if (CONTROL(at[i]))
                return PyLong_FromSsize_t(i);
    }
    return PyLong_FromLong(-1);
}

/* ------------------------------------------------------------- normalizes_to */

/* Where str.splitlines breaks: \n \r \v \f \x1c \x1d \x1e \x85 U+2028 U+2029 (a call to
 * Py_UNICODE_ISLINEBREAK for each character would cost more than the rest of the loop). */
#define LINEBREAK(ch) ((ch) < 0x80 ? ((ch) == '\n' || (ch) == '\r' || (ch) == 0x0b || (ch) == 0x0c \
                                      || ((ch) >= 0x1c && (ch) <= 0x1e)) \
                                   : ((ch) == 0x85 || (ch) == 0x2028 || (ch) == 0x2029))

/* Code points that NFC leaves as they are whatever stands around them: starters, unchanged
 * by NFC, neither they nor the start of their decomposition composing with a character
 * before them. A line made of these only is its own NFC. tests/test_fastcheck.py checks
 * every code point of these blocks against the Unicode database of the Python running. */
static const Py_UCS4 NFC_STABLE[][2] = {
    {0x0000, 0x02FF}, {0x0400, 0x0482}, {0x0488, 0x04FF}, {0x05D0, 0x05F4}, {0x0600, 0x060F},
    {0x061B, 0x064A}, {0x0660, 0x066F}, {0x0671, 0x06D5}, {0x06EE, 0x06FF}, {0x1E00, 0x1EFF},
    {0x2002, 0x20CF}, {0x20F1, 0x2125}, {0x212C, 0x2328}, {0x232B, 0x2ADB}, {0x2ADD, 0x2BFF},
    {0x3000, 0x3029}, {0x3030, 0x3098}, {0x309B, 0x30FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
    {0xAC00, 0xD7A3}, {0xFE00, 0xFE0F}, {0x1F000, 0x1FAFF}, {0x20000, 0x2A6DF},
};
#define N_STABLE (sizeof(NFC_STABLE) / sizeof(NFC_STABLE[0]))

/* The blocks below U+10000 as a bitmap, filled when the module loads. */
static unsigned char BMP_STABLE[0x10000 / 8];

static void
fill_stable(void)
{
    size_t k;
    Py_UCS4 c;
    for (k = 0; k < N_STABLE; k++)
        for (c = NFC_STABLE[k][0]; c <= NFC_STABLE[k][1] && c < 0x10000; c++)
            BMP_STABLE[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static int
nfc_stable(Py_UCS4 ch)
{
    size_t k;
    if (ch < 0x10000)
        return (BMP_STABLE[ch >> 3] >> (ch & 7)) & 1;
    for (k = 0; k < N_STABLE; k++)
        if (ch >= NFC_STABLE[k][0] && ch <= NFC_STABLE[k][1])
            return 1;
    return 0;
}

/* Where the line starting at `i` ends (at a line break, or at n), and in *stable whether
 * all of it is NFC-stable; -1 at a U+FEFF (which normalize drops: left to it). */
static Py_ssize_t
line_end_of(int kind, const void *data, Py_ssize_t i, Py_ssize_t n, int *stable)
{
    *stable = 1;
    if (kind == PyUnicode_1BYTE_KIND) {   /* all below U+0100: stable */
        const Py_UCS1 *at = (const Py_UCS1 *)data;
        while (i < n && !LINEBREAK(at[i]))
            i++;
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *at = (const Py_UCS2 *)data;
        for (; i < n && !LINEBREAK(at[i]); i++) {
            if (at[i] == 0xFEFF)
                return -1;
            if (*stable && !nfc_stable(at[i]))
                *stable = 0;
        }
    }
    else {
        const Py_UCS4 *at = (const Py_UCS4 *)data;
        for (; i < n && !LINEBREAK(at[i]); i++) {
            if (at[i] == 0xFEFF)
                return -1;
            if (*stable && !nfc_stable(at[i]))
                *stable = 0;
        }
    }
    return i;
}

typedef struct {
    PyObject *text;
    int kind;
    const void *data;
    Py_ssize_t n, at;   /* length, and how far it has been matched */
    int paragraphs, in_paragraph;
} Joined;

/* Match line[a:b] (a non-empty stripped line) against the text where it must stand: after a
 * space within a paragraph, after a blank line before a new one. 1 when it does. */
static int
match_line(Joined *j, PyObject *line, Py_ssize_t a, Py_ssize_t b)
{
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t k;
    if (j->in_paragraph) {
        if (j->at >= j->n || PyUnicode_READ(j->kind, j->data, j->at) != ' ')
            return 0;
        j->at++;
    }
    else {
        if (j->paragraphs) {
            if (j->at + 2 > j->n || PyUnicode_READ(j->kind, j->data, j->at) != '\n'
                || PyUnicode_READ(j->kind, j->data, j->at + 1) != '\n')
                return 0;
            j->at += 2;
        }
        j->paragraphs++;
        j->in_paragraph = 1;
    }
    if (b - a > j->n - j->at)
        return 0;
    if (kind == j->kind) {
        if (memcmp((const char *)data + a * kind, (const char *)j->data + j->at * kind,
                   (size_t)((b - a) * kind)) != 0)
            return 0;
        j->at += b - a;
        return 1;
    }
    for (k = a; k < b; k++, j->at++)
        if (PyUnicode_READ(kind, data, k) != PyUnicode_READ(j->kind, j->data, j->at))
            return 0;
    return 1;
}

/* [*a, *b): line[a:b] without the white space str.strip removes. */
static void
strip_bounds(PyObject *line, Py_ssize_t *a, Py_ssize_t *b)
{
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    while (*a < *b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, *a)))
        (*a)++;
    while (*b > *a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, *b - 1)))
        (*b)--;
}

/* Whether normalize(raw) == text: raw's lines (split where str.splitlines splits), each
 * in NFC (`nfc` is called on a line only when it is not all NFC-stable), stripped, joined
 * by a space within a paragraph, paragraphs (runs of non-blank lines) by a blank line, one
 * final newline; "" when nothing is left. Compared as it goes: the normalised text is not
 * built. 1, 0, or -1 with an exception set (from `nfc`); 0 also at a U+FEFF. */
static int
normalizes_to_text(PyObject *raw, PyObject *text, PyObject *nfc)
{
    int rkind = PyUnicode_KIND(raw), stable;
    const void *rdata = PyUnicode_DATA(raw);
    Py_ssize_t rn = PyUnicode_GET_LENGTH(raw), i = 0, a, b, end;
    Joined j = {text, PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), 0, 0, 0};

    for (;;) {
        end = line_end_of(rkind, rdata, i, rn, &stable);
        if (end < 0)
            return 0;
        if (stable) {
            a = i;
            b = end;
            strip_bounds(raw, &a, &b);
            if (a == b)
                j.in_paragraph = 0;
            else if (!match_line(&j, raw, a, b))
                return 0;
        }
        else {
            PyObject *line = PyUnicode_Substring(raw, i, end), *composed;
            int matched = 1;
            if (line == NULL)
                return -1;
            composed = PyObject_CallOneArg(nfc, line);
            Py_DECREF(line);
            if (composed == NULL)
                return -1;
            if (!PyUnicode_Check(composed) || READY(composed) < 0) {
                Py_DECREF(composed);
                PyErr_SetString(PyExc_TypeError, "nfc() must return a str");
                return -1;
            }
            a = 0;
            b = PyUnicode_GET_LENGTH(composed);
            strip_bounds(composed, &a, &b);
            if (a == b)
                j.in_paragraph = 0;
            else
                matched = match_line(&j, composed, a, b);
            Py_DECREF(composed);
            if (!matched)
                return 0;
        }
        if (end >= rn)
            break;
        /* Past the break: \r\n is one. */
        if (PyUnicode_READ(rkind, rdata, end) == '\r' && end + 1 < rn
            && PyUnicode_READ(rkind, rdata, end + 1) == '\n')
            end++;
        i = end + 1;
    }
    if (j.paragraphs) {
        if (j.at >= j.n || PyUnicode_READ(j.kind, j.data, j.at) != '\n')
            return 0;
        j.at++;
    }
    return j.at == j.n;
}

static PyObject *
normalizes_to(PyObject *module, PyObject *args)
{
    PyObject *raw, *text, *nfc;
    int found;
    if (!PyArg_ParseTuple(args, "UUO:normalizes_to", &raw, &text, &nfc))
        return NULL;
    if (READY(raw) < 0 || READY(text) < 0)
        return NULL;
    found = normalizes_to_text(raw, text, nfc);
    if (found < 0)
        return NULL;
    return PyBool_FromLong(found);
}

/* NFC_STABLE as a tuple of (first, last) pairs, for the test that checks them. */
static int
add_stable_blocks(PyObject *module)
{
    size_t k;
    PyObject *blocks = PyTuple_New(N_STABLE);
    if (blocks == NULL)
        return -1;
    for (k = 0; k < N_STABLE; k++) {
        PyObject *pair = Py_BuildValue("(kk)", (unsigned long)NFC_STABLE[k][0],
                                       (unsigned long)NFC_STABLE[k][1]);
        if (pair == NULL) {
            Py_DECREF(blocks);
            return -1;
        }
        PyTuple_SET_ITEM(blocks, k, pair);
    }
    if (PyModule_AddObject(module, "NFC_STABLE", blocks) < 0) {
        Py_DECREF(blocks);
        return -1;
    }
    return 0;
}

/* -------------------------------------------------------------------- module */

static PyMethodDef methods[] = {
    {"exact_parse", exact_parse, METH_VARARGS,
     "exact_parse(data, obj) -> bool: obj, orjson's parse of data, is certainly the exact parser's."},
    {"exact_json", exact_json, METH_O,
     "exact_json(data) -> bool: orjson's parse of data is certainly the exact parser's."},
    {"layers_sound", layers_sound, METH_VARARGS,
     "layers_sound(data, text, registry, link_required, value_types, speaker_types, author_id)"
     " -> bool: _LayerChecks.run would certainly report nothing."},
    {"first_control", first_control, METH_O,
     "first_control(text) -> int: the offset of the first control character but a newline, or -1."},
    {"normalizes_to", normalizes_to, METH_VARARGS,
     "normalizes_to(raw, text, nfc) -> bool: normalize(raw) == text, nfc(line) composing a line."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "newsspans._fastcheck",
    "Compiled fast paths of validation; the Python code is the reference.", -1, methods
};

#define INTERN(var, name) if ((var = PyUnicode_InternFromString(name)) == NULL) return NULL

PyMODINIT_FUNC
PyInit__fastcheck(void)
{
    PyObject *module;
    SKIP[' '] = SKIP['\n'] = SKIP['\r'] = SKIP['\t'] = SKIP[':'] = 1;
    INTERN(K_ENTITIES, "entities"); INTERN(K_QUOTES, "quotes"); INTERN(K_CLAIMS, "claims");
    INTERN(K_ORPHANS, "orphans"); INTERN(K_ID, "id"); INTERN(K_START, "start");
    INTERN(K_END, "end"); INTERN(K_TEXT, "text"); INTERN(K_ENTITY, "entity");
    INTERN(K_LABEL, "label"); INTERN(K_TYPE, "type"); INTERN(K_CUE, "cue");
    INTERN(K_SPEAKER, "speaker"); INTERN(K_CLAIMANT, "claimant"); INTERN(K_QUOTE, "quote");
    module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    fill_stable();
    if (PyModule_AddIntConstant(module, "VERSION", VERSION) < 0 || add_stable_blocks(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
