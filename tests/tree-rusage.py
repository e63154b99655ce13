#!/usr/bin/python3
"""tree-rusage.py -o FILE COMMAND [ARG...] - run COMMAND as /usr/bin/time
would, but for its whole process tree.  This process becomes a child
subreaper (prctl PR_SET_CHILD_SUBREAPER), so descendants that outlive their
parent - mailreg-reader's server, which ends after the daemon closes its
socket, with the usage of every reader it reaped - are reaped here too.
Writes one line to FILE:

    WALL CPU COMMAND_RSS OTHERS_RSS

WALL: seconds until COMMAND exited; CPU: user + system seconds of every
process of the tree; COMMAND_RSS: COMMAND's own peak RSS in KiB (its
readers are not its children, so not counted there); OTHERS_RSS: the largest
peak RSS of the other processes reaped here (the reader server, which counts
the readers it reaped), 0 when there were none.  (A child COMMAND itself
reaps, such as the forked PDF reader of mailreg before its sandbox, counts in
COMMAND_RSS, as the kernel reports it.)  Exits with COMMAND's status.
The benchmarks (tests/bench/formats.sh) and the tests use it."""
import ctypes
import os
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

if len(sys.argv) < 4 or sys.argv[1] != "-o":
    sys.exit("usage: tree-rusage.py -o FILE COMMAND [ARG...]")
report, argv = sys.argv[2], sys.argv[3:]
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("tree-rusage.py: prctl: %s" % os.strerror(ctypes.get_errno()))
start = time.monotonic()
pid = os.posix_spawnp(argv[0], argv, os.environ)
wall, status, cpu, own, others = 0.0, 0, 0.0, 0, 0
while True:
    try:
        p, st, ru = os.wait4(-1, 0)
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    cpu += ru.ru_utime + ru.ru_stime
    if p == pid:
        wall, status, own = time.monotonic() - start, st, ru.ru_maxrss
    else:
        others = max(others, ru.ru_maxrss)
with open(report, "w") as f:
    f.write("%.3f %.3f %d %d\n" % (wall, cpu, own, others))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
