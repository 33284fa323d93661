/* hyphenate.c: libhyphen patterns plus the rules of hyphenate.h.
 *
 * A word is split into what the patterns see (the letters, lower-cased and
 * in ISO-8859-1) and what the caller sees (byte offsets into the original
 * UTF-8). Results are cached per word: the engine asks again for every word
 * of a paragraph that needs a second pass. */
#define _XOPEN_SOURCE   700 /* realpath, st_mtim */
#define _DEFAULT_SOURCE     /* MAP_ANONYMOUS, MAP_POPULATE */
#include "hyphenate.h"

#include <hyphen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "util.h"

#define JR_HYPH_DEFAULT_DIR "/usr/share/hyphen"
/* Longer letter runs are not words (and patterns cost time per letter). */
#define JR_HYPH_MAX_RUN 128
/* Longer inputs are not cached. */
#define JR_HYPH_CACHE_MAX_LEN 256

typedef struct hyph_entry {
    uint64_t hash; /* 0 = empty */
    void *mem;     /* owned: one block holding pts, expl and key */
    char *key;
    size_t len;
    size_t n;
    size_t *pts;
    bool *expl;
    bool from_file; /* read from the word cache file */
} hyph_entry;

typedef struct jr_dict jr_dict;

typedef struct hyph_map {
    hyph_entry *e;
    size_t cap, used; /* cap a power of two, or 0 */
} hyph_map;

struct jr_hyphenator {
    jr_dict *dict;
    int left_min, right_min;
    /* the word cache file (see words_load) */
    char *dict_id;       /* the dictionary's path, size and mtime */
    uint64_t exc_hash;   /* of the exceptions added, in order */
    bool words_loaded;   /* read (or tried) for the current settings */
    size_t words_read;   /* words read from it */
    size_t words_new;    /* words hyphenated since */
    hyph_map cache;      /* word bytes -> break points */
    hyph_map exceptions; /* lower-cased letters -> break positions in code points */
    /* scratch */
    uint32_t *cps;
    size_t *offs;
    size_t scratch_cap;
    size_t *pts;
    bool *expl;
    size_t npts, pts_cap;
};

/* ---------------------------------------------------------------- maps */

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001B3ull;
    return h ? h : 1;
}

static hyph_entry *map_find(hyph_map *m, const char *key, size_t len, uint64_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask; m->e[i].hash; i = (i + 1) & mask) {
        hyph_entry *e = &m->e[i];
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
    return NULL;
}

static void map_clear(hyph_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->e[i].mem);
    free(m->e);
    m->e = NULL;
    m->cap = m->used = 0;
}

/* Insert or replace. */
static void map_put(hyph_map *m, const char *key, size_t len, const size_t *pts, const bool *expl,
                    size_t n)
{
    uint64_t h = hash_str(key, len);
    hyph_entry *e = map_find(m, key, len, h);
    if (e) {
        free(e->mem);
    } else {
        if ((m->used + 1) * 4 > m->cap * 3) {
            hyph_entry *old = m->e;
            size_t oldcap = m->cap;
            m->cap = oldcap ? oldcap * 2 : 256;
            m->e = jr_xcalloc(m->cap, sizeof *m->e);
            for (size_t i = 0; i < oldcap; i++) {
                if (!old[i].hash)
                    continue;
                size_t j = (size_t)old[i].hash & (m->cap - 1);
                while (m->e[j].hash)
                    j = (j + 1) & (m->cap - 1);
                m->e[j] = old[i];
            }
            free(old);
        }
        size_t j = (size_t)h & (m->cap - 1);
        while (m->e[j].hash)
            j = (j + 1) & (m->cap - 1);
        e = &m->e[j];
        m->used++;
    }
    /* one block: points, flags, key */
    char *mem = jr_xmalloc(n * (sizeof(size_t) + sizeof(bool)) + len + 1);
    e->mem = mem;
    e->pts = (size_t *)mem;
    e->expl = (bool *)(mem + n * sizeof(size_t));
    e->key = mem + n * (sizeof(size_t) + sizeof(bool));
    if (n) {
        memcpy(e->pts, pts, n * sizeof(size_t));
        if (expl)
            memcpy(e->expl, expl, n * sizeof(bool));
        else
            memset(e->expl, 0, n * sizeof(bool));
    }
    memcpy(e->key, key, len);
    e->key[len] = '\0';
    e->from_file = false;
    e->hash = h;
    e->len = len;
    e->n = n;
}

/* ---------------------------------------------------------------- characters */

static bool is_latin1_letter(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0xAA || c == 0xB5 ||
           c == 0xBA || (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7);
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_hard_hyphen(uint32_t c)
{
    return c == '-' || c == 0x2010;
}

/* Letters, digits and anything beyond Latin-1 that is not punctuation: what
 * stays of a word once the quotes and stops around it are gone. */
static bool is_word_char(uint32_t c)
{
    if (c < 0x100)
        return is_latin1_letter(c) || is_digit(c);
    if (c >= 0x2000 && c <= 0x206F) /* general punctuation: quotes, dashes, … */
        return false;
    if (c >= 0x3000 && c <= 0x303F)
        return false;
    if (c == 0xFEFF || c == 0xFFFD)
        return false;
    return true;
}

/* A letter of a pattern run: word characters except digits. */
static bool is_run_char(uint32_t c)
{
    return is_word_char(c) && !is_digit(c);
}

static uint32_t lower_cp(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 0x20;
    if (c == 0x1E9E) /* capital sharp s */
        return 0xDF;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17F) {
        /* Latin Extended-A: pairs upper/lower; the pairing shifts at U+0139..U+0148 and
         * U+0179..U+017E */
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper ? (c & 1) : !(c & 1))
            return c + 1;
        return c;
    }
    if (c == 0x178)
        return 0xFF;
    return c;
}

/* Lower-cased UTF-8 of code points [s, e), appended to b. */
static void lower_key(jr_buf *b, const uint32_t *cps, size_t s, size_t e)
{
    for (size_t i = s; i < e; i++) {
        char u[4];
        size_t n = jr_utf8_encode(lower_cp(cps[i]), u);
        jr_buf_put(b, u, n);
    }
}

/* ---------------------------------------------------------------- patterns */

/* hnj_hyphen_load builds its automaton with a small chained hash table and
 * takes about 2.5 s for hyph_de_DE.dic (78,000 patterns). This loader builds
 * the same HyphenDict (the structure is public in hyphen.h) in a few
 * milliseconds: the states are the trie of the pattern strings, each
 * state's fallback is its longest proper suffix that is a state (computed
 * breadth-first, as Aho-Corasick failure links), and lines are read exactly
 * as libhyphen reads them (fgets with MAX_CHARS, directives, '/'
 * replacements), so hnj_hyphen_hyphenate2 gives the same answers (checked
 * by tests/hyphen against hnj_hyphen_load). The dictionary is freed with
 * dict_free, not hnj_hyphen_free: its strings live in arenas. */

/* A trie node while building: children as a list, newest first (the
 * patterns come sorted, so the child wanted is nearly always the first). */
typedef struct dict_node {
    int32_t first_child, next_sibling;
    uint32_t match, repl; /* offset + 1 into strings, 0 = none */
    signed char replindex, replcut;
    unsigned char ch;
} dict_node;

typedef struct dict_build {
    dict_node *nodes;
    size_t nstates, nodes_cap;
    jr_buf strings;                    /* match and repl strings */
    unsigned char prev[MAX_CHARS + 1]; /* the last word looked up ... */
    int32_t path[MAX_CHARS + 2];       /* ... and the states along it (path[0] = root) */
    size_t prev_len;
} dict_build;

/* The automaton as flat arrays, usable straight from a mapped cache file
 * (no per-state parsing, no pointers): states in breadth-first order, so
 * the children of a state are the consecutive states first..first+ntrans-1
 * and tch[v] is the character leading to state v. */
typedef struct flat_state {
    uint32_t match;   /* offset + 1 of its digits in the strings, 0: none */
    int32_t fallback; /* -1 for the root */
    uint32_t first;   /* first child */
    uint16_t ntrans;  /* children */
    uint8_t mlen;     /* strlen of the match */
    uint8_t pad;
} flat_state;

/* Only for dictionaries with non-standard (replacement) patterns. */
typedef struct flat_repl {
    uint32_t repl; /* offset + 1 into the strings, 0: none */
    signed char replindex, replcut;
    uint16_t pad;
} flat_repl;

