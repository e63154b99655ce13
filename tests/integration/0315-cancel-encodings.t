#!/bin/sh
# 0315-cancel-encodings: a cancellation is read whatever shape the mail has.
# Intake looks for a registration code in the decoded bytes before reading a
# text part as text; these must all still be found: the word in one text part
# and the code in another (Apple Mail around an attachment), UTF-16 with a BOM
# in base64 (Notepad "Unicode"), quoted-printable windows-1250 with the code
# split by a soft line break.
. "$(dirname "$0")/lib.sh"

plan 6

P=$DATA/programme
make_instance
mr ingest "$P"/info-0[1-4].eml >/dev/null 2>&1
is "$?" 0 "ingest of 4 applications exits 0"
code() { sql "SELECT r.code FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik$1@mops-katowice.example.pl'"; }
status() { sql "SELECT r.status FROM registrations r JOIN applicants a ON a.id = r.applicant_id
	WHERE a.email = 'uczestnik$1@mops-katowice.example.pl'"; }

# head_of N TAG - the headers of a message from uczestnikN (its body follows).
head_of() { printf 'From: Uczestnik <uczestnik%s@mops-katowice.example.pl>\nTo: rejestracja@rops.example.pl\nSubject: Re: spotkanie\nMessage-ID: <%s.%s@mops-katowice.example.pl>\nDate: Thu, 20 Feb 2014 08:00:00 +0100\nMIME-Version: 1.0\n' "$1" "$2" "$1"; }

# 01: the word before an attachment, the code after it.
{ head_of 01 split; cat <<MAIL
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Dzień dobry, niestety rezygnuję z udziału.

--b1
Content-Type: application/pdf; name="skan.pdf"
Content-Disposition: attachment; filename="skan.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCg==

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Kod zgłoszenia: $(code 01)
--b1--
MAIL
} >"$T/c01.eml"

# 02: UTF-16LE with a BOM, base64.
{ head_of 02 utf16; printf 'Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n'
  printf 'Rezygnuję z udziału. Kod: %s\r\n' "$(code 02)" | python3 -c "import sys, base64
print(base64.encodebytes(b'\xff\xfe' + sys.stdin.buffer.read().decode().encode('utf-16-le')).decode())"
} >"$T/c02.eml"

# 03: quoted-printable windows-1250, the code broken by a soft line break.
c03=$(code 03)
{ head_of 03 qp; printf 'Content-Type: text/plain; charset=windows-1250\nContent-Transfer-Encoding: quoted-printable\n\n'
  printf 'Rezygnuj=EA z udzia=B3u.\nKod: %s=\n%s\n' "${c03%???}" "${c03#${c03%???}}"
} >"$T/c03.eml"

mr ingest "$T/c01.eml" "$T/c02.eml" "$T/c03.eml" >"$T/out" 2>&1
is "$?" 0 "ingest of 3 cancellations exits 0"
is "$(status 01)" cancelled "word and code in two text parts around an attachment: cancelled"
is "$(status 02)" cancelled "UTF-16LE with a BOM in base64: cancelled"
is "$(status 03)" cancelled "quoted-printable windows-1250, code split by a soft break: cancelled"
is "$(status 04)" confirmed "the fourth applicant is untouched"

done_testing
