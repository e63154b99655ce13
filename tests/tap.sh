#!/bin/sh
# tap.sh DESCRIPTION COMMAND... - COMMAND's result as one TAP test: its output
# as diagnostics, "ok 1 - DESCRIPTION" when it exits 0.  For the checks of
# `make test` that are not TAP scripts themselves (valgrind, fuzzing).
set -u
what=$1
shift
rcf=$(mktemp)
trap 'rm -f "$rcf"' EXIT
echo "1..1"
{ "$@" 2>&1 </dev/null; echo $? >"$rcf"; } | sed 's/^/# /'
rc=$(cat "$rcf")
if [ "$rc" = 0 ]; then
	echo "ok 1 - $what"
else
	echo "not ok 1 - $what (exit $rc)"
fi
