/* feed_unit: the pieces of the feed and HTML back ends on their own: the
 * HTML sanitiser, URL checks, XML character cleaning, Berlin dates, sizes,
 * pathological nesting. Run from the source root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "feed.h"
#include "feed_int.h"
#include "util.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!g_ || strcmp(g_, w_) != 0) {                                                          \
            fprintf(stderr, "%s:%d: FAILED: got [%s]\n    want [%s]\n", __FILE__, __LINE__,        \
                    g_ ? g_ : "(null)", w_);                                                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static char *san(const char *html)
{
    return jr_html_sanitize(html, strlen(html), NULL, 0, JR_FIG_NONE, NULL, 0);
}

static void check_san(const char *in, const char *want)
{
    char *got = san(in);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "sanitize [%s]\n    got  [%s]\n    want [%s]\n", in, got, want);
        failures++;
    }
    free(got);
}

static void test_sanitizer(void)
{
    check_san("<p>Hallo <em>Welt</em></p>", "<p>Hallo <em>Welt</em></p>");
    check_san("<script>alert(1)</script><p>x</p>", "<p>x</p>");
    check_san("<p onclick=\"x()\" class=\"c\">a</p>", "<p>a</p>");
    check_san("<p><a href=\"javascript:alert(1)\">a</a></p>", "<p><a>a</a></p>");
    check_san("<p><a href=\" JaVa&#x09;ScRiPt:alert(1)\">a</a></p>", "<p><a>a</a></p>");
    check_san("<p><a href=\"&#106;avascript:alert(1)\">a</a></p>", "<p><a>a</a></p>");
    check_san("<p><a href=\"vbscript:x\">a</a><a href=\"data:text/html,x\">b</a></p>",
              "<p><a>a</a><a>b</a></p>");
    check_san("<p><a href=\"https://a.example/?q=1&amp;r=2\" title=\"T\">a</a></p>",
              "<p><a href=\"https://a.example/?q=1&amp;r=2\" title=\"T\">a</a></p>");
    check_san("<p><a href=\"mailto:a@b.example\">m</a></p>",
              "<p><a href=\"mailto:a@b.example\">m</a></p>");
    check_san("<iframe src=\"https://e.example\">x</iframe><p>y</p>", "<p>y</p>");
    check_san("<div><span>frei</span></div>", "frei");
    check_san("<p><img src=\"data:image/png;base64,AA\" alt=\"d\"><img src=\"a.png\" alt=\"A\" "
              "onerror=\"x()\"></p>",
              "<p><img src=\"a.png\" alt=\"A\"></p>");
    check_san("<style>p{}</style><object data=\"x\">o</object><embed src=\"x\"><form><input "
              "value=\"v\">f</form><p>z</p>",
              "<p>z</p>");
    check_san("<svg><script>1</script><text>t</text></svg><math>m</math><p>ok</p>", "<p>ok</p>");
    check_san("<ol start=\"3\" reversed><li>a</li></ol>", "<ol start=\"3\"><li>a</li></ol>");
    check_san("<p>a &lt;b&gt; &amp; \"c\" 'd'</p>", "<p>a &lt;b&gt; &amp; \"c\" 'd'</p>");
    check_san("<p title=\"a&quot;b\">x</p>", "<p title=\"a&quot;b\">x</p>");
    check_san("<table><tr><td>1</td></tr></table>", "<table><tr><td>1</td></tr></table>");
    check_san("<p>a<embed src=\"x.swf\">b</p><p>c</p>", "<p>ab</p><p>c</p>");
    check_san("<p>&#1;x&#xFFFE;y</p>", "<p>xy</p>");
    check_san("<!-- c --><p>k</p>", "<p>k</p>");

    /* headings shift and the why */
    char why[100];
    char *s = jr_html_sanitize("<h1>T</h1><h6>U</h6>", 20, NULL, 1, 0, why, sizeof why);
    CHECK_STR(s, "<h2>T</h2><h6>U</h6>");
    CHECK_STR(why, "");
    free(s);
    s = jr_html_sanitize("<p onmouseover=\"x\">a</p>", 25, NULL, 0, 0, why, sizeof why);
    CHECK(strstr(why, "onmouseover") != NULL);
    free(s);

    /* figures from lone images with a title */
    const char *fig = "<p><img src=\"a.png\" alt=\"A\" title=\"Bild &amp; Text\"></p>"
                      "<p><img src=\"b.png\" alt=\"B\"></p><p>x <img src=\"c.png\" alt=\"\" "
                      "title=\"t\"></p>";
    s = jr_html_sanitize(fig, strlen(fig), NULL, 0, JR_FIG_HTML5, NULL, 0);
    CHECK_STR(s, "<figure><img src=\"a.png\" alt=\"A\" title=\"Bild &amp; Text\">"
                 "<figcaption>Bild &amp; Text</figcaption></figure>"
                 "<p><img src=\"b.png\" alt=\"B\"></p><p>x <img src=\"c.png\" alt=\"\" "
                 "title=\"t\"></p>");
    free(s);
    s = jr_html_sanitize(fig, strlen(fig), NULL, 0, JR_FIG_DIV, NULL, 0);
    CHECK(strncmp(s, "<div class=\"figure\"><img src=\"a.png\"", 36) == 0);
    CHECK(strstr(s, "<p class=\"caption\">Bild &amp; Text</p></div><p>") != NULL);
    free(s);

    /* relative URLs against a page URL */
    s = jr_html_sanitize("<p><img src=\"images/x.png\" alt=\"\"><a href=\"#fn\">f</a>"
                         "<a href=\"../b/c.html\">c</a></p>",
                         strlen("<p><img src=\"images/x.png\" alt=\"\"><a href=\"#fn\">f</a>"
                                "<a href=\"../b/c.html\">c</a></p>"),
                         "https://j.example/archiv/2026-1/seite.html", 0, 0, NULL, 0);
    CHECK_STR(s, "<p><img src=\"https://j.example/archiv/2026-1/images/x.png\" alt=\"\">"
                 "<a href=\"https://j.example/archiv/2026-1/seite.html#fn\">f</a>"
                 "<a href=\"https://j.example/archiv/b/c.html\">c</a></p>");
    free(s);
}

