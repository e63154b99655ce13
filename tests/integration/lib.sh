# lib.sh - TAP helpers and a throwaway mailreg instance for the integration tests.
#
# Source it from a tests/integration/NNNN-topic.t script run from anywhere;
# it creates $T (removed on exit) holding etc/mailreg.conf, var/ and spool/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAILREG=${MAILREG:-$ROOT/build/mailreg-test}
DATA=$ROOT/tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-test.XXXXXX")
# at_exit COMMAND - run COMMAND at exit (last added first), before $T is removed.
_at_exit=:
at_exit() { _at_exit="$1; $_at_exit"; }
trap 'eval "$_at_exit"; rm -rf "$T"' EXIT
export G_DEBUG=fatal-criticals
# mailreg reads MAILREG_NOW and catalog times as Polish wall-clock time; the
# tests' own `date` arithmetic must agree.
export TZ=Europe/Warsaw
unset MAILREG_FAULT MAILREG_CONFIG

_n=0
_failed=0

plan() { echo "1..$1"; }

# ok STATUS DESCRIPTION - STATUS 0 passes.
ok() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
		if [ -n "${MAILREG_FAILLOG:-}" ]; then
			echo "${0##*/}: not ok $_n - $2" >>"$MAILREG_FAILLOG"
		fi
	fi
}

# _diag - copy diagnostics to stdout and, under scripts/run-tests.sh, to the
# failure log it prints last (CI keeps only the tail of the output).
_diag() {
	if [ -n "${MAILREG_FAILLOG:-}" ]; then tee -a "$MAILREG_FAILLOG"; else cat; fi
}

# check DESCRIPTION COMMAND... - passes when the command exits 0.
check() {
	_desc=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok 0 "$_desc"
	else
		ok 1 "$_desc"
		sed 's/^/#   /' "$T/check.out" | head -20 | _diag
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | _diag
	fi
}

# like GOT REGEX DESCRIPTION (grep -E)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want match: %s\n' "$1" "$2" | head -20 | _diag
	fi
}

# A fresh instance in $T: configuration, then `init`.
make_instance() {
	mkdir -p "$T/etc"
	cat >"$T/etc/mailreg.conf" <<CONF
[paths]
database = ../var/mailreg.db
spool = ../spool
outgoing = ../outgoing
templates = $ROOT/templates
catalog = $ROOT/etc/catalog.ini

[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
reply_to = szkolenia@rops.example.pl
staff = kadry@rops.example.pl
domain = rops.example.pl
CONF
	mr init >/dev/null
}

mr() { "$MAILREG" -c "$T/etc/mailreg.conf" "$@"; }

sql() { sqlite3 "$T/var/mailreg.db" "$1"; }
# wait_for SECONDS COMMAND... - run COMMAND every 0.1 s until it succeeds;
# false after SECONDS (waits are bounded, never timed).
wait_for() {
	_w=$(($1 * 10))
	shift
	while [ "$_w" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_w=$((_w - 1))
	done
	return 1
}
# recorded N - at least N inbound messages recorded in the instance's database.
recorded() { [ "$(sql "SELECT count(*) FROM messages")" -ge "$1" ]; }

done_testing() {
	[ "$_failed" -eq 0 ]
	exit $?
}
