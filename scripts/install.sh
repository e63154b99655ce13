#!/bin/sh
# make install: the binary and its document reader, templates, blank forms, systemd units and an
# example configuration for a server.
#   scripts/install.sh BUILD_DIR PREFIX DESTDIR
# Units go to PREFIX/lib/systemd/system with ExecStart pointing at
# PREFIX/bin/mailreg; /etc/mailreg/mailreg.conf and catalog.ini are written only
# when absent (an upgrade never overwrites the administrator's files; the
# current examples are always installed as *.example beside them).
#   scripts/install.sh --uninstall PREFIX DESTDIR
# (uninstall removes what install put there, but not /etc/mailreg/mailreg.conf,
# catalog.ini or the state in /var/lib/mailreg)
set -eu
if [ "$1" = --uninstall ]; then
	prefix=$2
	destdir=${3:-}
	rm -f "$destdir$prefix/bin/mailreg" "$destdir$prefix/libexec/mailreg/mailreg-reader" \
	      "$destdir$prefix/share/man/man1/mailreg.1" \
	      "$destdir$prefix/share/man/man5/mailreg.conf.5" \
	      "$destdir$prefix/lib/systemd/system/mailreg.service" \
	      "$destdir$prefix/lib/systemd/system/mailreg-digest.service" \
	      "$destdir$prefix/lib/systemd/system/mailreg-digest.timer" \
	      "$destdir/etc/mailreg/mailreg.conf.example" "$destdir/etc/mailreg/catalog.ini.example"
	rmdir "$destdir$prefix/libexec/mailreg" 2>/dev/null || true
	rm -rf "$destdir$prefix/share/mailreg" "$destdir$prefix/share/doc/mailreg"
	echo "uninstalled from ${destdir:-/}$prefix (kept /etc/mailreg and /var/lib/mailreg)"
	exit 0
fi
build=$1
prefix=$2
destdir=${3:-}
bin=$prefix/bin
share=$prefix/share/mailreg
units=$prefix/lib/systemd/system
etc=/etc/mailreg

install -d "$destdir$bin" "$destdir$share/templates/forms" "$destdir$units" "$destdir$etc" \
	"$destdir$prefix/share/doc/mailreg"
install -m 0755 "$build/mailreg" "$destdir$bin/mailreg"
# the sandboxed document reader, where mailreg (built with this PREFIX) looks
install -d "$destdir$prefix/libexec/mailreg"
install -m 0755 "$build/mailreg-reader" "$destdir$prefix/libexec/mailreg/mailreg-reader"
install -m 0644 templates/*.txt templates/*.ini "$destdir$share/templates/"
install -m 0644 templates/forms/formularz.txt templates/forms/formularz.docx \
	templates/forms/formularz.odt templates/forms/formularz.pdf "$destdir$share/templates/forms/"
install -m 0644 README.md docs/*.md "$destdir$prefix/share/doc/mailreg/"
install -d "$destdir$prefix/share/man/man1" "$destdir$prefix/share/man/man5"
install -m 0644 man/mailreg.1 "$destdir$prefix/share/man/man1/mailreg.1"
man/conf-to-man.sh etc/mailreg.conf >"$destdir$prefix/share/man/man5/mailreg.conf.5"
chmod 0644 "$destdir$prefix/share/man/man5/mailreg.conf.5"
for u in systemd/*.service systemd/*.timer; do
	sed -e "s|/usr/local/bin/mailreg|$bin/mailreg|g" \
	    -e "s|/usr/local/share/doc/mailreg|$prefix/share/doc/mailreg|g" "$u" >"$destdir$units/${u##*/}"
	chmod 0644 "$destdir$units/${u##*/}"
done

# The example configuration, with the paths of a server (StateDirectory=mailreg).
sed -e "s|^database = .*|database = /var/lib/mailreg/mailreg.db|" \
    -e "s|^spool = .*|spool = /var/lib/mailreg/spool|" \
    -e "s|^outgoing = .*|outgoing = /var/lib/mailreg/outgoing|" \
    -e "s|^#inbox = .*|#inbox = /var/lib/mailreg/inbox|" \
    -e "s|^templates = .*|templates = $share/templates|" \
    -e "s|^form = .*|form = $share/templates/form.ini|" \
    -e "s|^catalog = .*|catalog = $etc/catalog.ini|" \
    etc/mailreg.conf >"$destdir$etc/mailreg.conf.example"
install -m 0644 etc/catalog.ini "$destdir$etc/catalog.ini.example"
chmod 0644 "$destdir$etc/mailreg.conf.example"
[ -e "$destdir$etc/mailreg.conf" ] || cp -p "$destdir$etc/mailreg.conf.example" "$destdir$etc/mailreg.conf"
[ -e "$destdir$etc/catalog.ini" ] || cp -p "$destdir$etc/catalog.ini.example" "$destdir$etc/catalog.ini"
echo "installed into ${destdir:-/}: $bin/mailreg, $share, $units, $etc"