static void test_urls(void)
{
    CHECK(jr_url_is_safe("images/a.png", false));
    CHECK(jr_url_is_safe("a-very-long-file-name-without-a-folder.png", false));
    CHECK(jr_url_is_safe("Ausbildungsmesse-2026.html#teilnehmende", true));
    CHECK(!jr_url_is_safe("averyveryverylongscheme:x", true));
    CHECK(jr_url_is_safe("/a/b", false));
    CHECK(jr_url_is_safe("#x", true));
    CHECK(jr_url_is_safe("a.html?x=y:z", true));
    CHECK(jr_url_is_safe("HTTPS://x.example/", false));
    CHECK(jr_url_is_safe("mailto:a@b", true));
    CHECK(!jr_url_is_safe("mailto:a@b", false));
    CHECK(!jr_url_is_safe("javascript:alert(1)", true));
    CHECK(!jr_url_is_safe("  JAVASCRIPT:alert(1)", true));
    CHECK(!jr_url_is_safe("java\tscript:alert(1)", true));
    CHECK(!jr_url_is_safe("java\nscript:alert(1)", true));
    CHECK(!jr_url_is_safe("\x01javascript:alert(1)", true));
    CHECK(!jr_url_is_safe("vbscript:x", true));
    CHECK(!jr_url_is_safe("data:text/html;base64,xx", true));
    CHECK(!jr_url_is_safe(":x", true));
    char *r = jr_url_resolve("logo.png", "https://j.example/archiv/");
    CHECK_STR(r, "https://j.example/archiv/logo.png");
    free(r);
}

