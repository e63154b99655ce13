#!/bin/sh
# Benchmark (not a test): `mailreg ingest` of N text-form application messages
# (default 1000) into a fresh instance, timed end to end, then `mailreg send`.
#   tests/bench/ingest.sh [MAILREG_BINARY] [N]
# Prints wall and CPU time per 100 messages.  Every message is spooled with
# fsync, processed and committed in its own transaction (synchronous=FULL).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/mailreg}
n=${2:-1000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailreg-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/in" "$work/etc"
python3 - "$work/in" "$n" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
powiats = ["Katowice", "Gliwice", "Żory", "Rybnik", "Bielsko-Biała", "Częstochowa",
           "cieszyński", "będziński", "lubliniecki", "Tychy"]
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
"""
    msg = (f"From: Uczestnik {i} <uczestnik{i}@ops.example.pl>\n"
           f"To: rejestracja@rops.example.pl\n"
           f"Subject: =?UTF-8?Q?Zg=C5=82oszenie_{i}?=\n"
           f"Message-ID: <bench-{i}@ops.example.pl>\n"
           f"Date: Mon, 03 Feb 2014 09:00:00 +0100\n"
           f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           f"Content-Transfer-Encoding: 8bit\n\n{body}")
    open(f"{out}/{i:05d}.eml", "w", encoding="utf-8").write(msg)
PY
cat >"$work/etc/mailreg.conf" <<CONF
[paths]
database = ../var/mailreg.db
spool = ../spool
outgoing = ../outgoing
templates = $root/templates
catalog = $root/etc/catalog.ini
[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
staff = kadry@rops.example.pl
CONF
"$bin" -c "$work/etc/mailreg.conf" init >/dev/null

measure() {  # label command...
	label=$1
	shift
	/usr/bin/env time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>/dev/null
	read -r wall user sys rss <"$work/time"
	awk -v l="$label" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
		printf "%-8s %6d msgs  wall %6.2f s (%6.3f s/100)  cpu %6.2f s (%6.3f s/100)  max RSS %d KiB\n",
		       l, n, w, w * 100 / n, u + s, (u + s) * 100 / n, r }'
}
measure ingest "$bin" -c "$work/etc/mailreg.conf" ingest "$work/in"
grep -c '^registered' "$work/out" | sed 's/^/registered: /'
measure send "$bin" -c "$work/etc/mailreg.conf" send
