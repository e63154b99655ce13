#!/bin/sh
# Benchmark (not a test): `mailreg poll --once` over N messages (default 10000,
# about 25 KB each, text forms) in a local Dovecot, side by side with mbsync
# (isync) copying the same mailbox to a local Maildir.  Prints both times and
# the ratio (target: mailreg, doing all its processing, within 1.5x of mbsync).
#   tests/bench/imap.sh [MAILREG_BINARY] [N]
# mbsync runs first with Sync Pull, so the mailbox is unchanged for mailreg,
# which then moves every message to Przetworzone.  Both keep their defaults for
# durability: mbsync fsyncs each message, mailreg fsyncs each spool file and
# commits each fetched batch in one SQLite transaction (synchronous=FULL).
set -eu
MAILREG=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/mailreg}
N=${2:-10000}
# BENCH_FS=fresh: both tools run on a fresh ext4 (with a journal, as on a
# server) in a loop-mounted image (root only).  This VM's own ext4 has no
# journal, and ext4 then passes over every inode freed in the last 12 hours
# when it allocates one: after many runs each file created costs a scan, and
# mbsync's time drifts (3.8 s to 7.3 s in one day).  The default runs in
# $TMPDIR as it is.
FS=
if [ "${BENCH_FS:-host}" = fresh ] && [ "$(id -u)" -eq 0 ] && command -v mkfs.ext4 >/dev/null; then
	FS=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-benchfs.XXXXXX")
	if truncate -s 4G "$FS.img" && mkfs.ext4 -q -F "$FS.img" && mount -o loop "$FS.img" "$FS"; then
		export TMPDIR=$FS
	else
		echo "bench: no fresh file system (mount failed), running in ${TMPDIR:-/tmp}" >&2
		rm -rf "$FS" "$FS.img"
		FS=
	fi
fi
. "$(dirname "$0")/../integration/lib.sh"
# registered first, so it runs last: after Dovecot has stopped
[ -n "$FS" ] && at_exit "cd /; umount '$FS' && rm -rf '$FS' '$FS.img'"
. "$(dirname "$0")/../integration/lib-dovecot.sh"
set -e

make_instance
dovecot_start

echo "bench: writing $N messages into the Maildir" >&2
python3 - "$MAILDIR/cur" "$N" <<'PY'
import os, sys, time
out, n = sys.argv[1], int(sys.argv[2])
powiats = ["Katowice", "Gliwice", "Żory", "Rybnik", "Bielsko-Biała", "Częstochowa",
           "cieszyński", "będziński", "lubliniecki", "Tychy"]
# A long signature and confidentiality notice, as institutional mail carries,
# brings each message to about 25 KB.
para = ("Niniejsza wiadomość oraz wszelkie załączniki są przeznaczone wyłącznie dla "
        "adresata i mogą zawierać informacje poufne. Jeżeli nie są Państwo adresatem, "
        "prosimy o niezwłoczne powiadomienie nadawcy i usunięcie wiadomości.\n")
tail = "\n-- \nOśrodek Pomocy Społecznej\n" + para * 92
now = int(time.time())
for i in range(n):
    body = f"""Dzień dobry,
w załączeniu formularz.

Imię: Anna{i}
Nazwisko: Kowalska-Wiśniewska
Adres e-mail: uczestnik{i}@ops.example.pl
Telefon: 32 {i:07d}
Nazwa instytucji: Ośrodek Pomocy Społecznej nr {i}
Typ instytucji: OPS
Stanowisko: pracownik socjalny
Powiat / miasto na prawach powiatu: {powiats[i % len(powiats)]}
[X] Spotkanie informacyjne
[X] Doradztwo
Temat doradztwa: {1 + i % 4}
[ ] Szkolenie uzupełniające
Szczególne potrzeby: brak
[X] Wyrażam zgodę na przetwarzanie moich danych osobowych
{tail}"""
    msg = (f"From: Uczestnik {i} <uczestnik{i}@ops.example.pl>\n"
           f"To: rejestracja@rops.example.pl\n"
           f"Subject: =?UTF-8?Q?Zg=C5=82oszenie_{i}?=\n"
           f"Message-ID: <bench-{i}@ops.example.pl>\n"
           f"Date: Mon, 03 Feb 2014 09:00:00 +0100\n"
           f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           f"Content-Transfer-Encoding: 8bit\n\n{body}").encode("utf-8")
    name = f"{now}.M{i}P1.bench,S={len(msg)}:2,"
    with open(os.path.join(out, name), "wb") as f:
        f.write(msg)
PY
[ "$(id -u)" -eq 0 ] && chown -R mail:mail "$T/mail"
size=$(du -sk "$MAILDIR/cur" | cut -f1)
echo "bench: $N messages, $((size / 1024)) MB; letting Dovecot index them" >&2
# EXAMINE makes Dovecot scan the Maildir and assign UIDs (sizes are in the names).
listed=$(imap_count INBOX)
[ "$listed" = "$N" ] || { echo "bench: Dovecot lists $listed messages, not $N" >&2; exit 1; }

mkdir -p "$T/mbsync"
cat >"$T/mbsyncrc" <<CONF
IMAPAccount bench
Host 127.0.0.1
Port $IMAPS_PORT
User $IMAP_USER
Pass "$IMAP_PASS"
SSLType IMAPS
CertificateFile $DOVECOT_DIR/cert.pem

IMAPStore far
Account bench

MaildirStore near
Path $T/mbsync/
Inbox $T/mbsync/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
CONF
sync
start=$(date +%s.%N)
mbsync -c "$T/mbsyncrc" -q bench
end=$(date +%s.%N)
t_mbsync=$(echo "$end - $start" | bc)
copied=$(ls "$T/mbsync/INBOX/new" "$T/mbsync/INBOX/cur" | grep -c ',U=' || :)

imap_conf
sync
start=$(date +%s.%N)
${PERF:-} /usr/bin/time -f "bench: mailreg cpu %U user %S sys, %M KB max RSS" "$MAILREG" -c "$T/etc/mailreg.conf" poll --once >"$T/poll.out" 2>"$T/poll.err"; grep "^bench:" "$T/poll.err" >&2
end=$(date +%s.%N)
t_mailreg=$(echo "$end - $start" | bc)
taken=$(grep -c ' imap UID ' "$T/poll.out" || :)

echo "mbsync:  $copied messages copied to a Maildir in $t_mbsync s"
echo "mailreg: $taken messages polled, processed, committed and moved in $t_mailreg s"
tail -1 "$T/poll.out"
printf 'ratio mailreg/mbsync: %.2f (target <= 1.5)\n' "$(echo "$t_mailreg / $t_mbsync" | bc -l)"