static void test_clean(void)
{
    jr_diag_set_output(NULL);
    jr_diag_reset();
    jr_feed_forget_warnings();
    jr_src src = {"a.md", 5, "summary"};
    char *c = jr_xml_clean("a\x01"
                           "b\tc\xEF\xBF\xBE"
                           "d\xFF"
                           "e\xED\xA0\x80"
                           "f",
                           &src);
    CHECK_STR(c, "ab\tcdef");
    free(c);
    CHECK(jr_diag_count_id(JR_W_XML_INVALID_CHAR) == 2); /* U+0001, U+FFFE */
    CHECK(jr_diag_count_id(JR_W_XML_INVALID_UTF8) == 4); /* FF and the 3 surrogate bytes */
    /* the same string again (another output): no second warning */
    c = jr_xml_clean("a\x01"
                     "b",
                     &src);
    free(c);
    CHECK(jr_diag_count_id(JR_W_XML_INVALID_CHAR) == 2);
    /* a new build (counters reset, as watch mode does): reported again */
    jr_diag_reset();
    c = jr_xml_clean("a\x01"
                     "b",
                     &src);
    free(c);
    CHECK(jr_diag_count_id(JR_W_XML_INVALID_CHAR) == 1);
    /* lines inside multi-line text */
    FILE *f = tmpfile();
    jr_diag_set_output(f);
    jr_src body = {"b.md", 10, "text"};
    c = jr_xml_clean("eins\nzwei\nd\x02rei\n", &body);
    free(c);
    rewind(f);
    char line[200] = "";
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK(strncmp(line, "b.md:12: warning:", 17) == 0);
    fclose(f);
    jr_diag_set_output(NULL);
    c = jr_xml_clean("Grüße – „ok“ 😀", NULL);
    CHECK_STR(c, "Grüße – „ok“ 😀");
    free(c);
    jr_buf b = {0};
    jr_html_escape(&b, "<a href=\"x\">'&'</a>");
    CHECK_STR(b.data, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    jr_buf_free(&b);
}

static void test_dates(void)
{
    char out[40];
    struct {
        jr_date d;
        const char *rfc3339, *rfc822;
    } cases[] = {
        {{2026, 11, 16}, "2026-11-16T08:00:00+01:00", "Mon, 16 Nov 2026 08:00:00 +0100"},
        {{2026, 3, 28}, "2026-03-28T08:00:00+01:00", "Sat, 28 Mar 2026 08:00:00 +0100"},
        {{2026, 3, 29}, "2026-03-29T08:00:00+02:00", "Sun, 29 Mar 2026 08:00:00 +0200"},
        {{2026, 10, 24}, "2026-10-24T08:00:00+02:00", "Sat, 24 Oct 2026 08:00:00 +0200"},
        {{2026, 10, 25}, "2026-10-25T08:00:00+01:00", "Sun, 25 Oct 2026 08:00:00 +0100"},
        {{2024, 2, 29}, "2024-02-29T08:00:00+01:00", "Thu, 29 Feb 2024 08:00:00 +0100"},
        {{2027, 3, 28}, "2027-03-28T08:00:00+02:00", "Sun, 28 Mar 2027 08:00:00 +0200"},
        {{2019, 7, 1}, "2019-07-01T08:00:00+02:00", "Mon, 01 Jul 2019 08:00:00 +0200"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jr_fmt_rfc3339(&cases[i].d, out);
        CHECK_STR(out, cases[i].rfc3339);
        jr_fmt_rfc822(&cases[i].d, out);
        CHECK_STR(out, cases[i].rfc822);
    }
    jr_fmt_rfc822_epoch(0, out);
    CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 +0000");
    jr_fmt_rfc822_epoch(1795000000LL, out);
    CHECK_STR(out, "Wed, 18 Nov 2026 11:06:40 +0000");
    jr_date d = {2026, 11, 16};
    jr_fmt_date_long(&d, "de", out);
    CHECK_STR(out, "16. November 2026");
    d = (jr_date){2026, 3, 1};
    jr_fmt_date_long(&d, "de-DE", out);
    CHECK_STR(out, "1. März 2026");
    jr_fmt_size(2400000, "de", out);
    CHECK_STR(out, "2,4 MB");
    jr_fmt_size(850400, "de", out);
    CHECK_STR(out, "850 kB");
    jr_fmt_size(1234567, "en", out);
    CHECK_STR(out, "1.2 MB");
    jr_fmt_size(12, "de", out);
    CHECK_STR(out, "1 kB");
}

static void test_deep(void)
{
    /* 10,000 nested elements: no stack overflow, text after the nest kept,
     * nesting in the output capped. */
    enum { N = 10000 };
    jr_buf b = {0};
    jr_buf_puts(&b, "<p>vorher</p>");
    for (int i = 0; i < N; i++)
        jr_buf_puts(&b, "<blockquote>");
    jr_buf_puts(&b, "<p>tief</p>");
    for (int i = 0; i < N; i++)
        jr_buf_puts(&b, "</blockquote>");
    jr_buf_puts(&b, "<p>nachher</p>");
    char *s = jr_html_sanitize(b.data, b.len, NULL, 0, 0, NULL, 0);
    CHECK(strstr(s, "vorher") != NULL);
    CHECK(strstr(s, "tief") != NULL);
    CHECK(strstr(s, "nachher") != NULL);
    size_t opens = 0;
    for (const char *p = s; (p = strstr(p, "<blockquote>")); p++)
        opens++;
    CHECK(opens <= JR_HTML_MAX_NEST);
    size_t closes = 0;
    for (const char *p = s; (p = strstr(p, "</blockquote>")); p++)
        closes++;
    CHECK(opens == closes);
    free(s);
    jr_buf_free(&b);

    /* and through cmark: 10,000 nested block quotes and list items */
    jr_article a = {0};
    a.path = "deep.md";
    a.body_line = 1;
    for (int i = 0; i < N; i++)
        jr_buf_puts(&b, "> ");
    jr_buf_puts(&b, "tief\n\n");
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < i; k++)
            jr_buf_puts(&b, "  ");
        jr_buf_puts(&b, "- x\n");
    }
    jr_buf_puts(&b, "\nEnde.\n");
    a.body = b.data;
    a.body_len = b.len;
    jr_journal j = {0};
    j.language = "de";
    s = jr_article_body_html(&j, &a, NULL);
    CHECK(strstr(s, "tief") != NULL);
    CHECK(strstr(s, "Ende.") != NULL);
    free(s);
    jr_buf_free(&b);
}

