#!/usr/bin/env bash
# bench/callgrind.sh ARCHIVER WORK OUT.json: instruction counts (valgrind --tool=callgrind, event
# Ir) of making the books of the test archive, per stage, written to OUT.json and printed as a
# table.  Instructions, not seconds: the same binary on the same archive gives nearly the same
# counts run after run (see bench/compare), so that a change of a percent shows on a busy machine.
#
# WORK is a folder of bench/archive.sh's: A/ (the archive) and index-$SMALL.md, the test archive
# of $SMALL articles (default 5).  Two commands are measured, from WORK, their books written to a
# temporary folder (removed at exit):
#     ARCHIVER epub index-5.md --archive A --epub T/book.epub --quiet
#     ARCHIVER pdf  index-5.md --archive A --pdf  T/book.pdf  --quiet
# Each runs once natively first, so that the counted run is warm: the EPUB's transcoded pictures
# are in A/.cache/epub (the cold run would transcode them), fontconfig's caches are written, the
# files are in the page cache.  Both run with ARCHIVER_THREADS=1: the PDF's pictures are then
# decoded on the drawing thread (the same bytes out), not on pdf/prefetch.c's second thread.
# The threads pango starts itself to sort fonts with fontconfig still run (some 1.5% of the PDF's
# count, 2% of the EPUB's): callgrind keeps the threads apart (--separate-threads=yes) and those
# count whole in "other" ("threads of the libraries"), so that where they happen to run,
# interleaved with the main thread, moves nothing between stages.
#
# Stages are intervals of the main thread, not call-graph estimates: callgrind dumps its counters
# on entering and on leaving each of the functions below (--dump-before/--dump-after), and every
# interval between two dumps goes to the stage of the innermost of these functions under way
# (a stack: book_chapter_load inside epub_write is "read archive", pdf__flow_doc inside pdf_write
# is "PDF layout").  So the stages and "other" add up to the total exactly.  With
# ARCHIVER_THREADS=1 the main thread runs all of the program's own code (another thread that does
# is reported on stderr).  Only functions called across files are used: extern functions of the
# program, which a Release build (no LTO) cannot inline into their callers in other files, and
# library functions.  So the binary measured is the one given, as built (Release, as bench/run
# builds it): no special build is needed.
#   index         cmd_load_index (parsing the Markdown index, the years of its months)
#   read archive  book_open (meta.json of every entry), book_chapter_load (article.html read back
#                 into a Doc tree, once per book and chapter: the PDF loads each twice, one pass
#                 to count pages, one to draw), book_chapter_release, book_free
#   EPUB          pdf_cover_png (the cover, drawn and written as a PNG), epub_write (the package:
#                 chapters as XHTML, the cached pictures, the zip)
#   PDF layout    pdf__flow_text, pdf__flow_doc, pdf__flow_paginate, pdf__flow_release: building
#                 the flow of a chapter or of the contents (pango itemizing, shaping and line
#                 breaking, justification, tables, pictures' sizes), paginating it, freeing it;
#                 both passes.  (pdf__flow_init/begin/end/space, some 5000 instructions in
#                 all, are left to the drawing: a dump costs more than they do.)
#   PDF drawing   pdf_write, less the above: drawing the pages with cairo (the running heads and
#                 page numbers with their small pango layouts), the pictures read and decoded
#                 (pdf__picture_from_file), each page emitted (cairo_show_page: its content
#                 stream and its pictures deflated), cairo_surface_finish (font subsetting, the
#                 outline and the structure tree, the cross-reference table), the dates fixed
#   other         everything else: the dynamic linker and library constructors, option parsing,
#                 the style file, the archive's lock, the font map over fonts/fonts.conf
#                 (pdf__fontmap_new, pdf__context_new; pango opens the font files themselves at
#                 their first use, in the stage that first lays out text), exit; and the threads
#                 of the libraries
# The table adds, under their stage, what the cover, the pictures, the page emission and
# cairo_surface_finish ("document finish") take: "details" in OUT.json.  A function the binary
# never calls (an older revision) is reported on stderr: its cost then stays in the enclosing
# stage.
#
# OUT.json: {"commit": short HEAD of the binary's source tree (from the CMakeCache.txt of its
# build folder, else from `archiver --version`), "dirty": whether src/, CMakeLists.txt, styles/ or
# fonts/ differ from it, "archive", "stages", "total" (both commands), "details" and
# "detail_stages" (the stage of each), "commands": per command its argv, total, stages and
# details, "triggers": how often each function was entered}.  bench/compare compares two.
#
# WORK/callgrind/<commit>[-dirty]/ keeps, per command, <cmd>.out (the whole run, its parts
# merged: callgrind_annotate --inclusive=yes epub.out) and <cmd>.<stage>.out (the parts of one
# stage; the other threads are in <cmd>.other.out), and stages.tsv (every interval: command,
# thread, part, trigger, stage, detail, Ir).  (In the records of pango's threads callgrind gives
# start_thread'2 an inclusive cost several times the threads' own: ignore it.)  Takes about two
# to three minutes for 5 articles (the PDF runs some 60 times slower under callgrind: 100 s).
# Not a test: it fails only when a program fails, never on counts.
set -euo pipefail
usage="usage: bench/callgrind.sh path/to/archiver WORK OUT.json"
die() { echo "bench/callgrind.sh: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "$usage"
[ -x "$1" ] && [ -f "$1" ] || die "$1 is not an executable file ($usage)"
archiver=$(realpath "$1")
[ -d "$2" ] || die "WORK '$2' is not a folder ($usage)"
work=$(realpath "$2")
out=$3
SMALL=${SMALL:-5}
[[ "$SMALL" =~ ^[1-9][0-9]*$ ]] || die "SMALL must be a number of articles, not '$SMALL'"
index=index-$SMALL.md
[ -d "$work/A" ] && [ -f "$work/$index" ] ||
    die "$work holds no test archive (A/ and $index): make it with bench/archive.sh"
for t in valgrind python3; do
    command -v "$t" >/dev/null || die "$t is missing (apt-get install $t)"
done
"$archiver" help epub >/dev/null 2>&1 && "$archiver" help pdf >/dev/null 2>&1 ||
    die "$archiver has no 'epub' and 'pdf' commands"
out_dir=$(dirname "$out")
[ -d "$out_dir" ] || die "cannot write $out: no folder $out_dir"

# The source tree the binary was built from: its build folder's CMakeCache.txt, else the data
# directory it reports (the source tree when run from a build folder).
tree=
d=$(dirname "$archiver")
while [ "$d" != / ]; do
    if [ -f "$d/CMakeCache.txt" ]; then
        tree=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$d/CMakeCache.txt")
        break
    fi
    d=$(dirname "$d")
done
[ -n "$tree" ] || tree=$("$archiver" --version 2>/dev/null | sed -n 's/^data directory: //p')
commit=unknown dirty=false
if [ -n "$tree" ] && commit=$(git -C "$tree" rev-parse --short HEAD 2>/dev/null); then
    [ -z "$(git -C "$tree" status --porcelain --untracked-files=no -- src CMakeLists.txt styles \
        fonts 2>/dev/null)" ] || dirty=true
else
    commit=unknown
fi
keep=$work/callgrind/$commit
[ "$dirty" = false ] || keep=$keep-dirty

books=$(mktemp -d /tmp/archiver-callgrind.XXXXXX)
trap 'rm -rf "$books"' EXIT
mkdir -p "$books/parts"

# function  stage  detail (a part of the stage the table shows on its own; - for none)
boundaries="
cmd_load_index          index         -
book_open               read_archive  -
book_chapter_load       read_archive  -
book_chapter_release    read_archive  -
book_free               read_archive  -
pdf_cover_png           EPUB          EPUB_cover_(PNG)
epub_write              EPUB          -
pdf_write               PDF_drawing   -
pdf__fontmap_new        other         -
pdf__context_new        other         -
pdf__flow_text          PDF_layout    -
pdf__flow_doc           PDF_layout    -
pdf__flow_paginate      PDF_layout    -
pdf__flow_release       PDF_layout    -
pdf__picture_from_file  PDF_drawing   picture_decoding
cairo_show_page         PDF_drawing   page_emission
cairo_surface_finish    PDF_drawing   document_finish
"
# callgrind (3.19 at least) keeps one setting per function name: a second option naming a function
# whose pattern shares a prefix with another's (book_open, book_chapter_load) makes a new node of
# its pattern tree and loses the first.  So each pattern is given once: the dump after a function
# is asked for with its first letter as the wildcard '?' (no other function has those names).
triggers=()
for f in $(awk 'NF { print $1 }' <<<"$boundaries"); do
    triggers+=("--dump-before=$f" "--dump-after=?${f:1}")
done

cd "$work"
export ARCHIVER_THREADS=1
for book in epub pdf; do
    cmd=("$archiver" "$book" "$index" --archive A "--$book" "$books/book.$book" --quiet)
    # the warm-up run, natively
    "${cmd[@]}" 2>"$books/$book.err" ||
        die "$book failed (exit $?): $(tail -n 3 "$books/$book.err")"
    echo "bench/callgrind.sh: $book under callgrind ..." >&2
    rc=0
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$books/parts/$book.out" \
        --log-file="$books/$book.valgrind" "${triggers[@]}" "${cmd[@]}" 2>"$books/$book.err" ||
        rc=$?
    [ "$rc" -eq 0 ] || die "$book under callgrind failed (exit $rc): $(tail -n 3 "$books/$book.err")"
    echo "${cmd[*]}" | sed "s|$books/|T/|g" >"$books/$book.argv"
done

rm -rf "$keep"
mkdir -p "$keep"
python3 - "$books" "$keep" "$out" "$commit" "$dirty" "$SMALL" "$boundaries" "$archiver" <<'PY'
import glob, json, os, re, sys

books, keep, out, commit, dirty, small, table, archiver = sys.argv[1:9]
STAGES = ["index", "read archive", "EPUB", "PDF layout", "PDF drawing", "other"]
bound = {}
for line in table.split("\n"):
    if line.strip():
        fn, stage, detail = line.split()
        bound[fn] = (stage.replace("_", " "), None if detail == "-" else detail.replace("_", " "))
owner = {d: s for s, d in bound.values() if d}  # detail -> its stage, in the table's order
THREADS = "threads of the libraries"
owner[THREADS] = "other"
DETAILS = list(owner)

def die(msg):
    sys.exit(f"bench/callgrind.sh: {msg}")


def read_part(path):
    """(part number, thread, trigger, Ir, costs) of one callgrind dump."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    part, thread, trigger, total, body, in_head = None, None, None, None, [], True
    for line in lines:
        if in_head:
            if line.startswith("part:"):
                part = int(line.split()[1])
            elif line.startswith("thread:"):
                thread = int(line.split()[1])
            elif line.startswith("desc: Trigger:"):
                trigger = line[len("desc: Trigger:"):].strip()
            elif line.startswith("positions:") and line.split()[1:] != ["line"]:
                die(f"{path}: {line} (expected line alone)")
            elif line.startswith("events:"):
                if line.split()[1:] != ["Ir"]:
                    die(f"{path}: events {line} (expected Ir alone)")
                in_head = False
            continue
        if line.startswith("summary:") or line.startswith("totals:"):
            total = int(line.split()[1])
            continue
        body.append(line)
    if part is None or thread is None or trigger is None or total is None:
        die(f"{path}: not a callgrind dump of this run (no part, thread, trigger or totals)")
    costs = parse_body(body)
    if sum(costs[0].values()) != total:
        die(f"{path}: its costs do not add up to its total: not read right")
    return part, thread, trigger, total, costs


def parse_body(body):
    """A part's costs: {(ob, file, fn, cur_file, line): Ir} spent in the functions themselves and
    {(ob, file, fn, cur_file, line, cob, cfile, cfn, target): [calls, Ir]} in the calls they
    make, names uncompressed and positions absolute (the callgrind format: lines "+n", "-n" and
    "*" are relative to the last cost line's; a call's target to it too, without moving it)."""
    names = {}

    def name(kind, v):
        m = re.match(r"\((\d+)\)\s*(.*)", v)
        if not m:
            return v
        if m.group(2):
            names[kind, m.group(1)] = m.group(2)
        return names[kind, m.group(1)]

    def pos(v, prev):
        if v == "*":
            return prev
        if v[0] in "+-":
            return prev + int(v)
        return int(v, 0)

    selfc, callc = {}, {}
    ob = fl = cur = fn = None
    cob = cfile = cfn = None
    ncalls, target, prev = None, 0, 0
    for line in body:
        if not line or line[0] == "#":
            continue
        c = line[0]
        if c.isdigit() or c in "+-*":
            fields = line.split()
            prev = pos(fields[0], prev)
            ir = int(fields[1]) if len(fields) > 1 else 0
            if ncalls is not None:
                key = (ob, fl, fn, cur, prev, cob or ob, cfile or cur, cfn, target)
                e = callc.setdefault(key, [0, 0])
                e[0] += ncalls
                e[1] += ir
                ncalls, cob, cfile = None, None, None
            else:
                key = (ob, fl, fn, cur, prev)
                selfc[key] = selfc.get(key, 0) + ir
            continue
        k, _, v = line.partition("=")
        if k == "ob":
            ob = name("ob", v)
        elif k == "fl":
            fl = cur = name("fl", v)
        elif k in ("fi", "fe"):
            cur = name("fl", v)
        elif k == "fn":
            fn = name("fn", v)
            fl = cur  # callgrind_annotate's function: the file the fn= line is in
        elif k == "cob":
            cob = name("ob", v)
        elif k in ("cfi", "cfl"):
            cfile = name("fl", v)
        elif k == "cfn":
            cfn = name("fn", v)
        elif k == "calls":
            n, t = (v.split() + ["0"])[:2]
            ncalls, target = int(n), pos(t, prev)
        elif k in ("jump", "jcnd"):
            die(f"jump lines in a callgrind file (--collect-jumps=yes?): {line}")
        elif k not in ("jfi", "jfn"):
            die(f"unexpected line in a callgrind file: {line}")
    return selfc, callc


def write_merged(path, parts, cmd, note):
    """One callgrind file of the parts' costs summed.  A call under way across a dump is written
    in each part with the calls begun in it, 0 for the parts after the first; callgrind_annotate
    would take such a line for the caller's own cost, so a call that began in none of the parts
    merged (a stage's file) is written as one call."""
    selfc, callc = {}, {}
    for p in parts:
        s, c = p[-1]
        for k, v in s.items():
            selfc[k] = selfc.get(k, 0) + v
        for k, (n, v) in c.items():
            e = callc.setdefault(k, [0, 0])
            e[0] += n
            e[1] += v
    total = sum(p[3] for p in parts)
    ids = {}

    def ref(kind, v):
        if (kind, v) in ids:
            return f"({ids[kind, v]})"
        ids[kind, v] = len(ids) + 1
        return f"({ids[kind, v]}) {v}"

    byfn = {}
    for k, v in selfc.items():
        byfn.setdefault(k[:3], ([], []))[0].append((k[3:], v))
    for k, v in callc.items():
        byfn.setdefault(k[:3], ([], []))[1].append((k[3:], v))
    out = ["# callgrind format", "version: 1", "creator: bench/callgrind.sh (callgrind parts summed)",
           f"cmd: {cmd}", f"desc: Trigger: {note}", "positions: line", "events: Ir",
           f"summary: {total}", ""]
    for (ob, fl, fn), (own, calls) in sorted(byfn.items(), key=lambda x: str(x[0])):
        out += [f"ob={ref('ob', ob)}", f"fl={ref('fl', fl)}", f"fn={ref('fn', fn)}"]
        cur = fl
        for (file, line), v in sorted(own, key=lambda x: str(x[0])):
            if file != cur:
                out.append(f"fi={ref('fl', file)}")
                cur = file
            out.append(f"{line} {v}")
        for (file, line, cob, cfile, cfn, target), (n, v) in sorted(calls, key=lambda x: str(x[0])):
            if file != cur:
                out.append(f"fi={ref('fl', file)}")
                cur = file
            out += [f"cob={ref('ob', cob)}", f"cfi={ref('fl', cfile)}", f"cfn={ref('fn', cfn)}",
                    f"calls={max(n, 1)} {target}", f"{line} {v}"]
        out.append("")
    out.append(f"totals: {total}")
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(out) + "\n")


result = {"commit": commit, "dirty": dirty == "true", "archive": f"test archive, {small} articles",
          "stages": dict.fromkeys(STAGES, 0), "total": 0, "details": dict.fromkeys(DETAILS, 0),
          "commands": {},
          "method": "valgrind --tool=callgrind, Ir; each command run once natively first (warm: "
                    "A/.cache/epub filled); ARCHIVER_THREADS=1; stages are the intervals between "
                    "dumps on entering and leaving the stage functions in the main thread; the "
                    "other threads (pango's) whole in other (bench/callgrind.sh)"}
tsv = ["command\tthread\tpart\ttrigger\tstage\tdetail\tIr"]
calls = {}
for book in ("epub", "pdf"):
    files = [read_part(p) for p in glob.glob(f"{books}/parts/{book}.out*") if os.path.getsize(p)]
    parts = sorted((p for p in files if p[1] == 1), key=lambda p: p[0])
    threads = sorted((p for p in files if p[1] != 1), key=lambda p: p[1])
    if not parts or len({p[0] for p in parts}) != len(parts):
        die(f"{book}: no callgrind parts for the main thread, or two with one number")
    if parts[-1][2] != "Program termination":
        die(f"{book}: the last callgrind part is not the program's end")
    stack, by_stage = [], {}
    stages = dict.fromkeys(STAGES, 0)
    details = dict.fromkeys(DETAILS, 0)
    for p in parts:
        part, _, trigger, total, _ = p
        # the interval that ends here belongs to the innermost stage function under way, and
        # to the outermost detail among the functions of that stage above it (cairo finishes
        # its picture surfaces with cairo_surface_finish too, inside cairo_show_page)
        stage, detail = (bound[stack[-1]][0] if stack else "other"), None
        for fn in reversed(stack):
            if bound[fn][0] != stage:
                break
            detail = bound[fn][1] or detail
        stages[stage] += total
        if detail:
            details[detail] += total
        by_stage.setdefault(stage, []).append(p)
        tsv.append(f"{book}\t1\t{part}\t{trigger}\t{stage}\t{detail or ''}\t{total}")
        m = re.fullmatch(r"--dump-(before|after)=(\S+)", trigger)
        if m:
            when, fn = m.groups()
            if fn not in bound:
                die(f"{book}: part {part}: unknown trigger {trigger}")
            if when == "before":
                stack.append(fn)
                calls[fn] = calls.get(fn, 0) + 1
            elif not stack or stack[-1] != fn:
                die(f"{book}: part {part}: left {fn} inside {stack[-1] if stack else 'nothing'}"
                    " (the dumps do not nest: is the binary built with -flto?)")
            else:
                stack.pop()
        elif trigger != "Program termination":
            die(f"{book}: part {part}: unexpected trigger '{trigger}'")
    if stack:
        die(f"{book}: the run ended inside {', '.join(stack)}")
    # The other threads (pango's, sorting fonts with fontconfig), whole: "other".
    for p in threads:
        part, thread, trigger, total, (own, _) = p
        stages["other"] += total
        details[THREADS] += total
        by_stage.setdefault("other", []).append(p)
        tsv.append(f"{book}\t{thread}\t{part}\t{trigger}\t{'other'}\t{THREADS}\t{total}")
        mine = sum(v for k, v in own.items() if k[0] == archiver)
        if mine:
            print(f"bench/callgrind.sh: warning: {book}: thread {thread} runs {mine:,} "
                  "instructions of the program's own code, counted in 'other' (does the "
                  "binary ignore ARCHIVER_THREADS=1?)", file=sys.stderr)
    parts += threads
    total = sum(p[3] for p in parts)
    assert sum(stages.values()) == total
    with open(f"{books}/{book}.argv") as f:
        argv = f.read().strip()
    result["commands"][book] = {"argv": argv, "total": total, "stages": stages,
                                "details": {k: v for k, v in details.items() if v}}
    for k in STAGES:
        result["stages"][k] += stages[k]
    for k in DETAILS:
        result["details"][k] += details[k]
    result["total"] += total
    write_merged(f"{keep}/{book}.out", parts, argv,
                 f"bench/callgrind.sh, the {len(parts)} parts of all threads summed")
    for stage, ps in by_stage.items():
        slug = stage.replace(" ", "-")
        write_merged(f"{keep}/{book}.{slug}.out", ps, argv,
                     f"bench/callgrind.sh, the {len(ps)} parts of stage '{stage}' summed")
result["detail_stages"] = owner
result["triggers"] = {fn: calls.get(fn, 0) for fn in bound}
with open(f"{keep}/stages.tsv", "w") as f:
    f.write("\n".join(tsv) + "\n")
with open(out, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")

for fn in bound:
    if not calls.get(fn):
        print(f"bench/callgrind.sh: warning: {fn} was never entered: its cost is counted in the "
              "stage around it", file=sys.stderr)
c = result["commands"]
print(f"callgrind Ir, {commit}{' (dirty)' if dirty == 'true' else ''}, {result['archive']} "
      "(warm, ARCHIVER_THREADS=1)")
print(f"{'stage':<28}{'epub':>16}{'pdf':>16}{'total':>16}{'%':>7}")
def row(name, e, p, t):
    print(f"{name:<28}{e:>16,}{p:>16,}{t:>16,}{100 * t / result['total']:>6.1f}%")
for k in STAGES:
    row(k, c["epub"]["stages"][k], c["pdf"]["stages"][k], result["stages"][k])
    for d in DETAILS:
        if owner[d] == k:
            row("  " + d, c["epub"]["details"].get(d, 0), c["pdf"]["details"].get(d, 0),
                result["details"][d])
row("total", c["epub"]["total"], c["pdf"]["total"], result["total"])
PY
echo "callgrind files: $keep/ (callgrind_annotate --inclusive=yes $keep/pdf.out)"
