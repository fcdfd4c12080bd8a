#!/usr/bin/env python3
"""bench/report.py RESULTS [MARKDOWN [JSON]]: the report of bench/run.

Reads what the benchmarks wrote in the folder RESULTS (convert.json from bench_convert -j,
fetch.json from bench/fetch.sh, epub.json from bench/epub.sh, pdf.json from bench/pdf.sh,
callgrind.json from bench/callgrind.sh; a missing one is reported as not measured) and writes
MARKDOWN (default bench/RESULTS.md): the machine, the date, the commit, every target with its
figure and PASS or MISS, then the tables.  JSON (default bench/results.json) gets everything read,
for bench/compare.  The Markdown is also printed.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(results, name):
    try:
        with open(os.path.join(results, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run(*cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return r.stdout.strip() if r.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 2**20
    except OSError:
        pass
    distro = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return dict(cpu=cpu, cores=os.cpu_count(), memory_gb=round(mem, 1), os=distro,
                kernel=platform.release())


def commit():
    rev = run("git", "-C", HERE, "rev-parse", "--short", "HEAD")
    dirty = run("git", "-C", HERE, "status", "--porcelain", "--untracked-files=no")
    return rev + ("+changes" if dirty else "") if rev else "unknown"


def versions():
    v = {}
    line = run("pandoc", "--version").splitlines()
    v["pandoc"] = line[0] if line else ""
    v["weasyprint"] = run("weasyprint", "--version")
    v["chromium"] = run("chromium", "--version")
    return v


def fmt(x, spec=".2f", none="—"):
    return none if x is None else format(x, spec)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: bench/report.py RESULTS [MARKDOWN [JSON]]")
    results = sys.argv[1]
    md_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "RESULTS.md")
    js_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(HERE, "results.json")
    if not os.path.isdir(results):
        sys.exit(f"bench/report.py: {results}: no such folder")
    conv, fetch = load(results, "convert.json"), load(results, "fetch.json")
    epub, pdf, cg = load(results, "epub.json"), load(results, "pdf.json"), load(results, "callgrind.json")
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                commit=commit(), machine=machine(), versions=versions())

    out = []
    w = out.append
    m = meta["machine"]
    w("# Benchmark results")
    w("")
    w(f"Made by `bench/run` on {meta['date']}, commit `{meta['commit']}`.  ")
    w(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}, Linux {m['kernel']}.  ")
    vs = [f"{k} ({v})" for k, v in meta["versions"].items() if v]
    w("Peers: " + (", ".join(vs) if vs else "none found") + ".")
    w("")
    w("Times are wall-clock seconds on a shared virtual machine: compare ratios measured in the same "
      "run, and the instruction counts at the end, rather than times across runs.")
    w("")

    # --- targets ---
    rows = []

    def row(area, what, text, ok):
        rows.append((area, what, text, "—" if ok is None else ("PASS" if ok else "MISS")))

    if conv and "all" in conv:
        a = conv["all"]
        r = a.get("ratio")
        row("convert", "conversion <= 1.5x gumbo's bare parse", f"{fmt(r)}x ({fmt(a.get('mb_per_s'), '.1f')} MB/s)",
            None if r is None else r <= 1.5)
    else:
        row("convert", "conversion <= 1.5x gumbo's bare parse", "not measured", None)
    if fetch:
        row("fetch", f"{fetch['pages']} articles, latency {fetch['latency']} s, --delay {fetch['delay']}: "
            "wall <= 1.25x the ideal schedule",
            f"{fetch['wall']:.2f} s / {fetch['ideal']:.2f} s = {fetch['ratio']:.3f}x", fetch["ratio"] <= 1.25)
        n = fetch["noop"]
        row("fetch", f"no-op re-run on {n['entries']} entries < 0.3 s, no article request",
            f"{n['best']:.3f} s, {n['article_requests']} article requests",
            n["best"] < 0.3 and n["article_requests"] == 0)
    else:
        row("fetch", "fetch and no-op re-run", "not measured", None)
    for area, doc in (("EPUB", epub), ("PDF", pdf)):
        if not doc:
            row(area, "all", "not measured", None)
            continue
        for t in doc.get("targets", []):
            row(area, t["what"], t["text"], t["ok"])
    w("## Targets")
    w("")
    w("| | target | measured | |")
    w("|---|---|---|---|")
    for r in rows:
        w("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
    w("")
    misses = sum(1 for r in rows if r[3] == "MISS")
    w(f"{sum(1 for r in rows if r[3] == 'PASS')} met, {misses} missed, "
      f"{sum(1 for r in rows if r[3] == '—')} not measured.")
    w("")

    # --- growth ---
    if epub or pdf:
        w("## Cost as the archive grows")
        w("")
        w("Marginal cost over the 1-article book (its fixed cost left out), warm EPUB builds.")
        w("")
        w("| articles | EPUB ms/article | PDF pages | PDF ms/page | PDF ms/article | PDF peak RSS MB |")
        w("|---:|---:|---:|---:|---:|---:|")
        sizes = sorted(set(int(n) for n in (epub or {}).get("growth", {}))
                       | set(int(n) for n in (pdf or {}).get("growth", {})))
        for n in sizes:
            e = (epub or {}).get("growth", {}).get(str(n), {})
            p = (pdf or {}).get("growth", {}).get(str(n), {})
            pr = (pdf or {}).get("runs", {}).get(f"arc-{n}", {})
            w(f"| {n} | {fmt(e.get('per_article_ms'))} | {pr.get('pages', '—')} | {fmt(p.get('per_page_ms'))} | "
              f"{fmt(p.get('per_article_ms'))} | {fmt(pr.get('peak_rss_mb'), '.1f')} |")
        w("")

    # --- tables ---
    if conv and "pages" in conv:
        w("## Converter (bench_convert, best of its rounds)")
        w("")
        w("| page | KB | gumbo ms | convert ms | ratio | MB/s |")
        w("|---|---:|---:|---:|---:|---:|")
        for p in conv["pages"] + [dict(conv["all"], name="all")]:
            w(f"| {p.get('name')} | {p.get('bytes', 0) / 1024:.0f} | {fmt(p.get('gumbo_ms'))} | "
              f"{fmt(p.get('convert_ms'))} | {fmt(p.get('ratio'))} | {fmt(p.get('mb_per_s'), '.1f')} |")
        w("")
    if fetch:
        n = fetch["noop"]
        w("## Fetch (bench/fetch.sh, local HTTPS server)")
        w("")
        w("| run | wall s | CPU s | peak RSS MB | bytes | ideal s | ratio |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        w(f"| {fetch['pages']} articles x {fetch['images']} images, latency {fetch['latency']} s, --delay "
          f"{fetch['delay']} | {fetch['wall']:.2f} | {fetch['cpu']:.2f} | {fetch['maxrss_kb'] / 1024:.1f} | "
          f"{fetch.get('bytes', 0)} | {fetch['ideal']:.2f} | {fetch['ratio']:.3f} |")
        w(f"| no-op re-run, {n['entries']} entries (best of 3) | {n['best']:.3f} | {n['cpu']:.2f} | "
          f"{n['maxrss_kb'] / 1024:.1f} | — | — | — |")
        w("")
    for title, doc, cols in (("EPUB (bench/epub.sh)", epub, False), ("PDF (bench/pdf.sh, A5)", pdf, True)):
        if not doc:
            continue
        w(f"## {title}")
        w("")
        if cols:
            w("| program | articles | pages | wall s | CPU s | peak RSS MB | peak PSS MB | MB | ms/page |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        else:
            w("| program | articles | wall s | CPU s | peak RSS MB | MB | cold wall s | ms/article |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|")
        runs = sorted(doc["runs"].values(), key=lambda r: (r["articles"], r["program"] != "archiver", r["program"]))
        for r in runs:
            if cols:
                w(f"| {r['program']} | {r['articles']} | {r['pages']} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                  f"{r['peak_rss_mb']:.1f} | {r['peak_pss_mb']:.1f} | {r['bytes'] / 1e6:.1f} | "
                  f"{r['wall'] * 1000 / max(1, r['pages']):.2f} |")
            else:
                w(f"| {r['program']} | {r['articles']} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_rss_mb']:.1f} | "
                  f"{r['bytes'] / 1e6:.1f} | {fmt(r.get('cold_wall'))} | {r['wall'] * 1000 / r['articles']:.2f} |")
        w("")
        w("archiver: the best wall time of its runs (CPU and memory of that run); the peers: one run. "
          "PDF memory is the whole process tree's (bench/treemem.py).")
        w("")
    if cg:
        w(f"## Instructions per stage (callgrind, {cg.get('archive', 'the test archive')})")
        w("")
        w("| stage | instructions | share |")
        w("|---|---:|---:|")
        total = cg.get("total") or sum(cg["stages"].values())
        for k, v in cg["stages"].items():
            w(f"| {k} | {v:,} | {v * 100 / total:.1f}% |")
        w(f"| total | {total:,} | |")
        w("")
        w("`bench/compare OLD NEW` prints the difference per stage between two commits or two results files.")
        w("")

    text = "\n".join(out)
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(text)
    with open(js_path, "w") as f:
        json.dump(dict(meta, convert=conv, fetch=fetch, epub=epub, pdf=pdf, callgrind=cg), f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
