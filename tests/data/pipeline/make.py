#!/usr/bin/env python3
"""make.py - write the whole-pipeline fixtures tests/data/pipeline/*.eml.

Run from anywhere: `python3 tests/data/pipeline/make.py`.  Only the standard
library; the output is deterministic, and the generated files are committed so
the integration tests (tests/integration/0003-0007) never need Python to make
them.  Each message is what a real client sends: a filled copy of the text form
(the layout of templates/forms/formularz.txt) in the body or as an attachment,
in UTF-8, quoted-printable, base64, windows-1250 or ISO-8859-2.

Message-IDs are fixed; the tests key their expectations on them and on the
applicant's e-mail address.
"""
import base64
import os
import quopri
from email.header import Header

HERE = os.path.dirname(os.path.abspath(__file__))
TO = "Rejestracja ROPS <rejestracja@rops.example.pl>"

# The blank form, line for line as templates/forms/formularz.txt (a snapshot: the
# fixtures must not change when someone edits the template's wording).
BLANK = """FORMULARZ ZGŁOSZENIOWY
Regionalny Ośrodek Polityki Społecznej w Katowicach — program szkoleniowy 2014
Wypełnij formularz (wpisz dane po dwukropku, zaznacz wybrane formy wsparcia znakiem X w nawiasie [ ]) i odeślij go w treści wiadomości lub jako załącznik.

DANE UCZESTNIKA
Imię:
Nazwisko:
Adres e-mail:
Telefon:
Nazwa instytucji:
Typ instytucji (OPS, PCPR, ROPS, CIS, KIS, ZAZ, WTZ, NGO, JST, inne):
Stanowisko:
Powiat / miasto na prawach powiatu:
Subregion (centralny, północny, południowy, zachodni):

FORMY WSPARCIA (zaznacz co najmniej jedną)
[ ] Spotkanie informacyjne
[ ] Warsztaty i wizyta studyjna
[ ] Doradztwo
Temat doradztwa (1 – Ekonomia społeczna, 2 – Budowanie partnerstw lokalnych, 3 – Praca ze środowiskiem lokalnym, 4 – Przygotowanie i realizacja projektów systemowych):
[ ] Szkolenie uzupełniające

Szczególne potrzeby:
Proponowana tematyka:

[ ] Wyrażam zgodę na przetwarzanie moich danych osobowych
"""

# form key -> the start of its line in BLANK
LINE_OF = {
    "first_name": "Imię:",
    "last_name": "Nazwisko:",
    "email": "Adres e-mail:",
    "phone": "Telefon:",
    "institution": "Nazwa instytucji:",
    "institution_type": "Typ instytucji",
    "position": "Stanowisko:",
    "powiat": "Powiat / miasto",
    "subregion": "Subregion",
    "consulting_topic": "Temat doradztwa",
    "needs": "Szczególne potrzeby:",
    "topics": "Proponowana tematyka:",
}
BOX_OF = {
    "info": "[ ] Spotkanie informacyjne",
    "workshops": "[ ] Warsztaty i wizyta studyjna",
    "consulting": "[ ] Doradztwo",
    "training": "[ ] Szkolenie uzupełniające",
    "consent": "[ ] Wyrażam zgodę",
}


def form(values, ticks=("info",), consent=True, latin2=False):
    """The blank form filled with @values (key -> text), the boxes in @ticks
    ticked with "[X]".  @latin2: only characters ISO-8859-2 has (dashes become
    hyphens), as a client saving in that charset would write."""
    ticks = set(ticks) | ({"consent"} if consent else set())
    out = []
    for line in BLANK.splitlines():
        for key, start in LINE_OF.items():
            if line.startswith(start) and values.get(key):
                line = line + " " + values[key]
        for key, start in BOX_OF.items():
            if line.startswith(start) and key in ticks:
                line = "[X]" + line[3:]
        out.append(line)
    text = "\n".join(out) + "\n"
    if latin2:
        text = text.replace("—", "-").replace("–", "-").replace("„", '"').replace("”", '"')
    return text