static void test_body(void)
{
    jr_diag_set_output(NULL);
    jr_diag_reset();
    jr_feed_forget_warnings();
    jr_article a = {0};
    a.path = "x.md";
    a.body_line = 7;
    a.body = "Sie sagte: \"Wir *brauchen* einander.\"\n\n"
             "Text\n\n<script>alert(1)</script>\n\n[k](javascript:alert(2))\n";
    jr_journal j = {0};
    j.language = "de";
    char *s = jr_article_body_html(&j, &a, "https://j.example/1/x.html");
    CHECK(strstr(s, "„Wir <em>brauchen</em> einander.“") != NULL);
    CHECK(strstr(s, "script") == NULL);
    CHECK(strstr(s, "javascript") == NULL);
    CHECK(strstr(s, "alert") == NULL);
    CHECK(jr_diag_count_id(JR_W_UNSAFE_HTML) == 2);
    free(s);
}

/* Property test: random mixtures of Markdown, raw HTML, hostile URLs and
 * bad bytes (fixed seed, so the run is the same every time). Whatever goes
 * in, what comes out is valid UTF-8 without XML-forbidden characters, has
 * no dangerous element or event attribute in any tag, and only safe URLs. */
static const char *const tokens[] = {"<script>",
                                     "</script>",
                                     "<a href=\"",
                                     "javascript:",
                                     "JaVaScRiPt:",
                                     "&#x6A;avascript:",
                                     "java\tscript:",
                                     "\">",
                                     "<img src=",
                                     "onerror=",
                                     "<p ",
                                     "onclick=\"x\"",
                                     ">",
                                     "<",
                                     "&",
                                     "\x01",
                                     "\xff",
                                     "\xef\xbf\xbe",
                                     "\xed\xa0\x80",
                                     "[x](",
                                     ")",
                                     "![a](",
                                     "**",
                                     "`",
                                     "\n\n",
                                     "> ",
                                     "- ",
                                     "1. ",
                                     "<iframe>",
                                     "<svg><script>",
                                     "<!--",
                                     "-->",
                                     "<![CDATA[",
                                     "]]>",
                                     "<style>",
                                     "\"",
                                     "'",
                                     "Text ",
                                     "ü",
                                     "<table><tr><td>",
                                     "</td>",
                                     "<div>",
                                     "<embed src=x>",
                                     "<math>",
                                     "vbscript:",
                                     "data:text/html,",
                                     " ",
                                     "\t",
                                     "\n",
                                     "<object>",
                                     "<form>",
                                     "<ONCLICK>",
                                     "<b onmouseover=alert(1)>",
                                     "<a href=//x.example/>",
                                     "# ",
                                     "    code",
                                     "```",
                                     "<br/>",
                                     "&amp;",
                                     "&#0;",
                                     "&#1;",
                                     "&#xD800;",
                                     "<p/onclick=x>",
                                     "<img/src=javascript:x>",
                                     "<base href=x>"};