typedef struct flat_level {
    const flat_state *st;
    const unsigned char *tch;
    const flat_repl *repl; /* NULL: no replacement patterns */
    const char *strings;
    size_t n, sl;
} flat_level;

struct jr_dict {
    HyphenDict level[2]; /* level[0] is the one to call; nextlevel links them */
    char *strings[2];    /* arenas */
    size_t strings_len[2];
    HyphenTrans *trans[2];
    HyphenState *states[2];
    char *nohyphen[2]; /* NUL-separated pieces */
    size_t nohyphen_len[2];
    /* read from a cache file: the strings live in its mapping, and states
     * and transitions in anonymous mappings (faulted in at once) */
    void *map;
    size_t map_len;
    size_t states_bytes[2], trans_bytes[2]; /* nonzero: mmap'ed */
    /* the flat automaton (see flat_state): in the mapping, or in flat_own */
    flat_level fl[2];
    void *flat_own[2][3];
    bool fast; /* hyphenate with the flat arrays, not libhyphen */
};

#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

/* Memory for the states of a cached dictionary: one mapping with its pages
 * faulted in by one call, instead of one page fault per 4 KB (the German
 * states take 9 MB). *bytes is 0 when it came from malloc. */
static void *big_alloc(size_t n, size_t *bytes)
{
    void *p =
        mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p != MAP_FAILED) {
        *bytes = n;
        return p;
    }
    *bytes = 0;
    return jr_xmalloc(n);
}

static void big_free(void *p, size_t bytes)
{
    if (p && bytes)
        munmap(p, bytes);
    else
        free(p);
}

static int32_t child_of(const dict_build *b, int32_t parent, unsigned char ch)
{
    for (int32_t c = b->nodes[parent].first_child; c != -1; c = b->nodes[c].next_sibling)
        if (b->nodes[c].ch == ch)
            return c;
    return -1;
}

static int32_t new_state(dict_build *b)
{
    JR_GROW(b->nodes, b->nodes_cap, b->nstates + 1);
    b->nodes[b->nstates] = (dict_node){-1, -1, 0, 0, 0, 0, 0};
    return (int32_t)b->nstates++;
}

/* The state for word[0, n), created with its prefixes when missing. */
static int32_t get_state(dict_build *b, const unsigned char *word, size_t n)
{
    /* the prefix shared with the previous word has its states already */
    size_t i = 0;
    while (i < n && i < b->prev_len && b->prev[i] == word[i])
        i++;
    int32_t s = b->path[i];
    for (; i < n; i++) {
        b->prev[i] = word[i];
        int32_t c = child_of(b, s, word[i]);
        if (c == -1) {
            c = new_state(b);
            dict_node *nd = &b->nodes[c];
            nd->ch = word[i];
            nd->next_sibling = b->nodes[s].first_child;
            b->nodes[s].first_child = c;
        }
        s = c;
        b->path[i + 1] = c;
    }
    b->prev_len = n;
    return s;
}

/* Strings are kept as offset + 1 until the arena stops moving. */
static uint32_t arena_str(dict_build *b, const char *s)
{
    size_t off = b->strings.len;
    jr_buf_put(&b->strings, s, strlen(s) + 1);
    return (uint32_t)(off + 1);
}

/* libhyphen's hnj_hyphen_load_line, on our structures. */
static void load_line(char *buf, HyphenDict *d, dict_build *b, char **nohyphen,
                      size_t *nohyphen_len)
{
    if (!(buf[0] >= 'A' && buf[0] <= 'Z')) {
        /* a pattern: none of the directives below */
    } else if (strncmp(buf, "LEFTHYPHENMIN", 13) == 0) {
        d->lhmin = (char)atoi(buf + 13);
        return;
    } else if (strncmp(buf, "RIGHTHYPHENMIN", 14) == 0) {
        d->rhmin = (char)atoi(buf + 14);
        return;
    } else if (strncmp(buf, "COMPOUNDLEFTHYPHENMIN", 21) == 0) {
        d->clhmin = (char)atoi(buf + 21);
        return;
    } else if (strncmp(buf, "COMPOUNDRIGHTHYPHENMIN", 22) == 0) {
        d->crhmin = (char)atoi(buf + 22);
        return;
    } else if (strncmp(buf, "NOHYPHEN", 8) == 0) {
        char *space = buf + 8;
        while (*space == ' ' || *space == '\t')
            space++;
        free(*nohyphen);
        *nohyphen = jr_xstrdup(space);
        d->nohyphenl = 0;
        size_t l = strlen(*nohyphen);
        *nohyphen_len = l + 1;
        if (l) {
            char *nhe = *nohyphen + l - 1;
            *nhe = 0;
            for (nhe = nhe - 1; nhe > *nohyphen; nhe--) {
                if (*nhe == ',') {
                    d->nohyphenl++;
                    *nhe = 0;
                }
            }
        }
        d->nohyphen = *nohyphen;
        return;
    }
    char word[MAX_CHARS + 1], pattern[MAX_CHARS + 2];
    int i, j = 0;
    pattern[j] = '0';
    char *repl = strchr(buf, '/');
    signed char replindex = 0, replcut = 0;
    if (repl) {
        char *index = strchr(repl + 1, ',');
        *repl = '\0';
        if (index) {
            char *index2 = strchr(index + 1, ',');
            *index = '\0';
            if (index2) {
                *index2 = '\0';
                replindex = (signed char)(atoi(index + 1) - 1);
                replcut = (signed char)atoi(index2 + 1);
            }
        } else {
            size_t k = strlen(repl + 1);
            if (k > 0 && (repl[k] == '\r' || repl[k] == '\n'))
                repl[k--] = '\0';
            if (k > 0 && repl[k] == '\r')
                repl[k] = '\0';
            replindex = 0;
            replcut = (signed char)strlen(buf);
        }
        repl = repl + 1;
    }
    for (i = 0; (unsigned char)buf[i] > (unsigned char)' '; i++) {
        if (buf[i] >= '0' && buf[i] <= '9')
            pattern[j] = buf[i];
        else {
            word[j] = buf[i];
            pattern[++j] = '0';
        }
    }
    word[j] = '\0';
    pattern[j + 1] = '\0';
    i = 0;
    if (!repl) {
        for (; pattern[i] == '0'; i++)
            ;
    } else {
        if (*word == '.')
            i++;
        if (d->utf8) {
            int pu = -1, ps = -1;
            size_t pc = (*word == '.') ? 1 : 0;
            for (; pc < (strlen(word) + 1); pc++) {
                if ((((unsigned char)word[pc]) >> 6) != 2)
                    pu++;
                if ((ps < 0) && (replindex == pu)) {
                    ps = replindex;
                    replindex = (signed char)pc;
                }
                if ((ps >= 0) && ((pu - ps) == replcut)) {
                    replcut = (signed char)(pc - (size_t)replindex);
                    break;
                }
            }
            if (*word == '.')
                replindex--;
        }
    }
    int32_t st = get_state(b, (const unsigned char *)word, (size_t)j);
    dict_node *nd = &b->nodes[st];
    nd->match = arena_str(b, pattern + i);
    nd->repl = repl ? arena_str(b, repl) : 0;
    nd->replindex = replindex;
    nd->replcut = replcut ? replcut : (signed char)strlen(word);
}

/* Like fgets(buf, size, f) on text[*pos, len). */
static bool next_line(const char *text, size_t len, size_t *pos, char *buf, size_t size)
{
    if (*pos >= len)
        return false;
    size_t avail = len - *pos, n = size - 1 < avail ? size - 1 : avail;
    const char *nl = memchr(text + *pos, '\n', n);
    if (nl)
        n = (size_t)(nl - (text + *pos)) + 1;
    memcpy(buf, text + *pos, n);
    buf[n] = '\0';
    *pos += n;
    return true;
}

/* Turn the build into final states, numbered breadth-first: the children of
 * a state are consecutive, every fallback points to a smaller number, and
 * the fallback pass works on small arrays (a char and two ints a state), so
 * it stays mostly in cache. */
