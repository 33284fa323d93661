/* yamlnode.h: a small YAML reader on libyaml, shared by every stage that
 * reads YAML (journal.yaml, edition.yaml, front matter, layout files).
 *
 * A document becomes a tree of scalars, sequences and mappings, each node
 * with its 1-based line and column in the file (columns count characters).
 * Aliases are refused (no billion laughs), nesting is bounded by
 * JR_YAML_MAX_DEPTH, and every problem is reported through diag.h with the
 * file's path and position. Typed accessors report wrong types and go on. */
#ifndef JOURNAL_YAMLNODE_H
#define JOURNAL_YAMLNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define JR_YAML_MAX_DEPTH 64 /* deeper nesting is a syntax error */

typedef enum jr_ynode_kind { JR_YAML_SCALAR, JR_YAML_SEQUENCE, JR_YAML_MAPPING } jr_ynode_kind;

typedef struct jr_ynode jr_ynode;
struct jr_ynode {
    jr_ynode_kind kind;
    int line, col;    /* 1-based, in the whole file */
    char *value;      /* SCALAR: the text, NUL-terminated (owned) */
    size_t len;       /* SCALAR: bytes in value */
    bool plain;       /* SCALAR: written without quotes (so `~` or nothing is null) */
    jr_ynode **items; /* SEQUENCE: the items; MAPPING: key, value, key, value... (owned) */
    size_t nitems;    /* MAPPING: twice the number of pairs */
    size_t cap;
};

typedef struct jr_ydoc {
    char *path;     /* for diagnostics (owned) */
    jr_ynode *root; /* NULL for an empty document or after a syntax error */
    bool failed;    /* a syntax error was reported; root is NULL */
} jr_ydoc;

/* Parse `len` bytes of YAML. `first_line` is the file line of data's first
 * line (1 for a whole file; for front matter the line after `---`), so all
 * positions are in the coordinates of the whole file. Never NULL; free with
 * jr_ydoc_free. Duplicate mapping keys are reported (the first one counts). */
jr_ydoc *jr_ydoc_parse(const char *path, const char *data, size_t len, int first_line);

/* Read and parse a whole file (UTF-8 with or without BOM). NULL when the
 * file cannot be read or is not text (NUL byte, invalid UTF-8); an error has
 * been reported. */
jr_ydoc *jr_ydoc_read(const char *path);
void jr_ydoc_free(jr_ydoc *d);

/* Check that a file's bytes are text: no NUL byte (JR_E_NUL_BYTE), valid
 * UTF-8 (JR_E_NOT_UTF8); reported with the byte offset and its line:col.
 * Returns true when the text is fine. */
bool jr_text_check(const char *path, const char *data, size_t len);

/* Line and column (1-based, columns in characters) of byte `offset`. */
jr_pos jr_text_pos(const char *data, size_t len, size_t offset);

/* ---- access ------------------------------------------------------------ */

static inline jr_pos jr_ynode_pos(const jr_ynode *n)
{
    jr_pos p = {0, 0};
    if (n)
        p.line = n->line, p.col = n->col;
    return p;
}

/* NULL, or a plain scalar that is empty, `~` or `null`. */
bool jr_ynode_is_null(const jr_ynode *n);

/* The value for `key` in a mapping (the first one if repeated), or NULL when
 * absent or `map` is not a mapping. jr_ymap_key gives the key node. */
const jr_ynode *jr_ymap_get(const jr_ynode *map, const char *key);
const jr_ynode *jr_ymap_key(const jr_ynode *map, const char *key);

/* Typed access to a value node `n` named `name` in messages. All return
 * true when *out was set. An absent or null node returns false and reports
 * nothing. A wrong type reports JR_E_YAML_TYPE at n and returns false,
 * leaving *out alone. String outputs are owned copies; a previous *out is
 * freed when replaced (so initialise to NULL). */
bool jr_y_string(const jr_ydoc *d, const jr_ynode *n, const char *name, char **out);
bool jr_y_int(const jr_ydoc *d, const jr_ynode *n, const char *name, long min, long max, int *out);
bool jr_y_double(const jr_ydoc *d, const jr_ynode *n, const char *name, double min, double max,
                 double *out);
/* true/false (also yes/no, on/off; any case). */
bool jr_y_bool(const jr_ydoc *d, const jr_ynode *n, const char *name, bool *out);
/* YYYY-MM-DD; JR_E_BAD_DATE or JR_E_IMPOSSIBLE_DATE otherwise. */
bool jr_y_date(const jr_ydoc *d, const jr_ynode *n, const char *name, jr_date *out);
/* A list of strings; with allow_single, a single string is a list of one.
 * A previous list in *out is freed when replaced. */
bool jr_y_strlist(const jr_ydoc *d, const jr_ynode *n, const char *name, bool allow_single,
                  char ***out, size_t *nout);
/* Reports JR_E_YAML_NOT_MAPPING at n unless n is a mapping (or absent/null). */
bool jr_y_mapping(const jr_ydoc *d, const jr_ynode *n);

/* A colour from `rgb` ("#RRGGBB") and/or `cmyk` ([c, m, y, k] in percent);
 * the space not given is derived. Bad values report JR_E_BAD_COLOR or
 * JR_E_YAML_TYPE. Returns true when *out was set. */
bool jr_y_color(const jr_ydoc *d, const jr_ynode *rgb, const jr_ynode *cmyk, jr_color *out);

/* Warn about keys of `map` not in `known` (NULL-terminated): with the
 * closest known key (JR_W_UNKNOWN_KEY_HINT) when there is one, else
 * JR_W_UNKNOWN_KEY, at the key's position. */
void jr_y_check_keys(const jr_ydoc *d, const jr_ynode *map, const char *const *known);
/* The same, with `aliases`: NULL-terminated pairs of words editors may
 * write instead and the key they mean ({"rubrik", "section", ..., NULL});
 * an alias found (ignoring ASCII case) gives the hint. */
void jr_y_check_keys_aliased(const jr_ydoc *d, const jr_ynode *map, const char *const *known,
                             const char *const *aliases);

/* true when s looks like a BCP 47 language tag ("de", "en-GB", "de-1901"). */
bool jr_lang_tag_valid(const char *s);

/* The word in `list` (NULL-terminated) closest to `word` by edit distance
 * (ignoring ASCII case; a transposition counts 1), if at most `maxdist`
 * and less than the length of `word`; else NULL. */
const char *jr_closest_word(const char *word, const char *const *list, int maxdist);

#endif
