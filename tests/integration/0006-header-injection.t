#!/bin/sh
# 0006-header-injection: sender-controlled text (From display name, Subject, form
# values) reaches reply headers; CR, LF and other line breaks in it must never
# start a header of their own or add a recipient.
. "$(dirname "$0")/lib.sh"

plan 29

P=$DATA/pipeline
make_instance

# Variants made at test time from inject-form-cr.eml: other line breaks and
# address syntax in the "Imię" value (U+2028, NEL, QP-encoded CR LF, a comma list).
python3 - "$P/inject-form-cr.eml" "$T" <<'EOF'
import sys
src, T = sys.argv[1:3]
d = open(src, "rb").read()
variants = {
    "u2028": "Adam\u2028Bcc: x@y.pl".encode(),
    "nel": "Adam\u0085Bcc: x@y.pl".encode(),
    "list": "Adam, Eve <eve@evil.example>, \"x\" <x@y.pl>".encode(),
}
for n, (name, value) in enumerate(sorted(variants.items())):
    v = d.replace(b"Adam\rBcc: x@y.pl", value)
    v = v.replace(b"20140222120000.667@", ("variant-%s@" % name).encode())
    v = v.replace(b"adam.kowalczyk@", ("adam.%s@" % name).encode())
    open("%s/%s.eml" % (T, name), "wb").write(v)
# quoted-printable body with "=0D=0A" inside the value
import quopri
head, body = d.split(b"\n\n", 1)
head = head.replace(b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: quoted-printable")
head = head.replace(b"20140222120000.667@", b"variant-qp@").replace(b"adam.kowalczyk@", b"adam.qp@")
body = body.replace(b"adam.kowalczyk@", b"adam.qp@").replace(b"Adam\rBcc: x@y.pl", b"Adam\r\nBcc: x@y.pl")
open(T + "/qp.eml", "wb").write(head + b"\n\n" + quopri.encodestring(body).replace(b"\r\n", b"=0D=0A"))
EOF

out=$(mr ingest "$P/inject-from-name.eml" "$P/inject-form-cr.eml" "$P/inject-subject.eml" \
	"$T/u2028.eml" "$T/nel.eml" "$T/list.eml" "$T/qp.eml" 2>"$T/err")
is "$? $(printf '%s\n' "$out" | awk '{print $1}' | tr '\n' ' ')" \
	"0 rejected registered review registered registered registered registered " \
	"ingest: 7 messages, each with its outcome"

# No stored value carries a line break.
is "$(sql "SELECT count(*) FROM applicants WHERE instr(first_name, char(13)) OR instr(first_name, char(10))
	OR instr(last_name, char(13)) OR instr(last_name, char(10))")" 0 "no stored first_name/last_name holds CR or LF"
is "$(sql "SELECT first_name FROM applicants WHERE email = 'adam.kowalczyk@ops-klobuck.example.pl'")" "Adam" \
	"inject-form-cr: first_name is 'Adam' (the CR ends the value)"
like "$(sql "SELECT first_name FROM applicants WHERE email = 'adam.u2028@ops-klobuck.example.pl'")" '^Adam( Bcc: x@y\.pl)?$' \
	"U+2028 in Imię: stored on one line"
is "$(sql "SELECT count(*) FROM applicants WHERE first_name LIKE '%' || char(8232) || '%' OR first_name LIKE '%' || char(133) || '%'")" 0 \
	"no stored first_name holds U+2028 or NEL"
is "$(sql "SELECT count(*) FROM messages WHERE instr(subject, char(13)) OR instr(subject, char(10))
	OR instr(sender, char(13)) OR instr(sender, char(10))")" 0 "no stored subject or sender holds CR or LF"

mr send >/dev/null 2>&1
is "$?" 0 "send exits 0"

# check FILE-SELECTOR RCPT LABEL: 3 assertions on the reply whose In-Reply-To is
# the given Message-ID (or the staff notice): the header block has only the
# headers mailreg writes (no Bcc/Cc, no stray line), To is exactly RCPT, no CR.
check_reply() {
	python3 - "$T/outgoing" "$1" "$2" <<'EOF'
import email, email.policy, glob, sys
outdir, mid, rcpt = sys.argv[1:4]
KNOWN = {"date", "from", "reply-to", "subject", "to", "message-id", "in-reply-to", "references",
         "auto-submitted", "x-auto-response-suppress", "mime-version", "content-type",
         "content-transfer-encoding"}
found = []
for p in glob.glob(outdir + "/*.eml"):
    raw = open(p, "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    if (mid == "staff" and m["In-Reply-To"] is None and "Pytanie" in str(m["Subject"])) or \
       m["In-Reply-To"] == "<%s>" % mid:
        found.append((raw, m))
if len(found) != 1:
    print("1\tfound %d replies" % len(found)); print("1\t-"); print("1\t-"); sys.exit()
raw, m = found[0]
head = raw.split(b"\n\n", 1)[0]
names = [l.split(b":", 1)[0].decode("ascii", "replace").lower() for l in head.split(b"\n")
         if l and l[:1] not in (b" ", b"\t")]
stray = [n for n in names if n not in KNOWN]
print("%d\theaders %s" % (0 if not stray and m["Bcc"] is None and m["Cc"] is None else 1, names))
to = m.get_all("To") or []
addrs = [a.addr_spec for h in to for a in h.addresses]
names_ok = all("\r" not in a.display_name and "\n" not in a.display_name for h in to for a in h.addresses)
print("%d\tTo %s" % (0 if len(to) == 1 and addrs == [rcpt] and names_ok else 1, addrs))
print("%d\tCR in header block: %s" % (0 if b"\r" not in head else 1, b"\r" in head))
EOF
}

for case in "20140222110000.666@ops-lubliniec.example.pl|jan.nowak@ops-lubliniec.example.pl|inject-from-name (rejection)" \
            "20140222120000.667@ops-klobuck.example.pl|adam.kowalczyk@ops-klobuck.example.pl|inject-form-cr (confirmation)" \
            "20140222130000.668@ops-czestochowa.example.pl|wieslaw.kubiak@ops-czestochowa.example.pl|inject-subject (review)" \
            "staff|kadry@rops.example.pl|inject-subject (staff notice)" \
            "variant-u2028@ops-klobuck.example.pl|adam.u2028@ops-klobuck.example.pl|U+2028 in Imię (confirmation)" \
            "variant-nel@ops-klobuck.example.pl|adam.nel@ops-klobuck.example.pl|NEL in Imię (confirmation)" \
            "variant-list@ops-klobuck.example.pl|adam.list@ops-klobuck.example.pl|address list in Imię (confirmation)"; do
	mid=${case%%|*}
	rest=${case#*|}
	rcpt=${rest%%|*}
	label=${rest#*|}
	check_reply "$mid" "$rcpt" >"$T/res"
	i=0
	for what in "only mailreg's own headers, no Bcc/Cc" "To is exactly <$rcpt>" "no CR in the header block"; do
		i=$((i + 1))
		st=$(sed -n "${i}p" "$T/res" | cut -f1)
		ok "${st:-1}" "$label: $what"
		[ "${st:-1}" = 0 ] || sed -n "${i}p" "$T/res" | cut -f2 | sed 's/^/#   /'
	done
done

# The QP variant decodes to CR LF inside the value: same guarantees.
check_reply "variant-qp@ops-klobuck.example.pl" "adam.qp@ops-klobuck.example.pl" | cut -f1 | tr -d '\n' >"$T/res"
is "$(cat "$T/res")" "000" "QP-encoded CR LF in Imię: clean headers, one To, no CR"

done_testing
