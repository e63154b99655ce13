#!/bin/sh
# 0206-rfc3834: no mail loops - every automatic message is recorded ignored with
# its reason and never answered; at most replies_per_sender_per_day replies to
# one address.
. "$(dirname "$0")/lib.sh"

plan 31

make_instance
printf '\n[smtp]\nurl = smtp://127.0.0.1:9\nenvelope_from = zwroty@rops.example.pl\n' >>"$T/etc/mailreg.conf"
V=$DATA/pipeline/valid-8bit.eml
n=0
# case HEADER-LINE REASON-REGEX [FROM-ADDRESS] - a valid form with HEADER-LINE added
case_() {
	n=$((n + 1))
	from=${3:-zofia.gesla@mops-katowice.example.pl}
	sed -e "s/^Message-ID: <.*>/Message-ID: <loop-$n@mops-katowice.example.pl>/" \
	    -e "s/^From: \(.*\) <zofia.gesla@mops-katowice.example.pl>/From: \1 <$from>/" \
	    -e "/^Return-Path:/d" "$V" | awk -v h="$1" 'NR == 1 && h != "" { print h } { print }' >"$T/c$n.eml"
	out=$(mr ingest "$T/c$n.eml" 2>/dev/null)
	like "$out" "^ignored .*$2" "${1:-From: $from} -> ignored ($2)"
}
case_ "Auto-Submitted: auto-replied" "Auto-Submitted: auto-replied"
case_ "Auto-Submitted: auto-generated; owner-email=x@y.pl" "Auto-Submitted"
case_ "Precedence: bulk" "Precedence: bulk"
case_ "Precedence: junk" "Precedence: junk"
case_ "Precedence: list" "Precedence: list"
case_ "Precedence: auto_reply" "Precedence: auto_reply"
case_ "List-Id: <szkolenia.lists.example.pl>" "List-Id"
case_ "List-Unsubscribe: <mailto:leave@lists.example.pl>" "List-Unsubscribe"
case_ "X-Autoreply: yes" "X-Autoreply"
case_ "X-Autorespond: Out of office" "X-Autoreply"
case_ "Return-Path: <>" "empty Return-Path"
case_ "" "automatic sender MAILER-DAEMON@|automatic sender mailer-daemon@" "MAILER-DAEMON@mops-katowice.example.pl"
case_ "" "automatic sender postmaster@" "postmaster@mops-katowice.example.pl"
case_ "" "automatic sender noreply@" "noreply@mops-katowice.example.pl"
case_ "" "automatic sender no-reply\\+news@" "no-reply+news@mops-katowice.example.pl"
case_ "" "automatic sender owner-szkolenia@" "owner-szkolenia@lists.example.pl"
case_ "" "automatic sender szkolenia-request@" "szkolenia-request@lists.example.pl"
case_ "" "From is our own address" "rejestracja@rops.example.pl"
case_ "" "From is our bounce address" "zwroty+1234@rops.example.pl"
# subj SUBJECT REASON-REGEX - the valid form under an out-of-office subject, no header says so
subj() {
	n=$((n + 1))
	sed -e "s/^Message-ID: <.*>/Message-ID: <loop-$n@mops-katowice.example.pl>/" \
	    -e "s/^Subject: .*/Subject: $1/" -e "/^Return-Path:/d" "$V" >"$T/c$n.eml"
	out=$(mr ingest "$T/c$n.eml" 2>/dev/null)
	like "$out" "^ignored .*$2" "Subject: $1 -> ignored"
}
subj "=?UTF-8?Q?Automatyczna_odpowied=C5=BA:_Zg=C5=82oszenie?=" "automatic reply \\(Subject: Automatyczna odpowiedź: Zgłoszenie\\)"
subj "=?UTF-8?Q?Odpowied=C5=BA_automatyczna:_Re:_formularz?=" "automatic reply"
subj "=?UTF-8?Q?Nieobecno=C5=9B=C4=87_do_14.03?=" "automatic reply"
subj "Out of Office: Zgloszenie" "automatic reply"
subj "Automatic reply: Zgloszenie" "automatic reply"
subj "AutoReply: Zgloszenie" "automatic reply"
n=$((n + 1))
sed -e "s/^Message-ID: <.*>/Message-ID: <0f1e2d3c-0000-4000-8000-00000000beef@rops.example.pl>/" "$V" >"$T/c$n.eml"
like "$(mr ingest "$T/c$n.eml" 2>/dev/null)" "^ignored .*Message-ID under our own domain" "a Message-ID under our domain -> ignored"
is "$(sql "SELECT count(*) FROM outbox")" 0 "none of them is answered"

# Auto-Submitted: no is a person.
sed -e "s/^Message-ID: <.*>/Message-ID: <person-1@mops-katowice.example.pl>/" "$V" |
	awk 'NR == 1 { print "Auto-Submitted: no" } { print }' >"$T/person.eml"
like "$(mr ingest "$T/person.eml" 2>/dev/null)" "^registered " "Auto-Submitted: no is answered"

# --- replies_per_sender_per_day -----------------------------------------------------
sed -i 's/^\[smtp\]$/[smtp]/; s/^domain = rops.example.pl$/domain = rops.example.pl\nreplies_per_sender_per_day = 3/' "$T/etc/mailreg.conf"
i=2
while [ $i -le 4 ]; do
	sed -e "s/^Message-ID: <.*>/Message-ID: <person-$i@mops-katowice.example.pl>/" "$V" >"$T/p$i.eml"
	mr ingest "$T/p$i.eml" >/dev/null 2>&1
	i=$((i + 1))
done
is "$(sql "SELECT count(*) FROM outbox WHERE rcpt = 'zofia.gesla@mops-katowice.example.pl'") $(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'person-%' AND state = 'registered'")" \
	"3 4" "replies_per_sender_per_day = 3: the 4th form is registered but not answered"
like "$(sql "SELECT reason FROM messages WHERE message_id = 'person-4@mops-katowice.example.pl'")" \
	"not answered: 3 replies to zofia.gesla@mops-katowice.example.pl in the last 24 hours \(replies_per_sender_per_day = 3\)" \
	"its reason says why it was not answered"
# an absence mentioned later in the subject is a person writing
sed -e "s/^Message-ID: <.*>/Message-ID: <person-0@mops-katowice.example.pl>/" \
    -e "s/^Subject: .*/Subject: Zgloszenie (nieobecnosc w marcu)/" "$V" |
	sed -e "s/zofia.gesla@/zofia.gesla2@/g" >"$T/person0.eml"
like "$(mr ingest "$T/person0.eml" 2>/dev/null)" "^(registered|rejected) " "a subject only mentioning an absence is answered"
done_testing
