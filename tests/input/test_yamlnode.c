/* test_yamlnode.c: the YAML node reader: positions, typed access, key
 * checks, syntax errors in file coordinates, hostile input. */
#include "check.h"

#include "util.h"
#include "yamlnode.h"

static jr_ydoc *parse(const char *text, int first_line)
{
    return jr_ydoc_parse("t.yaml", text, strlen(text), first_line);
}

static void test_tree(void)
{
    capture_start();
    jr_ydoc *d = jr_ydoc_read("tests/input/fixtures/yaml/nested.yaml");
    CHECK_DIAG("");
    CHECK(d && !d->failed && d->root);
    if (!d || !d->root)
        return;
    const jr_ynode *r = d->root;
    CHECK_INT(r->kind, JR_YAML_MAPPING);
    CHECK_INT(r->nitems, 4);
    CHECK_INT(r->line, 1);
    CHECK_INT(r->col, 1);
    const jr_ynode *a = jr_ymap_get(r, "a");
    CHECK(a && a->kind == JR_YAML_SCALAR && a->plain);
    CHECK_STR(a->value, "1");
    CHECK_INT(a->line, 1);
    CHECK_INT(a->col, 4);
    const jr_ynode *list = jr_ymap_get(r, "list");
    CHECK(list && list->kind == JR_YAML_SEQUENCE && list->nitems == 2);
    CHECK_INT(list->line, 3);
    CHECK_INT(list->col, 3);
    if (list && list->nitems == 2) {
        CHECK_STR(list->items[0]->value, "x");
        const jr_ynode *m = list->items[1];
        CHECK_INT(m->kind, JR_YAML_MAPPING);
        CHECK_INT(m->line, 4);
        CHECK_INT(m->col, 5);
        const jr_ynode *n = jr_ymap_get(m, "n");
        CHECK(n && n->kind == JR_YAML_SEQUENCE && n->nitems == 2);
        if (n && n->nitems == 2) {
            CHECK_INT(n->items[1]->line, 4);
            CHECK_INT(n->items[1]->col, 19);
        }
        const jr_ynode *k = jr_ymap_key(m, "k");
        CHECK(k && k->line == 4 && k->col == 6);
    }
    CHECK(jr_ymap_get(r, "missing") == NULL);
    CHECK(jr_ymap_get(a, "a") == NULL); /* not a mapping */
    jr_ydoc_free(d);

    /* positions are offset by first_line; columns count characters */
    capture_start();
    d = parse("übergänge: ärger\nb: [x]\n", 10);
    CHECK_DIAG("");
    CHECK_INT(jr_ymap_get(d->root, "übergänge")->line, 10);
    CHECK_INT(jr_ymap_get(d->root, "übergänge")->col, 12);
    CHECK_INT(jr_ymap_get(d->root, "b")->line, 11);
    jr_ydoc_free(d);

    /* a file with BOM and CRLF line ends */
    capture_start();
    d = jr_ydoc_read("tests/input/fixtures/yaml/bom-crlf.yaml");
    CHECK_DIAG("");
    if (d && d->root) {
        const jr_ynode *t = jr_ymap_get(d->root, "title");
        CHECK(t && t->line == 1 && t->col == 8);
        const jr_ynode *s = jr_ymap_get(d->root, "sections");
        CHECK(s && s->kind == JR_YAML_SEQUENCE && s->line == 3 && s->col == 3);
        if (s && s->nitems == 1)
            CHECK_STR(jr_ymap_get(s->items[0], "id")->value, "x");
    }
    jr_ydoc_free(d);

    /* an empty document is no error */
    capture_start();
    d = parse("# nothing here\n", 1);
    CHECK_DIAG("");
    CHECK(d->root == NULL && !d->failed);
    jr_ydoc_free(d);
}