static unsigned long rng_state = 20261126;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((rng_state >> 33) % n);
}

/* A tag as the sanitiser writes it: <name attr="value" ...> with values
 * escaped. Checks the element name, every attribute name, and URL values. */
static bool tag_is_safe(const char *tag, size_t len)
{
    char *t = jr_xstrndup(tag, len);
    bool ok = true;
    const char *p = t + 1;
    if (*p == '/')
        p++;
    size_t nl = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
    static const char *const bad[] = {"script", "iframe", "style", "svg",  "math",
                                      "object", "embed",  "form",  "base", NULL};
    for (size_t i = 0; bad[i]; i++)
        if (strlen(bad[i]) == nl && strncmp(p, bad[i], nl) == 0)
            ok = false;
    p += nl;
    while (ok && *p == ' ') {
        p++;
        size_t al = strcspn(p, "=");
        char *name = jr_xstrndup(p, al);
        p += al;
        if (strncmp(p, "=\"", 2) != 0) {
            ok = false;
            free(name);
            break;
        }
        const char *end = strchr(p + 2, '"');
        if (!end) {
            ok = false;
            free(name);
            break;
        }
        char *v = jr_xstrndup(p + 2, (size_t)(end - p - 2));
        if (strncmp(name, "on", 2) == 0 || strchr(v, '<') || strchr(v, '"'))
            ok = false;
        /* undo the escaping of & for the URL check */
        for (char *q; (q = strstr(v, "&amp;"));)
            memmove(q + 1, q + 5, strlen(q + 5) + 1);
        if ((strcmp(name, "href") == 0 || strcmp(name, "src") == 0) && !jr_url_is_safe(v, true))
            ok = false;
        free(v);
        free(name);
        p = end + 1;
    }
    if (ok && *p != '>')
        ok = false;
    if (!ok)
        fprintf(stderr, "unsafe tag: %s\n", t);
    free(t);
    return ok;
}

static void test_random(void)
{
    jr_diag_set_output(NULL);
    jr_journal j = {0};
    j.language = "de";
    for (int round = 0; round < 10000; round++) {
        jr_buf in = {0};
        int n = 1 + (int)rnd(40);
        for (int k = 0; k < n; k++)
            jr_buf_puts(&in, tokens[rnd(sizeof tokens / sizeof tokens[0])]);
        jr_article a = {0};
        a.path = "fuzz.md";
        a.body_line = 1;
        a.body = in.data;
        a.body_len = in.len;
        char *out = jr_article_body_html(&j, &a, round % 2 ? "https://j.example/a/b.html" : NULL);
        size_t len = strlen(out);
        bool ok = jr_utf8_invalid_at(out, len) == (size_t)-1;
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)out[i] < 0x20 && out[i] != '\n' && out[i] != '\t' && out[i] != '\r')
                ok = false;
        if (strstr(out, "\xef\xbf\xbe"))
            ok = false;
        for (const char *p = out; ok && (p = strchr(p, '<')); p++) {
            const char *e = strchr(p, '>');
            if (!e || !tag_is_safe(p, (size_t)(e - p + 1)))
                ok = false;
        }
        if (!ok) {
            fprintf(stderr, "random input %d:\n[%s]\ngave\n[%s]\n", round, in.data, out);
            failures++;
            free(out);
            jr_buf_free(&in);
            break;
        }
        free(out);
        jr_buf_free(&in);
    }
}

int main(void)
{
    test_sanitizer();
    test_urls();
    test_clean();
    test_dates();
    test_deep();
    test_body();
    test_random();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("feed_unit: all checks passed\n");
    return 0;
}
