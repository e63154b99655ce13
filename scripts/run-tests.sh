#!/bin/sh
# Run every unit test binary and integration script under one prove (TAP),
# then print the closing line "N passed, N failed".  Exit status is prove's.
#   scripts/run-tests.sh [--extras] BUILD_DIR [BUILD_DIR...]
# A sanitized build directory (build/san: ASan+UBSan+LeakSanitizer) runs the
# same tests again; --extras adds valgrind over the pipeline, every fuzz target
# for $FUZZ_SECONDS (default 5) and $CRASH_CYCLES (default 20) crash cycles
# (make test).  All of it shares one pool of $TEST_JOBS jobs (default: twice
# the CPUs, plus one): most scripts wait on servers (Dovecot, the SMTP
# receiver, a browser) more than they compute, so one pool keeps the CPUs
# busy where one suite after another left them half idle.
set -u
extras=
[ "${1:-}" = --extras ] && { extras=1; shift; }
[ $# -eq 0 ] && set -- build
ROOT=$PWD
out=$(mktemp)
export MAILREG_FAILLOG=$(mktemp)
trap 'rm -f "$out" "$MAILREG_FAILLOG"' EXIT
export G_DEBUG=fatal-criticals
# Debian's interpreters and tools first, as tests/integration/lib.sh says why
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# LeakSanitizer's suppressions and UBSan's settings; plain binaries ignore them
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
unset SANITIZE MAILREG_SHIPPED

# The scripts that take longest start first, so none of them is left running
# alone at the end (names without their number's suffix; order only).
SLOW="0110 0305 0102 0005 0014 0212 0408 0407 0101 0003 0008 0501 0403 0320 0502 0203 0401 0322"

sanitized() {
	nm -D "$1/mailreg-test" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'
}

# wrap BUILD FILE COMMAND... - $BUILD/t/NAME.t, which runs COMMAND with the
# environment of BUILD; prints the wrapper's path
wrap() {
	_b=$1 _name=$2
	shift 2
	mkdir -p "$_b/t"
	{
		echo '#!/bin/sh'
		echo "cd '$ROOT' || exit 1"
		echo "export MAILREG='$ROOT/$_b/mailreg-test'"
		if sanitized "$_b"; then
			# stop at the first report; reports also land in $_b/sanitizer/ (checked
			# below: a report fails the run even where a test ignores the exit
			# status).  strstr is not intercepted: ASan's wrapper strlen()s the whole
			# haystack on every call, which makes g_strsplit() quadratic on 20 MiB.
			echo "export SANITIZE=1"
			echo "export ASAN_OPTIONS='halt_on_error=1:detect_leaks=1:intercept_strstr=0:log_path=$ROOT/$_b/sanitizer/asan'"
		elif [ -x "$_b/mailreg" ]; then
			# the scripts that arm no fault point run the shipped binary, the one
			# `make install` installs (lib.sh: need_faults)
			echo "export MAILREG_SHIPPED='$ROOT/$_b/mailreg'"
		fi
		printf 'exec'
		printf " '%s'" "$@"
		echo
	} >"$_b/t/$_name.t"
	chmod +x "$_b/t/$_name.t"
	echo "$_b/t/$_name.t"
}

# jobs BUILD - the wrapped tests of BUILD, one per line
jobs() {
	for _u in "$1"/tests/test_*; do
		[ -x "$_u" ] && wrap "$1" "${_u##*/}" "$ROOT/$_u"
	done
	for _s in tests/integration/*.t; do
		_n=${_s##*/}
		wrap "$1" "${_n%.t}" /bin/sh "$ROOT/$_s"
	done
}

list=$(mktemp)
for build in "$@"; do
	rm -rf "$build/t"
	if sanitized "$build"; then
		rm -rf "$build/sanitizer" && mkdir -p "$build/sanitizer"
		echo "# $build: sanitized build (ASan+UBSan+LeakSanitizer)"
	elif [ -x "$build/mailreg" ]; then
		echo "# $build: shipped mailreg; mailreg-test for the scripts that need fault points"
	fi
	jobs "$build" >>"$list"
done
if [ -n "$extras" ]; then
	plain=$1
	{
		wrap "$plain" crash "$ROOT/tests/crash/run.sh" "${CRASH_CYCLES:-20}" "${CRASH_MESSAGES:-60}"
		wrap "$plain" valgrind "$ROOT/tests/tap.sh" "the pipeline under valgrind" \
			"$ROOT/tests/valgrind/run.sh" "$ROOT/$plain/mailreg-test"
		for f in build/fuzz/fuzz_*; do
			[ -x "$f" ] && wrap build/fuzz "${f##*/}" "$ROOT/tests/tap.sh" "${f##*/} for ${FUZZ_SECONDS:-5} s" \
				"$ROOT/tests/fuzz/run.sh" "${FUZZ_SECONDS:-5}" "$ROOT/$f"
		done
	} >>"$list"
fi
# slow ones first (their sanitized runs before their plain ones), then the rest in order
order=$(mktemp)
for s in $SLOW; do grep "/t/$s-[^/]*\.t\$" "$list" | sort; done >"$order"
[ -n "$extras" ] && grep '/t/crash\.t$\|/t/valgrind\.t$\|/t/fuzz_[^/]*\.t$' "$list" >>"$order"
grep -v -x -F -f "$order" "$list" >>"$order"
rm -f "$list"

prove -j"${TEST_JOBS:-$(($(nproc) * 2 + 1))}" --timer --merge --failures $(cat "$order") 2>&1 | tee "$out"
rm -f "$order"
# $? is tee's: prove's verdict is its "Result:" line
status=0
grep -q '^Result: PASS' "$out" || status=1
for build in "$@"; do
	if [ -d "$build/sanitizer" ] && [ -n "$(ls "$build/sanitizer")" ]; then
		echo "Non-zero exit status: sanitizer reports in $build/sanitizer:" | tee -a "$out"
		head -40 "$build/sanitizer"/* | sed 's/^/#   /'
		status=1
	fi
done

total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
# A script that died without failing a subtest still counts as one failure.
dead=$(grep -c 'Non-zero exit status\|Parse errors\|Non-zero wait status' "$out")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && [ "$dead" -eq 0 ]; then dead=1; fi
failed=$((failed + dead))
passed=$(( ${total:-0} - failed ))
[ "$passed" -lt 0 ] && passed=0
# CI keeps only the tail of the output: name what failed once more, last.
if [ "$status" -ne 0 ]; then
	echo "Failed:"
	grep -E '^(\S+) +\(Wstat|^ +Failed tests?:|^ +Non-zero (exit|wait) status|^ +Parse errors|^Non-zero exit status|^(not ok|Bail out)' "$out" | sed 's/^/#   /'
	sed 's/^/#   /' "$MAILREG_FAILLOG"
fi
echo "$passed passed, $failed failed"
exit "$status"
