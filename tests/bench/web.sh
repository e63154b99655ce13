#!/bin/sh
# Benchmark (not a test): the staff console under load, and what that load
# costs intake.
#   tests/bench/web.sh [MAILREG_BINARY] [APPLICANTS]
# 1. A database as a season of mail leaves it, made by mailreg itself: 2 x
#    APPLICANTS (default 10000) messages through `mailreg ingest` - a form from
#    each applicant (so waiting lists grow behind the seats), and of those
#    applicants 30 % sent a form with a problem first (rejected), 20 % a
#    corrected form later, 20 % a question without a form (review, with a staff
#    notice), 10 % an auto-reply (ignored), 20 % a copy of their form again
#    (duplicate); every reply delivered (`send`), some of them deferred or
#    failed at a real SMTP receiver, and some review items settled (audit rows).
# 2. `mailreg web` on that database; 8 clients (tests/bench/web-load.py, each
#    logged in as staff) request every page BENCH_WEB_ROUNDS times (default 25):
#    p50 and p95 per page (target p95 < 50 ms).  /events, /applicants and
#    /applicants/ID are left out with a note where this build lacks them.
# 3. `poll --once` of BENCH_WEB_POLL (default 2000) text forms of about 25 KB
#    from a real Dovecot into the same database, BENCH_WEB_PAIRS times (default
#    2) without and with the same 8 clients running against the console, in
#    the order idle, load, load, idle, ... (target: at most 10 % longer under
#    load).  The load generator runs at nice 10: it stands in for browsers on
#    other machines.
# Prints the per-page table, the poll times and the load average before and after.
# BENCH_WEB_SAVE=DIR keeps the database and spool of step 1 in DIR;
# BENCH_WEB_FROM=DIR starts from such a copy instead of making one (to compare
# builds on the same data); BENCH_WEB_PAIRS=0 leaves step 3 out.
set -eu
MAILREG=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/mailreg}
A=${2:-10000}
ROUNDS=${BENCH_WEB_ROUNDS:-25}
POLL_N=${BENCH_WEB_POLL:-2000}
PAIRS=${BENCH_WEB_PAIRS:-2}
CLIENTS=${BENCH_WEB_CLIENTS:-8}
B=$(cd "$(dirname "$0")" && pwd)
. "$B/../integration/lib.sh"
. "$B/../integration/lib-dovecot.sh"
. "$B/../integration/smtp.sh"
. "$B/../integration/lib-web.sh"
set -eu

say() { echo "bench: $*" >&2; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load_avg) ($(nproc) cores)"

make_instance
web_config

# --- 1. the database ------------------------------------------------------------
if [ -n "${BENCH_WEB_FROM:-}" ]; then
	say "the database of $BENCH_WEB_FROM"
	rm -rf "$T/var" "$T/spool"
	cp -a "$BENCH_WEB_FROM/var" "$BENCH_WEB_FROM/spool" "$T/"
	mr staff list >/dev/null   # migrations of this build
else
say "writing $((A * 2)) messages"
python3 - "$T/in" "$A" <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
powiats = ["Katowice", "Gliwice", "Żory", "Rybnik", "Bielsko-Biała", "Częstochowa",
           "cieszyński", "będziński", "lubliniecki", "Tychy", "Zabrze", "pszczyński"]
first = ["Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Joanna", "Ewa", "Piotr", "Krzysztof",
         "Tomasz", "Barbara", "Zofia", "Grzegorz"]
last = ["Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowska",
        "Zielińska", "Szymańska", "Woźniak", "Dąbrowska", "Kozłowska", "Jankowska", "Mazur"]
seq = [0]

def write(text):
    seq[0] += 1
    with open(os.path.join(out, "%06d.eml" % seq[0]), "w", encoding="utf-8") as f:
        f.write(text)

def head(i, mid, subject, extra=""):
    return (f"From: {first[i % 12]} {last[i % 14]} <uczestnik{i}@ops{i % 97}.example.pl>\n"
            f"To: rejestracja@rops.example.pl\nSubject: {subject}\nMessage-ID: <{mid}@ops.example.pl>\n"
            f"Date: Mon, 03 Feb 2014 09:00:00 +0100\n{extra}MIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")

