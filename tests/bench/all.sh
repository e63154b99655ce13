#!/bin/sh
# all.sh - every benchmark in tests/bench side by side (`make bench`), as one
# Markdown table with ratios, written between the "make bench" markers of
# docs/benchmarks.md (the rest of that file is left alone).
#   tests/bench/all.sh [MAILREG_BINARY] [N]
# N (default 10000) messages for the IMAP and SMTP runs against their peers
# (mbsync, smtp-source); formats.sh and ingest.sh take N/10; latency.sh always
# 200 messages, 0.3 s apart; web.sh N applicants (2N messages).  Each peer is
# measured in the same run; timings are those of single runs of the scripts.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/mailreg}
N=${2:-10000}
W=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-bench-all.XXXXXX")
trap 'rm -rf "$W"' EXIT
B=$ROOT/tests/bench
DOC=$ROOT/docs/benchmarks.md

run() {  # name script args...
	_name=$1
	shift
	echo "bench: $_name ..." >&2
	"$@" >"$W/$_name.out" 2>"$W/$_name.err" || echo "bench: $_name failed (exit $?)" >&2
}
# the runs against a peer are repeated (BENCH_RUNS, default 5): the table gives
# the run with the median ratio and the range of the ratios
RUNS=${BENCH_RUNS:-5}
i=1
while [ "$i" -le "$RUNS" ]; do
	run "imap.$i" "$B/imap.sh" "$BIN" "$N"
	run "smtp.$i" "$B/smtp.sh" "$BIN" "$N"
	i=$((i + 1))
done
run ingest "$B/ingest.sh" "$BIN" $((N / 10))
run formats "$B/formats.sh" "$BIN" $((N / 10))
run rss "$B/rss.sh" "$BIN"
run latency "$B/latency.sh" "$BIN" 200 0.3
run web "$B/web.sh" "$BIN" "$N"

python3 - "$W" "$N" "$RUNS" >"$W/table.md" <<'PY'
import os, re, sys
w, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def out(name):
    try:
        return open(os.path.join(w, name + ".out")).read()
    except OSError:
        return ""
def median_row(name, mine, peer, label, peer_name):
    """(label, mailreg, peer, ratio) of the run with the median ratio."""
    got = []
    for i in range(1, runs + 1):
        t = out("%s.%d" % (name, i))
        m, p = re.search(mine, t), re.search(peer, t)
        if m and p:
            got.append((float(m.group(2)) / float(p.group(2)), m.group(1), float(m.group(2)), float(p.group(2))))
    if not got:
        return None
    got.sort()
    r, count, a, b = got[len(got) // 2]
    spread = " (median of %d, %.2f-%.2f)" % (len(got), got[0][0], got[-1][0]) if len(got) > 1 else ""
    return (label % count, "%.2f s" % a, "%s %.2f s" % (peer_name, b), "%.2f%s" % (r, spread), "<= 1.5")
rows = []
r = median_row("imap", r"mailreg: (\d+) .* in ([\d.]+) s", r"mbsync: +(\d+) .* in ([\d.]+) s",
               "IMAP intake, %s messages", "mbsync")
if r:
    rows.append(r)
r = median_row("smtp", r"messages: (\d+)[^\n]*\n(?:.*\n)*?mailreg send: +([\d.]+) s", r"smtp-source:( )+([\d.]+) s",
               "SMTP delivery, %s confirmations", "smtp-source")
if r:
    rows.append(r)
t = out("ingest")
m = re.search(r"ingest +(\d+) msgs +wall +([\d.]+) s \( *([\d.]+) s/100\)", t)
if m:
    rows.append(("ingest, %s text forms" % m.group(1), "%s s per 100" % m.group(3), "target 1 s per 100",
                 "%.2f" % float(m.group(3)), "< 1"))
text = None
for line in out("formats").splitlines():
    f = [x.strip() for x in line.strip("|").split("|")]
    if len(f) >= 7 and f[0] not in ("format", "---") and re.match(r"^[\d.]+$", f[5] or "x"):
        rate = float(f[5])
        if f[0] == "text":
            text = rate
        rows.append(("extraction + pipeline: %s, %s messages" % (f[0], f[1]), "%s msgs/s" % f[5],
                     "text %s msgs/s" % (text if text else "?"), "%.2f" % (text / rate) if text and rate else "-",
                     "(time vs text)"))
for line in out("rss").splitlines():
    f = [x.strip() for x in line.strip("|").split("|")]
    if len(f) >= 4 and re.match(r"^\d+$", f[3]):
        kib = int(f[3])
        rows.append(("peak RSS: %s (%s)" % (f[0], f[2]), "%.0f MB" % (kib / 1024), "limit 64 MB",
                     "%.2f" % (kib / 1024 / 64), "< 1"))
m = re.search(r"latency: (\d+) of (\d+) .* median ([\d.]+) s, p95 ([\d.]+) s", out("latency"))
if m:
    rows.append(("latency, APPEND to the reply's 250 under `mailreg run` (IDLE), %s of %s messages"
                 % (m.group(1), m.group(2)), "median %.2f s" % float(m.group(3)),
                 "p95 %.2f s; poll_interval 60 s" % float(m.group(4)),
                 "%.3f" % (float(m.group(3)) / 60), "(median vs poll)"))
t = out("web")
for m in re.finditer(r"^\| (/[^|]*?) \| (\d+) \| ([\d.]+) \| ([\d.]+) \|", t.split("pages while poll ran")[0], re.M):
    rows.append(("console page %s, 8 clients, %s requests" % (m.group(1), m.group(2)),
                 "p95 %s ms" % m.group(4), "p50 %s ms; target p95 50 ms" % m.group(3),
                 "%.2f" % (float(m.group(4)) / 50), "< 1"))
m = re.search(r"poll --once: median ([\d.]+) s idle, ([\d.]+) s under the console load: ratio ([\d.]+)", t)
if m:
    rows.append(("poll --once of 2000 messages while 8 clients load the console", "%s s" % m.group(2),
                 "%s s without the load" % m.group(1), m.group(3), "<= 1.10"))
print("| benchmark | mailreg | peer or reference | ratio | target |")
print("|---|---:|---:|---:|---|")
for r in rows:
    print("| %s | %s | %s | %s | %s |" % r)
PY

{
	echo "<!-- make bench: generated by tests/bench/all.sh; do not edit by hand -->"
	echo "## \`make bench\` ($(date -u +%Y-%m-%d), $(nproc) cores, N=$N)"
	echo
	cat "$W/table.md"
	echo
	echo "Ratios: mailreg's time over the peer's (IMAP, SMTP), over the text format's"
	echo "(formats), the figure over its target (ingest, RSS), or the median latency"
	echo "over the poll interval a server without IDLE would cost.  IMAP and SMTP:"
	echo "the run with the median ratio of $RUNS, each against its peer measured in"
	echo "the same run; the others single runs of"
	echo "tests/bench/{imap,smtp,ingest,formats,rss,latency,web}.sh; their details are described above."
	echo "<!-- end make bench -->"
} >"$W/section.md"
if grep -q '^<!-- make bench' "$DOC" 2>/dev/null; then
	awk -v f="$W/section.md" '/^<!-- make bench/ { while ((getline l < f) > 0) print l; skip = 1; next }
		/^<!-- end make bench -->/ { skip = 0; next } !skip' "$DOC" >"$W/doc" && cat "$W/doc" >"$DOC"
else
	{ echo; cat "$W/section.md"; } >>"$DOC"
fi
cat "$W/table.md"
