#!/bin/sh
# webprof.sh BIN URLPATH N [perf]: time N requests of URLPATH on a copy of the bench database
B=/work/main/tests/bench
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
MAILREG=$1; P=$2; N=$3
. "$B/../integration/lib.sh"
. "$B/../integration/lib-web.sh"
set -eu
make_instance
web_config
rm -rf "$T/var" "$T/spool"; cp -a /work/ci/webdb/var /work/ci/webdb/spool "$T/"
echo pw-prof-123456 | mr staff add prof >/dev/null
if [ "${4:-}" = perf ]; then
	perf record --call-graph dwarf,16384 -F 2000 -o /work/ci/prof/perf.data "$MAILREG" -c "$T/etc/mailreg.conf" web 2>>"$T/web.log" &
	WEB_PID=$!; wait_for 30 web_up
else web_start; fi
web_login prof pw-prof-123456 "$T/jar" >/dev/null
$WEB_CURL -b "$T/jar" -o /work/ci/prof/page.html "$WEB_URL$P"
cpu() { awk '{print $14 + $15}' /proc/$WEB_PID/stat; }
c0=$(cpu)
t0=$(date +%s%N)
for i in $(seq $N); do $WEB_CURL -b "$T/jar" -o /dev/null "$WEB_URL$P"; done
t1=$(date +%s%N)
c1=$(cpu)
echo "$P: $(( (t1 - t0) / N / 1000 )) us per request (curl included), server CPU $(( (c1 - c0) * 10000 / N )) us per request, $(wc -c </work/ci/prof/page.html) bytes"
kill -INT $WEB_PID; wait $WEB_PID 2>/dev/null || :
WEB_PID=
