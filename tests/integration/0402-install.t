#!/bin/sh
# make install into a DESTDIR: the tree, an example configuration that loads,
# and systemd units that `systemd-analyze verify` accepts and that `security`
# rates 2.0 or lower (the score is printed).
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip_all "systemd-analyze not installed"
plan 15

D=$T/root
# the plain build, also when the tests run under the sanitizers (SANITIZE=1)
env -u SANITIZE make -C "$ROOT" --no-print-directory install DESTDIR="$D" PREFIX=/usr/local >"$T/install.out" 2>&1
is $? 0 "make install DESTDIR=... exits 0"
check "binary installed, executable" test -x "$D/usr/local/bin/mailreg"
check "document reader installed where mailreg looks for it" test -x "$D/usr/local/libexec/mailreg/mailreg-reader"
check "templates and blank forms installed" \
	test -f "$D/usr/local/share/mailreg/templates/confirmation.txt" -a \
	     -f "$D/usr/local/share/mailreg/templates/form.ini" -a \
	     -f "$D/usr/local/share/mailreg/templates/forms/formularz.docx" -a \
	     -f "$D/usr/local/share/mailreg/templates/forms/formularz.pdf"
check "units installed" test -f "$D/usr/local/lib/systemd/system/mailreg.service" -a \
	-f "$D/usr/local/lib/systemd/system/mailreg-digest.timer"
check "configuration and catalog installed" test -f "$D/etc/mailreg/mailreg.conf" -a -f "$D/etc/mailreg/catalog.ini"

# the example configuration is valid: it fails later, opening the database in
# the missing state directory (EX_IOERR, 74), not on configuration (78) nor by
# a crash; where /var/lib/mailreg exists it works
"$D/usr/local/bin/mailreg" -c "$D/etc/mailreg/mailreg.conf" events >/dev/null 2>"$T/conf.err"
rc=$?
like "$rc $(head -1 "$T/conf.err")" "^(74 .*database /var/lib/mailreg/mailreg.db: open|0 )" \
	"installed configuration loads (exit $rc: the state directory is all that is missing)"
like "$(grep '^database' "$D/etc/mailreg/mailreg.conf")" "^database = /var/lib/mailreg/mailreg.db$" \
	"server paths: state under /var/lib/mailreg (StateDirectory=)"

# an upgrade keeps the administrator's configuration
echo "# local change" >>"$D/etc/mailreg/mailreg.conf"
env -u SANITIZE make -C "$ROOT" --no-print-directory install DESTDIR="$D" PREFIX=/usr/local >/dev/null 2>&1
like "$(tail -n 1 "$D/etc/mailreg/mailreg.conf")" "# local change" "reinstall keeps /etc/mailreg/mailreg.conf"

# the manuals: every command in mailreg(1), every configuration key in mailreg.conf(5)
man5=$D/usr/local/share/man/man5/mailreg.conf.5
missing=$(sed -n 's/^\t{ "\([a-z]*\)", "\([a-z_0-9]*\)", KEY_.*/\2/p' "$ROOT/src/core/config.c" | sort -u |
          while read -r key; do grep -q "^\.B $key\$" "$man5" || echo "$key"; done)
is "$missing" "" "mailreg.conf(5) documents every key the program knows"
missing=$(sed -n 's/^\t{ "\([a-z]*\)", cmd_.*/\1/p' "$ROOT/src/main.c" |
          while read -r cmd; do grep -Eq "^\.B[IR]? \"?$cmd\b" "$D/usr/local/share/man/man1/mailreg.1" || echo "$cmd"; done)
is "$missing" "" "mailreg(1) documents every command"
env -u SANITIZE make -C "$ROOT" --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr/local >/dev/null 2>&1
check "make uninstall removes the binary, keeps /etc/mailreg/mailreg.conf" \
	test ! -e "$D/usr/local/bin/mailreg" -a ! -e "$D/usr/local/libexec/mailreg" -a -f "$D/etc/mailreg/mailreg.conf"
env -u SANITIZE make -C "$ROOT" --no-print-directory install DESTDIR="$D" PREFIX=/usr/local >/dev/null 2>&1

units=$D/usr/local/lib/systemd/system
for u in mailreg.service mailreg-digest.service; do
	score=$(systemd-analyze security --offline=true "$units/$u" 2>/dev/null |
	        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "# systemd-analyze security $u: $score"
	ok "$(awk -v s="${score:-99}" 'BEGIN { print (s <= 2.0) ? 0 : 1 }')" "$u: exposure $score <= 2.0"
done

# verify checks the executables exist: point them into the DESTDIR for that
mkdir -p "$T/verify"
for u in "$units"/*.service "$units"/*.timer; do
	sed "s|/usr/local/bin/mailreg|$D/usr/local/bin/mailreg|g" "$u" >"$T/verify/${u##*/}"
done
(cd "$T/verify" && systemd-analyze verify mailreg.service mailreg-digest.service mailreg-digest.timer) \
	>"$T/verify.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/verify.out"
is "$rc" 0 "systemd-analyze verify accepts the units"
done_testing
