#!/bin/sh
# run.sh - run each libFuzzer target for N seconds (`make fuzz FUZZ_SECONDS=N`).
#
# Seeds are gathered at run time into build/fuzz/seeds/TARGET from the fixtures
# and ../shared/corpus/wild (used in place, never copied into the repository);
# what a target finds is kept in build/fuzz/corpus/TARGET for the next run and
# crashes land in build/fuzz/crashes/ (one becomes a regression input in
# tests/data/fuzz/TARGET/, replayed before every run).  Two targets run at a time (2 cores).
# Exit 1 when any target crashed, leaked, timed out (a timeout of the PDF
# target excepted: poppler CPU bombs are the reader child's CPU limit's job) or
# ran no input at all; each target's line says how many inputs it ran.
#   tests/fuzz/run.sh SECONDS BUILD/fuzz/fuzz_TARGET...
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
seconds=$1
shift
D=$ROOT/tests/data
WILD=$ROOT/../shared/corpus/wild
OUT=$ROOT/build/fuzz
mkdir -p "$OUT/crashes"

# seeds TARGET - the files it starts from (globs that match nothing are dropped)
seeds() {
	case $1 in
	mime)   set -- "$D"/extract/*.eml "$D"/pipeline/*.eml "$D"/demo/*.eml "$D"/dsn/*.eml "$WILD"/*.eml ;;
	dsn)    set -- "$D"/dsn/*.eml "$D"/demo/*.eml "$WILD"/*.eml ;;
	office|office_xml)
	        set -- "$D"/office/*.docx "$D"/office/*.odt "$ROOT"/tests/bench/samples/*.docx \
	               "$ROOT"/tests/bench/samples/*.odt ;;
	# text-bomb.pdf and field-names.pdf are CPU bombs, stopped in production by
	# the reader child's RLIMIT_CPU (10 s); in-process they only time out: not seeds
	pdf)    set -- $(ls "$D"/pdf/*.pdf | grep -v '/text-bomb\.pdf$\|/field-names\.pdf$') "$ROOT"/tests/bench/samples/*.pdf ;;
	imap)   set -- "$D"/imap/*.txt ;;
	smtp_reply) set -- "$D"/smtp/*.txt ;;
	rtf)    set -- "$D"/word/*.rtf ;;
	doc)    set -- "$D"/word/*.doc ;;
	# small form pages made for the run (image-seeds.py), not kept in the repository
	image)  set -- "$OUT"/made/image/* ;;
	label)  set -- "$D"/extract/*.expected "$D"/html/*.expected "$D"/office/*.expected \
	               "$ROOT"/tests/bench/samples/filled.txt "$D"/pipeline/*.eml ;;
	esac
	for f in "$@"; do [ -f "$f" ] && echo "$f"; done
}

# one TARGET-BINARY: seeds, then libFuzzer for $seconds; the log in $OUT/TARGET.log
one() {
	bin=$1
	t=${bin##*/fuzz_}
	if [ "$t" = doc ]; then
		# libgsf leaks on some damaged containers: lsan-gsf.supp says why
		export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" \
			LSAN_OPTIONS="suppressions=$ROOT/tests/fuzz/lsan-gsf.supp:print_suppressions=0"
	fi
	rm -rf "$OUT/seeds/$t"
	mkdir -p "$OUT/seeds/$t" "$OUT/corpus/$t"
	if [ "$t" = image ]; then
		rm -rf "$OUT/made/image"
		python3 "$ROOT/tests/fuzz/image-seeds.py" "$OUT/made/image" "$ROOT/tests/bench/samples/printed.pdf"
	fi
	seeds "$t" | while read -r f; do
		s=$OUT/seeds/$t/$(echo "$f" | md5sum | cut -c1-12)-${f##*/}
		if [ "$t" = office_xml ]; then
			# the XML part the reader walks, not the archive around it
			python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
n = [x for x in ("word/document.xml", "content.xml") if x in z.namelist()]
n and open(sys.argv[2], "wb").write(z.read(n[0]))' "$f" "$s.xml" 2>/dev/null
		else
			ln -s "$f" "$s"
		fi
	done
	# regressions first: every input that once crashed a target is kept in
	# tests/data/fuzz/TARGET/ and replayed (libFuzzer runs files given by name once)
	if ls "$D/fuzz/$t/"* >/dev/null 2>&1; then
		if ! "$bin" -runs=1 "$D/fuzz/$t/"* >"$OUT/$t.log" 2>&1; then
			echo "fuzz $t: FAILED: a regression input of tests/data/fuzz/$t crashes again; log $OUT/$t.log"
			return 1
		fi
	fi
	case $t in office|office_xml|pdf|image) max=262144 ;; *) max=65536 ;; esac
	# rss 2048 MB: the production limits allow a 25 MiB attachment; ASan doubles it
	"$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=$max \
		-print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-" \
		"$OUT/corpus/$t" "$OUT/seeds/$t" >"$OUT/$t.log" 2>&1
	rc=$?
	# inputs run: the final stats, or (stopped by a timeout or a crash, when
	# libFuzzer prints none) its last "#N" status line
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log")
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$OUT/$t.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$OUT/$t.log" | tail -1)
	if [ "${execs:-0}" -eq 0 ]; then
		echo "fuzz $t: FAILED (exit $rc): no input run; log $OUT/$t.log"
		tail -5 "$OUT/$t.log" | sed 's/^/#   /'
		return 1
	fi
	if [ $rc -ne 0 ] && [ "$t" = pdf ] && grep -q 'ERROR: libFuzzer: timeout' "$OUT/$t.log"; then
		# poppler has no CPU bound of its own: in production the reader child's
		# RLIMIT_CPU stops such a file (0011-pdf-log-cap.t); in-process it can only
		# time out.  Kept for a look, not a failure.
		echo "fuzz $t: ok, stopped by a poppler CPU bomb after $execs runs, $cov (production: the reader's CPU limit);" \
			"input $(ls -t "$OUT/crashes/$t-timeout-"* 2>/dev/null | head -1)"
		rc=0
	elif [ $rc -eq 0 ]; then
		echo "fuzz $t: ok, ${seconds}s, ${execs:-?} runs, $cov, $(seeds "$t" | wc -l) seeds"
	else
		echo "fuzz $t: FAILED (exit $rc), ${execs:-?} runs; log $OUT/$t.log"
		grep -A25 '^==[0-9]*==ERROR\|runtime error\|^==[0-9]*== ERROR' "$OUT/$t.log" | head -40 | sed 's/^/#   /'
		ls "$OUT/crashes/$t-"* 2>/dev/null | sed 's/^/#   artifact: /'
	fi
	return $rc
}

export ASAN_OPTIONS="detect_leaks=1:intercept_strstr=0" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export G_DEBUG=fatal-criticals
fail=0
res1=$(mktemp)
res2=$(mktemp)
trap 'rm -f "$res1" "$res2"' EXIT
while [ $# -gt 0 ]; do
	one "$1" >"$res1" &
	p1=$!
	p2=
	if [ $# -gt 1 ]; then
		one "$2" >"$res2" &
		p2=$!
	fi
	wait $p1 || fail=1
	cat "$res1"
	if [ -n "$p2" ]; then
		wait $p2 || fail=1
		cat "$res2"
		shift
	fi
	shift
done
exit $fail
