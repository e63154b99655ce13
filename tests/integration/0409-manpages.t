#!/bin/sh
# The installed manuals, mailreg(1) and mailreg.conf(5) (generated from
# etc/mailreg.conf by man/conf-to-man.sh), render without a single groff
# warning: on the default device and the terminal ones man(1) uses, in a UTF-8
# and a plain C locale.  A warning is text that reads wrong ("\Seen" taken for
# an escape, a letter the device lacks).
. "$(dirname "$0")/lib.sh"
plan 7

# scripts/install.sh as `make install` runs it, with stand-in binaries: only the
# pages matter here, and no make runs beside the other tests' builds.
mkdir -p "$T/build"
: >"$T/build/mailreg"
: >"$T/build/mailreg-reader"
D=$T/root
(cd "$ROOT" && scripts/install.sh "$T/build" /usr "$D") >"$T/install.out" 2>&1
is $? 0 "scripts/install.sh DESTDIR=... exits 0"
man1=$D/usr/share/man/man1/mailreg.1
man5=$D/usr/share/man/man5/mailreg.conf.5

check "groff is installed (groff-base: scripts/deps.sh test)" command -v groff
for page in "$man1" "$man5"; do
	warnings=$(for loc in C.UTF-8 C; do
		for dev in ps utf8 ascii; do
			LC_ALL=$loc groff -k -man -ww -z -T$dev "$page" 2>&1 | sed "s/^/$loc -T$dev: /"
		done
	done)
	is "$warnings" "" "${page##*/}: groff -k -man -ww -z prints nothing"
done

# what the reader sees: a backslash in the example configuration is printed
# as one, and mailreg(1) keeps the Polish label in UTF-8
like "$(LC_ALL=C.UTF-8 groff -k -man -Tutf8 "$man5" 2>&1 | sed 's/.\x08//g' | tr -s ' \n' ' ')" \
	'get \\Seen\.' "mailreg.conf(5): \\Seen printed as written"
like "$(LC_ALL=C.UTF-8 groff -k -man -Tutf8 "$man1" 2>&1 | sed 's/.\x08//g')" 'Imię' \
	"mailreg(1): ę in a UTF-8 terminal"
like "$(LC_ALL=C groff -k -man -Tascii "$man1" 2>&1 | sed 's/.\x08//g')" 'Imie' \
	"mailreg(1): a plain e on an ASCII terminal"
done_testing
