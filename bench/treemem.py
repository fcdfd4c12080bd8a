#!/usr/bin/env python3
"""bench/treemem.py [-o FILE] [-i S] [-m MB] [-t S] CMD...: runs CMD, measures its process tree.

/usr/bin/time sees one process; a browser runs many.  This runs CMD as its only child, having made
itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that every process CMD starts stays
in its tree even when its parent exits first.  Every -i seconds (default 0.02) it finds its
descendants (the lists /proc/PID/task/TID/children, from its own down; a walk of /proc/*/stat by
parent pid on kernels without them) and sums Pss and Rss over them from /proc/PID/smaps_rollup;
the peaks of those sums are the tree's peak PSS and peak RSS.  PSS divides each page among the
processes that map it, so it adds up fairly; RSS counts a shared page once per process.

Reading smaps_rollup walks a process's page tables: for a browser a sample can take 50 ms, so the
pause after a sample is at least 9 times what the sample took (the sampling keeps to ~10% of one
core; the mean interval and this script's own CPU time are reported).  A peak shorter than the
interval can be missed, so it also reports the largest single-process peak RSS the kernel kept
(ru_maxrss, what /usr/bin/time prints; never below this script's own ~11 MB, as CMD's process is
a copy of it until the exec).  Wall time runs from the fork until CMD exits (a pidfd tells when).
CPU is the user + system time of every process of the tree: wait4's usage of CMD, which holds
that of every process it reaped, plus that of the orphans reaped here.  Processes left behind
when CMD exits get 10 s to end, then SIGKILL; their number is reported.  With -m, the whole tree
is killed (SIGKILL) once its PSS is over MB, and "capped" says so; with -t, once it has run for
S seconds, and "timed_out" says so.

Writes one JSON object to FILE (default: standard error): rc, wall, user, sys, cpu (seconds),
peak_pss_kb, peak_rss_kb, max_proc_rss_kb, max_procs, samples, mean_interval, left_behind,
capped, timed_out, sampler_cpu, cmd.  CMD's standard streams are this script's; the exit status
is CMD's (128 + the signal when a signal ended it).
"""
import ctypes
import json
import os
import select
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def usage():
    sys.exit(__doc__.split("\n\n")[0])


def children_of(pid):
    """The children of pid, from the children lists of its threads (CONFIG_PROC_CHILDREN)."""
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out  # gone meanwhile
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out += map(int, f.read().split())
        except OSError:
            pass
    return out


def children_by_stat():
    """The same from one walk of /proc/*/stat (parent pids), when there are no children lists."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        ppid = int(stat[stat.rfind(b")") + 2:].split(None, 2)[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def descendants(root):
    """The pids of every process under root (root left out)."""
    if HAVE_CHILDREN:
        out, todo = [], [root]
        while todo:
            for k in children_of(todo.pop()):
                out.append(k)
                todo.append(k)
        return out
    kids = children_by_stat()
    out, todo = [], [root]
    while todo:
        for k in kids.get(todo.pop(), ()):
            out.append(k)
            todo.append(k)
    return out


HAVE_CHILDREN = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def memory_kb(pid):
    """(Pss, Rss) of pid in kB; (0, 0) when it is gone or has no memory (a zombie)."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def kill_all(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main():
    args = sys.argv[1:]
    out, interval, cap_kb, limit = None, 0.02, 0, 0.0
    while args and args[0].startswith("-"):
        opt = args.pop(0)
        if opt == "--":
            break
        if opt not in ("-o", "-i", "-m", "-t") or not args:
            usage()
        val = args.pop(0)
        if opt == "-o":
            out = val
        elif opt == "-i":
            interval = float(val)
        elif opt == "-t":
            limit = float(val)
        else:
            cap_kb = int(float(val) * 1024)
    if not args:
        usage()

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"treemem.py: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")

    me = os.getpid()
    start = time.monotonic()
    execd_r, execd_w = os.pipe()  # close-on-exec: EOF once CMD runs, before the first sample
    child = os.fork()
    if child == 0:
        os.close(execd_r)
        try:
            os.execvp(args[0], args)
        except OSError as e:
            print(f"treemem.py: {args[0]}: {e.strerror}", file=sys.stderr)
        os._exit(127)
    os.close(execd_w)
    os.read(execd_r, 1)
    os.close(execd_r)
    exited = os.pidfd_open(child)  # readable once CMD has ended: its end time to the microsecond

    cpu = dict(user=0.0, sys=0.0, maxrss=0)

    def reap(pid, flags):
        """wait4; adds the usage of the reaped process (and of all it had reaped); its pid or 0."""
        try:
            pid, status, ru = os.wait4(pid, flags)
        except ChildProcessError:
            return 0, None
        if pid:
            cpu["user"] += ru.ru_utime
            cpu["sys"] += ru.ru_stime
            cpu["maxrss"] = max(cpu["maxrss"], ru.ru_maxrss)
        return pid, status

    peak_pss = peak_rss = max_procs = samples = left_behind = 0
    status = end = deadline = first = None
    capped = timed_out = False
    while True:
        t0 = time.monotonic()
        first = first or t0
        pids = descendants(me)
        pss = rss = 0
        for pid in pids:
            p, r = memory_kb(pid)
            pss += p
            rss += r
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        max_procs = max(max_procs, len(pids))
        samples += 1
        if cap_kb and pss > cap_kb and status is None:
            print(f"treemem.py: {args[0]}: the tree's PSS is over {cap_kb // 1024} MB: killed",
                  file=sys.stderr)
            capped = True
            kill_all(pids)
        if limit and t0 - start > limit and status is None and not timed_out:
            print(f"treemem.py: {args[0]}: still running after {limit:g} s: killed", file=sys.stderr)
            timed_out = True
            kill_all(pids)
        pause = max(interval, 9 * (time.monotonic() - t0))
        if status is None:
            if select.select([exited], [], [], pause)[0]:
                end = time.monotonic()
                status = reap(child, 0)[1]
                deadline = end + 10
            continue
        # CMD has ended: reap what it left to us (orphans of its tree) until none is left
        while reap(-1, os.WNOHANG)[0]:
            pass
        alive = descendants(me)
        if not alive:
            break
        if time.monotonic() > deadline:
            left_behind = len(alive)
            kill_all(alive)
            while reap(-1, 0)[0]:
                pass
            break
        time.sleep(pause)
    os.close(exited)

    rc = os.waitstatus_to_exitcode(status)
    rc = 128 - rc if rc < 0 else rc
    report = dict(rc=rc, wall=round(end - start, 4), user=round(cpu["user"], 4),
                  sys=round(cpu["sys"], 4), cpu=round(cpu["user"] + cpu["sys"], 4),
                  peak_pss_kb=peak_pss, peak_rss_kb=peak_rss, max_proc_rss_kb=cpu["maxrss"],
                  max_procs=max_procs, samples=samples,
                  mean_interval=round((t0 - first) / max(1, samples - 1), 4),
                  left_behind=left_behind, capped=capped, timed_out=timed_out,
                  sampler_cpu=round(sum(os.times()[:2]), 4), cmd=args)
    text = json.dumps(report) + "\n"
    if out:
        with open(out, "w") as f:
            f.write(text)
    else:
        sys.stderr.write(text)
    sys.exit(rc)


if __name__ == "__main__":
    main()
