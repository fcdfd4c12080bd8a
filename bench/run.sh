#!/usr/bin/env bash
# bench/run.sh: builds the benchmarks in an optimized build and prints their figures.
# Not a test: nothing here fails on speed; the closing notes carry the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-bench --target bench_convert -j2 >/dev/null
echo "== converter: best of ${ROUNDS:-10} rounds per page =="
./build-bench/bench_convert -n "${ROUNDS:-10}" tests/data/wechat/*.html

cmake --build build-bench --target archiver -j2 >/dev/null
echo "== fetch: ${PAGES:-100} articles against the local test server, and the no-op re-run =="
bash bench/fetch.sh build-bench/archiver

# One archive for the book benchmarks (bench/archive.sh), removed at exit.
work=$(mktemp -d /tmp/archiver-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== the archive of ${ARTICLES:-200} articles for the books =="
bash bench/archive.sh build-bench/archiver "$work"

echo "== epub: the books of ${SMALL:-5} and ${ARTICLES:-200} articles, archiver epub next to pandoc =="
WORK=$work bash bench/epub.sh build-bench/archiver

echo "== pdf: the books of 1, ${SMALL:-5} and ${ARTICLES:-200} articles, archiver pdf next to WeasyPrint and Chromium =="
WORK=$work bash bench/pdf.sh build-bench/archiver
