#!/bin/sh
# 0317-review-settle: a review item is settled in one of four ways (register,
# reject, answer, done), each in one transaction with its audit row and the
# reply it causes; the replies reach a real SMTP receiver threaded to the
# applicant's message; settling an item again is refused and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp.sh"

plan 29

X=$DATA/pipeline
make_instance
smtp_start
smtp_config
for n in 1 2 3 4; do
	sed -e "s/^Message-ID: <.*>/Message-ID: <pytanie-$n@ops-myszkow.example.pl>/" \
	    -e "s/^Subject: .*/Subject: Pytanie $n/" "$X/review-no-form.eml" >"$T/q$n.eml"
done
mr ingest "$T/q1.eml" "$T/q2.eml" "$T/q3.eml" "$T/q4.eml" >/dev/null 2>&1
id() { sql "SELECT id FROM messages WHERE message_id = 'pytanie-$1@ops-myszkow.example.pl'"; }
is "$(sql "SELECT count(*) FROM messages WHERE state = 'review' AND reviewed_at IS NULL")" 4 "setup: four review items"
is "$(mr review --json | "$PY" -c 'import json, sys; r = json.load(sys.stdin)[0]; print(r["reason_code"], "|", r["reason_pl"])')" \
	"no_form | W wiadomości nie znaleziono wypełnionego formularza zgłoszeniowego." \
	"review --json: the reason's stable code and its Polish text"
mr digest >/dev/null 2>&1
like "$(sql "SELECT CAST(b.raw AS TEXT) FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id WHERE o.kind = 'digest'" | tr '\n' ' ')" \
	"nr $(id 1) od halina.dudek@ops-myszkow.example.pl: +W wiadomo" "the digest lists each waiting item with its reason in Polish"