def person(**kw):
    base = {
        "phone": "32 200 00 00",
        "institution_type": "OPS",
        "position": "pracownik socjalny",
        "needs": "brak",
        "topics": "",
    }
    base.update(kw)
    return base


def enc_header(value):
    """An RFC 2047 encoded header value (folded) when @value is not ASCII."""
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        return Header(value, "utf-8", maxlinelen=76).encode()


def mailbox(name, addr):
    return "%s <%s>" % (enc_header(name), addr) if name else "<%s>" % addr


def headers(mid, from_, subject, date, extra=()):
    h = [
        ("Return-Path", "<%s>" % from_.split("<")[-1].rstrip(">")),
        ("Date", date),
        ("From", from_),
        ("To", TO),
        ("Subject", enc_header(subject)),
        ("Message-ID", "<%s>" % mid),
    ]
    h.extend(extra)
    h.append(("MIME-Version", "1.0"))
    return h


def render(hdrs, body, nl=b"\n"):
    """Header lines then @body (bytes, lines already ending in @nl)."""
    out = b""
    for name, value in hdrs:
        out += ("%s: %s" % (name, value)).encode("ascii") + nl
    return out + nl + body


def lines(text, charset="utf-8", nl=b"\n"):
    return nl.join(text.encode(charset).split(b"\n"))


def qp(text, charset="utf-8"):
    return quopri.encodestring(text.encode(charset))


def b64(data, nl=b"\n"):
    raw = base64.encodebytes(data)
    return nl.join(raw.split(b"\n"))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


GREETING = "Dzień dobry,\n\nw odpowiedzi na ogłoszenie przesyłam wypełniony formularz zgłoszeniowy.\n\n"
SIGNOFF = "\nZ poważaniem\n%s\n"

# The institution the three legacy-charset fixtures share: Ś, ź and ą are each
# encoded differently in windows-1250 and ISO-8859-2.
SDS = "Środowiskowy Dom Samopomocy Przyjaźń w Dąbrowie Górniczej"


def simple(name, mid, who, addr, subject, text, charset="utf-8", cte="8bit", date=None,
           extra=(), nl=b"\n", declare_charset=True):
    date = date or "Mon, 17 Feb 2014 09:12:44 +0100"
    if cte == "quoted-printable":
        body = qp(text, charset)
    elif cte == "base64":
        body = b64(text.encode(charset), nl)
    else:
        body = lines(text, charset, nl)
    ct = "text/plain; charset=%s" % charset if declare_charset else "text/plain"
    h = headers(mid, mailbox(who, addr), subject, date, extra)
    h += [("Content-Type", ct), ("Content-Transfer-Encoding", cte)]
    write(name, render(h, body, nl))