static void finish_level(dict_build *b, jr_dict *jd, int k)
{
    HyphenDict *d = &jd->level[k];
    size_t n = b->nstates;
    dict_node *nodes = jr_xmalloc(n * sizeof *nodes); /* in the new order */
    int32_t *parent = jr_xmalloc(n * sizeof *parent); /* new number -> new parent */
    int32_t *first = jr_xmalloc(n * sizeof *first);   /* first child (new numbers) */
    int32_t *fail = jr_xmalloc(n * sizeof *fail);
    unsigned char *tch = jr_xmalloc(n); /* the char leading to each state */
    nodes[0] = b->nodes[0];
    parent[0] = -1;
    tch[0] = 0;
    size_t qt = 1;
    for (size_t qh = 0; qh < qt; qh++) {
        first[qh] = (int32_t)qt;
        for (int32_t c = nodes[qh].first_child; c != -1; c = b->nodes[c].next_sibling) {
            parent[qt] = (int32_t)qh;
            tch[qt] = b->nodes[c].ch;
            nodes[qt++] = b->nodes[c];
        }
    }
    free(b->nodes);
    /* fallback: the longest proper suffix that is a state; most chains end
     * at the root, so its transitions are a table */
    int32_t root[256];
    for (int c = 0; c < 256; c++)
        root[c] = 0;
    for (int32_t c = 1, e = n > 1 ? first[1] : 1; c < e; c++)
        root[tch[c]] = c;
    fail[0] = -1;
    for (size_t v = 1; v < n; v++) {
        unsigned char ch = tch[v];
        int32_t w = fail[parent[v]], f = 0;
        while (w > 0) {
            int32_t c = first[w], e = (size_t)w + 1 < n ? first[w + 1] : (int32_t)n;
            while (c < e && tch[c] != ch)
                c++;
            if (c < e) {
                f = c;
                break;
            }
            w = fail[w];
        }
        if (w == 0)
            f = root[ch];
        fail[v] = f;
    }
    HyphenState *states = jr_xmalloc(n * sizeof *states);
    HyphenTrans *trans = jr_xmalloc((n > 1 ? n - 1 : 1) * sizeof *trans);
    jd->strings_len[k] = b->strings.len;
    char *arena = jr_buf_detach(&b->strings);
    for (size_t v = 1; v < n; v++) {
        trans[v - 1].ch = (char)tch[v];
        trans[v - 1].new_state = (int)v;
    }
    for (size_t i = 0; i < n; i++) {
        const dict_node *o = &nodes[i];
        HyphenState *s = &states[i];
        s->match = o->match ? arena + o->match - 1 : NULL;
        s->repl = o->repl ? arena + o->repl - 1 : NULL;
        s->replindex = o->replindex;
        s->replcut = o->replcut;
        s->fallback_state = fail[i];
        int32_t e = i + 1 < n ? first[i + 1] : (int32_t)n;
        s->num_trans = e - first[i];
        s->trans = s->num_trans ? &trans[first[i] - 1] : NULL;
    }
    free(nodes);
    free(parent);
    free(first);
    free(fail);
    free(tch);
    d->states = states;
    d->num_states = (int)n;
    jd->states[k] = states;
    jd->trans[k] = trans;
    jd->strings[k] = arena;
    memset(b, 0, sizeof *b);
}

static void dict_free(jr_dict *jd)
{
    if (!jd)
        return;
    for (int k = 0; k < 2; k++) {
        big_free(jd->states[k], jd->states_bytes[k]);
        big_free(jd->trans[k], jd->trans_bytes[k]);
        if (!jd->map)
            free(jd->strings[k]);
        free(jd->nohyphen[k]);
        for (int i = 0; i < 3; i++)
            free(jd->flat_own[k][i]);
    }
    if (jd->map)
        munmap(jd->map, jd->map_len);
    free(jd);
}

