#!/usr/bin/env python3
"""bench.py: times `journal build` and its peers (pandoc with WeasyPrint and
with XeLaTeX) on the same Markdown; prints a table and writes a CSV.

Called by run.sh (which builds journal in Release and generates the content);
see run.sh for the options. Standard library only.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

# Targets from the issue (medians on the 2-core reference machine).
TARGET_SAMPLE_MS = 30
TARGET_200_MS = 400
TARGET_200_MIB = 64
TARGET_1000_RATIO = 5.5

# One column: WeasyPrint 57 (Debian 12) does not continue CSS columns onto the
# next page (the text of a two-column flow is lost), so its peer is set in
# one column; XeLaTeX gets `twocolumn`.
PEER_CSS = """@page { size: A4; margin: 20mm 16mm; }
body { font-family: "Noto Serif", serif; font-size: 9.5pt; line-height: 1.3;
       hyphens: auto; text-align: justify; }
h1 { font-size: 18pt; }
img { max-width: 100%; }
"""


def run_once(argv, cwd=None):
    """Runs argv; returns (wall seconds, peak RSS KiB, exit status, stderr,
    CPU seconds). Output is discarded. wait4 gives this child's own rusage
    (CPU time of children it waits for included)."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=null, stderr=subprocess.PIPE, cwd=cwd)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        p.returncode = os.waitstatus_to_exitcode(status)
    return t1 - t0, ru.ru_maxrss, p.returncode, err, ru.ru_utime + ru.ru_stime


