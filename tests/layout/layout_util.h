/* layout_util.h: helpers for the layout tests: a one-article edition from
 * Markdown, the layout run, and text extraction from the laid-out pages. */
#ifndef LAYOUT_TEST_UTIL_H
#define LAYOUT_TEST_UTIL_H

#include "layout.h"

typedef struct lt_run {
    jr_journal *j;
    jr_style style;
    jr_fontset *fs;
    jr_doclayout *dl;
} lt_run;

/* Build a journal with one edition of n articles (Markdown bodies) and
 * lay it out. style_fn may change the default style first. */
void lt_layout(lt_run *r, const char *const *bodies, size_t n, void (*style_fn)(jr_style *));
/* The same with the articles' `lang` set (NULL: the journal's, "de"). */
void lt_layout_lang(lt_run *r, const char *const *bodies, size_t n, void (*style_fn)(jr_style *),
                    const char *lang);
/* The same with a hook to change each article after it is built. */
void lt_layout_with(lt_run *r, const char *const *bodies, size_t n, void (*style_fn)(jr_style *),
                    const char *lang, void (*article_fn)(jr_article *));
void lt_free(lt_run *r);

/* The words of article `article` as laid out (hyphenations undone), joined
 * by single spaces, figure captions left out (figures float). Caller frees. */
char *lt_layout_words(const jr_doclayout *dl, int article, const jr_doc *doc);
/* The words of a document's text blocks (not figures), joined by single spaces. */
char *lt_doc_words(const jr_doc *d);

#endif
