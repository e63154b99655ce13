#!/bin/sh
# make demo: a throwaway instance under build/demo on the embedded default (no
# mail server): init, ingest the sample applications from tests/data/demo,
# deliver the replies into a folder, and show what happened.
set -eu
bin=$1
root=$(pwd)
demo=$root/build/demo
rm -rf "$demo"
mkdir -p "$demo"
sed -e "s|^database = .*|database = $demo/mailreg.db|" \
    -e "s|^spool = .*|spool = $demo/spool|" \
    -e "s|^outgoing = .*|outgoing = $demo/outgoing|" \
    -e "s|^templates = .*|templates = $root/templates|" \
    -e "s|^form = .*|form = $root/templates/form.ini|" \
    -e "s|^catalog = .*|catalog = $root/etc/catalog.ini|" \
    etc/mailreg.conf >"$demo/mailreg.conf"
mr() { "$bin" -c "$demo/mailreg.conf" "$@"; }

echo "== mailreg init"
mr init
echo
echo "== mailreg ingest tests/data/demo (outcome, message, reason)"
mr ingest tests/data/demo
echo
echo "== mailreg send (directory transport)"
mr send 2>/dev/null
echo
echo "== mailreg applicants"
mr applicants
echo
echo "== mailreg outbox"
mr outbox
echo
echo "== replies written to $demo/outgoing:"
ls -1 "$demo/outgoing"
first=$(ls -1 "$demo/outgoing"/*.eml | head -n 1)
echo
echo "== the confirmation, decoded:"
for f in "$demo"/outgoing/*.eml; do
	if grep -q '^Subject: Potwierdzenie' "$f"; then
		python3 - "$f" <<'PY' 2>/dev/null || cat "$f"
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for h in ('From', 'To', 'Subject', 'In-Reply-To', 'Auto-Submitted'):
    print(f'{h}: {m[h]}')
print()
print(m.get_content())
PY
		break
	fi
done