mr send >/dev/null 2>&1
rm -f "$RX"/*
snapshot() { sql "SELECT (SELECT group_concat(state || ':' || (reviewed_at IS NOT NULL), ' ') FROM messages),
	(SELECT count(*) FROM applicants), (SELECT count(*) FROM registrations), (SELECT count(*) FROM outbox),
	(SELECT count(*) FROM audit)"; }

# mail_of KIND ID - headers and text of the reply of KIND to message ID, as the receiver got it
mail_of() {
	f=$(grep -il "^Message-ID: <$(sql "SELECT message_id FROM outbox WHERE inbound_id = $2 AND kind = '$1'")>" "$RX"/*.eml)
	"$PY" - "$f" <<'PY'
import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
subj = str(email.header.make_header(email.header.decode_header(m["Subject"])))
print(m["To"], "|", subj, "|", m["In-Reply-To"], "|", m["References"])
for p in m.walk():
    if p.get_content_type() == "text/plain":
        print(p.get_payload(decode=True).decode())
PY
}

# --- register with typed fields
mr review register "$(id 1)" first_name=Halina last_name=Dudek institution="OPS Myszków" powiat=myszkowski \
	info_meeting=tak consent=tak >/dev/null 2>"$T/reg.err"
is "$?" 0 "review register exits 0"
mr send >/dev/null 2>&1
mail_of confirmation "$(id 1)" >"$T/conf"
like "$(head -1 "$T/conf")" "^Halina Dudek <halina.dudek@ops-myszkow.example.pl> \| .* \| <pytanie-1@ops-myszkow.example.pl> \|" \
	"the confirmation arrived at the receiver, threaded to the applicant's message"
like "$(cat "$T/conf")" "Kod zgłoszenia: ZG-" "it carries the registration code"
is "$(sql "SELECT actor || ' ' || action || ' ' || record FROM audit")" "cli review.register message:$(id 1)" \
	"one audit row: cli, review.register, the message"

# --- reject with problems
before=$(snapshot)
mr review reject "$(id 2)" "Brak formularza zgłoszeniowego w wiadomości." "Prosimy o podanie powiatu." \
	>"$T/rej.out" 2>"$T/rej.err"
is "$?" 0 "review reject exits 0"
is "$(cat "$T/rej.out")" "message $(id 2): rejected (2 problems)" "it says so"
is "$(sql "SELECT state || ' ' || (reviewed_at IS NOT NULL) FROM messages WHERE id = $(id 2)")" "rejected 1" \
	"the message is rejected, reviewed"
mr send >/dev/null 2>&1
mail_of rejection "$(id 2)" >"$T/rej"
like "$(head -1 "$T/rej")" "^Halina Dudek <halina.dudek@ops-myszkow.example.pl> \| Formularz zgłoszeniowy wymaga poprawek \| <pytanie-2@ops-myszkow.example.pl> \|" \
	"the rejection arrived, threaded"
like "$(tr '\n' ' ' <"$T/rej")" "1\. Brak formularza zgłoszeniowego w wiadomości\. 2\. Prosimy o podanie powiatu\." \
	"it lists the problems, numbered"
is "$(sql "SELECT count(*) FROM audit WHERE action = 'review.reject' AND record = 'message:$(id 2)' AND actor = 'cli'")" 1 \
	"one audit row for the rejection"

# --- answer with free text
mr review answer "$(id 3)" - >/dev/null 2>"$T/ans.err" <<'EOF2'
Szkolenia dla powiatu myszkowskiego zaczną się w marcu.
Formularz wyślemy osobno.
EOF2
is "$?" 0 "review answer exits 0"
is "$(sql "SELECT state || ' ' || (reviewed_at IS NOT NULL) FROM messages WHERE id = $(id 3)")" "review 1" \
	"the item is settled (still a review message, reviewed)"
mr send >/dev/null 2>&1
mail_of answer "$(id 3)" >"$T/ans"
is "$(head -1 "$T/ans")" "Halina Dudek <halina.dudek@ops-myszkow.example.pl> | Re: Pytanie 3 | <pytanie-3@ops-myszkow.example.pl> | <pytanie-3@ops-myszkow.example.pl>" \
	"the answer arrived: Re: subject, In-Reply-To and References the applicant's message"
like "$(tr '\n' ' ' <"$T/ans")" "Szkolenia dla powiatu myszkowskiego zaczną się w marcu\. Formularz wyślemy osobno\." \
	"it carries the staff member's text"
is "$(sql "SELECT count(*) FROM audit WHERE action = 'review.answer' AND record = 'message:$(id 3)'")" 1 \
	"one audit row for the answer"

is "$(sql "SELECT count(*) FROM outbox WHERE rcpt = 'halina.dudek@ops-myszkow.example.pl'")" 7 \
	"what staff decide is no automatic reply: past replies_per_sender_per_day (5) to one sender"

# --- done without a reply
n_out=$(sql "SELECT count(*) FROM outbox")
mr review done "$(id 4)" >/dev/null 2>&1
is "$?" 0 "review done exits 0"
is "$(sql "SELECT count(*) FROM outbox") $(sql "SELECT count(*) FROM audit WHERE action = 'review.done'")" "$n_out 1" \
	"no mail, one audit row"

# --- every settled item: every action again is refused, nothing changes
before=$(snapshot)
refused=0
for n in 1 2 3 4; do
	mr review done "$(id $n)" >/dev/null 2>>"$T/again.err"
	mr review answer "$(id $n)" Tekst >/dev/null 2>>"$T/again.err"
	mr review reject "$(id $n)" Problem >/dev/null 2>>"$T/again.err"
	mr review register "$(id $n)" first_name=Jan last_name=Nowak institution="OPS Kłobuck" powiat=kłobucki \
		info_meeting=tak consent=tak >/dev/null 2>>"$T/again.err" && refused=1
done
is "$refused" 0 "registering a settled item again fails"
is "$(grep -c 'already settled' "$T/again.err")" 16 "each of the 16 attempts is refused as already settled"
is "$(snapshot)" "$before" "nothing changed: states, applicants, registrations, outbox, audit"
mr review reject "$(id 2)" "X" >/dev/null 2>&1
is "$?" 65 "a refusal exits 65 (data error)"

# --- not a review item, no such message
mr ingest "$X/valid-8bit.eml" >/dev/null 2>&1
reg=$(sql "SELECT id FROM messages WHERE state = 'registered' AND reviewed_at IS NULL")
mr review answer "$reg" "Tekst" >/dev/null 2>"$T/notreview.err"
like "$(cat "$T/notreview.err")" "message $reg is not in review \(it is registered\): not a review item" \
	"a registered message is no review item"
mr review done 9999 >/dev/null 2>"$T/none.err"
like "$(cat "$T/none.err")" "message 9999 does not exist" "no such message"

# --- a crash before the commit keeps nothing: neither the answer nor its audit row
sed -e "s/^Message-ID: <.*>/Message-ID: <pytanie-5@ops-myszkow.example.pl>/" "$T/q1.eml" >"$T/q5.eml"
mr ingest "$T/q5.eml" >/dev/null 2>&1
before=$(snapshot)
need_faults
MAILREG_FAULT=review-before-commit mr review answer "$(id 5)" "Tekst" >/dev/null 2>&1
is "$(snapshot)" "$before" "killed before the commit: no answer, no audit row, item still open"
mr review answer "$(id 5)" "Tekst" >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM outbox WHERE kind = 'answer' AND inbound_id = $(id 5)") $(sql "SELECT count(*) FROM audit WHERE record = 'message:$(id 5)'")" \
	"1 1" "run again: answered once, one audit row"
done_testing