def main():
    # --- registered ------------------------------------------------------
    zofia = person(first_name="Zofia", last_name="Gęślą", email="zofia.gesla@mops-katowice.example.pl",
                   phone="+48 32 251 00 11",
                   institution="Miejski Ośrodek Pomocy Społecznej w Katowicach",
                   position="starszy pracownik socjalny", powiat="Katowice", subregion="centralny",
                   consulting_topic="2", topics="ekonomia społeczna w gminie, partnerstwo z NGO")
    simple("valid-8bit.eml", "20140217091244.4417@mops-katowice.example.pl", "Zofia Gęślą",
           "zofia.gesla@mops-katowice.example.pl", "Zgłoszenie na szkolenia ROPS",
           GREETING + form(zofia, ("info", "workshops", "consulting", "training")) + SIGNOFF % "Zofia Gęślą",
           extra=[("User-Agent", "Mozilla/5.0 (Windows NT 6.1; rv:24.0) Gecko/20100101 Thunderbird/24.3.0")])

    lucja = person(first_name="Łucja", last_name="Gęślą", email="lucja.gesla@gops-pszczyna.example.pl",
                   institution="Gminny Ośrodek Pomocy Społecznej w Pszczynie", powiat="pszczyński",
                   subregion="centralny", position="kierownik działu świadczeń")
    simple("valid-qp.eml", "52FB4A11.6020404@gops-pszczyna.example.pl", "Łucja Gęślą",
           "lucja.gesla@gops-pszczyna.example.pl", "Formularz zgłoszeniowy – GOPS Pszczyna",
           GREETING + form(lucja, ("info", "training")) + SIGNOFF % "Łucja Gęślą",
           cte="quoted-printable",
           extra=[("User-Agent", "Mozilla/5.0 (Windows NT 6.1; rv:24.0) Gecko/20100101 Thunderbird/24.3.0")])

    zaneta = person(first_name="Żaneta", last_name="Gęślą", email="zaneta.gesla@pcpr-zywiec.example.pl",
                    institution="Powiatowe Centrum Pomocy Rodzinie w Żywcu", institution_type="PCPR",
                    powiat="żywiecki", subregion="południowy", position="specjalista pracy z rodziną",
                    needs="dieta bezglutenowa")
    simple("valid-base64.eml", "0F6B1E2C9A3D4B7E8F9A0B1C2D3E4F50@EXCH01.pcpr-zywiec.example.pl",
           "Gęślą Żaneta", "zaneta.gesla@pcpr-zywiec.example.pl", "Zgłoszenie - warsztaty",
           GREETING + form(zaneta, ("workshops",)) + SIGNOFF % "Żaneta Gęślą",
           cte="base64", nl=b"\r\n",
           extra=[("X-Mailer", "Microsoft Outlook 14.0"), ("Thread-Index", "Ac8rxWZpQWx0Zm9ybXVsYXJ6")])

    grazyna = person(first_name="Grażyna", last_name="Gęślą", email="grazyna.gesla@sds-dabrowa.example.pl",
                     institution=SDS, institution_type="inne", powiat="Dąbrowa Górnicza",
                     subregion="centralny", position="terapeuta zajęciowy")
    simple("cp1250-charset.eml", "000801cf2bc5$66a9a3a0$33fceae0$@sds-dabrowa.example.pl", "Grażyna Gęślą",
           "grazyna.gesla@sds-dabrowa.example.pl", "Zgłoszenie na spotkanie informacyjne",
           GREETING + form(grazyna, ("info",)) + SIGNOFF % "Grażyna Gęślą",
           charset="windows-1250", extra=[("X-Mailer", "Microsoft Outlook 12.0")], nl=b"\r\n")

    bozena = person(first_name="Bożena", last_name="Gęślą", email="bozena.gesla@sds-dabrowa.example.pl",
                    institution=SDS, institution_type="inne", powiat="Dąbrowa Górnicza",
                    subregion="centralny", position="opiekun")
    simple("iso88592-charset.eml", "5301F1C4.2050708@sds-dabrowa.example.pl", "Bożena Gęślą",
           "bozena.gesla@sds-dabrowa.example.pl", "Zgłoszenie",
           GREETING + form(bozena, ("info", "training"), latin2=True) + SIGNOFF % "Bożena Gęślą",
           charset="iso-8859-2", extra=[("User-Agent", "Opera Mail/12.16 (Win32)")])

    # windows-1250 bytes and no charset at all: an old webmail form post
    malgorzata = person(first_name="Małgorzata", last_name="Gęślą",
                        email="malgorzata.gesla@sds-dabrowa.example.pl", institution=SDS,
                        institution_type="inne", powiat="Dąbrowa Górnicza", subregion="centralny",
                        position="pracownik socjalny")
    simple("cp1250-nocharset.eml", "20140218103355.GA7781@poczta.sds-dabrowa.example.pl", None,
           "malgorzata.gesla@sds-dabrowa.example.pl", "formularz",
           GREETING + form(malgorzata, ("info",)) + SIGNOFF % "Małgorzata Gęślą",
           charset="windows-1250", declare_charset=False)

    # A reply quoting the ROPS mail with the blank form, filled inside the quote.
    tomasz = person(first_name="Tomasz", last_name="Wróbel", email="tomasz.wrobel@mops-gliwice.example.pl",
                    institution="Miejski Ośrodek Pomocy Społecznej w Gliwicach", powiat="Gliwice",
                    subregion="centralny", position="asystent rodziny")
    quoted = "".join("> " + l + "\n" if l else ">\n" for l in form(tomasz, ("info",)).splitlines())
    text = ("Dzień dobry,\nformularz uzupełniony poniżej.\nPozdrawiam\nTomasz Wróbel\n\n"
            "W dniu 2014-02-14 12:01, Rejestracja ROPS pisze:\n"
            "> Szanowni Państwo,\n> w załączeniu przesyłamy formularz zgłoszeniowy.\n>\n" + quoted)
    simple("quoted-reply.eml", "52FE0A7B.9010503@mops-gliwice.example.pl", "Tomasz Wróbel",
           "tomasz.wrobel@mops-gliwice.example.pl", "Re: Formularz zgłoszeniowy – program szkoleniowy 2014",
           text, extra=[("In-Reply-To", "<3f1c7e20-0a77-4c55-9d1e-1b0c6f0e5a11@rops.example.pl>"),
                        ("References", "<3f1c7e20-0a77-4c55-9d1e-1b0c6f0e5a11@rops.example.pl>")])

    # The form as a .txt attachment; the body only says so.
    krzysztof = person(first_name="Krzysztof", last_name="Ślęzak", email="krzysztof.slezak@ops-bielsko.example.pl",
                       institution="Gminny Ośrodek Pomocy Społecznej w Jasienicy", powiat="powiat bielski",
                       subregion="południowy", position="kierownik")
    h = headers("CAF9x7pQ3k0v=Lq2dS_1m8bZr@mail.gmail.example.com", mailbox("Krzysztof Ślęzak",
                "krzysztof.slezak@ops-bielsko.example.pl"), "formularz zgłoszeniowy",
                "Tue, 18 Feb 2014 14:03:10 +0100")
    h.append(("Content-Type", 'multipart/mixed; boundary="001a11c2f0b8c3c1e004f2aa1b2c"'))
    body = lines("--001a11c2f0b8c3c1e004f2aa1b2c\n"
                 "Content-Type: text/plain; charset=UTF-8\n"
                 "Content-Transfer-Encoding: 8bit\n\n"
                 "Dzień dobry,\nw załączeniu przesyłam wypełniony formularz.\n\nKrzysztof Ślęzak\n\n"
                 "--001a11c2f0b8c3c1e004f2aa1b2c\n"
                 'Content-Type: text/plain; charset=UTF-8; name="formularz.txt"\n'
                 'Content-Disposition: attachment; filename="formularz.txt"\n'
                 "Content-Transfer-Encoding: base64\n\n")
    body += b64(form(krzysztof, ("info",)).encode("utf-8"))
    body += b"\n--001a11c2f0b8c3c1e004f2aa1b2c--\n"
    write("attachment-txt.eml", render(h, body))

    # --- rejected ----------------------------------------------------------
    ewa = person(first_name="Ewa", last_name=None, email="ewa.mazur@mops-tychy.example.pl",
                 institution="Miejski Ośrodek Pomocy Społecznej w Tychach", powiat="Tychy", subregion="centralny")
    simple("reject-no-lastname.eml", "20140219081502.1234@mops-tychy.example.pl", "Ewa Mazur",
           "ewa.mazur@mops-tychy.example.pl", "zgłoszenie", GREETING + form(ewa) + SIGNOFF % "Ewa")

    piotr = person(first_name="Piotr", last_name="Zieliński", email="piotr.zielinski@ngo-warszawa.example.pl",
                   institution="Fundacja Aktywnej Integracji", institution_type="NGO", powiat="Warszawa",
                   subregion="")
    simple("reject-powiat-warszawa.eml", "1392800100.52304.piotr@ngo-warszawa.example.pl", "Piotr Zieliński",
           "piotr.zielinski@ngo-warszawa.example.pl", "Zgłoszenie udziału",
           GREETING + form(piotr) + SIGNOFF % "Piotr Zieliński")

    anna = person(first_name="Anna", last_name="Kaczmarek", email="anna.kaczmarek@cis-zabrze.example.pl",
                  institution="Centrum Integracji Społecznej w Zabrzu", institution_type="CIS", powiat="Zabrze",
                  subregion="centralny")
    simple("reject-no-support.eml", "20140219120000.77@cis-zabrze.example.pl", "Anna Kaczmarek",
           "anna.kaczmarek@cis-zabrze.example.pl", "formularz zgłoszeniowy",
           GREETING + form(anna, ticks=()) + SIGNOFF % "Anna Kaczmarek")

    jerzy = person(first_name="Jerzy", last_name="Pawlak", email="jerzy.pawlak@pcpr-cieszyn.example.pl",
                   institution="Powiatowe Centrum Pomocy Rodzinie w Cieszynie", institution_type="PCPR",
                   powiat="cieszyński", subregion="południowy")
    simple("reject-no-consent.eml", "20140219133010.31@pcpr-cieszyn.example.pl", "Jerzy Pawlak",
           "jerzy.pawlak@pcpr-cieszyn.example.pl", "Zgłoszenie PCPR Cieszyn",
           GREETING + form(jerzy, ("info",), consent=False) + SIGNOFF % "Jerzy Pawlak")

    marek = person(first_name="Marek", last_name="Nowak", email="marek.nowak(at)ops-tychy",
                   institution="Ośrodek Pomocy Społecznej w Bieruniu", powiat="bieruńsko-lędziński",
                   subregion="centralny")
    simple("reject-bad-email.eml", "20140219140000.5@ops-bierun.example.pl", "Marek Nowak",
           "marek.nowak@ops-bierun.example.pl", "Zgłoszenie",
           GREETING + form(marek) + SIGNOFF % "Marek Nowak")

    # --- review, ignored -----------------------------------------------------
    simple("review-no-form.eml", "20140220073011.9@ops-myszkow.example.pl", "Halina Dudek",
           "halina.dudek@ops-myszkow.example.pl", "Pytanie o szkolenia",
           "Dzień dobry,\n\nczy w tym roku planowane są szkolenia dla pracowników socjalnych z powiatu\n"
           "myszkowskiego? Proszę o informację, w jaki sposób można się zgłosić.\n\n"
           "Z poważaniem\nHalina Dudek\nOPS Myszków\n")

    # An out-of-office answer quoting a filled form: RFC 3834 says never answer it.
    beata = person(first_name="Beata", last_name="Sikora", email="beata.sikora@mops-rybnik.example.pl",
                   institution="Miejski Ośrodek Pomocy Społecznej w Rybniku", powiat="Rybnik",
                   subregion="zachodni")
    quoted = "".join("> " + l + "\n" for l in form(beata).splitlines())
    simple("autoreply.eml", "AM3PR01MB0011.auto.20140220@mops-rybnik.example.pl", "Beata Sikora",
           "beata.sikora@mops-rybnik.example.pl", "Automatyczna odpowiedź: Formularz zgłoszeniowy",
           "Dzień dobry,\n\njestem na urlopie do 3 marca 2014 r. W pilnych sprawach proszę o kontakt\n"
           "z sekretariatem MOPS, tel. 32 422 00 00.\n\nBeata Sikora\n\n" + quoted,
           extra=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")])

    # --- resubmission: same address, a new Message-ID, one more form of support ----
    agnieszka = person(first_name="Agnieszka", last_name="Wójcik", email="agnieszka.wojcik@mops-zory.example.pl",
                       institution="Miejski Ośrodek Pomocy Społecznej w Żorach", powiat="Żory",
                       subregion="zachodni", phone="32 434 00 01", position="pracownik socjalny")
    simple("resubmit-1.eml", "20140221090000.100@mops-zory.example.pl", "Agnieszka Wójcik",
           "agnieszka.wojcik@mops-zory.example.pl", "Zgłoszenie",
           GREETING + form(agnieszka, ("info",)) + SIGNOFF % "Agnieszka Wójcik",
           date="Fri, 21 Feb 2014 09:00:00 +0100")
    agnieszka2 = dict(agnieszka, phone="32 434 00 99", position="starszy pracownik socjalny")
    simple("resubmit-2.eml", "20140224101500.200@mops-zory.example.pl", "Agnieszka Wójcik",
           "agnieszka.wojcik@mops-zory.example.pl", "Re: Potwierdzenie zgłoszenia – program szkoleniowy ROPS Katowice",
           "Dzień dobry,\nprzesyłam poprawiony formularz - dopisuję szkolenie uzupełniające.\n\n"
           + form(agnieszka2, ("info", "training")) + SIGNOFF % "Agnieszka Wójcik",
           date="Mon, 24 Feb 2014 10:15:00 +0100")

    # --- header injection ------------------------------------------------------
    # From display name: one encoded word that decodes to CR LF + "Bcc: ...".
    evil = base64.b64encode("Jan Nowak\r\nBcc: victim@example.com".encode()).decode()
    jan = person(first_name="Jan", last_name="Nowak", email="jan.nowak@ops-lubliniec.example.pl",
                 institution="Ośrodek Pomocy Społecznej w Lublińcu", powiat="lubliniecki", subregion="północny")
    simple("inject-from-name.eml", "20140222110000.666@ops-lubliniec.example.pl", None,
           "jan.nowak@ops-lubliniec.example.pl", "Zgłoszenie",
           GREETING + form(jan, ("info",), consent=False) + SIGNOFF % "Jan Nowak")
    # patch the From line: the name is the raw encoded word (no re-encoding)
    path = os.path.join(HERE, "inject-from-name.eml")
    with open(path, "rb") as f:
        data = f.read()
    data = data.replace(b"From: <jan.nowak@ops-lubliniec.example.pl>",
                        ("From: =?UTF-8?B?%s?= <jan.nowak@ops-lubliniec.example.pl>" % evil).encode())
    write("inject-from-name.eml", data)

    # A literal CR inside the "Imię" value.
    adam = person(first_name="Adam\rBcc: x@y.pl", last_name="Kowalczyk", email="adam.kowalczyk@ops-klobuck.example.pl",
                  institution="Ośrodek Pomocy Społecznej w Kłobucku", powiat="kłobucki", subregion="północny")
    simple("inject-form-cr.eml", "20140222120000.667@ops-klobuck.example.pl", "Adam Kowalczyk",
           "adam.kowalczyk@ops-klobuck.example.pl", "Zgłoszenie",
           GREETING + form(adam, ("info",)) + SIGNOFF % "Adam Kowalczyk")

    # Subject: one encoded word that decodes to CR LF + "Bcc: ..." (no form: review,
    # and the subject goes into the staff notice's Subject header).
    evil_subject = base64.b64encode("Pytanie\r\nBcc: victim@example.com".encode()).decode()
    simple("inject-subject.eml", "20140222130000.668@ops-czestochowa.example.pl", "Wiesław Kubiak",
           "wieslaw.kubiak@ops-czestochowa.example.pl", "PLACEHOLDER",
           "Dzień dobry,\nkiedy odbędzie się spotkanie w Częstochowie?\n\nWiesław Kubiak\n")
    path = os.path.join(HERE, "inject-subject.eml")
    with open(path, "rb") as f:
        data = f.read()
    write("inject-subject.eml", data.replace(b"Subject: PLACEHOLDER",
                                             ("Subject: =?UTF-8?B?%s?=" % evil_subject).encode()))

    # SQL-looking text must be stored literally; a spreadsheet formula too.
    robert = person(first_name="Robert", last_name="Tables", email="robert.tables@ngo-tarnowskie.example.pl",
                    institution="Robert'); DROP TABLE applicants;--", institution_type="NGO",
                    powiat="tarnogórski", subregion="centralny",
                    position='=HYPERLINK("http://evil.example/x";"Kliknij")')
    simple("sql-institution.eml", "20140223080000.1@ngo-tarnowskie.example.pl", "Robert Tables",
           "robert.tables@ngo-tarnowskie.example.pl", "Zgłoszenie stowarzyszenia",
           GREETING + form(robert, ("info",)) + SIGNOFF % "Robert")


if __name__ == "__main__":
    main()
