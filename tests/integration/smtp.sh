# smtp.sh - a real SMTP receiver on 127.0.0.1 for the integration tests.
#
# Source after lib.sh.  smtp_start runs tests/smtp-receiver.py (aiosmtpd) storing
# every accepted message in $RX as NNNNNN.eml (exact bytes) + NNNNNN.json
# (envelope); it is stopped by pid when the script exits.  $RX_CONTROL, while it
# exists, makes the receiver fail every RCPT or DATA ("rcpt 451 4.3.0 ...").
PY=/usr/bin/python3
RX=$T/rx
RX_CONTROL=$T/rx-control
SMTP_PID=
SMTP_PORT=0

# smtp_start [RECEIVER OPTIONS...] - start (again, on the same port once known).
# The port is claimed with port_reserve (lib.sh), not picked by the kernel: a
# port from the ephemeral range could be taken by any connection while the
# receiver is stopped between two starts.
smtp_start() {
	if [ "$SMTP_PORT" = 0 ] && command -v port_reserve >/dev/null 2>&1; then
		SMTP_PORT=$(port_reserve) || SMTP_PORT=0
	fi
	rm -f "$T/rx-port"
	"$PY" "$ROOT/tests/smtp-receiver.py" --dir "$RX" --port "$SMTP_PORT" --port-file "$T/rx-port" \
		--control "$RX_CONTROL" "$@" 2>>"$T/rx.log" &
	SMTP_PID=$!
	_i=0
	while [ ! -s "$T/rx-port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	SMTP_PORT=$(cat "$T/rx-port" 2>/dev/null || echo 0)
}

smtp_stop() {
	if [ -n "$SMTP_PID" ]; then
		kill "$SMTP_PID" 2>/dev/null
		wait "$SMTP_PID" 2>/dev/null
		SMTP_PID=
	fi
}

if command -v at_exit >/dev/null 2>&1; then
	at_exit smtp_stop
else
	trap 'smtp_stop; rm -rf "$T"' EXIT
fi

# smtp_config [KEY = VALUE lines] - add an [smtp] group pointing at the receiver.
smtp_config() {
	{
		printf '\n[smtp]\nurl = smtp://127.0.0.1:%s\nstarttls = false\n' "$SMTP_PORT"
		for _l in "$@"; do printf '%s\n' "$_l"; done
	} >>"$T/etc/mailreg.conf"
}

rx_count() { ls "$RX" 2>/dev/null | grep -c '\.eml$'; }

# applicants N DIR [ADDRESS-PREFIX] - N distinct valid applications in DIR.
applicants() {
	mkdir -p "$2"
	_i=1
	while [ $_i -le "$1" ]; do
		sed -e "s/^Message-ID: <.*>/Message-ID: <app-$_i.20140301@mops-katowice.example.pl>/" \
		    -e "s/zofia\\.gesla@/${3:-zofia.gesla.}$_i@/g" "$DATA/pipeline/valid-8bit.eml" >"$2/m$_i.eml"
		_i=$((_i + 1))
	done
}

# rx_tally - "RECEIVED DISTINCT DUPLICATES MISSING": messages the receiver
# stored, their distinct Message-IDs, the copies beyond the first, and the
# outbox rows (mailreg outbox --json) the receiver never got.
rx_tally() {
	mr outbox --json | "$PY" -c '
import email, glob, json, sys
ids = [email.message_from_binary_file(open(f, "rb"))["Message-ID"] for f in glob.glob(sys.argv[1] + "/*.eml")]
ids = [i.strip().strip("<>") for i in ids if i]
want = {r["message_id"] for r in json.load(sys.stdin)}
print(len(ids), len(set(ids)), len(ids) - len(set(ids)), len(want - set(ids)))' "$RX"
}
