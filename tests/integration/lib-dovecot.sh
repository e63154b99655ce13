# lib-dovecot.sh - a real Dovecot IMAP server on 127.0.0.1 for the IMAP tests.
#
# Source after lib.sh.  dovecot_start writes a standalone configuration into
# $T/dovecot (own base_dir, state, log, passwd-file user, Maildir under $T, a
# self-signed certificate for IMAPS) and starts it on two ports claimed by port_reserve (lib.sh):
# $IMAP_PORT (STARTTLS) and $IMAPS_PORT (implicit TLS).  It is stopped by its
# pid file on exit, before lib.sh's cleanup removes $T.
IMAP_USER=zgloszenia
IMAP_PASS='s3cret-Pa55 word'
DOVECOT_DIR=$T/dovecot
MAILDIR=$T/mail/$IMAP_USER/Maildir
DOVECOT_CONF=$DOVECOT_DIR/dovecot.conf

dovecot_stop() {
	_pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null) || return 0
	kill "$_pid" 2>/dev/null
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	rm -f "$DOVECOT_DIR/run/master.pid"
}

# Like a crash: SIGKILL the master and its children (by parent pid, never by name).
dovecot_kill() {
	_pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null) || return 0
	_kids=$(ps -o pid= --ppid "$_pid" 2>/dev/null)
	kill -9 "$_pid" $_kids 2>/dev/null
	# every process gone, not only the master: a dying imap-login still holds
	# the listening sockets, and a restart would fail to bind them
	for _p in "$_pid" $_kids; do
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	done
	rm -f "$DOVECOT_DIR/run/master.pid"
}

at_exit dovecot_stop

# dovecot_config [EXTRA-SETTINGS] - (re)write the configuration.
dovecot_config() {
	if [ "$(id -u)" -eq 0 ]; then
		_users="default_login_user = dovenull
default_internal_user = dovecot
mail_uid = $(id -u mail)
mail_gid = $(id -g mail)"
	else
		_users="default_login_user = $(id -un)
default_internal_user = $(id -un)"
	fi
	cat >"$DOVECOT_CONF" <<CONF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
instance_name = mailreg-test-$$
log_path = $DOVECOT_DIR/log
info_log_path = $DOVECOT_DIR/log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$DOVECOT_DIR/cert.pem
ssl_key = <$DOVECOT_DIR/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
$_users
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/passwd
}
userdb {
  driver = static
  args = home=$T/mail/%u
}
mail_location = maildir:~/Maildir
mail_fsync = never
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
${1:-}
CONF
}

# dovecot_start [EXTRA-SETTINGS] - configure (first call: certificate, user,
# ports) and start; waits until the IMAPS port answers.
dovecot_start() {
	if [ ! -f "$DOVECOT_DIR/cert.pem" ]; then
		mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
			-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			-keyout "$DOVECOT_DIR/key.pem" -out "$DOVECOT_DIR/cert.pem" >/dev/null 2>&1
		printf '%s:{PLAIN}%s\n' "$IMAP_USER" "$IMAP_PASS" >"$DOVECOT_DIR/passwd"
		# Dovecot cannot report a port it picked: claim two (lib.sh)
		IMAP_PORT=$(port_reserve) && IMAPS_PORT=$(port_reserve) || return 1
		# The login and mail processes run as other users: let them reach $T.
		chmod 755 "$T"
		dovecot_config "${1:-}"
	elif [ $# -gt 0 ]; then
		dovecot_config "$1"
	fi
	[ "$(id -u)" -eq 0 ] && chown -R mail:mail "$T/mail"
	# a port still held by a killed instance's last process frees itself
	# within moments: try again for a while (bounded), then give up
	_i=0
	until dovecot -c "$DOVECOT_CONF" 2>>"$DOVECOT_DIR/start.err"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
	_i=0
	while ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $IMAPS_PORT), 1)" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 300 ] && return 1
		sleep 0.1
	done
}

# imap_conf [EXTRA-LINES] - add an [imap] group for the IMAPS port to the instance.
imap_conf() {
	printf '%s' "$IMAP_PASS" >"$T/etc/imap-password"
	chmod 600 "$T/etc/imap-password"
	sed -i '/^\[imap\]/,$d' "$T/etc/mailreg.conf"
	cat >>"$T/etc/mailreg.conf" <<CONF
[imap]
url = imaps://127.0.0.1:$IMAPS_PORT/INBOX
user = $IMAP_USER
password_file = imap-password
ca_file = $DOVECOT_DIR/cert.pem
${1:-}
CONF
}

# curl with the test user against the IMAPS port; ARGS are curl's.
icurl() {
	curl -s --cacert "$DOVECOT_DIR/cert.pem" -u "$IMAP_USER:$IMAP_PASS" "$@"
}

# append FILE [MAILBOX] - APPEND a message (curl -T; Dovecot stores it \Seen).
append() {
	icurl -T "$1" "imaps://127.0.0.1:$IMAPS_PORT/${2:-INBOX}"
}

# deliver FILE - write a message into the Maildir's new/ as an MTA would.
deliver() {
	_name=$(date +%s).$$_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n').mailreg-test
	cp "$1" "$MAILDIR/tmp/$_name" && mv "$MAILDIR/tmp/$_name" "$MAILDIR/new/$_name"
	[ "$(id -u)" -eq 0 ] && chown mail:mail "$MAILDIR/new/$_name"
	return 0
}

# imap_count MAILBOX - messages in MAILBOX (0 when it does not exist).
imap_count() {
	_out=$(icurl -X "EXAMINE \"$1\"" "imaps://127.0.0.1:$IMAPS_PORT/" 2>/dev/null)
	_dv_n=$(printf '%s\n' "$_out" | sed -n 's/^\* \([0-9]*\) EXISTS.*/\1/p' | tr -d '\r')
	echo "${_dv_n:-0}"
}

# make_messages N DIR - N messages of mixed outcomes (the pipeline and demo
# samples in turn), each with its own Message-ID, as DIR/mNNNN.eml.
make_messages() {
	mkdir -p "$2"
	set -- "$1" "$2" "$DATA"/pipeline/*.eml "$DATA"/demo/*.eml
	_dv_n=$1 _dir=$2
	shift 2
	_k=$#
	_i=1
	while [ $_i -le "$_dv_n" ]; do
		_j=$(( (_i - 1) % _k + 1 ))
		eval "_src=\${$_j}"
		sed "s/^\\(Message-I[Dd]\\): *<\\(.*\\)>/\\1: <m$_i.$$.\\2>/" "$_src" >"$_dir/m$(printf %04d $_i).eml"
		_i=$((_i + 1))
	done
}

# utf7 NAME - the modified UTF-7 form of a mailbox name (RFC 3501 §5.1.3).
utf7() {
	python3 -c 'import base64, re, sys
s = sys.argv[1].replace("&", "&-")
print(re.sub(r"[^\x20-\x7e]+", lambda m: "&" + base64.b64encode(m.group(0).encode("utf-16-be"))
             .decode().rstrip("=").replace("/", ",") + "-", s))' "$1"
}