/* hnj_hyphen_load_file's logic: one or two levels (NEXTLEVEL). */
static jr_dict *dict_load(const char *path)
{
    size_t len;
    char *text = jr_read_file(path, &len);
    if (!text)
        return NULL;
    jr_dict *jd = jr_xcalloc(1, sizeof *jd);
    size_t pos = 0;
    char buf[MAX_CHARS];
    bool nextlevel = false;
    for (int k = 0; k < 2; k++) {
        HyphenDict *d = &jd->level[k];
        dict_build b = {0};
        /* room for the states up front (about one per three bytes of patterns) */
        b.nodes_cap = (len - pos) / 3 + 16;
        b.nodes = jr_xmalloc(b.nodes_cap * sizeof *b.nodes);
        new_state(&b);
        if (k == 0) {
            if (next_line(text, len, &pos, d->cset, sizeof d->cset)) {
                for (size_t i = 0; i < sizeof d->cset; i++)
                    if (d->cset[i] == '\r' || d->cset[i] == '\n')
                        d->cset[i] = 0;
            }
            d->utf8 = strcmp(d->cset, "UTF-8") == 0;
        } else {
            memcpy(d->cset, jd->level[0].cset, sizeof d->cset);
            d->utf8 = jd->level[0].utf8;
        }
        if (k == 0 || nextlevel) {
            while (next_line(text, len, &pos, buf, sizeof buf)) {
                if (strncmp(buf, "NEXTLEVEL", 9) == 0) {
                    nextlevel = true;
                    break;
                } else if (buf[0] != '%') {
                    load_line(buf, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
                }
            }
        } else {
            /* default first level: hyphen and apostrophe */
            char l1[MAX_CHARS], l2[MAX_CHARS], l3[MAX_CHARS], l4[MAX_CHARS], l5[MAX_CHARS];
            if (!jd->level[0].utf8) {
                strcpy(l1, "NOHYPHEN ',-\n");
                load_line(l1, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
            } else {
                strcpy(l1, "NOHYPHEN ',\xe2\x80\x93,\xe2\x80\x99,-\n");
                load_line(l1, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
            }
            strcpy(l2, "1-1\n");
            load_line(l2, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
            strcpy(l3, "1'1\n");
            load_line(l3, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
            if (jd->level[0].utf8) {
                strcpy(l4, "1\xe2\x80\x93"
                           "1\n");
                load_line(l4, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
                strcpy(l5, "1\xe2\x80\x99"
                           "1\n");
                load_line(l5, d, &b, &jd->nohyphen[k], &jd->nohyphen_len[k]);
            }
        }
        finish_level(&b, jd, k);
    }
    free(text);
    if (nextlevel) {
        jd->level[0].nextlevel = &jd->level[1];
        jd->level[1].nextlevel = NULL;
        return jd;
    }
    /* no NEXTLEVEL: the default level comes first */
    HyphenDict d0 = jd->level[0], d1 = jd->level[1];
    jd->level[0] = d1;
    jd->level[1] = d0;
#define JR_SWAP(a)                                                                                 \
    do {                                                                                           \
        __typeof__(a[0]) t_ = a[0];                                                                \
        a[0] = a[1];                                                                               \
        a[1] = t_;                                                                                 \
    } while (0)
    JR_SWAP(jd->strings);
    JR_SWAP(jd->strings_len);
    JR_SWAP(jd->trans);
    JR_SWAP(jd->states);
    JR_SWAP(jd->nohyphen);
    JR_SWAP(jd->nohyphen_len);
#undef JR_SWAP
    jd->level[0].nextlevel = &jd->level[1];
    jd->level[1].nextlevel = NULL;
    jd->level[0].lhmin = d0.lhmin;
    jd->level[0].rhmin = d0.rhmin;
    jd->level[0].clhmin = d0.clhmin ? d0.clhmin : (d0.lhmin ? d0.lhmin : 3);
    jd->level[0].crhmin = d0.crhmin ? d0.crhmin : (d0.rhmin ? d0.rhmin : 3);
    return jd;
}

/* ---------------------------------------------------------------- flat automaton */

/* Flat arrays of level k from the HyphenDict built from the patterns. */
static void flat_from_dict(jr_dict *jd, int k)
{
    const HyphenDict *d = &jd->level[k];
    size_t n = (size_t)d->num_states;
    flat_state *st = jr_xcalloc(n, sizeof *st);
    unsigned char *tch = jr_xcalloc(n, 1);
    flat_repl *rp = NULL;
    for (size_t i = 0; i < n && !rp; i++)
        if (d->states[i].repl)
            rp = jr_xcalloc(n, sizeof *rp);
    for (size_t i = 0; i < n; i++) {
        const HyphenState *s = &d->states[i];
        st[i].match = s->match ? (uint32_t)(s->match - jd->strings[k]) + 1 : 0;
        st[i].mlen = s->match ? (uint8_t)strlen(s->match) : 0;
        st[i].fallback = s->fallback_state;
        st[i].ntrans = (uint16_t)s->num_trans;
        st[i].first = s->num_trans ? (uint32_t)(s->trans - jd->trans[k]) + 1 : 0;
        if (rp) {
            rp[i].repl = s->repl ? (uint32_t)(s->repl - jd->strings[k]) + 1 : 0;
            rp[i].replindex = s->replindex;
            rp[i].replcut = s->replcut;
        }
    }
    for (size_t v = 1; v < n; v++)
        tch[v] = (unsigned char)jd->trans[k][v - 1].ch;
    jd->flat_own[k][0] = st;
    jd->flat_own[k][1] = tch;
    jd->flat_own[k][2] = rp;
    jd->fl[k] = (flat_level){st, tch, rp, jd->strings[k], n, jd->strings_len[k]};
}

/* The HyphenDict states of level k from the flat arrays (for libhyphen,
 * which the dictionaries with replacements or in UTF-8 still use). */
static void dict_from_flat(jr_dict *jd, int k)
{
    const flat_level *f = &jd->fl[k];
    size_t n = f->n;
    HyphenState *states = big_alloc(n * sizeof *states, &jd->states_bytes[k]);
    HyphenTrans *trans = big_alloc((n > 1 ? n - 1 : 1) * sizeof *trans, &jd->trans_bytes[k]);
    for (size_t i = 0; i < n; i++) {
        const flat_state *s = &f->st[i];
        HyphenState *h = &states[i];
        h->match = s->match ? (char *)f->strings + s->match - 1 : NULL;
        h->repl = f->repl && f->repl[i].repl ? (char *)f->strings + f->repl[i].repl - 1 : NULL;
        h->replindex = f->repl ? f->repl[i].replindex : 0;
        h->replcut = f->repl ? f->repl[i].replcut : 0;
        h->fallback_state = s->fallback;
        h->num_trans = s->ntrans;
        h->trans = s->ntrans ? &trans[s->first - 1] : NULL;
    }
    for (size_t v = 1; v < n; v++) {
        trans[v - 1].ch = (char)f->tch[v];
        trans[v - 1].new_state = (int)v;
    }
    jd->states[k] = states;
    jd->trans[k] = trans;
    jd->level[k].states = states;
    jd->level[k].num_states = (int)n;
}

/* Checks of the flat arrays that the walk relies on, cheap enough for
 * every load: sizes. The walk checks each index it follows. */
static bool flat_ok(const flat_level *f)
{
    return f->n >= 1 && f->n < (1u << 30) && (f->sl == 0 || f->strings[f->sl - 1] == '\0');
}

/* One level's patterns over word[0, n) (no digits: those are '.' for
 * libhyphen too), as libhyphen's hnj_hyphen_hyph_ without replacements:
 * hy[0, n) gets the highest digit per position ('0'..'9'), hy[n] = 0.
 * Returns false when the arrays are inconsistent. */
static bool flat_level_run(const flat_level *f, const char *word, size_t n, char *hy)
{
    unsigned char prep[JR_HYPH_MAX_RUN * 4 + 3];
    size_t j = 0;
    prep[j++] = '.';
    for (size_t i = 0; i < n; i++)
        prep[j++] = (word[i] >= '0' && word[i] <= '9') ? '.' : (unsigned char)word[i];
    prep[j++] = '.';
    for (size_t i = 0; i < j; i++)
        hy[i] = '0';
    int32_t state = 0;
    for (size_t i = 0; i < j; i++) {
        unsigned char ch = prep[i];
        for (;;) {
            if (state < 0) {
                state = -1;
                break;
            }
            const flat_state *s = &f->st[state];
            size_t c = s->first, e = c + s->ntrans;
            if (e > f->n)
                return false;
            while (c < e && f->tch[c] != ch)
                c++;
            if (c < e) {
                state = (int32_t)c;
                break;
            }
            if (s->fallback >= state)
                return false; /* fallbacks lead to the root */
            state = s->fallback;
        }
        if (state < 0) {
            state = 0; /* no state for this character: on with the next */
            continue;
        }
        const flat_state *s = &f->st[state];
        if (!s->match)
            continue;
        if (s->match - 1 + (size_t)s->mlen >= f->sl)
            return false;
        const char *m = f->strings + s->match - 1;
        long offset = (long)i + 1 - (long)s->mlen;
        for (size_t k = 0; k < s->mlen; k++)
            if (offset + (long)k >= 0 && hy[offset + (long)k] < m[k])
                hy[offset + (long)k] = m[k];
    }
    size_t i = 0;
    for (; i + 3 < j; i++)
        hy[i] = hy[i + 1];
    for (; i < n; i++)
        hy[i] = '0';
    hy[n] = '\0';
    return true;
}

/* libhyphen's lhmin/rhmin rules for 8-bit dictionaries. */
static void flat_lhmin(const char *word, size_t n, char *hy, int lhmin)
{
    int i = 1;
    for (size_t j = 0; j < n && word[j] >= '0' && word[j] <= '9'; j++)
        i--;
    for (size_t j = 0; i < lhmin && j < n; i++, j++)
        hy[j] = '0';
}

static void flat_rhmin(const char *word, size_t n, char *hy, int rhmin)
{
    int i = 0;
    for (size_t j = n - 1; j > 0 && word[j] >= '0' && word[j] <= '9'; j--)
        i--;
    for (size_t j = n - 1; i < rhmin && j > 0; j--, i++)
        hy[j] = '0';
}

/* hnj_hyphen_hyph_ of libhyphen (2.8): level 0 marks the compound
 * boundaries, each part of more than two letters between them is
 * hyphenated on its own (recursively) and takes the part's values except
 * at its last letter; a word without boundaries is hyphenated by the next
 * level, with the compound limits where it borders another part.
 * tests/hyphen/test_loader.c compares the answers with libhyphen's. */
static bool flat_hyph(const jr_dict *jd, int k, const char *word, size_t n, char *hy, int clhmin,
                      int crhmin, bool lend, bool rend)
{
    if (!flat_level_run(&jd->fl[k], word, n, hy))
        return false;
    if (k == 1)
        return true;
    char hy2[JR_HYPH_MAX_RUN * 4 + 5];
    size_t begin = 0;
    for (size_t i = 0; i < n; i++) {
        if (!((hy[i] & 1) || (begin > 0 && i + 1 == n)))
            continue;
        if (i > begin + 1) {
            if (!flat_hyph(jd, 0, word + begin, i - begin + 1, hy2, clhmin, crhmin,
                           begin > 0 ? false : lend, (hy[i] & 1) ? false : rend))
                return false;
            for (size_t q = 0; q + 1 < i - begin; q++)
                hy[begin + q] = hy2[q];
        }
        begin = i + 1;
    }
    if (begin == 0) {
        if (!flat_level_run(&jd->fl[1], word, n, hy))
            return false;
        if (!lend)
            flat_lhmin(word, n, hy, clhmin);
        if (!rend)
            flat_rhmin(word, n, hy, crhmin);
    }
    return true;
}

/* hnj_hyphen_hyphenate2 for dictionaries without replacements in an 8-bit
 * encoding, on the flat arrays: word[0, n) NUL-terminated, hy n + 5 bytes.
 * Returns 0, or -1 when the arrays are inconsistent. */
static int flat_hyphenate2(const jr_dict *jd, const char *word, size_t n, char *hy)
{
    const HyphenDict *d = &jd->level[0];
    if (n == 0 || n > JR_HYPH_MAX_RUN * 4)
        return -1;
    if (!flat_hyph(jd, 0, word, n, hy, d->clhmin, d->crhmin, true, true))
        return -1;
    flat_lhmin(word, n, hy, d->lhmin > 0 ? d->lhmin : 2);
    flat_rhmin(word, n, hy, d->rhmin > 0 ? d->rhmin : 2);
    if (d->nohyphen) {
        const char *nh = d->nohyphen;
        for (int i = 0; i <= d->nohyphenl; i++) {
            size_t l = strlen(nh);
            for (const char *p = l ? strstr(word, nh) : NULL; p; p = strstr(p + 1, nh)) {
                hy[p - word + (long)l - 1] = '0';
                if (p > word)
                    hy[p - word - 1] = '0';
            }
            nh += l + 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- compiled cache */

/* Even the fast loader needs some 15 ms for the German patterns, more than
 * laying out an edition. So the flat automaton is kept in a cache file
 * (like fontconfig's) and used where it is mapped:
 * $JOURNAL_CACHE_DIR, else $XDG_CACHE_HOME/journal,
 * else ~/.cache/journal; JOURNAL_CACHE_DIR=off (or empty) turns it off. The
 * file names the dictionary's path, size and modification time; a file that
 * does not match, has another length or checksum is rebuilt. Native byte
 * order: the cache is for this machine. */

#define JR_HCACHE_MAGIC "JRHYPH\x02\n"

static char *cache_file(const char *dict, const struct stat *st)
{
    char *d = jr_cache_dir();
    if (!d)
        return NULL;
    uint64_t h = hash_str(dict, strlen(dict)) ^ ((uint64_t)st->st_size << 1) ^
                 ((uint64_t)st->st_mtim.tv_sec * 1000000007ull) ^ (uint64_t)st->st_mtim.tv_nsec;
    char *path = jr_xasprintf("%s/hyph-2-%016llx.bin", d, (unsigned long long)h);
    free(d);
    return path;
}

static void put32(jr_buf *b, uint32_t v)
{
    jr_buf_put(b, (const char *)&v, 4);
}

static void put64(jr_buf *b, uint64_t v)
{
    jr_buf_put(b, (const char *)&v, 8);
}

static void pad8(jr_buf *b)
{
    while (b->len % 8)
        jr_buf_putc(b, 0);
}

/* Checksum of 8-byte words (the file is padded to 8 bytes). */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t a = 0x9E3779B97F4A7C15ull, b = 0;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        a += w;
        b += a;
    }
    return a ^ (b * 0xC2B2AE3D27D4EB4Full);
}

/* The header up to the checksum: 48 bytes + path, padded. */
static void cache_write(const jr_dict *jd, const char *file, const char *dict,
                        const struct stat *st)
{
    jr_buf b = {0};
    jr_buf_put(&b, JR_HCACHE_MAGIC, 8);
    put32(&b, 0x01020304u);
    put32(&b, (uint32_t)sizeof(flat_state));
    put64(&b, (uint64_t)st->st_size);
    put64(&b, (uint64_t)st->st_mtim.tv_sec);
    put64(&b, (uint64_t)st->st_mtim.tv_nsec);
    put32(&b, (uint32_t)strlen(dict));
    jr_buf_puts(&b, dict);
    pad8(&b);
    size_t sum_at = b.len;
    put64(&b, 0); /* the checksum of what follows */
    for (int k = 0; k < 2; k++) {
        const HyphenDict *d = &jd->level[k];
        const flat_level *f = &jd->fl[k];
        char mins[4] = {d->lhmin, d->rhmin, d->clhmin, d->crhmin};
        jr_buf_put(&b, mins, 4);
        put32(&b, (uint32_t)d->nohyphenl);
        put32(&b, (uint32_t)d->utf8);
        jr_buf_put(&b, d->cset, sizeof d->cset);
        put32(&b, (uint32_t)jd->nohyphen_len[k]);
        if (jd->nohyphen_len[k])
            jr_buf_put(&b, jd->nohyphen[k], jd->nohyphen_len[k]);
        put32(&b, (uint32_t)f->n);
        put32(&b, (uint32_t)f->sl);
        put32(&b, f->repl != NULL);
        pad8(&b);
        if (f->sl)
            jr_buf_put(&b, f->strings, f->sl);
        pad8(&b);
        jr_buf_put(&b, (const char *)f->st, f->n * sizeof *f->st);
        if (f->repl)
            jr_buf_put(&b, (const char *)f->repl, f->n * sizeof *f->repl);
        jr_buf_put(&b, (const char *)f->tch, f->n);
        pad8(&b);
    }
    uint64_t sum = checksum((const unsigned char *)b.data + sum_at + 8, b.len - sum_at - 8);
    memcpy(b.data + sum_at, &sum, 8);
    /* write beside it, then rename: readers never see half a file */
    jr_cache_write(file, b.data, b.len);
    jr_buf_free(&b);
}

typedef struct cur {
    const char *p;
    size_t n, off;
    bool ok;
} cur;

static const char *take(cur *c, size_t n)
{
    if (!c->ok || n > c->n - c->off) {
        c->ok = false;
        return NULL;
    }
    const char *p = c->p + c->off;
    c->off += n;
    return p;
}

static void skip8(cur *c)
{
    take(c, (8 - c->off % 8) % 8);
}

static uint32_t get32(cur *c)
{
    uint32_t v = 0;
    const char *p = take(c, 4);
    if (p)
        memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(cur *c)
{
    uint64_t v = 0;
    const char *p = take(c, 8);
    if (p)
        memcpy(&v, p, 8);
    return v;
}

static jr_dict *cache_read(const char *file, const char *dict, const struct stat *st)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat cst;
    void *map = MAP_FAILED;
    if (fstat(fd, &cst) == 0 && cst.st_size > 64 && cst.st_size % 8 == 0)
        map = mmap(NULL, (size_t)cst.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    size_t len = (size_t)cst.st_size;
    const char *data = map;
    cur c = {data, len, 0, true};
    const char *magic = take(&c, 8);
    bool ok = magic && memcmp(magic, JR_HCACHE_MAGIC, 8) == 0 && get32(&c) == 0x01020304u &&
              get32(&c) == sizeof(flat_state) && get64(&c) == (uint64_t)st->st_size &&
              get64(&c) == (uint64_t)st->st_mtim.tv_sec &&
              get64(&c) == (uint64_t)st->st_mtim.tv_nsec;
    size_t plen = ok ? get32(&c) : 0;
    const char *p = ok ? take(&c, plen) : NULL;
    ok = ok && p && plen == strlen(dict) && memcmp(p, dict, plen) == 0;
    skip8(&c);
    uint64_t sum = get64(&c);
    ok = ok && c.ok && checksum((const unsigned char *)data + c.off, len - c.off) == sum;
    jr_dict *jd = jr_xcalloc(1, sizeof *jd);
    jd->map = map;
    jd->map_len = len;
    for (int k = 0; ok && k < 2; k++) {
        HyphenDict *d = &jd->level[k];
        const char *mins = take(&c, 4);
        if (!mins)
            break;
        d->lhmin = mins[0];
        d->rhmin = mins[1];
        d->clhmin = mins[2];
        d->crhmin = mins[3];
        d->nohyphenl = (int)get32(&c);
        d->utf8 = (int)get32(&c);
        const char *cs = take(&c, sizeof d->cset);
        if (cs)
            memcpy(d->cset, cs, sizeof d->cset);
        d->cset[sizeof d->cset - 1] = '\0';
        size_t nl = get32(&c);
        const char *nh = take(&c, nl);
        if (nl) {
            /* nohyphenl + 1 NUL-terminated pieces must fit */
            ok = nh && d->nohyphenl >= 0 && nh[nl - 1] == '\0';
            size_t pieces = 0;
            for (size_t i = 0; ok && i < nl; i++)
                pieces += nh[i] == '\0';
            ok = ok && pieces >= (size_t)d->nohyphenl + 1;
            if (ok) {
                jd->nohyphen[k] = jr_xmalloc(nl);
                memcpy(jd->nohyphen[k], nh, nl);
                jd->nohyphen_len[k] = nl;
                d->nohyphen = jd->nohyphen[k];
            }
        }
        size_t n = get32(&c), sl = get32(&c);
        bool has_repl = get32(&c) != 0;
        skip8(&c);
        const char *strs = take(&c, sl);
        skip8(&c);
        ok = ok && c.ok && n >= 1 && n < (1u << 30);
        const char *sts = ok ? take(&c, n * sizeof(flat_state)) : NULL;
        const char *rps = ok && has_repl ? take(&c, n * sizeof(flat_repl)) : NULL;
        const char *tch = ok ? take(&c, n) : NULL;
        skip8(&c);
        ok = ok && c.ok && sts && tch && (!has_repl || rps);
        if (!ok)
            break;
        /* in the mapping, 8-byte aligned */
        jd->fl[k] = (flat_level){(const flat_state *)(const void *)sts,
                                 (const unsigned char *)tch,
                                 (const flat_repl *)(const void *)rps,
                                 strs,
                                 n,
                                 sl};
        jd->strings[k] = (char *)strs;
        jd->strings_len[k] = sl;
        ok = flat_ok(&jd->fl[k]);
    }
    ok = ok && c.ok && c.off == c.n;
    if (!ok) {
        dict_free(jd);
        return NULL;
    }
    jd->level[0].nextlevel = &jd->level[1];
    jd->level[1].nextlevel = NULL;
    return jd;
}

/* The walk on the flat arrays replaces libhyphen for 8-bit dictionaries
 * without replacements (German); the others get libhyphen's states. */
static void dict_ready(jr_dict *jd)
{
    jd->fast = !jd->level[0].utf8 && !jd->fl[0].repl && !jd->fl[1].repl;
    if (!jd->fast)
        for (int k = 0; k < 2; k++)
            if (!jd->states[k])
                dict_from_flat(jd, k);
}

/* The compiled dictionary for `path`: from the cache, else built (and
 * then cached). */
static jr_dict *dict_open(const char *path)
{
    struct stat st;
    char *real = realpath(path, NULL);
    if (!real || stat(real, &st) != 0) {
        free(real);
        return NULL;
    }
    char *file = cache_file(real, &st);
    jr_dict *jd = file ? cache_read(file, real, &st) : NULL;
    if (!jd) {
        jd = dict_load(real);
        if (jd) {
            flat_from_dict(jd, 0);
            flat_from_dict(jd, 1);
            if (file)
                cache_write(jd, file, real, &st);
        }
    }
    if (jd)
        dict_ready(jd);
    free(file);
    free(real);
    return jd;
}

/* ---------------------------------------------------------------- word cache file */

/* The answers per word are kept between runs too (most words of an edition
 * were hyphenated by the build before): hyphw-1-*.bin in the cache folder,
 * named by everything an answer depends on (the dictionary's path, size and
 * modification time, the limits and the exceptions added), with a checksum.
 * Read at the first jr_hyphenate, written by jr_hyphenator_free when new
 * words were hyphenated. Records: length, number of points (16 bits each),
 * the word, the points (16 bits each), their explicit flags (a byte each). */

#define JR_HWORDS_MAGIC "JRHYPW\x01\n"
#define JR_HWORDS_MAX   65536 /* a file grown bigger keeps only the current run's words */

static char *words_identity(const jr_hyphenator *h)
{
    return jr_xasprintf("%s|%d|%d|%016llx", h->dict_id ? h->dict_id : "", h->left_min, h->right_min,
                        (unsigned long long)h->exc_hash);
}

static char *words_file(const jr_hyphenator *h)
{
    if (!h->dict_id)
        return NULL;
    char *id = words_identity(h);
    char *p = jr_cache_file("hyphw-1", id);
    free(id);
    return p;
}

static void words_load(jr_hyphenator *h)
{
    h->words_loaded = true;
    char *file = words_file(h);
    size_t len = 0;
    char *data = file ? jr_read_file(file, &len) : NULL;
    free(file);
    if (!data)
        return;
    char *id = words_identity(h);
    uint64_t n = 0;
    size_t pos = jr_cache_check(data, len, JR_HWORDS_MAGIC, id, &n), got = 0;
    bool ok = pos > 0;
    free(id);
    size_t pts[JR_HYPH_CACHE_MAX_LEN];
    bool expl[JR_HYPH_CACHE_MAX_LEN];
    for (uint64_t i = 0; ok && i < n; i++) {
        uint16_t wl, np;
        if (len - pos < 4)
            break;
        memcpy(&wl, data + pos, 2);
        memcpy(&np, data + pos + 2, 2);
        pos += 4;
        if (wl == 0 || wl > JR_HYPH_CACHE_MAX_LEN || np > wl || len - pos < wl + 3u * np)
            break;
        const char *w = data + pos;
        pos += wl;
        for (size_t k = 0; k < np; k++) {
            uint16_t v;
            memcpy(&v, data + pos + 2 * k, 2);
            pts[k] = v;
            expl[k] = data[pos + 2 * np + k] != 0;
        }
        pos += 3u * np;
        uint64_t hw = hash_str(w, wl);
        if (!map_find(&h->cache, w, wl, hw)) {
            map_put(&h->cache, w, wl, pts, expl, np);
            map_find(&h->cache, w, wl, hw)->from_file = true;
            got++;
        }
    }
    h->words_read = got;
    free(data);
}

static void words_save(jr_hyphenator *h)
{
    if (!h->words_new)
        return;
    char *file = words_file(h);
    if (!file)
        return;
    jr_buf b = {0};
    char *id = words_identity(h);
    size_t header = jr_cache_begin(&b, JR_HWORDS_MAGIC, id);
    free(id);
    uint64_t n = 0;
    bool big = h->cache.used > JR_HWORDS_MAX;
    for (size_t i = 0; i < h->cache.cap; i++) {
        const hyph_entry *e = &h->cache.e[i];
        if (!e->hash || (big && e->from_file) || e->len > JR_HYPH_CACHE_MAX_LEN)
            continue;
        uint16_t wl = (uint16_t)e->len, np = (uint16_t)e->n;
        jr_buf_put(&b, (const char *)&wl, 2);
        jr_buf_put(&b, (const char *)&np, 2);
        jr_buf_put(&b, e->key, e->len);
        for (size_t k = 0; k < e->n; k++) {
            uint16_t v = (uint16_t)e->pts[k];
            jr_buf_put(&b, (const char *)&v, 2);
        }
        for (size_t k = 0; k < e->n; k++)
            jr_buf_putc(&b, e->expl[k] ? 1 : 0);
        n++;
    }
    jr_cache_seal(&b, header, n);
    jr_cache_write(file, b.data, b.len);
    free(file);
    jr_buf_free(&b);
    h->words_new = 0;
}

size_t jr_hyphenator_cached_words(const jr_hyphenator *h)
{
    return h ? h->words_read : 0;
}

/* ---------------------------------------------------------------- setup */

static char *dict_path(const char *dir, const char *primary, const char *region)
{
    char name[64];
    if (region)
        snprintf(name, sizeof name, "hyph_%s_%s.dic", primary, region);
    else
        snprintf(name, sizeof name, "hyph_%s.dic", primary);
    char *p = jr_path_join(dir, name);
    if (jr_file_exists(p))
        return p;
    free(p);
    return NULL;
}

/* The dictionary file for a language tag (caller frees), or NULL. */
static char *dict_for(const char *lang)
{
    if (!lang)
        return NULL;
    /* "de-AT", "de_AT", "DE-at" -> primary "de", region "AT" */
    char primary[9] = "", region[9] = "";
    size_t i = 0, n = 0;
    while (lang[i] && lang[i] != '-' && lang[i] != '_') {
        if (n + 1 >= sizeof primary || !((lang[i] | 0x20) >= 'a' && (lang[i] | 0x20) <= 'z'))
            return NULL;
        primary[n++] = (char)(lang[i++] | 0x20);
    }
    primary[n] = '\0';
    if (n < 2)
        return NULL;
    /* the first two-letter subtag after the primary is the region */
    while (lang[i] && !region[0]) {
        i++; /* the separator */
        size_t s = i;
        while (lang[i] && lang[i] != '-' && lang[i] != '_')
            i++;
        if (i - s == 2 && ((lang[s] | 0x20) >= 'a' && (lang[s] | 0x20) <= 'z') &&
            ((lang[s + 1] | 0x20) >= 'a' && (lang[s + 1] | 0x20) <= 'z')) {
            region[0] = (char)(lang[s] & ~0x20);
            region[1] = (char)(lang[s + 1] & ~0x20);
            region[2] = '\0';
        }
    }
    const char *dir = getenv("JOURNAL_HYPHEN_DIR");
    if (!dir || !*dir)
        dir = JR_HYPH_DEFAULT_DIR;
    char *path = NULL;
    if (region[0])
        path = dict_path(dir, primary, region);
    if (!path) {
        const char *def = strcmp(primary, "de") == 0   ? "DE"
                          : strcmp(primary, "en") == 0 ? "US"
                          : strcmp(primary, "fr") == 0 ? "FR"
                                                       : NULL;
        if (def)
            path = dict_path(dir, primary, def);
    }
    if (!path)
        path = dict_path(dir, primary, NULL);
    return path;
}

/* ---- a dictionary opened ahead --------------------------------------------
 *
 * Opening the dictionary (the mapped pattern table, its checksum read
 * through: 5 MB for German) is a millisecond that a build can spend on
 * another thread while it reads its articles. Only the thread that asks
 * for it ahead takes it or drops it. */

static struct {
    char *path;
    jr_dict *dict;
    pthread_t thread;
    bool running;
} ahead;

static void *ahead_main(void *arg)
{
    (void)arg;
    ahead.dict = dict_open(ahead.path);
    return NULL;
}

void jr_hyphen_open_ahead(const char *lang)
{
    jr_hyphen_ahead_drop();
    ahead.path = lang ? dict_for(lang) : NULL;
    if (ahead.path)
        ahead.running = pthread_create(&ahead.thread, NULL, ahead_main, NULL) == 0;
}

static void ahead_join(void)
{
    if (ahead.running)
        pthread_join(ahead.thread, NULL);
    ahead.running = false;
}

/* The dictionary opened ahead for path, or NULL. */
static jr_dict *ahead_take(const char *path)
{
    ahead_join();
    jr_dict *d = NULL;
    if (ahead.path && strcmp(ahead.path, path) == 0) {
        d = ahead.dict;
        ahead.dict = NULL;
    }
    return d;
}

void jr_hyphen_ahead_drop(void)
{
    ahead_join();
    dict_free(ahead.dict);
    free(ahead.path);
    ahead.dict = NULL;
    ahead.path = NULL;
}

jr_hyphenator *jr_hyphenator_new(const char *lang)
{
    if (!lang)
        return NULL;
    char *path = dict_for(lang);
    if (!path)
        return NULL;
    jr_dict *d = ahead_take(path);
    if (!d)
        d = dict_open(path);
    if (!d) {
        free(path);
        return NULL;
    }
    jr_hyphenator *h = jr_xcalloc(1, sizeof *h);
    h->dict = d;
    h->left_min = 2;
    h->right_min = 3;
    char *real = realpath(path, NULL);
    struct stat st;
    if (real && stat(real, &st) == 0)
        h->dict_id = jr_xasprintf("%s|%lld|%lld.%09ld", real, (long long)st.st_size,
                                  (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    free(real);
    free(path);
    return h;
}

void jr_hyphenator_free(jr_hyphenator *h)
{
    if (!h)
        return;
    words_save(h);
    free(h->dict_id);
    dict_free(h->dict);
    map_clear(&h->cache);
    map_clear(&h->exceptions);
    free(h->cps);
    free(h->offs);
    free(h->pts);
    free(h->expl);
    free(h);
}

void jr_hyphenator_set_limits(jr_hyphenator *h, int left_min, int right_min)
{
    if (!h)
        return;
    words_save(h); /* for the settings they were made with */
    h->left_min = left_min < 1 ? 1 : left_min;
    h->right_min = right_min < 1 ? 1 : right_min;
    map_clear(&h->cache);
    h->words_loaded = false;
    h->words_read = 0;
}

void jr_hyphenator_add_exception(jr_hyphenator *h, const char *hyphenated_word)
{
    if (!h || !hyphenated_word)
        return;
    size_t len = strlen(hyphenated_word);
    if (jr_utf8_invalid_at(hyphenated_word, len) != (size_t)-1)
        return;
    jr_buf key = {0};
    size_t *pts = jr_xmalloc((len + 1) * sizeof *pts);
    size_t n = 0, letters = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = jr_utf8_decode(hyphenated_word + i, len - i, &c);
        i += k;
        if (c == '-' || c == 0xAD) {
            if (letters > 0 && (n == 0 || pts[n - 1] != letters))
                pts[n++] = letters;
        } else if (is_run_char(c)) {
            lower_key(&key, &c, 0, 1);
            letters++;
        }
        /* anything else (spaces, stops) is not part of the key */
    }
    if (n && pts[n - 1] == letters)
        n--; /* a trailing '-' */
    if (letters > 0) {
        map_put(&h->exceptions, key.data, key.len, pts, NULL, n);
        words_save(h);
        map_clear(&h->cache);
        h->words_loaded = false;
        h->words_read = 0;
        uint64_t x = hash_str(key.data, key.len);
        for (size_t i = 0; i < n; i++)
            x = (x ^ pts[i]) * 0x100000001B3ull;
        h->exc_hash = (h->exc_hash ^ x) * 0x9E3779B97F4A7C15ull + n + 1;
    }
    free(pts);
    jr_buf_free(&key);
}

int jr_hyphenator_load_exceptions(jr_hyphenator *h, const char *path)
{
    if (!h || !path)
        return -1;
    size_t len;
    char *text = jr_read_file(path, &len);
    if (!text)
        return -1;
    int count = 0;
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        char *hash = memchr(p, '#', (size_t)(le - p));
        char *e = hash ? hash : le;
        while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (e > p) {
            char saved = *e;
            *e = '\0';
            jr_hyphenator_add_exception(h, p);
            *e = saved;
            count++;
        }
        p = nl ? nl + 1 : end;
    }
    free(text);
    return count;
}

/* ---------------------------------------------------------------- hyphenating */

static void add_point(jr_hyphenator *h, size_t off, bool expl)
{
    if (h->npts && h->pts[h->npts - 1] >= off)
        return; /* keep them increasing and unique */
    JR_GROW(h->pts, h->pts_cap, h->npts + 1);
    h->expl = jr_xrealloc(h->expl, h->pts_cap * sizeof *h->expl);
    h->pts[h->npts] = off;
    h->expl[h->npts] = expl;
    h->npts++;
}

static bool is_vowel(uint32_t c)
{
    switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
        return true;
    default:
        return (c >= 0xE0 && c <= 0xE6) || (c >= 0xE8 && c <= 0xEF) || (c >= 0xF2 && c <= 0xF6) ||
               (c >= 0xF8 && c <= 0xFD) || c == 0xFF;
    }
}

/* Drop breaks that leave a piece no syllable can be: a single letter
 * between two breaks, or a piece without a vowel. brk[k] means a break
 * before letter k (0 < k < n); low is the lower-cased run. The patterns give
 * stau-b-ecken, alt-bau-e-r-hal-tung, deut-sch-ler-nen, rü-ck-mel-dung,
 * herb-st-ar-ti-kel. */
static void drop_bad_pieces(const uint32_t *low, char *brk, size_t n)
{
    /* two one-letter pieces in a row ("bau-e-r-hal"): join them */
    for (size_t k = 1; k + 2 < n; k++)
        if (brk[k] && brk[k + 1] && brk[k + 2])
            brk[k + 1] = 0;
    /* pieces without a vowel: a single consonant before a vowel opens the
     * next syllable ("stau-becken"); other consonants close the one before
     * ("deutsch-ler-nen", "rück-mel-dung", "herbst-ar-ti-kel") */
    for (bool changed = true; changed;) {
        changed = false;
        size_t start = 0;
        for (size_t k = 1; k <= n && !changed; k++) {
            if (k < n && !brk[k])
                continue;
            /* the piece is [start, k) */
            bool vowel = false;
            for (size_t i = start; i < k; i++)
                vowel |= is_vowel(low[i]);
            if (!vowel && (start > 0 || k < n)) {
                bool to_next = start == 0 || (k < n && k - start == 1 && is_vowel(low[k]));
                if (to_next)
                    brk[k] = 0;
                else
                    brk[start] = 0;
                changed = true;
            }
            start = k;
        }
    }
    /* a single vowel between two breaks closes the syllable before: "geo-gra-fie" */
    for (size_t k = 1; k + 1 < n; k++)
        if (brk[k] && brk[k + 1])
            brk[k] = 0;
}

/* Pattern breaks for the letter run cps[s, e). */
static void hyphenate_run(jr_hyphenator *h, size_t s, size_t e)
{
    size_t n = e - s;
    if (n < 2 || n > JR_HYPH_MAX_RUN || (int)n < h->left_min + h->right_min)
        return;
    jr_dict *jd = h->dict;
    HyphenDict *d = &jd->level[0];
    uint32_t low[JR_HYPH_MAX_RUN];
    char enc[JR_HYPH_MAX_RUN * 4 + 1]; /* the run in the dictionary's encoding */
    size_t elen = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = lower_cp(h->cps[s + i]);
        low[i] = c;
        if (d->utf8) {
            elen += jr_utf8_encode(c, enc + elen);
        } else {
            if (c > 0xFF || !is_latin1_letter(c))
                return; /* the patterns cannot see it: no breaks */
            enc[elen++] = (char)c;
        }
    }
    enc[elen] = '\0';

    char hy[JR_HYPH_MAX_RUN * 4 + 5];
    char brk[JR_HYPH_MAX_RUN + 1];
    memset(brk, 0, sizeof brk);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    if (jd->fast ? flat_hyphenate2(jd, enc, elen, hy) != 0
                 : hnj_hyphen_hyphenate2(d, enc, (int)elen, hy, NULL, &rep, &pos, &cut) != 0)
        return;
    /* hy[i] odd: a break after letter i (letters, also for UTF-8
     * dictionaries). Non-standard breaks (rep) would change the letters: not
     * taken. */
    for (size_t i = 0; i + 1 < n; i++)
        if ((hy[i] & 1) && !(rep && rep[i]))
            brk[i + 1] = 1;
    if (rep) {
        for (size_t i = 0; i < elen; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    for (size_t k = 1; k < n; k++)
        if (brk[k] && ((int)k < h->left_min || (int)(n - k) < h->right_min))
            brk[k] = 0;
    drop_bad_pieces(low, brk, n);
    for (size_t k = 1; k < n; k++)
        if (brk[k])
            add_point(h, h->offs[s + k], false);
}

/* Breaks from the exception list for cps[s, e); false if none listed. */
static bool exception_run(jr_hyphenator *h, size_t s, size_t e)
{
    if (!h->exceptions.used)
        return false;
    /* the key is the letters only, as in jr_hyphenator_add_exception */
    jr_buf key = {0};
    size_t nl = 0;
    for (size_t i = s; i < e; i++)
        if (is_run_char(h->cps[i])) {
            lower_key(&key, h->cps, i, i + 1);
            nl++;
        }
    hyph_entry *x =
        key.len ? map_find(&h->exceptions, key.data, key.len, hash_str(key.data, key.len)) : NULL;
    jr_buf_free(&key);
    if (!x)
        return false;
    /* break i goes before letter pts[i] */
    size_t letter = 0, k = 0;
    for (size_t i = s; i < e && k < x->n; i++) {
        if (!is_run_char(h->cps[i]))
            continue;
        while (k < x->n && x->pts[k] < letter)
            k++;
        if (k < x->n && x->pts[k] == letter && letter > 0 && letter < nl)
            add_point(h, h->offs[i], false);
        letter++;
    }
    return true;
}

static bool contains(const char *w, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(w + i, needle, n) == 0)
            return true;
    return false;
}

/* Compute the break points of word into h->pts / h->expl. */
static void compute(jr_hyphenator *h, const char *word, size_t len)
{
    h->npts = 0;
    if (jr_utf8_invalid_at(word, len) != (size_t)-1)
        return;
    /* URLs and e-mail addresses are broken by the layout engine */
    if (memchr(word, '@', len) || contains(word, len, "://"))
        return;
    if (len + 1 > h->scratch_cap) {
        h->scratch_cap = len + 1;
        h->cps = jr_xrealloc(h->cps, h->scratch_cap * sizeof *h->cps);
        h->offs = jr_xrealloc(h->offs, h->scratch_cap * sizeof *h->offs);
    }
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        h->offs[n] = i;
        i += jr_utf8_decode(word + i, len - i, &h->cps[n]);
        n++;
    }
    h->offs[n] = len;
    const uint32_t *cps = h->cps;

    /* the word proper, without quotes and stops around it */
    size_t s = 0, e = n;
    while (s < e && !is_word_char(cps[s]))
        s++;
    while (e > s && !is_word_char(cps[e - 1]))
        e--;
    if (e - s < 2)
        return;

    /* an inner '.' makes it a name like "landkreis-stade.de" or "www.x.org" */
    for (size_t i = s; i + 1 < e; i++)
        if (cps[i] == '.' && is_word_char(cps[i + 1]))
            return;
    bool soft = false, hard = false, digit = false;
    for (size_t i = 0; i < n; i++) /* even a stray one outside: the author decides */
        soft |= cps[i] == 0xAD;
    for (size_t i = s; i < e; i++) {
        hard |= is_hard_hyphen(cps[i]);
        digit |= is_digit(cps[i]);
    }
    if (soft || hard) {
        /* the author's breaks are the only ones */
        for (size_t i = s + 1; i + 1 < e; i++) {
            if (cps[i] == 0xAD && !is_hard_hyphen(cps[i - 1]) && cps[i - 1] != 0xAD &&
                cps[i + 1] != 0xAD)
                add_point(h, h->offs[i], false); /* the U+00AD itself: see hyphenate.h */
            else if (is_hard_hyphen(cps[i]) && !is_hard_hyphen(cps[i + 1]) && cps[i + 1] != 0xAD)
                add_point(h, h->offs[i + 1], true);
        }
        return;
    }
    if (digit)
        return;

    if (exception_run(h, s, e))
        return;
    /* letter runs between inner marks ("Schüler:innen", "Lehrer*innen") */
    for (size_t i = s; i < e;) {
        if (!is_run_char(cps[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < e && is_run_char(cps[j]))
            j++;
        if (!(i == s && j == e) && exception_run(h, i, j)) {
            i = j;
            continue;
        }
        hyphenate_run(h, i, j);
        i = j;
    }
}

size_t jr_hyphenate(jr_hyphenator *h, const char *word, size_t len, size_t *points,
                    bool *explicit_out, size_t max)
{
    if (!h || !word || len == 0)
        return 0;
    const size_t *pts;
    const bool *expl;
    size_t n;
    hyph_entry *c = NULL;
    uint64_t hash = 0;
    bool cacheable = len <= JR_HYPH_CACHE_MAX_LEN;
    if (!h->words_loaded)
        words_load(h);
    if (cacheable) {
        hash = hash_str(word, len);
        c = map_find(&h->cache, word, len, hash);
    }
    if (c) {
        pts = c->pts;
        expl = c->expl;
        n = c->n;
    } else {
        compute(h, word, len);
        if (cacheable) {
            map_put(&h->cache, word, len, h->pts, h->expl, h->npts);
            h->words_new++;
        }
        pts = h->pts;
        expl = h->expl;
        n = h->npts;
    }
    if (n > max)
        n = max;
    if (n && points)
        memcpy(points, pts, n * sizeof *points);
    if (n && explicit_out)
        memcpy(explicit_out, expl, n * sizeof *explicit_out);
    return n;
}

char *jr_hyphenate_show(jr_hyphenator *h, const char *word)
{
    if (!word)
        return NULL;
    size_t len = strlen(word);
    size_t max = len + 1;
    size_t *pts = jr_xmalloc(max * sizeof *pts);
    bool *expl = jr_xmalloc(max * sizeof *expl);
    size_t n = jr_hyphenate(h, word, len, pts, expl, max);
    jr_buf b = {0};
    jr_buf_put(&b, "", 0);
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        while (k < n && pts[k] == i) {
            jr_buf_putc(&b, expl[k] ? '|' : '-');
            k++;
        }
        uint32_t c;
        size_t l = jr_utf8_decode(word + i, len - i, &c);
        if (l == 0)
            l = 1;
        if (c != 0xAD)
            jr_buf_put(&b, word + i, l);
        i += l;
    }
    free(pts);
    free(expl);
    return jr_buf_detach(&b);
}

size_t jr_strip_soft_hyphens(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (i + 1 < len && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xAD) {
            i += 2;
            continue;
        }
        s[o++] = s[i++];
    }
    if (o < len)
        s[o] = '\0';
    return o;
}

int jr_hyphenator_raw(jr_hyphenator *h, const char *word, size_t len, char *hyphens)
{
    if (!h || !word || len == 0 || len > INT32_MAX - 8)
        return -1;
    char *w = jr_xstrndup(word, len);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    int r = h->dict->fast ? flat_hyphenate2(h->dict, w, len, hyphens)
                          : hnj_hyphen_hyphenate2(&h->dict->level[0], w, (int)len, hyphens, NULL,
                                                  &rep, &pos, &cut);
    if (rep) {
        for (size_t i = 0; i < len; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    free(w);
    return r;
}