static void test_nulls_and_types(void)
{
    capture_start();
    jr_ydoc *d = parse("e:\nt: ~\nq: \"\"\nn: null\ni: 42\nneg: -3\nbig: 99999999999\n"
                       "f: 12.5\nb1: TRUE\nb2: off\nl: [a, \"\", b]\nm: {x: 1}\ndt: 2024-02-29\n",
                       1);
    CHECK_DIAG("");
    capture_start();
    const jr_ynode *r = d->root;
    CHECK(jr_ynode_is_null(jr_ymap_get(r, "e")));
    CHECK(jr_ynode_is_null(jr_ymap_get(r, "t")));
    CHECK(!jr_ynode_is_null(jr_ymap_get(r, "q"))); /* quoted: an empty string */
    CHECK(jr_ynode_is_null(jr_ymap_get(r, "n")));

    char *s = NULL;
    CHECK(!jr_y_string(d, jr_ymap_get(r, "e"), "e", &s));
    CHECK(s == NULL);
    CHECK(jr_y_string(d, jr_ymap_get(r, "q"), "q", &s));
    CHECK_STR(s, "");
    CHECK(jr_y_string(d, jr_ymap_get(r, "i"), "i", &s)); /* replaces and frees */
    CHECK_STR(s, "42");
    free(s);

    int i = -1;
    CHECK(jr_y_int(d, jr_ymap_get(r, "i"), "i", 0, 100, &i));
    CHECK_INT(i, 42);
    CHECK(jr_y_int(d, jr_ymap_get(r, "neg"), "neg", -5, 5, &i));
    CHECK_INT(i, -3);
    double f = 0;
    CHECK(jr_y_double(d, jr_ymap_get(r, "f"), "f", 0, 100, &f));
    CHECK(f == 12.5);
    CHECK(jr_y_double(d, jr_ymap_get(r, "i"), "i", 0, 100, &f));
    CHECK(f == 42.0);
    bool b = false;
    CHECK(jr_y_bool(d, jr_ymap_get(r, "b1"), "b1", &b) && b);
    CHECK(jr_y_bool(d, jr_ymap_get(r, "b2"), "b2", &b) && !b);
    char **l = NULL;
    size_t nl = 0;
    CHECK(jr_y_strlist(d, jr_ymap_get(r, "l"), "l", false, &l, &nl));
    CHECK_INT(nl, 3);
    if (nl == 3)
        CHECK_STR(l[1], "");
    jr_date dt = {0, 0, 0};
    CHECK(jr_y_date(d, jr_ymap_get(r, "dt"), "dt", &dt));
    CHECK_INT(dt.day, 29);
    CHECK(jr_y_mapping(d, jr_ymap_get(r, "m")));
    CHECK_DIAG("");

    /* wrong types: reported at the value, output left alone */
    capture_start();
    i = 7;
    CHECK(!jr_y_int(d, jr_ymap_get(r, "big"), "big", 0, 1000, &i));
    CHECK(!jr_y_int(d, jr_ymap_get(r, "neg"), "neg", 0, 1000, &i));
    CHECK(!jr_y_int(d, jr_ymap_get(r, "f"), "f", 0, 1000, &i));
    CHECK_INT(i, 7);
    CHECK(!jr_y_double(d, jr_ymap_get(r, "b1"), "b1", 0, 100, &f));
    CHECK(!jr_y_bool(d, jr_ymap_get(r, "i"), "i", &b));
    CHECK(!jr_y_strlist(d, jr_ymap_get(r, "i"), "i", false, &l, &nl));
    CHECK(!jr_y_strlist(d, jr_ymap_get(r, "m"), "m", true, &l, &nl));
    CHECK_INT(nl, 3);
    CHECK(!jr_y_string(d, jr_ymap_get(r, "l"), "l", &s));
    CHECK(!jr_y_date(d, jr_ymap_get(r, "i"), "i", &dt));
    CHECK(!jr_y_mapping(d, jr_ymap_get(r, "l")));
    CHECK_DIAG("t.yaml:7:6: error: 'big' must be a whole number from 0 to 1000\n"
               "t.yaml:6:6: error: 'neg' must be a whole number from 0 to 1000\n"
               "t.yaml:8:4: error: 'f' must be a whole number from 0 to 1000\n"
               "t.yaml:9:5: error: 'b1' must be a number from 0 to 100\n"
               "t.yaml:5:4: error: 'i' must be true or false\n"
               "t.yaml:5:4: error: 'i' must be a list of strings\n"
               "t.yaml:12:4: error: 'm' must be a string or a list of strings\n"
               "t.yaml:11:4: error: 'l' must be a string\n"
               "t.yaml:5:4: error: '42' is not a valid date (expected YYYY-MM-DD)\n"
               "t.yaml:11:4: error: expected a mapping of keys and values\n");
    for (size_t k = 0; k < nl; k++)
        free(l[k]);
    free(l);
    jr_ydoc_free(d);
}

