#!/bin/sh
# Run every unit test binary and integration script under prove (TAP), then
# print the closing line "N passed, N failed".  Exit status is prove's.
#   scripts/run-tests.sh BUILD_DIR
set -u
build=${1:-build}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export G_DEBUG=fatal-criticals MAILREG="$PWD/$build/mailreg-test"

prove -j2 --timer --merge "$build"/tests/test_* tests/integration/*.t 2>&1 | tee "$out"
status=$?

total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$out")
failed=$(sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
# A script that died without failing a subtest still counts as one failure.
dead=$(grep -c 'Non-zero exit status\|Parse errors\|Non-zero wait status' "$out")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && [ "$dead" -eq 0 ]; then dead=1; fi
failed=$((failed + dead))
passed=$(( ${total:-0} - failed ))
[ "$passed" -lt 0 ] && passed=0
echo "$passed passed, $failed failed"
exit "$status"
