#!/bin/sh
# Benchmark (not a test): latency of `mailreg run` with IMAP IDLE, from a
# message's arrival in the inbox to its confirmation accepted by the SMTP
# server.  N (default 200) applications are appended one at a time to a local
# Dovecot, GAP seconds apart (default 0.3: latency, not throughput); the clock
# starts when the APPEND returns and stops at the receiver's 250 to DATA
# (tests/smtp-receiver.py's accepted_at), the reply matched by In-Reply-To.
# Prints the median, the 95th percentile and the extremes.
#   tests/bench/latency.sh [MAILREG_BINARY] [N] [GAP]
set -eu
MAILREG=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/mailreg}
N=${2:-200}
GAP=${3:-0.3}
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lib-dovecot.sh"
. "$(dirname "$0")/../integration/smtp.sh"
set -e

make_instance
dovecot_start
smtp_start
# the default poll interval: without IDLE a message would wait up to 60 s
imap_conf
smtp_config
applicants "$N" "$T/in" "latency."
"$MAILREG" -c "$T/etc/mailreg.conf" run >"$T/run.out" 2>"$T/run.err" &
pid=$!
at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
sleep 2   # the first pass is done, the daemon waits in IDLE

echo "bench: appending $N messages, $GAP s apart" >&2
: >"$T/sent"
i=1
while [ $i -le "$N" ]; do
	append "$T/in/m$i.eml"
	echo "app-$i.20140301@mops-katowice.example.pl $(date +%s.%N)" >>"$T/sent"
	sleep "$GAP"
	i=$((i + 1))
done
w=0
while [ "$(rx_count)" -lt "$N" ] && [ $w -lt 600 ]; do
	sleep 0.1
	w=$((w + 1))
done

"$PY" - "$T/sent" "$RX" "$N" <<'PY'
import email, glob, json, math, statistics, sys
sent = dict(line.split() for line in open(sys.argv[1]))
lat = []
for f in glob.glob(sys.argv[2] + "/*.eml"):
    m = email.message_from_binary_file(open(f, "rb"))
    ref = (m["In-Reply-To"] or "").strip().strip("<>")
    if ref in sent:
        accepted = json.load(open(f[:-4] + ".json"))["accepted_at"]
        lat.append(accepted - float(sent.pop(ref)))
lat.sort()
n = int(sys.argv[3])
if not lat:
    sys.exit("latency: no reply received")
p95 = lat[math.ceil(0.95 * len(lat)) - 1]   # nearest rank
print("latency: %d of %d messages answered; median %.3f s, p95 %.3f s, min %.3f s, max %.3f s"
      % (len(lat), n, statistics.median(lat), p95, lat[0], lat[-1]))
PY