static void test_colors(void)
{
    capture_start();
    jr_ydoc *d =
        parse("a: \"#0080ff\"\nb: [0, 0, 0, 120]\nc: [1, 2]\nd: red\ne: [10, 20.5, 30, 0]\n", 1);
    const jr_ynode *r = d->root;
    jr_color c = {0, 0, 0, 0, 0, 0, 0};
    CHECK(jr_y_color(d, jr_ymap_get(r, "a"), NULL, &c));
    CHECK(c.r == 0.0 && c.g == 128 / 255.0 && c.b == 1.0);
    CHECK(c.c == 1.0 && c.m == 1.0 - 128 / 255.0 && c.y == 0.0 && c.k == 0.0);
    CHECK(jr_y_color(d, NULL, jr_ymap_get(r, "e"), &c));
    CHECK(c.c == 0.10 && c.m == 0.205 && c.y == 0.30 && c.k == 0.0);
    CHECK(c.r == 0.9 && c.b == 0.7);
    CHECK(!jr_y_color(d, NULL, jr_ymap_get(r, "b"), &c));
    CHECK(!jr_y_color(d, NULL, jr_ymap_get(r, "c"), &c));
    CHECK(!jr_y_color(d, jr_ymap_get(r, "d"), NULL, &c));
    CHECK(!jr_y_color(d, NULL, NULL, &c));
    CHECK(c.c == 0.10); /* left alone */
    CHECK_DIAG("t.yaml:2:14: error: 'cmyk' must be a number from 0 to 100\n"
               "t.yaml:3:4: error: 'cmyk' must be a list of four percentages [c, m, y, k]\n"
               "t.yaml:4:4: error: 'red' is not a colour (expected \"#RRGGBB\" or a cmyk list)\n");
    jr_ydoc_free(d);
}

static void test_keys(void)
{
    static const char *const known[] = {"title", "subtitle", "section", "tags", "date", NULL};
    CHECK_STR(jr_closest_word("titel", known, 2), "title");
    CHECK_STR(jr_closest_word("Title", known, 2), "title");
    CHECK_STR(jr_closest_word("sektion", known, 2), "section");
    CHECK_STR(jr_closest_word("tag", known, 2), "tags");
    CHECK_STR(jr_closest_word("datum", known, 2), "date");
    CHECK(jr_closest_word("xy", known, 2) == NULL);
    CHECK(jr_closest_word("rubrik", known, 2) == NULL);
    CHECK(jr_closest_word("", known, 2) == NULL);

    capture_start();
    jr_ydoc *d = parse("title: a\ntitel: b\nfoo: c\n[x]: d\ntitle: e\nfoo: f\n", 3);
    jr_y_check_keys(d, d->root, known);
    CHECK_DIAG("t.yaml:7:1: error: duplicate key 'title'\n"
               "t.yaml:8:1: error: duplicate key 'foo'\n"
               "t.yaml:4:1: warning: unknown key 'titel' (did you mean 'title'?)\n"
               "t.yaml:5:1: warning: unknown key 'foo'\n"
               "t.yaml:6:1: error: 'key' must be a string\n"
               "t.yaml:8:1: warning: unknown key 'foo'\n");
    CHECK_STR(jr_ymap_get(d->root, "title")->value, "a"); /* the first one counts */
    jr_ydoc_free(d);
}

