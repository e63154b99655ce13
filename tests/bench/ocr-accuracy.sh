#!/bin/sh
# ocr-accuracy.sh - how well scans of the typed form are read (not a test).
#
# Makes COUNT filled forms (tests/bench/make-scans.py: LibreOffice's print,
# pdftoppm at 300 and 200 dpi, a phone-like 150 dpi photo), mails each from
# the applicant's address into a fresh instance with `mailreg ingest`, and
# compares the fields `review --json` shows with what was typed: the share
# read exactly, per resolution, for first and last name, institution, powiat,
# e-mail, phone and the four support ticks.  Also pages per second (CPU time
# and wall-clock time of ingest) and the peak RSS of ingesting one scan.
#
# usage: tests/bench/ocr-accuracy.sh [COUNT [SEED]]      (default 20 2014)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAILREG=${MAILREG:-$ROOT/build/mailreg}
COUNT=${1:-20}
SEED=${2:-2014}
# as systemd/mailreg.service: one OpenMP thread per OCR
export OMP_THREAD_LIMIT=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 "$ROOT/tests/bench/make-scans.py" "$T/scans" "$COUNT" "$SEED"
for res in 300 200 phone; do
	mkdir -p "$T/$res/etc" "$T/$res/mail"
	cat >"$T/$res/etc/mailreg.conf" <<CONF
[paths]
database = ../var/mailreg.db
spool = ../spool
outgoing = ../outgoing
templates = $ROOT/templates
catalog = $ROOT/etc/catalog.ini

[mail]
from = Rejestracja ROPS <rejestracja@rops.example.pl>
domain = rops.example.pl
CONF
	"$MAILREG" -c "$T/$res/etc/mailreg.conf" init >/dev/null
	python3 - "$T/scans" "$res" "$T/$res/mail" <<'PY'
import glob, json, os, sys
from email.message import EmailMessage
from email import policy
scans, res, out = sys.argv[1:]
for j in sorted(glob.glob(f"{scans}/*-{res}.json")):
    data = json.load(open(j, encoding="utf-8"))
    name = os.path.basename(j)[:-5]
    image = j[:-5] + (".jpg" if res == "phone" else ".png")
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = f"{data['Imię']} {data['Nazwisko']} <{data['Adres e-mail']}>"
    m["To"] = "rejestracja@rops.example.pl"
    m["Subject"] = name
    m["Message-ID"] = f"<{name}@bench.example.pl>"
    m.set_content("W załączniku skan formularza.\n")
    kind = "jpeg" if image.endswith(".jpg") else "png"
    m.add_attachment(open(image, "rb").read(), maintype="image", subtype=kind,
                     filename=os.path.basename(image))
    open(os.path.join(out, name + ".eml"), "wb").write(m.as_bytes())
PY
	first=$(ls "$T/$res/mail"/*.eml | head -n 1)
	# peak RSS of one scan, in a throw-away copy of the instance
	cp -r "$T/$res" "$T/$res-one"
	rss=$(/usr/bin/time -f %M "$MAILREG" -c "$T/$res-one/etc/mailreg.conf" ingest "$first" 2>&1 >/dev/null | tail -n 1)
	/usr/bin/time -f "%e %U %S" -o "$T/$res.time" "$MAILREG" -c "$T/$res/etc/mailreg.conf" ingest "$T/$res/mail"/*.eml >/dev/null 2>&1 || :
	"$MAILREG" -c "$T/$res/etc/mailreg.conf" review --json >"$T/$res.json"
	python3 - "$T/scans" "$res" "$T/$res.json" "$T/$res.time" "$rss" <<'PY'
import json, sys
scans, res, review, timing, rss = sys.argv[1:]
rows = {r["subject"]: r.get("fields", {}) for r in json.load(open(review))}
keys = {"first_name": "Imię", "last_name": "Nazwisko", "institution": "Nazwa instytucji",
        "powiat": "Powiat / miasto na prawach powiatu", "email": "Adres e-mail", "phone": "Telefon"}
ticks = {"info_meeting": "Spotkanie informacyjne", "workshops": "Warsztaty i wizyta studyjna",
         "consulting": "Doradztwo", "training": "Szkolenie uzupełniające"}
import glob, os
right = total = 0
misses = {}
names = sorted(glob.glob(f"{scans}/*-{res}.json"))
for j in names:
    data = json.load(open(j, encoding="utf-8"))
    got = rows.get(os.path.basename(j)[:-5], {})
    want = {k: data[label] for k, label in keys.items()}
    want.update({k: "tak" if label in data["ticks"] else "nie" for k, label in ticks.items()})
    for k, v in want.items():
        total += 1
        g = got.get(k, {}).get("value")
        # an unticked box that was not read at all is "nie" too
        if g == v or (g is None and v == "nie" and k in ticks):
            right += 1
        else:
            misses[k] = misses.get(k, 0) + 1
wall, user, sys_ = (float(x) for x in open(timing).read().split()[-3:])
n = len(names)
print(f"{res:>5}: {right}/{total} fields read exactly ({100.0 * right / max(total, 1):.1f} %) over {n} scans; "
      f"misses by field: {dict(sorted(misses.items()))}")
print(f"       {n / max(user + sys_, 0.01):.2f} pages/s of CPU time, {n / max(wall, 0.01):.2f} pages/s wall-clock; "
      f"peak RSS of ingesting one scan {int(rss) // 1024} MB")
PY
done