def form(i, phone, consent=True):
    x = lambda c: "X" if c else " "
    info, ws, cons, tr = i % 10 < 7, i % 10 >= 7 or i % 7 == 0, i % 3 == 0, i % 5 == 4
    return f"""Dzień dobry,
w załączeniu formularz zgłoszeniowy.

Imię: {first[i % 12]}
Nazwisko: {last[i % 14]}
Adres e-mail: uczestnik{i}@ops{i % 97}.example.pl
Telefon: 32 {phone:07d}
Nazwa instytucji: Ośrodek Pomocy Społecznej nr {i % 500}
Typ instytucji: OPS
Stanowisko: pracownik socjalny
Powiat / miasto na prawach powiatu: {powiats[i % len(powiats)]}
[{x(info)}] Spotkanie informacyjne
[{x(ws)}] Warsztaty i wizyta studyjna
[{x(cons)}] Doradztwo
Temat doradztwa: {1 + i % 4}
[{x(tr)}] Szkolenie uzupełniające
Szczególne potrzeby: {'dieta wegetariańska' if i % 9 == 0 else 'brak'}
[{x(consent)}] Wyrażam zgodę na przetwarzanie moich danych osobowych

Z poważaniem
{first[i % 12]} {last[i % 14]}
"""

for i in range(n):
    if i % 10 < 3:
        write(head(i, f"bad-{i}", "Zgłoszenie") + form(i, i, consent=False))
    write(head(i, f"form-{i}", "Zgłoszenie na szkolenie") + form(i, i))
    if i % 5 == 1:
        write(head(i, f"ask-{i}", "Pytanie o termin") +
              "Dzień dobry,\nczy są jeszcze wolne miejsca na warsztatach w maju?\nPozdrawiam\n")
for i in range(n):
    if i % 5 == 0:
        write(head(i, f"again-{i}", "Poprawione zgłoszenie") + form(i, 9000000 + i))
    if i % 5 == 3:
        write(head(i, f"form-{i}", "Zgłoszenie na szkolenie") + form(i, i))
    if i % 10 == 2:
        write(head(i, f"away-{i}", "Automatyczna odpowiedź: nieobecność",
                   "Auto-Submitted: auto-replied\n") + "Jestem na urlopie do 14 lutego.\n")
PY
say "ingest ($(ls "$T/in" | wc -l) messages)"
/usr/bin/time -f "%e" -o "$T/ingest.time" "$MAILREG" -c "$T/etc/mailreg.conf" ingest "$T/in" >/dev/null 2>"$T/ingest.err"
say "ingest took $(cat "$T/ingest.time") s; delivering the replies"
mr send >/dev/null 2>&1
rm -rf "$T/in"

# some replies the server did not take: deferred (451) and failed (550)
smtp_start
smtp_config
python3 - "$T/late" "$A" <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
for k in range(60):
    i = (k * 7919) % n
    with open(os.path.join(out, "%03d.eml" % k), "w", encoding="utf-8") as f:
        f.write(f"From: <uczestnik{i}@ops{i % 97}.example.pl>\nTo: rejestracja@rops.example.pl\n"
                f"Subject: Pytanie\nMessage-ID: <late-{k}@ops.example.pl>\n"
                f"Date: Mon, 03 Feb 2014 09:00:00 +0100\nMIME-Version: 1.0\n"
                f"Content-Type: text/plain; charset=utf-8\n\nCzy otrzymali Państwo mój formularz?\n")
PY
mr ingest "$T"/late/0[0-2]*.eml >/dev/null 2>&1
echo "rcpt 451 4.2.2 Mailbox full, try again later" >"$RX_CONTROL"
mr send >/dev/null 2>&1 || :
mr ingest "$T"/late/0[3-5]*.eml >/dev/null 2>&1
echo "rcpt 550 5.1.1 No such user" >"$RX_CONTROL"
mr send >/dev/null 2>&1 || :
rm -f "$RX_CONTROL"
smtp_stop 2>/dev/null || :

