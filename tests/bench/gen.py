#!/usr/bin/env python3
"""gen.py: a synthetic content folder for the benchmark.

    gen.py OUT_DIR N_ARTICLES [--seed S] [--words W] [--images EVERY]

writes a valid content folder (see README "Content format"): journal.yaml
with four sections, one edition folder `2030-1` with edition.yaml, a cover
image, N articles of about W words (default 700) each, with headings, lists,
quotes, emphasis, strong text and links, German-like text (umlauts, long
compounds, so hyphenation has work to do), and a figure in every EVERY-th
article (default 10; 0: none). The same seed gives the same bytes.

Standard library only.
"""

import argparse
import os
import random
import struct
import zlib

SECTIONS = [
    ("uebergaenge", "Übergänge gestalten", "#C8581E", [0, 65, 90, 10]),
    ("fachkraefte", "Fachkräfte sichern", "#1F5F8B", [85, 45, 10, 20]),
    ("qualitaet", "Bildungsqualität", "#3D7A3A", [65, 10, 90, 30]),
    ("vernetzung", "Vernetzung und Unterstützung der Akteure", "#7B3F72", [35, 80, 10, 25]),
]

NOUNS = """Bildung Schule Kita Ausbildung Betrieb Lehrkraft Schülerin Schüler Eltern
Gemeinde Landkreis Netzwerk Beratung Übergang Förderung Sprachförderung Ganztag
Berufsorientierung Fachkräftesicherung Arbeitsmarktintegration Bildungsbericht
Qualitätsentwicklung Schulsozialarbeit Jugendberufsagentur Kindertagesstätte
Grundschule Oberschule Berufsschule Hochschule Praktikum Projekt Arbeitsgruppe
Fortbildung Kooperation Zusammenarbeit Angebot Veranstaltung Erfahrung Zukunft
Region Verwaltung Ehrenamt Lesepatenschaft Vereinbarung Handreichung Befragung
Rückmeldung Tandem Fachtag Werkstatt Ausbildungsplatz Unterricht Lernwerkstatt
Medienbildung Digitalisierung Inklusion Beteiligung Elternarbeit Familienzentrum
Bildungsbüro Steuerungsgruppe Kommunikation Begleitung Entwicklung Perspektive""".split()

ADJS = """neue regionale gemeinsame wichtige erfolgreiche digitale kleine große
verlässliche nachhaltige praktische frühe berufliche sprachliche langfristige
ländliche offene vielfältige gute engagierte erste zweite zentrale""".split()

VERBS = """stärkt begleitet unterstützt verbindet fördert plant entwickelt erprobt
beschreibt zeigt eröffnet verbessert erleichtert gestaltet organisiert erweitert
berät informiert vernetzt koordiniert""".split()

FILL = """und oder aber denn doch auch noch schon immer wieder gemeinsam
deshalb zudem außerdem trotzdem inzwischen bereits künftig vor allem""".split()

PLACES = """Stade Buxtehude Harsefeld Jork Horneburg Drochtersen Fredenbeck
Himmelpforten Apensen Nordkehdingen Oldendorf Lühe""".split()

FIRST = """Henrike Jannik Miriam Ole Svenja Tobias Aylin Mehmet Greta Lars Ilka
Bernd Katarzyna Yusuf Frauke Hauke Marieke Dörte""".split()

LAST = """Marquardt Oltmanns Köhnke Claussen Wisniewska Brandt Meyer Hinrichs
Tiedemann Schröder Özdemir Petersen Lüders Junge Behrens""".split()