def time_v_rss(argv):
    """Peak RSS (KiB) as /usr/bin/time -v reports it, or None."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    r = subprocess.run(["/usr/bin/time", "-v"] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, errors="replace")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return int(m.group(1)) if m else None


def pdf_pages(path):
    try:
        out = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return None
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def measure(argv, runs, warmup=1, limit=None, cwd=None):
    """Warm-up runs, then `runs` timed runs (fewer when one run exceeds
    `limit` seconds). Returns dict or raises RuntimeError."""
    times, cpus, rss = [], [], 0
    for i in range(warmup + runs):
        wall, kib, status, err, cpu = run_once(argv, cwd)
        if status != 0:
            raise RuntimeError("%s exited %d: %s" % (argv[0], status, err.decode(errors="replace")[-600:]))
        rss = max(rss, kib)
        if i >= warmup:
            times.append(wall)
            cpus.append(cpu)
        elif limit and wall > limit:
            # a slow peer: the warm-up counts as the only run
            times.append(wall)
            cpus.append(cpu)
            break
        if limit and i >= warmup and wall * (warmup + runs - i - 1) > 6 * limit:
            break
    return {"times": times, "cpus": cpus, "rss_kib": rss}


def front_matter(text):
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    fm = {}
    for line in text[3:end].splitlines():
        m = re.match(r"^([a-z_]+):\s*(.*)$", line)
        if m:
            fm[m.group(1)] = m.group(2).strip().strip('"')
    body = text[text.find("\n", end + 1) + 1:]
    return fm, body


def combine(edition_dir, out_md):
    """The edition's articles as one Markdown document for pandoc: in the
    journal's order, drafts left out, each article's title a level-1 heading
    (article headings are shifted down one level)."""
    arts = []
    for name in sorted(os.listdir(edition_dir)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(edition_dir, name), encoding="utf-8-sig") as f:
            fm, body = front_matter(f.read().replace("\r\n", "\n"))
        if fm.get("draft") == "true":
            continue
        order = int(fm["order"]) if fm.get("order", "").isdigit() else 10**6
        if fm.get("editorial") == "true":
            order = -1
        arts.append((order, name, fm, body))
    arts.sort(key=lambda a: (a[0], a[1]))
    parts = ["---", "title: Bildung im Blick", "lang: de-DE", "---", ""]
    for _, _, fm, body in arts:
        body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.M)
        parts += ["# " + fm.get("title", "?"), ""]
        if fm.get("subtitle"):
            parts += ["*" + fm["subtitle"] + "*", ""]
        parts += [body, ""]
    with open(out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    return len(arts)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = "%.1f GiB" % (kib / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    load = "%.1f" % os.getloadavg()[1]  # 5-minute load average: others' work skews wall times
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": mem, "load": load,
            "kernel": os.uname().release,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True).stdout
        return out.splitlines()[0] if out else "?"
    except (FileNotFoundError, IndexError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--journal", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--case", action="append", default=[],
                    help="NAME:ARTICLES:CONTENT_DIR:EDITION[:EXTRA ARGS]")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peers", default="weasyprint,xelatex")
    ap.add_argument("--peer-max", type=float, default=240.0,
                    help="skip a peer when one run is expected to take longer (s)")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--note", action="append", default=[],
                    help="a line for the table's notes (the layout and feeds timings)")
    a = ap.parse_args()

    peers = [p for p in a.peers.split(",") if p]
    have = {
        "pandoc": shutil.which("pandoc") is not None,
        "weasyprint": shutil.which("weasyprint") is not None,
        "xelatex": shutil.which("xelatex") is not None,
    }
    notes = list(a.note)
    for p in peers:
        if not have["pandoc"]:
            notes.append("pandoc not installed: peer %s skipped (apt-get install pandoc)" % p)
        elif not have[p]:
            pkg = "weasyprint" if p == "weasyprint" else "texlive-xetex texlive-lang-german lmodern"
            notes.append("%s not installed: peer skipped (apt-get install %s)" % (p, pkg))
    peers = [p for p in peers if have["pandoc"] and have[p]]

    rows = []
    last_peer_time = {}  # peer -> (articles, seconds per run)
    for spec in a.case:
        name, n, content, edition, *extra = spec.split(":")
        n = int(n)
        extra = extra[0].split() if extra and extra[0] else []
        out = os.path.join(a.work, "out-" + name)
        argv = [a.journal, "build", content, "--edition", edition, "--out", out, "--quiet"] + extra
        print("== %s (%d articles): journal build" % (name, n), flush=True)
        try:
            m = measure(argv, a.runs)
        except RuntimeError as e:
            print("   failed: %s" % e, flush=True)
            rows.append({"case": name, "articles": n, "tool": "journal", "note": "failed"})
            continue
        rss = time_v_rss(argv) or m["rss_kib"]
        pdf = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(out, edition))
               for f in fs if f.endswith(".pdf") and not f.endswith("-print.pdf")]
        pages = pdf_pages(pdf[0]) if pdf else None
        med = statistics.median(m["times"])
        jrow = {"case": name, "articles": n, "tool": "journal", "runs": len(m["times"]),
                "median_ms": med * 1000, "min_ms": min(m["times"]) * 1000,
                "max_ms": max(m["times"]) * 1000, "cpu_ms": statistics.median(m["cpus"]) * 1000,
                "pages": pages,
                "pages_per_s": pages / med if pages else None, "peak_rss_mib": rss / 1024,
                "ratio": 1.0, "note": " ".join(extra) or "PDF+print PDF+feeds+pages"}
        rows.append(jrow)
        print("   median %.1f ms, %s pages, %.1f MiB" % (jrow["median_ms"], pages, jrow["peak_rss_mib"]),
              flush=True)

        if not peers:
            continue
        md = os.path.join(a.work, name + ".pandoc.md")
        combine(os.path.join(content, edition), md)
        css = os.path.join(a.work, "peer.css")
        with open(css, "w") as f:
            f.write(PEER_CSS)
        for p in peers:
            pdfp = os.path.join(a.work, "%s-%s.pdf" % (name, p))
            # run in the edition folder: the HTML's image paths are relative
            pargv = ["pandoc", os.path.abspath(md), "-s", "-o", os.path.abspath(pdfp),
                     "--pdf-engine=" + p]
            if p == "weasyprint":
                pargv += ["-c", os.path.abspath(css), "--metadata", "pagetitle=Bildung im Blick"]
            else:
                pargv += ["-V", "papersize=a4", "-V", "classoption=twocolumn", "-V",
                          "geometry:margin=18mm", "-V", "mainfont=Noto Serif", "-V", "fontsize=10pt"]
            prev = last_peer_time.get(p)
            if prev and prev[1] * n / prev[0] > a.peer_max:
                note = "skipped: one run estimated at %.0f s (> %.0f s)" % (prev[1] * n / prev[0], a.peer_max)
                print("== %s: pandoc+%s %s" % (name, p, note), flush=True)
                rows.append({"case": name, "articles": n, "tool": "pandoc+" + p, "note": note})
                continue
            print("== %s (%d articles): pandoc --pdf-engine=%s" % (name, n, p), flush=True)
            try:
                pm = measure(pargv, a.runs, limit=20.0, cwd=os.path.join(content, edition))
            except RuntimeError as e:
                print("   failed: %s" % e, flush=True)
                rows.append({"case": name, "articles": n, "tool": "pandoc+" + p, "note": "failed"})
                continue
            pmed = statistics.median(pm["times"])
            last_peer_time[p] = (n, pmed)
            ppages = pdf_pages(pdfp)
            rows.append({"case": name, "articles": n, "tool": "pandoc+" + p, "runs": len(pm["times"]),
                         "median_ms": pmed * 1000, "min_ms": min(pm["times"]) * 1000,
                         "max_ms": max(pm["times"]) * 1000,
                         "cpu_ms": statistics.median(pm["cpus"]) * 1000, "pages": ppages,
                         "pages_per_s": ppages / pmed if ppages else None,
                         "peak_rss_mib": pm["rss_kib"] / 1024, "ratio": pmed / med,
                         "note": ("PDF only, 1 column" if p == "weasyprint" else "PDF only, 2 columns") + ("; warm-up run only" if len(pm["times"]) == 1 else "")})
            print("   median %.0f ms (%.0fx journal), %s pages" % (pmed * 1000, pmed / med, ppages), flush=True)

    # Targets
    by = {(r["case"], r["tool"]): r for r in rows}
    checks = []
    s = by.get(("sample", "journal"))
    if s and "median_ms" in s:
        checks.append(("sample edition <= %d ms" % TARGET_SAMPLE_MS, s["median_ms"] <= TARGET_SAMPLE_MS,
                       "%.1f ms" % s["median_ms"]))
    s2 = by.get(("synth-200", "journal"))
    if s2 and "median_ms" in s2:
        checks.append(("200 articles <= %d ms" % TARGET_200_MS, s2["median_ms"] <= TARGET_200_MS,
                       "%.1f ms" % s2["median_ms"]))
        checks.append(("200 articles <= %d MiB peak" % TARGET_200_MIB, s2["peak_rss_mib"] <= TARGET_200_MIB,
                       "%.1f MiB" % s2["peak_rss_mib"]))
        s3 = by.get(("synth-1000", "journal"))
        if s3 and "median_ms" in s3:
            ratio = s3["median_ms"] / s2["median_ms"]
            cpu_ratio = s3["cpu_ms"] / s2["cpu_ms"] if s2.get("cpu_ms") else 0
            checks.append(("1000 articles <= %.1fx the 200-article time" % TARGET_1000_RATIO,
                           ratio <= TARGET_1000_RATIO, "%.2fx wall, %.2fx CPU" % (ratio, cpu_ratio)))

    mach = machine()
    versions = {"pandoc": tool_version(["pandoc", "--version"]),
                "weasyprint": tool_version(["weasyprint", "--version"]),
                "xelatex": tool_version(["xelatex", "--version"])}

    def f(v, fmt):
        return "" if v is None else fmt % v

    cols = ["case", "articles", "tool", "runs", "median_ms", "min_ms", "max_ms", "cpu_ms", "pages",
            "pages_per_s", "peak_rss_mib", "ratio", "note"]
    fmts = {"median_ms": "%.1f", "min_ms": "%.1f", "max_ms": "%.1f", "cpu_ms": "%.0f", "pages_per_s": "%.0f",
            "peak_rss_mib": "%.1f", "ratio": "%.1f"}
    table = [[f(r.get(c), fmts.get(c, "%s")) for c in cols] for r in rows]

    print()
    print("machine: %s, %s cores, %s RAM, Linux %s, load average %s (%s)" % (
        mach["cpu"], mach["nproc"], mach["memory"], mach["kernel"], mach["load"], mach["date"]))
    for k, v in versions.items():
        if v:
            print("%s: %s" % (k, v))
    hdr = ["case", "articles", "tool", "runs", "median ms", "min ms", "max ms", "CPU ms", "pages",
           "pages/s", "peak MiB", "x journal", "note"]
    widths = [max(len(h), *(len(t[i]) for t in table)) if table else len(h) for i, h in enumerate(hdr)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(hdr, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for t in table:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(t, widths)) + " |")
    for n in notes:
        print("note: " + n)
    print()
    for label, ok, got in checks:
        print("target %-45s %s (%s)" % (label, "met" if ok else "MISSED", got))

    with open(a.csv, "w") as fcsv:
        fcsv.write("# journal benchmark (tests/bench/run.sh)\n")
        fcsv.write("# machine: nproc=%s; cpu=%s; memory=%s; kernel=%s; load average (5 min)=%s; date=%s\n" % (
            mach["nproc"], mach["cpu"], mach["memory"], mach["kernel"], mach["load"], mach["date"]))
        for k, v in versions.items():
            fcsv.write("# %s: %s\n" % (k, v or "not installed"))
        for n in notes:
            fcsv.write("# note: %s\n" % n)
        for label, ok, got in checks:
            fcsv.write("# target %s: %s (%s)\n" % (label, "met" if ok else "MISSED", got))
        fcsv.write(",".join(cols) + "\n")
        for t in table:
            fcsv.write(",".join('"%s"' % v if "," in v or " " in v else v for v in t) + "\n")
    print("\nwrote " + a.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