# staff settled some review items (each an audit row)
mr review done $(sql "SELECT id FROM messages WHERE state = 'review' AND reviewed_at IS NULL ORDER BY id LIMIT 300") \
	>/dev/null 2>&1 || say "review done failed"
if [ -n "${BENCH_WEB_SAVE:-}" ]; then
	mkdir -p "$BENCH_WEB_SAVE" && rm -rf "$BENCH_WEB_SAVE/var" "$BENCH_WEB_SAVE/spool"
	cp -a "$T/var" "$T/spool" "$BENCH_WEB_SAVE/"
fi
fi
PW=bench-haslo-$$
echo "$PW" | mr staff add "bench$$" --name "Pracownik testowy" >/dev/null
echo "database: $(sql "SELECT (SELECT count(*) FROM applicants) || ' applicants, ' || (SELECT count(*) FROM messages)
	|| ' messages (' || (SELECT group_concat(n, ', ') FROM (SELECT count(*) || ' ' || state AS n FROM messages GROUP BY state))
	|| '), ' || (SELECT count(*) FROM registrations) || ' registrations (' || (SELECT count(*) FROM registrations
	WHERE status = 'waitlisted') || ' waiting), ' || (SELECT count(*) FROM outbox) || ' outbox rows ('
	|| (SELECT group_concat(n, ', ') FROM (SELECT count(*) || ' ' || state AS n FROM outbox GROUP BY state))
	|| '), ' || (SELECT count(*) FROM audit) || ' audit rows'"), $(du -m "$T/var/mailreg.db" | cut -f1) MB"

# --- 2. the pages ----------------------------------------------------------------
web_start
list() { sql "$1" | sed 's|^|'"$2"'|' | paste -sd'|'; }
PAGES="/=/
/review=/review
/review/ID=$(list "SELECT id FROM messages WHERE state = 'review' AND reviewed_at IS NULL ORDER BY (id * 7919) % 10007 LIMIT 20" /review/)
/events?=/events
/events/CODE=$(list "SELECT code FROM events ORDER BY code" /events/)
/outbox=/outbox
/audit=/audit
/applicants?=/applicants
/applicants/ID?=$(list "SELECT id FROM applicants ORDER BY (id * 7919) % 10007 LIMIT 50" /applicants/)"
pages() { printf '%s\n' "$PAGES"; }
# the biggest event on its own too: its page lists the longest waiting list
big=$(sql "SELECT e.code FROM events e ORDER BY e.waitlisted DESC LIMIT 1")
say "pages: $CLIENTS clients x $ROUNDS rounds"
echo "load average before the pages: $(load_avg)"
# shellcheck disable=SC2046
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # clock ticks (after a name without spaces)
cpu0=$(cpu_of "$WEB_PID")
set -f   # the labels' "?" is no pattern
python3 "$B/web-load.py" --clients "$CLIENTS" --rounds "$ROUNDS" "$WEB_URL" "bench$$" "$PW" \
	$(pages) "/events/$big (largest waiting list)=/events/$big" >"$T/pages.out"
set +f
cpu1=$(cpu_of "$WEB_PID")
echo "load average after the pages: $(load_avg)"
requests=$(sed -n 's/^web-load: [0-9]* clients, \([0-9]*\) requests.*/\1/p' "$T/pages.out")
echo "console CPU: $(echo "scale=1; ($cpu1 - $cpu0) * 1000 / $(getconf CLK_TCK) / $requests" | bc) ms per request (all pages, mixed)"
echo "pages: $CLIENTS clients, $ROUNDS rounds each (the largest waiting list: $big, $(sql "SELECT waitlisted FROM events WHERE code = '$big'") waiting)"
cat "$T/pages.out"