def png(width, height, seed):
    """A small deterministic RGB PNG (a gradient), standard library only."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes(((x * 255 // width + seed * 37) % 256, (y * 255 // height) % 256,
                          (seed * 91 + 80) % 256))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


class Text:
    def __init__(self, rnd):
        self.r = rnd
        self.words = 0

    def noun(self):
        return self.r.choice(NOUNS)

    def sentence(self, marks=True):
        r = self.r
        parts = [r.choice(["Die", "Eine", "Jede", "Unsere"]), r.choice(ADJS), self.noun(),
                 r.choice(VERBS), r.choice(["die", "eine", "jede"]), r.choice(ADJS), self.noun()]
        for _ in range(r.randint(2, 9)):
            w = r.choice([r.choice(FILL), r.choice(ADJS), self.noun(), r.choice(VERBS),
                          "in " + r.choice(PLACES), "mit " + self.noun()])
            parts.append(w)
        if marks:
            k = r.random()
            i = r.randint(2, len(parts) - 1)
            if k < 0.10:
                parts[i] = "*" + parts[i] + "*"
            elif k < 0.16:
                parts[i] = "**" + parts[i] + "**"
            elif k < 0.20:
                slug = parts[i].lower().replace(" ", "-")
                parts[i] = "[%s](https://www.bildungsregion-stade.example/%s)" % (parts[i], slug)
            elif k < 0.24:
                parts[i] = "„" + parts[i] + "“"
        self.words += sum(len(p.split()) for p in parts)
        end = r.choice([".", ".", ".", ".", "!", "?"]) if marks else "."
        return " ".join(parts) + end

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.r.randint(3, 6)))

    def title(self):
        r = self.r
        t = "%s %s in %s" % (r.choice(ADJS).capitalize(), self.noun(), r.choice(PLACES))
        return t

    def name(self):
        return "%s %s" % (self.r.choice(FIRST), self.r.choice(LAST))


def article_body(tx, words, figure):
    r = tx.r
    out = []
    tx.words = 0
    out.append(tx.paragraph())
    n = 0
    while tx.words < words:
        n += 1
        k = r.random()
        if n % 4 == 1:
            level = "##" if r.random() < 0.7 else "###"
            out.append("%s %s" % (level, tx.title()))
        elif k < 0.12:
            items = []
            for _ in range(r.randint(3, 5)):
                s = tx.sentence()
                items.append(("- " if r.random() < 0.6 else "1. ") + s)
            # one list style per list
            marker = "- " if items[0].startswith("- ") else "1. "
            out.append("\n".join(marker + it.split(" ", 1)[1] for it in items))
        elif k < 0.20:
            out.append("> " + tx.sentence() + " " + tx.sentence() + "\n>\n> -- " + tx.name())
        out.append(tx.paragraph())
        if figure and n == 3:
            out.append('![Farbverlauf als Platzhalter für ein Foto](images/figure.png "%s")'
                       % tx.sentence(marks=False))
            figure = False
    return "\n\n".join(out) + "\n"


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=2030)
    ap.add_argument("--words", type=int, default=700)
    ap.add_argument("--images", type=int, default=10)
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    tx = Text(rnd)
    os.makedirs(os.path.join(a.out, "2030-1", "images"), exist_ok=True)

    with open(os.path.join(a.out, "journal.yaml"), "w", encoding="utf-8") as f:
        f.write("title: Bildung im Blick\n"
                "subtitle: Synthetische Ausgabe für den Geschwindigkeitstest\n"
                "publisher: Bildungsbüro der Bildungsregion Landkreis Stade\n"
                "language: de\n"
                "base_url: https://journal.bildungsregion-stade.example/\n"
                "sections:\n")
        for sid, title, color, cmyk in SECTIONS:
            f.write("  - id: %s\n    title: %s\n    color: \"%s\"\n    cmyk: [%s]\n"
                    % (sid, title, color, ", ".join(map(str, cmyk))))
        f.write("feed:\n  entries: 20\n")

    ed = os.path.join(a.out, "2030-1")
    with open(os.path.join(ed, "edition.yaml"), "w", encoding="utf-8") as f:
        f.write("number: 1\nyear: 2030\ndate: 2030-03-01\n"
                "theme: \"Synthetische Ausgabe mit %d Artikeln\"\n"
                "cover:\n  image: images/cover.png\n  caption: Ein Farbverlauf.\n"
                "  alt: Farbverlauf von Rot nach Blau.\n" % a.n)
    with open(os.path.join(ed, "images", "cover.png"), "wb") as f:
        f.write(png(2100, 1500, 1))  # >= 300 ppi at the cover width: passes the preflight
    with open(os.path.join(ed, "images", "figure.png"), "wb") as f:
        f.write(png(1000, 625, 2))  # >= 300 ppi at column width

    for i in range(a.n):
        title = tx.title()
        subtitle = tx.sentence(marks=False)
        authors = [tx.name() for _ in range(rnd.randint(1, 2))]
        summary = tx.sentence(marks=False)
        sec = SECTIONS[i % len(SECTIONS)][0]
        tags = sorted(set(rnd.choice(NOUNS) for _ in range(3)))
        figure = a.images > 0 and i % a.images == a.images - 1
        body = article_body(tx, a.words, figure)
        day = 1 + i % 28
        fm = ["---", "title: " + yaml_str(title), "subtitle: " + yaml_str(subtitle),
              "author: [%s]" % ", ".join(authors), "date: 2030-02-%02d" % day,
              "section: " + sec, "summary: " + yaml_str(summary),
              "tags: [%s]" % ", ".join(tags), "order: %d" % i]
        if i == 0:
            fm.append("editorial: true")
        fm.append("---")
        with open(os.path.join(ed, "artikel-%04d.md" % (i + 1)), "w", encoding="utf-8") as f:
            f.write("\n".join(fm) + "\n\n" + body)


if __name__ == "__main__":
    main()
