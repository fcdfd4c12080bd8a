#!/usr/bin/env bash
# t6010: `archiver status` shows what each entry's meta.json says (archived with its date and
# images, deleted upstream, failed and why), as text and as JSON, on hand-made archives.
. "$(dirname "$0")/lib.sh"
require_tool python3

mkdir -p archive
cp "$TEST_SRCDIR/tests/data/index/seed.md" archive/index.md

# check_json FILE PYTHON: runs PYTHON with `d` bound to the parsed document and `es` to its
# entries by id; assert away.
check_json() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
es = {e["id"]: e for m in d["months"] for e in m["entries"]}
exec(sys.argv[2])
' "$1" "$2"
}

# meta ID JSON: writes archive/articles/ID/meta.json (a plain directory is enough for reading).
meta() {
    mkdir -p "archive/articles/$1"
    printf '%s\n' "$2" >"archive/articles/$1/meta.json"
}

# Times (UTC): 2026-11-20 08:30:00, 2026-05-01 23:59:59 (already 05-02 in China: the listing
# shows UTC dates), 2026-11-21 03:00:00, 2026-11-22 01:02:03, 2024-12-27 12:00:00.
T1=1795163400 T2=1777679999 T3=1795230000 T4=1795309323 TP=1735300800

test_expect_success 'hand-made archive: one entry per state, and a damaged meta.json' '
    meta qEWE2pRHRG403lr-yqaKPQ "{\"version\": 1, \"status\": \"archived\", \"title\": \"epoll 一文搞懂\",
        \"published\": $TP, \"fetched\": $T1, \"history\": [
            {\"time\": $T1, \"result\": \"archived\", \"http_status\": 200, \"detail\": null}],
        \"images\": [{\"src\": \"https://mmbiz.qpic.cn/a\", \"status\": \"ok\", \"file\": \"images/a.jpg\"},
            {\"src\": \"https://mmbiz.qpic.cn/b\", \"status\": \"ok\", \"file\": \"images/b.png\"},
            {\"src\": \"https://mmbiz.qpic.cn/c\", \"status\": \"failed\", \"error\": \"timeout\"},
            {\"src\": \"https://mmbiz.qpic.cn/d\", \"status\": \"gone\"},
            {\"src\": \"https://mmbiz.qpic.cn/e\", \"status\": \"ok\", \"file\": \"images/e.gif\"}]}" &&
    meta qLBGJNu39krw5Uu8EwTbLA "{\"status\": \"archived\", \"fetched\": $T1,
        \"images\": [{\"src\": \"https://mmbiz.qpic.cn/x\", \"status\": \"ok\"}]}" &&
    meta V6XVgbOu5LhDKmo1chXslg "{\"status\": \"archived-deleted-upstream\", \"fetched\": $T2,
        \"deleted_upstream\": $T1, \"images\": [], \"history\": [
            {\"time\": $T2, \"result\": \"archived\", \"http_status\": 200},
            {\"time\": $T1, \"result\": \"deleted\", \"http_status\": 200, \"detail\": \"deleted by the publisher\"}]}" &&
    meta R_-lgG1G6Y9NW4FKIyfT_w "{\"status\": \"failed\", \"error\": \"server error (HTTP 503)\", \"history\": [
            {\"time\": $T1, \"result\": \"failed\", \"http_status\": 500, \"detail\": \"older\"},
            {\"time\": $T3, \"result\": \"failed\", \"http_status\": 503, \"detail\": \"Service Unavailable\"}]}" &&
    meta Lw3L55bIxH90I0woao6P6Q "{\"status\": \"walled\", \"history\": [
            {\"time\": $T4, \"result\": \"walled\", \"http_status\": 200, \"detail\": \"环境异常 verification\"}]}" &&
    meta cckq27DJ7a4gHQFQhH_SfQ "{\"status\": \"deleted\", \"error\": \"该内容已被发布者删除\", \"history\": [
            {\"time\": $T3, \"result\": \"deleted\", \"http_status\": 200}]}" &&
    meta cbzhJlTwYMk5hHEF8PgiDw "{\"status\": \"unavailable\", \"history\": [
            {\"time\": $T4, \"result\": \"unavailable\", \"http_status\": 404}]}" &&
    meta G-umYRAjWt0jG6hm-jWHVA "{\"status\": \"removed\", \"error\": \"此内容因违规无法查看\"}" &&
    meta O-FxR9c23atcov7GCw4BHQ "{\"status\": \"failed\", \"error\": \"connection reset by peer\nwhile reading the response body\tfrom mp.weixin.qq.com\",
        \"history\": [{\"time\": $T3, \"result\": \"failed\"}]}" &&
    meta IAMeLHWSQggnQ__lr1f_fA "{\"status\": \"walled\", \"history\": [
            {\"time\": $T4, \"result\": \"walled\", \"http_status\": 200}]}" &&
    meta AfJyj15Su2Obo0GGg87vTA "{\"status\": \"archived\", " &&
    mkdir -p archive/articles/ottv1Mqm_9wqGd8U55rWzw
'

# The text listing, exactly: the detail column is as wide as its longest cell up to 48 columns
# (CJK counted as two); the damaged meta.json and the long error push only their own lines.
cat >expect <<\EOF
2024-12
  archived                   2026-11-20 · 3 images, 2 missing                         qEWE2pRHRG403lr-yqaKPQ  一文搞懂epoll：高效I/O多路复用的核心技术  https://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ
  archived-deleted-upstream  copy of 2026-05-01, deleted upstream 2026-11-20          V6XVgbOu5LhDKmo1chXslg  深度剖析底层原理：CPU缓存一致性的奥秘  https://mp.weixin.qq.com/s/V6XVgbOu5LhDKmo1chXslg
  failed                     2026-11-21 · server error (HTTP 503)                     R_-lgG1G6Y9NW4FKIyfT_w  C++内存管理优化：打造你的高效内存池  https://mp.weixin.qq.com/s/R_-lgG1G6Y9NW4FKIyfT_w
  walled                     2026-11-22 · 环境异常 verification                12.27  Lw3L55bIxH90I0woao6P6Q  深入内存调试：Valgrind工具的终极指南  https://mp.weixin.qq.com/s/Lw3L55bIxH90I0woao6P6Q
  deleted                    2026-11-21 · 该内容已被发布者删除                 12.26  cckq27DJ7a4gHQFQhH_SfQ  解锁高效内存管理：C++智能指针的用法  https://mp.weixin.qq.com/s/cckq27DJ7a4gHQFQhH_SfQ
  removed                    此内容因违规无法查看                              12.25  G-umYRAjWt0jG6hm-jWHVA  解锁RDMA 技术：从原理到应用的深度剖析  https://mp.weixin.qq.com/s/G-umYRAjWt0jG6hm-jWHVA
  unavailable                2026-11-22 · HTTP 404                                    cbzhJlTwYMk5hHEF8PgiDw  探寻Cache奥秘：解锁高性能代码的关键  https://mp.weixin.qq.com/s/cbzhJlTwYMk5hHEF8PgiDw
  pending                    meta.json unreadable: cannot parse 'archive/articles/AfJyj15Su2Obo0GGg87vTA/meta.json': line 2: string or '}' expected near end of file  12.21  AfJyj15Su2Obo0GGg87vTA  通过Ftrace实现高效、精确的内核调试与分析  https://mp.weixin.qq.com/s/AfJyj15Su2Obo0GGg87vTA
  pending                                                                      12.19  ottv1Mqm_9wqGd8U55rWzw  Linux性能优化策略：让你的系统运行如飞  https://mp.weixin.qq.com/s/ottv1Mqm_9wqGd8U55rWzw
  archived                   2026-11-20 · 1 image                                     qLBGJNu39krw5Uu8EwTbLA  Linux动态内存分配：malloc的工作原理机制  https://mp.weixin.qq.com/s/qLBGJNu39krw5Uu8EwTbLA
  failed                     2026-11-21 · connection reset by peer while reading the response body from mp.weixin.qq.com         O-FxR9c23atcov7GCw4BHQ  探秘Linux内核套接字，解锁网络编程技能  https://mp.weixin.qq.com/s/O-FxR9c23atcov7GCw4BHQ
  walled                     2026-11-22                                        12.14  IAMeLHWSQggnQ__lr1f_fA  看懂GDB调试核心：Ptrace工作原理解析  https://mp.weixin.qq.com/s/IAMeLHWSQggnQ__lr1f_fA
  pending                                                                      12.11  NGlPzL6VL_0v94kHoZB4XA  轻松突破文件IO瓶颈：内存映射mmap技术  https://mp.weixin.qq.com/s/NGlPzL6VL_0v94kHoZB4XA
  pending                                                                             4r9XxcOQFqBaoA-RenKv7Q  Linux进程实现原理：从创建到终止的全过程  https://mp.weixin.qq.com/s/4r9XxcOQFqBaoA-RenKv7Q

2024-05
  pending                                                                             CPvvTjSQUjqIuHH0sMKGDw  深入理解内存映射：高效处理大型文件和数据  https://mp.weixin.qq.com/s/CPvvTjSQUjqIuHH0sMKGDw

2024-03
  pending                                                                             J_bsHJu2oWEVx6DFXqPlmA  解锁网络性能瓶颈：多队列网卡工作原理  https://mp.weixin.qq.com/s/J_bsHJu2oWEVx6DFXqPlmA

16 entries in 3 months: 6 pending, 2 archived, 1 archived-deleted-upstream, 2 failed, 1 deleted, 1 removed, 1 unavailable, 2 walled
EOF

test_expect_success 'status: state, then a detail column, then date, id, title, URL; exit 0' '
    archiver status --year 2024 >out 2>err &&
    test_lines 0 err &&
    test_cmp expect out
'

test_expect_success 'status --only: the detail column is as wide as the selected entries need' '
    archiver status --year 2024 --only qLBGJNu39krw5Uu8EwTbLA --only G-umYRAjWt0jG6hm-jWHVA >out &&
    printf "%s\n" "2024-12" \
        "  removed   此内容因违规无法查看  12.25  G-umYRAjWt0jG6hm-jWHVA  解锁RDMA 技术：从原理到应用的深度剖析  https://mp.weixin.qq.com/s/G-umYRAjWt0jG6hm-jWHVA" \
        "  archived  2026-11-20 · 1 image         qLBGJNu39krw5Uu8EwTbLA  Linux动态内存分配：malloc的工作原理机制  https://mp.weixin.qq.com/s/qLBGJNu39krw5Uu8EwTbLA" \
        "" "2 entries in 1 month: 1 archived, 1 removed" >want &&
    test_cmp want out &&
    # Only entries with nothing to say: no detail column at all, the layout of before.
    archiver status --year 2024 --only ottv1Mqm_9wqGd8U55rWzw >out &&
    test_grep "^  pending  12\.19  ottv1Mqm_9wqGd8U55rWzw  Linux" out
'

test_expect_success 'status --json: the meta.json fields of every state' '
    archiver status --json --year 2024 >s.json 2>err &&
    test_lines 0 err &&
    check_json s.json "
old = [\"line\", \"id\", \"title\", \"url\", \"date\", \"state\", \"flags\", \"note\"]
new = [\"detail\", \"fetched\", \"images\", \"error\", \"deleted_upstream\", \"last_event\", \"published\", \"archived_title\"]
for e in es.values():
    assert list(e) == old + new, list(e)
t = d[\"totals\"]
assert (t[\"pending\"], t[\"archived\"], t[\"archived-deleted-upstream\"], t[\"failed\"], t[\"deleted\"], t[\"removed\"], t[\"unavailable\"], t[\"walled\"]) == (6, 2, 1, 2, 1, 1, 1, 2), t

e = es[\"qEWE2pRHRG403lr-yqaKPQ\"]
assert e[\"state\"] == \"archived\" and e[\"title\"] == \"一文搞懂epoll：高效I/O多路复用的核心技术\", e
assert e[\"detail\"] == \"2026-11-20 · 3 images, 2 missing\", e
assert e[\"fetched\"] == \"2026-11-20T08:30:00Z\" and e[\"published\"] == \"2024-12-27T12:00:00Z\", e
assert e[\"images\"] == {\"ok\": 3, \"failed\": 1, \"gone\": 1}, e
assert e[\"error\"] is None and e[\"deleted_upstream\"] is None, e
assert e[\"last_event\"] == {\"time\": \"2026-11-20T08:30:00Z\", \"result\": \"archived\", \"http_status\": 200, \"detail\": None}, e
assert e[\"archived_title\"] == \"epoll 一文搞懂\", e

e = es[\"qLBGJNu39krw5Uu8EwTbLA\"]
assert e[\"detail\"] == \"2026-11-20 · 1 image\" and e[\"images\"] == {\"ok\": 1, \"failed\": 0, \"gone\": 0}, e
assert e[\"last_event\"] is None and e[\"published\"] is None and e[\"archived_title\"] is None, e

e = es[\"V6XVgbOu5LhDKmo1chXslg\"]
assert e[\"state\"] == \"archived-deleted-upstream\", e
assert e[\"detail\"] == \"copy of 2026-05-01, deleted upstream 2026-11-20\", e
assert e[\"fetched\"] == \"2026-05-01T23:59:59Z\" and e[\"deleted_upstream\"] == \"2026-11-20T08:30:00Z\", e
assert e[\"images\"] == {\"ok\": 0, \"failed\": 0, \"gone\": 0}, e
assert e[\"last_event\"] == {\"time\": \"2026-11-20T08:30:00Z\", \"result\": \"deleted\", \"http_status\": 200, \"detail\": \"deleted by the publisher\"}, e

e = es[\"R_-lgG1G6Y9NW4FKIyfT_w\"]
assert e[\"state\"] == \"failed\" and e[\"error\"] == \"server error (HTTP 503)\", e
assert e[\"detail\"] == \"2026-11-21 · server error (HTTP 503)\", e
assert e[\"last_event\"] == {\"time\": \"2026-11-21T03:00:00Z\", \"result\": \"failed\", \"http_status\": 503, \"detail\": \"Service Unavailable\"}, e
assert e[\"fetched\"] is None and e[\"images\"] is None and e[\"deleted_upstream\"] is None, e

e = es[\"Lw3L55bIxH90I0woao6P6Q\"]
assert e[\"state\"] == \"walled\" and e[\"error\"] is None and e[\"date\"] == \"2024-12-27\", e
assert e[\"detail\"] == \"2026-11-22 · 环境异常 verification\", e
assert e[\"last_event\"][\"time\"] == \"2026-11-22T01:02:03Z\", e

e = es[\"IAMeLHWSQggnQ__lr1f_fA\"]
assert e[\"state\"] == \"walled\" and e[\"detail\"] == \"2026-11-22\" and e[\"error\"] is None, e

e = es[\"O-FxR9c23atcov7GCw4BHQ\"]
assert e[\"error\"] == \"connection reset by peer\\nwhile reading the response body\\tfrom mp.weixin.qq.com\", e
assert e[\"detail\"] == \"2026-11-21 · connection reset by peer while reading the response body from mp.weixin.qq.com\", e

e = es[\"cckq27DJ7a4gHQFQhH_SfQ\"]
assert e[\"state\"] == \"deleted\" and e[\"detail\"] == \"2026-11-21 · 该内容已被发布者删除\", e
assert e[\"last_event\"] == {\"time\": \"2026-11-21T03:00:00Z\", \"result\": \"deleted\", \"http_status\": 200, \"detail\": None}, e

e = es[\"cbzhJlTwYMk5hHEF8PgiDw\"]
assert e[\"state\"] == \"unavailable\" and e[\"detail\"] == \"2026-11-22 · HTTP 404\" and e[\"error\"] is None, e

e = es[\"G-umYRAjWt0jG6hm-jWHVA\"]
assert e[\"state\"] == \"removed\" and e[\"detail\"] == \"此内容因违规无法查看\" and e[\"last_event\"] is None, e

e = es[\"AfJyj15Su2Obo0GGg87vTA\"]
assert e[\"state\"] == \"pending\", e
assert e[\"error\"].startswith(\"cannot parse \") and \"AfJyj15Su2Obo0GGg87vTA/meta.json\" in e[\"error\"], e
assert e[\"detail\"] == \"meta.json unreadable: \" + e[\"error\"], e
assert e[\"fetched\"] is None and e[\"images\"] is None and e[\"last_event\"] is None, e

for i in [\"ottv1Mqm_9wqGd8U55rWzw\", \"4r9XxcOQFqBaoA-RenKv7Q\"]:
    e = es[i]
    assert e[\"state\"] == \"pending\", e
    assert all(e[k] is None for k in new), e
"
'

test_expect_success 'an unreadable meta.json (a directory) is pending with the reason' '
    mkdir -p archive/articles/4r9XxcOQFqBaoA-RenKv7Q/meta.json &&
    archiver status --json --only 4r9XxcOQFqBaoA-RenKv7Q >u.json &&
    check_json u.json "
e = es[\"4r9XxcOQFqBaoA-RenKv7Q\"]
assert e[\"state\"] == \"pending\", e
assert e[\"detail\"].startswith(\"meta.json unreadable: cannot read \"), e
assert e[\"detail\"].endswith(\": Is a directory\"), e
" &&
    archiver status --only 4r9XxcOQFqBaoA-RenKv7Q >out &&
    test_grep "^  pending  meta\.json unreadable: cannot read .*: Is a directory  +4r9XxcOQFqBaoA-RenKv7Q  " out
'

test_done
