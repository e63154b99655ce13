#!/bin/sh
# Configuration: lookup order, relative paths, and errors that name file, group
# and key and exit with EX_CONFIG (78) - all problems in one pass.
. "$(dirname "$0")/lib.sh"
plan 15

make_instance
conf=$T/etc/mailreg.conf

MAILREG_CONFIG=$conf "$MAILREG" events >/dev/null 2>&1
ok $? "\$MAILREG_CONFIG is used when -c is absent"

cp "$conf" "$T/bad.conf"
cat >>"$T/bad.conf" <<'CONF'
[limits]
max_message_size = lots
colour = blue

[smtpd]
url = smtp://x
CONF
sed -i 's/^from = .*/from = not an address/' "$T/bad.conf"
out=$("$MAILREG" -c "$T/bad.conf" events 2>&1)
is $? 78 "bad configuration exits 78 (EX_CONFIG)"
like "$out" "bad.conf: \[limits\] max_message_size: 'lots' is not a size" "bad value named with file, group, key"
like "$out" "\[limits\] colour: unknown key; allowed: max_message_size, max_mime_depth, max_form_text, max_attachment_size" "unknown key lists allowed keys"
like "$out" "\[smtpd\]: unknown group" "unknown group reported"
like "$out" "\[mail\] from: 'not an address' is not an address" "bad address reported"
is "$(printf '%s\n' "$out" | grep -c '^  ')" 4 "all four problems reported in one pass"

printf '[mail]\nreply_to = a@b.pl\n' >"$T/nofrom.conf"
out=$("$MAILREG" -c "$T/nofrom.conf" events 2>&1)
is $? 78 "missing [mail] from exits 78"
like "$out" "\[mail\] from: missing" "missing from is named"

out=$("$MAILREG" -c "$T/nonexistent.conf" events 2>&1)
is $? 66 "missing configuration file exits 66 (EX_NOINPUT)"
like "$out" "nonexistent.conf" "missing file is named"

printf 'this is not ini\n' >"$T/garbage.conf"
"$MAILREG" -c "$T/garbage.conf" events >/dev/null 2>&1
is $? 78 "unparseable file exits 78"

# relative paths resolve against the configuration file's folder: run from
# another folder where ../var and ../spool would be found or made if they
# resolved against the working directory
mkdir -p "$T/cwd/sub"
(cd "$T/etc" && "$MAILREG" -c "$conf" events) >"$T/events-here" 2>&1
(cd "$T/cwd/sub" && "$MAILREG" -c "$conf" events) >"$T/events-there" 2>&1
is "$? $(ls "$T/cwd")" "0 sub" "relative paths work from any working directory (nothing made beside it)"
check "the same database is read from elsewhere" cmp "$T/events-here" "$T/events-there"

"$MAILREG" -c "$conf" frobnicate >/dev/null 2>&1
is $? 64 "unknown command exits 64 (EX_USAGE)"
done_testing
