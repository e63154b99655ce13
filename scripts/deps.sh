#!/bin/sh
# Install the Debian packages mailreg needs, only those missing.
#   scripts/deps.sh build   - to build and run mailreg
#   scripts/deps.sh test    - also what the tests need (clang + libclang-rt for tests/fuzz, valgrind,
#                             groff-base: the groff that man(1) uses, for the man page test)
#   scripts/deps.sh bench   - also Postfix's smtp-sink/smtp-source (tests/bench/smtp.sh);
#                             the Postfix service is neither configured nor started
set -eu
BUILD_PKGS="build-essential pkg-config tzdata libgmime-3.0-dev libglib2.0-dev libjson-glib-dev
 libsqlite3-dev uuid-dev libzip-dev libxml2-dev libpoppler-glib-dev libcurl4-openssl-dev libical-dev
 libtesseract-dev libleptonica-dev tesseract-ocr-pol libseccomp-dev libgsf-1-dev libmicrohttpd-dev libsodium-dev"
TEST_PKGS="perl sqlite3 python3 python3-aiosmtpd openssl dovecot-imapd isync systemd procps time
 clang libclang-rt-14-dev valgrind groff-base
 chromium chromium-driver python3-selenium curl"
# certificates of attendance: PDF by cairo + pango, in a font with Polish letters
BUILD_PKGS="$BUILD_PKGS libcairo2-dev libpango1.0-dev fonts-dejavu-core"
TEST_PKGS="$TEST_PKGS poppler-utils"

want=$BUILD_PKGS
[ "${1:-build}" = test ] && want="$want $TEST_PKGS"
[ "${1:-build}" = bench ] && want="$want $TEST_PKGS postfix"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; run: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
case " $missing " in
*" postfix "*)
	# only the smtp-sink/smtp-source binaries are wanted: no mail system, no service
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi ;;
esac
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The IMAP tests start their own Dovecot on free high ports; the system service
# the package starts (ports 143/993, system users) is not wanted on a test box.
case " $missing " in
*" dovecot-imapd "*)
	systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 ||
		service dovecot stop >/dev/null 2>&1 || true ;;
esac