# --- 3. poll --once without and with the load ----------------------------------------
dovecot_start
imap_conf
write_mail() {  # RUN - POLL_N messages of about 25 KB into the Maildir, indexed
	python3 - "$MAILDIR/cur" "$POLL_N" "$1" "$A" <<'PY'
import os, sys, time
out, n, run, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
powiats = ["Katowice", "Gliwice", "Żory", "Rybnik", "Bielsko-Biała", "Częstochowa",
           "cieszyński", "będziński", "lubliniecki", "Tychy"]
para = ("Niniejsza wiadomość oraz wszelkie załączniki są przeznaczone wyłącznie dla "
        "adresata i mogą zawierać informacje poufne. Jeżeli nie są Państwo adresatem, "
        "prosimy o niezwłoczne powiadomienie nadawcy i usunięcie wiadomości.\n")
tail = "\n-- \nOśrodek Pomocy Społecznej\n" + para * 92
now = int(time.time())
for k in range(n):
    i = base * 2 + run * n + k
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
    msg = (f"From: Uczestnik {i} <uczestnik{i}@ops.example.pl>\nTo: rejestracja@rops.example.pl\n"
           f"Subject: =?UTF-8?Q?Zg=C5=82oszenie_{i}?=\nMessage-ID: <poll-{i}@ops.example.pl>\n"
           f"Date: Mon, 03 Feb 2014 09:00:00 +0100\nMIME-Version: 1.0\n"
           f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}").encode()
    with open(os.path.join(out, f"{now}.M{run}x{k}P1.bench,S={len(msg)}:2,"), "wb") as f:
        f.write(msg)
PY
	[ "$(id -u)" -eq 0 ] && chown -R mail:mail "$T/mail"
	[ "$(imap_count INBOX)" = "$POLL_N" ] || { say "Dovecot does not list $POLL_N messages"; exit 1; }
}
poll_once() {  # MODE RUN - one timed poll --once; prints "MODE SECONDS"
	write_mail "$2"
	sync
	if [ "$1" = load ]; then
		rm -f "$T/stop" "$T/started".*
		set -f
		nice -n 10 python3 "$B/web-load.py" --clients "$CLIENTS" --until "$T/stop" --started "$T/started" \
			"$WEB_URL" "bench$$" "$PW" $(pages) >"$T/load-$2.out" &
		_lg=$!
		set +f
		# every client logged in and past its warm-up round
		wait_for 600 sh -c "[ \$(ls '$T'/started.* 2>/dev/null | wc -l) -ge $CLIENTS ]"
	fi
	_s=$(date +%s.%N)
	mr poll --once >"$T/poll-$2.out" 2>&1
	_e=$(date +%s.%N)
	if [ "$1" = load ]; then
		touch "$T/stop"
		wait "$_lg"
	fi
	_took=$(grep -c ' imap UID ' "$T/poll-$2.out" || :)
	echo "$1 $(echo "$_e - $_s" | bc) $_took $(load_avg | cut -d' ' -f1)"
}
[ "$PAIRS" -gt 0 ] || { echo "load average at the end: $(load_avg)"; exit 0; }
run=0
: >"$T/polls"
while [ "$run" -lt $((PAIRS * 2)) ]; do
	# idle, load, load, idle, idle, load, ...
	case $((run % 4)) in 0 | 3) mode=idle ;; *) mode=load ;; esac
	say "poll --once of $POLL_N messages ($mode), run $((run + 1)) of $((PAIRS * 2))"
	poll_once "$mode" "$run" >>"$T/polls"
	run=$((run + 1))
done
echo "poll --once of $POLL_N messages (~25 KB) from Dovecot, in run order (mode, seconds, messages taken, load average):"
sed 's/^/  /' "$T/polls"
for r in $(seq 1 $((PAIRS * 2 - 1))); do
	[ -f "$T/load-$r.out" ] && { echo "pages while poll ran (run $((r + 1))):"; cat "$T/load-$r.out"; }
done
python3 - "$T/polls" <<'PY'
import statistics, sys
t = {"idle": [], "load": []}
for line in open(sys.argv[1]):
    f = line.split()
    t[f[0]].append(float(f[1]))
i, l = statistics.median(t["idle"]), statistics.median(t["load"])
print("poll --once: median %.2f s idle, %.2f s under the console load: ratio %.3f (target <= 1.10)" % (i, l, l / i))
PY
echo "load average at the end: $(load_avg)"
