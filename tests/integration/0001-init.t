#!/bin/sh
# init creates an owner-only database and spool and loads the catalog, idempotently.
. "$(dirname "$0")/lib.sh"
plan 10

make_instance
check "database created" test -f "$T/var/mailreg.db"
is "$(stat -c %a "$T/var/mailreg.db")" 600 "database is owner-only (0600)"
is "$(stat -c %a "$T/spool/new")" 700 "spool folders are owner-only (0700)"
check "spool has tmp/ new/ cur/" test -d "$T/spool/tmp" -a -d "$T/spool/new" -a -d "$T/spool/cur"
is "$(sql 'PRAGMA journal_mode')" wal "database in WAL mode"
is "$(sql 'SELECT count(*) FROM events')" 32 "catalog: 32 events loaded"
is "$(sql "SELECT start || ' ' || place FROM sessions JOIN events e ON e.id = event_id WHERE e.code = 'INFO-CEN'")" \
   "2014-03-06T10:00 Katowice, Regionalny Ośrodek Polityki Społecznej, ul. Modelarska 10" \
   "central info meeting on 6 March 2014 in Katowice"
mr init >/dev/null
is "$(sql 'SELECT count(*) FROM events') $(sql 'SELECT count(*) FROM sessions')" "32 52" "init again changes nothing"

# debris of a crash during spooling is purged at start
echo partial >"$T/spool/tmp/0000-debris"
touch -d '2 days ago' "$T/spool/tmp/0000-debris"
echo partial >"$T/spool/tmp/0001-being-written"
mr ingest >/dev/null 2>&1
check "stale tmp/ file removed at start, a fresh one kept" \
	test ! -e "$T/spool/tmp/0000-debris" -a -e "$T/spool/tmp/0001-being-written"

sed 's/seats = 25/seats = 30/' "$ROOT/etc/catalog.ini" >"$T/catalog.ini"
sed -i "s|^catalog = .*|catalog = $T/catalog.ini|" "$T/etc/mailreg.conf"
mr init >/dev/null
is "$(sql "SELECT seats FROM events WHERE code = 'INFO-ZACH'")" 30 "catalog update by code"
done_testing
