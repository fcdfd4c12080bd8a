#!/usr/bin/env bash
# t6000: `archiver status` on the seed index, as text and as JSON checked field by field.
. "$(dirname "$0")/lib.sh"
require_tool python3

mkdir -p archive
cp "$TEST_SRCDIR/archive/index.md" archive/index.md

# check_json FILE PYTHON: runs PYTHON with `d` bound to the parsed document; assert away.
check_json() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[2])
' "$1" "$2"
}

test_expect_success 'status --json on the seed index: months, years, totals' '
    archiver status --json --year 2024 archive/index.md >s.json 2>err &&
    test_lines 0 err &&
    check_json s.json "
assert d[\"version\"] == 1
assert d[\"index\"] == \"archive/index.md\"
assert d[\"archive\"] == \"archive\"
assert d[\"title\"] is None
assert [m[\"month\"] for m in d[\"months\"]] == [12, 5, 3]
assert [m[\"year\"] for m in d[\"months\"]] == [2024, 2024, 2024]
assert [m[\"label\"] for m in d[\"months\"]] == [\"2024-12\", \"2024-05\", \"2024-03\"]
assert [m[\"heading\"] for m in d[\"months\"]] == [\"12\", \"05\", \"03\"]
assert [m[\"line\"] for m in d[\"months\"]] == [2, 53, 57]
assert [len(m[\"entries\"]) for m in d[\"months\"]] == [14, 1, 1]
t = d[\"totals\"]
assert t[\"entries\"] == 16 and t[\"months\"] == 3 and t[\"pending\"] == 16, t
for s in [\"archived\", \"archived-deleted-upstream\", \"failed\", \"deleted\", \"removed\", \"unavailable\", \"walled\"]:
    assert t[s] == 0, s
assert d[\"warnings\"] == []
"
'

test_expect_success 'status --json: every entry field' '
    check_json s.json "
es = [e for m in d[\"months\"] for e in m[\"entries\"]]
assert len(es) == 16
e = es[0]
assert e[\"title\"] == \"一文搞懂epoll：高效I/O多路复用的核心技术\", e
assert e[\"url\"] == \"https://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ\"
assert e[\"id\"] == \"qEWE2pRHRG403lr-yqaKPQ\"
assert e[\"line\"] == 4 and e[\"date\"] is None and e[\"state\"] == \"pending\"
assert e[\"flags\"] == [] and e[\"note\"] is None
assert [x[\"line\"] for x in es] == [4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 30, 51, 55, 59]
dated = [(x[\"title\"][:6], x[\"date\"]) for x in es if x[\"date\"]]
assert [x[1] for x in dated] == [\"2024-12-27\", \"2024-12-26\", \"2024-12-25\", \"2024-12-21\", \"2024-12-19\", \"2024-12-14\", \"2024-12-11\"], dated
byid = {x[\"id\"]: x for x in es}
assert byid[\"Lw3L55bIxH90I0woao6P6Q\"][\"date\"] == \"2024-12-27\"
assert byid[\"Lw3L55bIxH90I0woao6P6Q\"][\"title\"] == \"深入内存调试：Valgrind工具的终极指南\"
assert byid[\"G-umYRAjWt0jG6hm-jWHVA\"][\"title\"] == \"解锁RDMA 技术：从原理到应用的深度剖析\"
assert byid[\"R_-lgG1G6Y9NW4FKIyfT_w\"][\"title\"] == \"C++内存管理优化：打造你的高效内存池\"
assert byid[\"J_bsHJu2oWEVx6DFXqPlmA\"][\"title\"] == \"解锁网络性能瓶颈：多队列网卡工作原理\"
assert len(byid) == 16
for x in es:
    assert x[\"url\"] == \"https://mp.weixin.qq.com/s/\" + x[\"id\"], x
    assert x[\"state\"] == \"pending\" and x[\"flags\"] == []
notes = {x[\"id\"]: x[\"note\"] for x in es if x[\"note\"]}
assert set(notes) == {\"IAMeLHWSQggnQ__lr1f_fA\", \"NGlPzL6VL_0v94kHoZB4XA\"}, notes.keys()
assert \"ptrace\" in notes[\"IAMeLHWSQggnQ__lr1f_fA\"]
assert \"一、Ptrace是什么？\" in notes[\"IAMeLHWSQggnQ__lr1f_fA\"]
mm = notes[\"NGlPzL6VL_0v94kHoZB4XA\"]
assert \"• 用 open 系统调用打开文件，并返回描述符 fd。\" in mm, mm
assert \"三、mmap的 I/O模型\" in mm
"
'

test_expect_success 'status prints one line per entry and the totals' '
    archiver status --year 2024 >out &&
    test_grep "^2024-12$" out &&
    test_grep "^2024-05$" out &&
    test_grep "^  pending  12\.27  Lw3L55bIxH90I0woao6P6Q  深入内存调试：Valgrind工具的终极指南  https://mp\.weixin\.qq\.com/s/Lw3L55bIxH90I0woao6P6Q$" out &&
    test "$(grep -c "^  pending " out)" = 16 &&
    test_grep "^16 entries in 3 months: 16 pending$" out
'

test_expect_success '--only selects entries (and --only= takes ids starting with -)' '
    archiver status --json --only Lw3L55bIxH90I0woao6P6Q --only=G-umYRAjWt0jG6hm-jWHVA >o.json &&
    check_json o.json "
es = [e[\"id\"] for m in d[\"months\"] for e in m[\"entries\"]]
assert es == [\"Lw3L55bIxH90I0woao6P6Q\", \"G-umYRAjWt0jG6hm-jWHVA\"], es
assert d[\"totals\"][\"entries\"] == 2 and d[\"totals\"][\"months\"] == 1
"
'

test_expect_success '--only with an id starting with -: as --only=ID and as --only ID' '
    { cat archive/index.md && printf "\nDash https://mp.weixin.qq.com/s/-abcdefghijklmnopqrstu\n"; } >dash.md &&
    archiver status --json --only=-abcdefghijklmnopqrstu dash.md >o.json &&
    check_json o.json "
es = [e for m in d[\"months\"] for e in m[\"entries\"]]
assert [e[\"id\"] for e in es] == [\"-abcdefghijklmnopqrstu\"], es
assert es[0][\"title\"] == \"Dash\"
assert d[\"totals\"][\"entries\"] == 1 and d[\"totals\"][\"months\"] == 1
" &&
    archiver status --json --only -abcdefghijklmnopqrstu dash.md >o2.json &&
    test_cmp o.json o2.json
'

test_expect_success 'months without entries are listed, unless --only is given' '
    printf "# 2024-12\n\nA https://mp.weixin.qq.com/s/AAAAAAAAAAAAAAAAAAAAAA\n\n# 11\n\n# 10\n\nB https://mp.weixin.qq.com/s/BBBBBBBBBBBBBBBBBBBBBB\n\n# 09\n" >gaps.md &&
    archiver status --json gaps.md >g.json &&
    check_json g.json "
assert [m[\"label\"] for m in d[\"months\"]] == [\"2024-12\", \"2024-11\", \"2024-10\", \"2024-09\"], d[\"months\"]
assert [m[\"entries\"] for m in d[\"months\"]][1] == [] and d[\"months\"][3][\"entries\"] == []
assert d[\"months\"][1][\"line\"] == 5 and d[\"months\"][1][\"heading\"] == \"11\"
assert d[\"totals\"][\"months\"] == 4 and d[\"totals\"][\"entries\"] == 2
" &&
    archiver status gaps.md >out &&
    test_grep "^2024-11$" out &&
    test_grep "^2024-09$" out &&
    test_grep "^2 entries in 4 months: 2 pending$" out &&
    archiver status --json --only BBBBBBBBBBBBBBBBBBBBBB gaps.md >g1.json &&
    check_json g1.json "assert [m[\"label\"] for m in d[\"months\"]] == [\"2024-10\"], d[\"months\"]"
'

test_expect_success 'dates: the year of the date, impossible dates and repeated months warned' '
    printf "# 2025-01\n\nA https://example.com/a 【12.31】\n\nB https://example.com/b 【02.30】\n\n# 12\n\nC https://example.com/c\n\n# 12\n\nD https://example.com/d\n" >yr.md &&
    archiver status --json yr.md >yr.json 2>err &&
    test_grep "^yr.md:5: warning: no such date 02.30; date ignored$" err &&
    test_grep "^yr.md:11: warning: month 2024-12 appears again \\(line 7\\)$" err &&
    test_lines 2 err &&
    check_json yr.json "
es = [e for m in d[\"months\"] for e in m[\"entries\"]]
assert [e[\"date\"] for e in es] == [\"2024-12-31\", None, None, None], es
assert [w[\"line\"] for w in d[\"warnings\"]] == [5, 11]
"
'

test_expect_success 'bare URLs are taken as written, Markdown characters included' '
    printf "# 01\n\nT https://example.com/__init__.py\n\nU https://example.com/a*b*c\n\nV https://example.com/x\\\\_y\n\nW https://mp.weixin.qq.com/s?__biz=MzA==&mid=1&idx=1&sn=__x__\n" >u.md &&
    archiver status --json --year 2024 u.md >u.json &&
    check_json u.json "
es = [e for m in d[\"months\"] for e in m[\"entries\"]]
assert [e[\"url\"] for e in es] == [\"https://example.com/__init__.py\", \"https://example.com/a*b*c\", \"https://example.com/x\\\\_y\", \"https://mp.weixin.qq.com/s?__biz=MzA==&mid=1&idx=1&sn=__x__\"], es
"
'

test_expect_success 'invalid UTF-8 in the index: U+FFFD, and no JSON field lost' '
    printf "# \377title\n\n# 01\n\n\377bad https://example.com/\n\n- note \376\n" >inv.md &&
    archiver status --json --year 2024 inv.md >inv.json &&
    check_json inv.json "
assert d[\"title\"] == \"\\ufffdtitle\", d[\"title\"]
e = d[\"months\"][0][\"entries\"][0]
assert e[\"title\"] == \"\\ufffdbad\", e
assert e[\"note\"].strip() == \"note \\ufffd\", e
"
'

test_expect_success 'the default year comes from SOURCE_DATE_EPOCH' '
    # 2026-11-25: a bare "12" is December 2025, and 05, 03 follow it.
    SOURCE_DATE_EPOCH=1795600000 archiver status --json >y.json &&
    check_json y.json "assert [m[\"year\"] for m in d[\"months\"]] == [2025, 2025, 2025], d[\"months\"]" &&
    # 2025-01-10: December is last year.
    SOURCE_DATE_EPOCH=1736500000 archiver status --json >y.json &&
    check_json y.json "assert [m[\"year\"] for m in d[\"months\"]] == [2024, 2024, 2024]"
'

test_expect_success 'state comes from the archive (meta.json status)' '
    mkdir -p archive/articles/Lw3L55bIxH90I0woao6P6Q archive/articles/qEWE2pRHRG403lr-yqaKPQ &&
    echo "{\"status\": \"archived\"}" >archive/articles/Lw3L55bIxH90I0woao6P6Q/meta.json &&
    echo "{\"status\": \"walled\"}" >archive/articles/qEWE2pRHRG403lr-yqaKPQ/meta.json &&
    archiver status --json >st.json &&
    check_json st.json "
t = d[\"totals\"]
assert (t[\"archived\"], t[\"walled\"], t[\"pending\"]) == (1, 1, 14), t
" &&
    archiver status >out &&
    test_grep "^16 entries in 3 months: 14 pending, 1 archived, 1 walled$" out
'

test_expect_success 'index warnings: FILE:LINE on stderr, flags in JSON, exit 0' '
    printf "before https://example.com/a\n\n# 2024-12\n\nno url here\n\nA https://mp.weixin.qq.com/s/AAAAAAAAAAAAAAAAAAAAAA\n\nB again https://mp.weixin.qq.com/s/AAAAAAAAAAAAAAAAAAAAAA\n" >bad.md &&
    archiver status --json bad.md >b.json 2>err &&
    test_grep "^bad.md:1: warning: " err &&
    test_grep "^bad.md:5: warning: " err &&
    test_grep "^bad.md:9: warning: " err &&
    test_lines 3 err &&
    check_json b.json "
es = [e for m in d[\"months\"] for e in m[\"entries\"]]
assert [e[\"flags\"] for e in es] == [[\"before-month\"], [\"no-url\"], [], [\"duplicate\"]], es
assert d[\"months\"][0][\"label\"] == \"(before any month)\" and d[\"months\"][0][\"month\"] is None
assert es[1][\"id\"] is None and es[1][\"url\"] is None and es[1][\"title\"] == \"no url here\"
assert [w[\"line\"] for w in d[\"warnings\"]] == [1, 5, 9]
" &&
    archiver status --quiet bad.md >/dev/null 2>err &&
    test_lines 0 err
'

test_expect_success 'an empty index lists nothing and succeeds' '
    : >empty.md &&
    archiver status empty.md >out &&
    test_grep "^0 entries in 0 months$" out
'

test_done
