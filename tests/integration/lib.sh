# lib.sh - TAP helpers and a throwaway mailreg instance for the integration tests.
#
# Source it from a tests/integration/NNNN-topic.t script run from anywhere;
# it creates $T (removed on exit) holding etc/mailreg.conf, var/ and spool/.
set -u
# The test dependencies are Debian's packages (scripts/deps.sh): its python3
# with python3-aiosmtpd and python3-selenium, its sqlite3 and openssl - not
# what a version manager puts first in PATH (pyenv's shim costs 0.4 s a call).
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAILREG=${MAILREG:-$ROOT/build/mailreg-test}
# The shipped binary (no fault points) where scripts/run-tests.sh names one:
# every script runs it unless it calls need_faults, so the plain run tests
# what `make install` installs.  The sanitized run has only mailreg-test.
_MAILREG_FAULTS=$MAILREG
if [ -n "${MAILREG_SHIPPED:-}" ] && [ -x "$MAILREG_SHIPPED" ]; then
	MAILREG=$MAILREG_SHIPPED
fi
# need_faults - this script arms MAILREG_FAULT: run the test build.
need_faults() { MAILREG=$_MAILREG_FAULTS; }
DATA=$ROOT/tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-test.XXXXXX")
# at_exit COMMAND - run COMMAND at exit (last added first), before $T is removed.
_at_exit=:
at_exit() { _at_exit="$1; $_at_exit"; }
trap 'eval "$_at_exit"; _ports_release; rm -rf "$T"' EXIT
export G_DEBUG=fatal-criticals
# mailreg reads MAILREG_NOW and catalog times as Polish wall-clock time; the
# tests' own `date` arithmetic must agree.
export TZ=Europe/Warsaw
unset MAILREG_FAULT MAILREG_CONFIG

_n=0
_failed=0

_planned=
plan() { _planned=$1; echo "1..$1"; }

# skip_all REASON - skip the whole script; under CI (CI=true) a skip would turn
# a regression into a pass, so there it is a failure instead.
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - cannot run on CI: $1"
		[ -n "${MAILREG_FAILLOG:-}" ] && echo "${0##*/}: cannot run on CI: $1" >>"$MAILREG_FAILLOG"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

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

[web]
listen =
CONF
	mr init >/dev/null
}

mr() { "$MAILREG" -c "$T/etc/mailreg.conf" "$@"; }

# sql QUERY - read the instance's database.  A mailreg process may hold the
# write lock at that moment (a daemon, or one finishing its last commit):
# wait for the lock as mailreg itself does, rather than read nothing.
sql() { sqlite3 -cmd '.timeout 30000' "$T/var/mailreg.db" "$1"; }
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
# port_reserve - print a TCP port on 127.0.0.1 that no other test holds, for a
# server that cannot bind port 0 and report its port (Dovecot), or for a
# client that must find nobody listening.  Ports come from 20000-29999, below
# the kernel's ephemeral range, so no port-0 bind or outgoing connection takes
# them; a directory /tmp/mailreg-ports/PORT (mkdir is atomic) holding the
# owner's pid claims one across prove -j2 and parallel checkouts, and is
# removed at exit (or taken over once its owner is dead).  The port is also
# checked free with a bind.
PORT_LOCKS=/tmp/mailreg-ports
port_reserve() {
	mkdir -p "$PORT_LOCKS" 2>/dev/null && chmod 1777 "$PORT_LOCKS" 2>/dev/null
	_p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 10000 ))
	_tries=0
	while [ $_tries -lt 10000 ]; do
		_tries=$((_tries + 1))
		_p=$(( _p + 1 )); [ $_p -gt 29999 ] && _p=20000
		if ! mkdir "$PORT_LOCKS/$_p" 2>/dev/null; then
			_owner=$(cat "$PORT_LOCKS/$_p/pid" 2>/dev/null)
			# a claim without a pid file is being made right now: leave it
			[ -n "$_owner" ] && ! kill -0 "$_owner" 2>/dev/null || continue
			# take the dead owner's claim over by renaming it (one taker
			# wins); a claim renewed meanwhile by someone else goes back
			_stale=$PORT_LOCKS/.stale.$_p.$$
			rm -rf "$_stale"
			mv "$PORT_LOCKS/$_p" "$_stale" 2>/dev/null || continue
			if [ "$(cat "$_stale/pid" 2>/dev/null)" != "$_owner" ]; then
				mv "$_stale" "$PORT_LOCKS/$_p" 2>/dev/null || rm -rf "$_stale"
				continue
			fi
			rm -rf "$_stale"
			mkdir "$PORT_LOCKS/$_p" 2>/dev/null || continue
		fi
		echo $$ >"$PORT_LOCKS/$_p/pid"
		if python3 -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$_p" 2>/dev/null; then
			echo "$_p"
			return 0
		fi
		rm -rf "$PORT_LOCKS/$_p"
	done
	return 1
}
# The EXIT trap frees this script's claims (port_reserve runs in $(...), so
# they are found by the pid in them).
_ports_release() {
	for _d in "$PORT_LOCKS"/*/pid; do
		[ -f "$_d" ] && [ "$(cat "$_d" 2>/dev/null)" = "$$" ] && rm -rf "${_d%/pid}"
	done 2>/dev/null
	:
}

# notify_listen - listen as systemd would on $NOTIFY_SOCKET (exported): every
# sd_notify datagram the daemon sends lands in $T/notify.log, one line each
# (newlines inside shown as " | ").  `mailreg run` sends "STATUS=... messages
# taken ..." at the end of every round: rounds counts them, so a test waits for
# the daemon to have done something instead of sleeping.
notify_listen() {
	NOTIFY_SOCKET=$T/notify.sock
	export NOTIFY_SOCKET
	rm -f "$NOTIFY_SOCKET" "$T/notify.log"
	: >"$T/notify.log"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode("utf-8", "replace").replace("\n", " | ") + "\n")
        log.flush()' "$NOTIFY_SOCKET" "$T/notify.log" &
	_notify_pid=$!
	at_exit "kill $_notify_pid 2>/dev/null"
	wait_for 10 test -S "$NOTIFY_SOCKET"
}
# rounds - rounds of `mailreg run` finished so far (see notify_listen).
rounds() { grep -c 'STATUS=.* messages taken' "$T/notify.log" 2>/dev/null || :; }
# rounds_past N - more than N rounds finished.
rounds_past() { [ "$(rounds)" -gt "$1" ]; }

# recorded N - at least N inbound messages recorded in the instance's database.
recorded() { [ "$(sql "SELECT count(*) FROM messages")" -ge "$1" ]; }

# done_testing - the last line of every script: fails when a check failed or
# when the script ran another number of checks than it planned.
done_testing() {
	if [ -n "$_planned" ] && [ "$_n" -ne "$_planned" ]; then
		echo "# planned $_planned checks, ran $_n" | _diag
		exit 1
	fi
	[ "$_failed" -eq 0 ]
	exit $?
}