static void test_syntax_errors(void)
{
    capture_start();
    jr_ydoc *d = jr_ydoc_read("tests/input/fixtures/yaml/bad-indent.yaml");
    CHECK_DIAG("tests/input/fixtures/yaml/bad-indent.yaml:4:10: error: YAML syntax error: mapping "
               "values are not allowed in this context\n");
    CHECK(d && d->failed && !d->root);
    jr_ydoc_free(d);

    static const struct {
        const char *text, *diag;
    } cases[] = {
        {"a: 1\n---\nb: 2\n",
         "t.yaml:6:1: error: YAML syntax error: more than one YAML document (a second '---' "
         "line?)\n"},
        {"a: \x01\n", "t.yaml:5:4: error: YAML syntax error: control characters are not allowed\n"},
        {"a:\n  b: 1\n  \tc: 2\n",
         "t.yaml:7:3: error: YAML syntax error: found a tab; YAML indents with spaces only\n"},
        {"a: 1\nb: {x: 1\n",
         "t.yaml:7:1: error: YAML syntax error: did not find expected ',' or '}' (while parsing a "
         "flow mapping at line 6)\n"},
        {"- a\nb: 1\n", "t.yaml:6:1: error: YAML syntax error: did not find expected '-' "
                        "indicator (while parsing a block collection at line 5)\n"},
        {"a: &x 1\nb: *x\n",
         "t.yaml:6:4: error: YAML syntax error: aliases (*name) are not supported; write the "
         "value out\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        capture_start();
        d = parse(cases[i].text, 5);
        CHECK(d->failed && !d->root);
        CHECK_DIAG(cases[i].diag);
        jr_ydoc_free(d);
    }

    capture_start();
    CHECK(jr_ydoc_read("tests/input/fixtures/yaml/none.yaml") == NULL);
    CHECK_DIAG("tests/input/fixtures/yaml/none.yaml: error: cannot read file: No such file or "
               "directory\n");
}

static void test_text(void)
{
    static const char t[] = "ab\nüx\0y";
    jr_pos p = jr_text_pos(t, sizeof t - 1, 6); /* the NUL */
    CHECK_INT(p.line, 2);
    CHECK_INT(p.col, 3);
    capture_start();
    CHECK(!jr_text_check("n.txt", t, sizeof t - 1));
    CHECK(jr_text_check("n.txt", t, 5));
    CHECK(!jr_text_check("u.txt", "ok\n\xE2\x82", 5));
    CHECK_DIAG("n.txt:2:3: error: file contains a NUL byte (at offset 6)\n"
               "u.txt:2:1: error: file is not valid UTF-8 (invalid byte at offset 3)\n");
}

static void test_hostile(void)
{
    /* billion laughs: refused at the first alias */
    capture_start();
    jr_ydoc *d =
        parse("a: &a [\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b]\n", 1);
    CHECK_DIAG("t.yaml:2:8: error: YAML syntax error: aliases (*name) are not supported; write "
               "the value out\n");
    jr_ydoc_free(d);

    /* deep block nesting */
    jr_buf b = {0};
    for (int i = 0; i < 200; i++) {
        for (int k = 0; k < i; k++)
            jr_buf_putc(&b, ' ');
        jr_buf_puts(&b, "k:\n");
    }
    capture_start();
    d = jr_ydoc_parse("deep.yaml", b.data, b.len, 1);
    CHECK_DIAG("deep.yaml:65:65: error: YAML syntax error: nesting deeper than 64 levels\n");
    CHECK(d->failed);
    jr_ydoc_free(d);
    jr_buf_free(&b);

    /* a big mapping full of duplicates stays cheap and reports each */
    for (int i = 0; i < 20000; i++)
        jr_buf_printf(&b, "k%d: v\n", i % 10000);
    capture_start();
    jr_diag_set_output(NULL);
    d = jr_ydoc_parse("big.yaml", b.data, b.len, 1);
    CHECK_INT(jr_diag_count_id(JR_E_DUPLICATE_KEY), 10000);
    CHECK_INT(d->root ? d->root->nitems : 0, 40000);
    jr_ydoc_free(d);
    jr_buf_free(&b);
    free(capture_end());
}

int main(void)
{
    test_tree();
    test_nulls_and_types();
    test_colors();
    test_keys();
    test_syntax_errors();
    test_text();
    test_hostile();
    return check_done("input_yaml");
}
