#!/bin/sh
# Run every unit test binary and integration script under prove (TAP), then
# print the closing line "N passed, N failed".  Exit status is prove's.
#   scripts/run-tests.sh BUILD_DIR [BUILD_DIR...]
# Each build directory gets its own prove run (build/san: the same tests under
# ASan+UBSan+LeakSanitizer); the closing line counts them all.
set -u
out=$(mktemp)
export MAILREG_FAILLOG=$(mktemp)
trap 'rm -f "$out" "$MAILREG_FAILLOG"' EXIT
export G_DEBUG=fatal-criticals
status=0
[ $# -eq 0 ] && set -- build

for build in "$@"; do
export MAILREG="$PWD/$build/mailreg-test"
unset SANITIZE
if nm -D "$build/mailreg-test" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	# Stop at the first report; ASan/LSan reports also land in $build/sanitizer/
	# (checked below: a report fails the run even where a test ignores the exit
	# status).  strstr is not intercepted: ASan's wrapper strlen()s the whole
	# haystack on every call, which makes g_strsplit() quadratic on a 20 MiB body.
	export SANITIZE=1
	san=$PWD/$build/sanitizer
	rm -rf "$san" && mkdir -p "$san"
	export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:intercept_strstr=0:log_path=$san/asan"
	export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
	echo "# $build: sanitized build (ASAN_OPTIONS=$ASAN_OPTIONS)"
fi

# In the plain build the scripts that arm no fault point run the shipped
# binary, the one `make install` installs (lib.sh: need_faults); the
# sanitized build has mailreg-test only.
unset MAILREG_SHIPPED
if [ -z "${SANITIZE:-}" ] && [ -x "$build/mailreg" ]; then
	export MAILREG_SHIPPED="$PWD/$build/mailreg"
	echo "# $build: shipped mailreg; mailreg-test for the scripts that need fault points"
fi

# Three at a time on two cores: most scripts wait on servers (Dovecot, the
# SMTP receiver, a browser) more than they compute.
prove -j3 --timer --merge --failures "$build"/tests/test_* tests/integration/*.t 2>&1 | tee "$out.run"
# $? is tee's: prove's verdict is its "Result:" line
grep -q '^Result: PASS' "$out.run" || status=1
cat "$out.run" >>"$out"
rm -f "$out.run"
if [ -n "${SANITIZE:-}" ] && [ -n "$(ls "$san")" ]; then
	echo "Non-zero exit status: sanitizer reports in $san:" | tee -a "$out"
	head -40 "$san"/* | sed 's/^/#   /'
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
