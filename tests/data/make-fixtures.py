#!/usr/bin/env python3
"""make-fixtures.py - write the extract fixtures: tests/data/extract/NAME.eml + NAME.expected.

Run from anywhere: python3 tests/data/make-fixtures.py.  Standard library only; the
output is deterministic (fixed dates, Message-IDs, boundaries) and committed, so a
change to a fixture shows up as a diff.  Messages are assembled as raw bytes (not
through email.generator) because several fixtures are deliberately malformed:
a missing or wrong charset, NUL bytes, 200 nested multiparts.

The blank form layout is read from templates/forms/formularz.txt, the same text
applicants receive, so fixtures follow it when it changes.

Format of NAME.expected (UTF-8, lines end in "\\n"), compared byte for byte by
tests/unit/test_extract.c with what extract_form() returns:

    limits: depth=N text=BYTES   optional; the ExtractLimits to use instead of the
                                 default depth=20 text=1048576
    format: FORMAT               optional; FormData.format when not "text" ("html")
    notes: TEXT                  optional; the notes extract_form() must report,
                                 exactly; absent means it must report none (NULL)
    part: PART                   FormData.part ("body", "attachment NAME"), or
                                 "(none)" when extract_form() returns NULL
    matched: N                   FormData.matched
    LABEL<TAB>VALUE              one line per FormPair, in document order, also the
                                 unmatched ones; VALUE may be empty
"""

import base64
import os
import quopri
import re
from email.header import Header
from email.utils import formataddr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "extract")
TEMPLATE = os.path.join(ROOT, "templates", "forms", "formularz.txt")

DATE = "Wed, 12 Mar 2014 10:15:00 +0100"
ROPS = "ROPS Katowice <szkolenia@rops-katowice.pl>"

# ---------------------------------------------------------------------------
# The form

# Field key of every label the template prints (to count 'matched').
FIELD_OF = {
    "Imię": "first_name",
    "Nazwisko": "last_name",
    "Adres e-mail": "email",
    "Telefon": "phone",
    "Nazwa instytucji": "institution",
    "Typ instytucji (OPS, PCPR, ROPS, CIS, KIS, ZAZ, WTZ, NGO, JST, inne)": "institution_type",
    "Stanowisko": "position",
    "Powiat / miasto na prawach powiatu": "powiat",
    "Subregion (centralny, północny, południowy, zachodni)": "subregion",
    "Spotkanie informacyjne": "info_meeting",
    "Warsztaty i wizyta studyjna": "workshops",
    "Doradztwo": "consulting",
    "Temat doradztwa (1 – Ekonomia społeczna, 2 – Budowanie partnerstw lokalnych, "
    "3 – Praca ze środowiskiem lokalnym, 4 – Przygotowanie i realizacja projektów "
    "systemowych)": "consulting_topic",
    "Szkolenie uzupełniające": "training",
    "Szczególne potrzeby": "needs",
    "Proponowana tematyka": "topics",
    "Wyrażam zgodę na przetwarzanie moich danych osobowych": "consent",
}

ZAZOLC = {
    "first_name": "Zażółć",
    "last_name": "Gęślą",
    "email": "zazolc.gesla@ops.zory.pl",
    "phone": "32 434 12 34",
    "institution": "Ośrodek Pomocy Społecznej w Żorach",
    "institution_type": "OPS",
    "position": "pracownik socjalny",
    "powiat": "Żory",
    "subregion": "zachodni",
    "info_meeting": "[x]",
    "workshops": "[ ]",
    "consulting": "[x]",
    "consulting_topic": "1",
    "training": "[ ]",
    "needs": "brak",
    "topics": "ekonomia społeczna w gminie, spółdzielnie socjalne",
    "consent": "[x]",
}

# Letters where windows-1250 and ISO-8859-2 differ: ś ź ą Ś Ź Ą.
SLAZAK = {
    "first_name": "Małgorzata",
    "last_name": "Ślązak-Źródlewska",
    "email": "m.slazak@mops.swietochlowice.pl",
    "phone": "",
    "institution": "Miejski Ośrodek Pomocy Społecznej w Świętochłowicach",
    "institution_type": "OPS",
    "position": "starszy specjalista ds. świadczeń",
    "powiat": "Świętochłowice",
    "subregion": "centralny",
    "info_meeting": "[ ]",
    "workshops": "[X]",
    "consulting": "[X]",
    "consulting_topic": "2",
    "training": "[X]",
    "needs": "PODJAZD DLA WÓZKA BĄDŹ SALA NA PARTERZE",
    "topics": "współpraca z organizacjami pozarządowymi, źródła finansowania",
    "consent": "[X]",
}


def template_lines():
    with open(TEMPLATE, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def fill(values, ascii_dashes=False, prefix=""):
    """The template filled with values (field key -> text or checkbox mark).

    Returns (text, pairs, matched): the lines joined with "\\n" (ending in one),
    the (label, value) pairs extract_text() must find, and the count of distinct
    fields.  'prefix' goes before every line (a quoted reply: "> ").  A field
    missing from 'values' is left blank as printed."""
    lines, pairs, fields = [], [], set()
    for line in template_lines():
        m = re.match(r"^\[ \] (.*)$", line)
        if m:
            label = m.group(1)
            mark = values.get(FIELD_OF[label], "[ ]")
            line = f"{mark} {label}"
            pairs.append((label, mark))
            fields.add(FIELD_OF[label])
        elif line.endswith(":") and line[:-1] in FIELD_OF:
            label = line[:-1]
            value = values.get(FIELD_OF[label], "")
            line = f"{line} {value}" if value else line
            pairs.append((label, value))
            fields.add(FIELD_OF[label])
        if ascii_dashes:
            line = line.replace("—", "-").replace("–", "-")
        lines.append(prefix + line if line or not prefix else prefix.rstrip())
    if ascii_dashes:
        pairs = [(a.replace("–", "-"), b) for a, b in pairs]
    return "\n".join(lines) + "\n", pairs, len(fields)


# ---------------------------------------------------------------------------
# MIME assembly, as bytes

def hdr(text):
    """An unstructured header value, RFC 2047-encoded when not ASCII."""
    try:
        text.encode("ascii")
        return text
    except UnicodeEncodeError:
        return Header(text, "utf-8").encode()


def headers(name, subject, sender=("Zażółć Gęślą", "zazolc.gesla@ops.zory.pl")):
    return [
        "From: " + formataddr(sender, charset="utf-8"),
        "To: " + ROPS,
        "Subject: " + hdr(subject),
        "Date: " + DATE,
        f"Message-ID: <{name}@fixtures.mailreg.test>",
        "MIME-Version: 1.0",
    ]


def encode(data, cte):
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    return data


def leaf(content_type, data, cte="8bit", extra=()):
    """One MIME part (headers + body) as bytes."""
    head = [f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {cte}", *extra]
    body = encode(data, cte)
    if not body.endswith(b"\n"):
        body += b"\n"
    return ("\n".join(head) + "\n\n").encode("ascii") + body


def multipart(subtype, parts, boundary):
    out = f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\n\n".encode("ascii")
    for p in parts:
        out += f"--{boundary}\n".encode("ascii") + p
    return out + f"--{boundary}--\n".encode("ascii")


def message(name, subject, body, sender=None):
    """A whole message: top-level headers followed by 'body' (a leaf or multipart)."""
    h = headers(name, subject) if sender is None else headers(name, subject, sender)
    return ("\n".join(h) + "\n").encode("ascii") + body


def rfc822(inner, extra=()):
    head = ["Content-Type: message/rfc822", *extra]
    return ("\n".join(head) + "\n\n").encode("ascii") + inner


def attachment(filename_params, ctype, data, cte="base64"):
    return leaf(ctype, data, cte, [f"Content-Disposition: attachment; {filename_params}"])


# ---------------------------------------------------------------------------
# Fixtures

FIXTURES = []


def fixture(fn):
    FIXTURES.append(fn)
    return fn


def result(part, pairs, matched, notes=None, limits=None, fmt=None):
    out = []
    if limits:
        out.append("limits: depth=%d text=%d" % limits)
    if fmt:
        out.append("format: " + fmt)
    if notes:
        out.append("notes: " + notes)
    out += [f"part: {part}", f"matched: {matched}"]
    out += [f"{a}\t{b}" for a, b in pairs]
    return "\n".join(out) + "\n"


@fixture
def utf8_8bit(name):
    text, pairs, n = fill(ZAZOLC)
    eml = message(name, "Zgłoszenie na szkolenie",
                  leaf("text/plain; charset=utf-8; format=fixed", text.encode()))
    return eml, result("body", pairs, n)


@fixture
def utf8_qp(name):
    # CRLF line ends throughout, as a message saved straight from SMTP; the
    # encoder splits the long lines with "=\r\n" soft breaks
    text, pairs, n = fill(ZAZOLC)
    eml = message(name, "Zgłoszenie",
                  leaf("text/plain; charset=\"UTF-8\"", text.encode(), "quoted-printable"))
    return eml.replace(b"\n", b"\r\n"), result("body", pairs, n)


@fixture
def utf8_base64(name):
    text, pairs, n = fill(ZAZOLC)
    eml = message(name, "Formularz", leaf("text/plain; charset=utf-8", text.encode(), "base64"))
    return eml, result("body", pairs, n)


@fixture
def cp1250_declared(name):
    text, pairs, n = fill(SLAZAK)
    eml = message(name, "Zgłoszenie MOPS Świętochłowice",
                  leaf("text/plain; charset=windows-1250", text.encode("cp1250")),
                  ("Małgorzata Ślązak-Źródlewska", "m.slazak@mops.swietochlowice.pl"))
    return eml, result("body", pairs, n)


@fixture
def iso8859_2_declared(name):
    # ISO-8859-2 has no dashes: the applicant's client turned them into "-"
    text, pairs, n = fill(SLAZAK, ascii_dashes=True)
    eml = message(name, "Zgłoszenie",
                  leaf("text/plain; charset=ISO-8859-2", text.encode("iso-8859-2"),
                       "quoted-printable"))
    return eml, result("body", pairs, n)


@fixture
def iso8859_2_really_cp1250(name):
    # labelled ISO-8859-2 but written in windows-1250 (it has bytes 0x80-0x9F,
    # C1 controls in ISO-8859-2 that no real text contains)
    text, pairs, n = fill(SLAZAK)
    eml = message(name, "Zgłoszenie", leaf("text/plain; charset=iso-8859-2", text.encode("cp1250")))
    return eml, result("body", pairs, n)


@fixture
def cp1250_undeclared(name):
    text, pairs, n = fill(SLAZAK)
    eml = message(name, "Zgłoszenie", leaf("text/plain", text.encode("cp1250")))
    return eml, result("body", pairs, n)


@fixture
def utf8_undeclared(name):
    text, pairs, n = fill(ZAZOLC)
    eml = message(name, "Zgłoszenie", leaf("text/plain", text.encode()))
    return eml, result("body", pairs, n)


@fixture
def charset_unknown(name):
    # a charset name iconv does not know counts as no charset at all
    text, pairs, n = fill(SLAZAK)
    eml = message(name, "Zgłoszenie", leaf("text/plain; charset=\"x-foo\"", text.encode("cp1250")))
    return eml, result("body", pairs, n)


@fixture
def charset_utf8_wrong(name):
    # declared UTF-8, written in windows-1250 (a webmail form that lies)
    text, pairs, n = fill(SLAZAK)
    eml = message(name, "Zgłoszenie", leaf("text/plain; charset=utf-8", text.encode("cp1250")))
    return eml, result("body", pairs, n)


@fixture
def quoted_reply(name):
    form, fpairs, n = fill(ZAZOLC, prefix="> ")
    text = ("Dzień dobry,\n\nw odpowiedzi przesyłam uzupełniony formularz.\n\n"
            "Pozdrawiam\nZażółć Gęślą\n\n"
            "W dniu 12.03.2014 o 09:40, ROPS Katowice pisze:\n"
            "> Dzień dobry,\n> prosimy o odesłanie wypełnionego formularza.\n>\n"
            + form.replace("> Imię: Zażółć", "> > Imię: Zażółć"))
    pairs = [("W dniu 12.03.2014 o 09", "40, ROPS Katowice pisze:")] + fpairs
    eml = message(name, "Re: Formularz zgłoszeniowy",
                  leaf("text/plain; charset=utf-8", text.encode(), "quoted-printable"))
    return eml, result("body", pairs, n)


@fixture
def attachment_txt_cp1250(name):
    text, pairs, n = fill(SLAZAK)
    body = leaf("text/plain; charset=utf-8",
                "W załączniku formularz.\n\nZ poważaniem\nMałgorzata Ślązak-Źródlewska\n".encode())
    att = attachment("filename=\"formularz.txt\"", "text/plain; charset=windows-1250; name=\"formularz.txt\"",
                     text.encode("cp1250"))
    eml = message(name, "Formularz", multipart("mixed", [body, att], "=_b1"))
    return eml, result("attachment formularz.txt", pairs, n)


@fixture
def body_and_attachment(name):
    # the body has three fields, the attachment (octet-stream, no charset,
    # windows-1250) the whole form: the attachment wins
    text, pairs, n = fill(SLAZAK)
    body = leaf("text/plain; charset=utf-8",
                "Imię: Małgorzata\nNazwisko: Ślązak-Źródlewska\nTelefon: 32 245 00 00\n\n"
                "Pełny formularz w załączniku.\n".encode())
    att = attachment("filename=formularz.txt", "application/octet-stream; name=formularz.txt",
                     text.encode("cp1250"))
    eml = message(name, "Zgłoszenie", multipart("mixed", [body, att], "=_b2"))
    return eml, result("attachment formularz.txt", pairs, n)


HTML = ("<html><body><p>Imię: Zażółć</p><p>Nazwisko: Gęślą</p>"
        "<p>[x] Doradztwo</p></body></html>\n")


@fixture
def alternative_text_html(name):
    text, pairs, n = fill(ZAZOLC)
    alt = multipart("alternative", [
        leaf("text/plain; charset=utf-8", text.encode(), "quoted-printable"),
        leaf("text/html; charset=utf-8", HTML.encode(), "quoted-printable"),
    ], "=_alt")
    return message(name, "Zgłoszenie", alt), result("body", pairs, n)


@fixture
def forwarded_rfc822(name):
    # staff forward a colleague's form: the form sits in the forwarded message
    text, pairs, n = fill(SLAZAK)
    inner_body = multipart("alternative", [
        leaf("text/plain; charset=windows-1250", text.encode("cp1250"), "quoted-printable"),
        leaf("text/html; charset=utf-8", HTML.encode(), "base64"),
    ], "=_inner")
    inner = message("inner-" + name, "Formularz zgłoszeniowy", inner_body,
                    ("Małgorzata Ślązak-Źródlewska", "m.slazak@mops.swietochlowice.pl"))
    outer = multipart("mixed", [
        leaf("text/plain; charset=utf-8",
             "Przesyłam formularz koleżanki, która nie ma dostępu do poczty.\n".encode()),
        rfc822(inner, ["Content-Disposition: inline"]),
    ], "=_outer")
    return message(name, "Fwd: Formularz zgłoszeniowy", outer), result("body", pairs, n)


@fixture
def checkbox_variants(name):
    # a form retyped by hand: ☒/☐ boxes, TAK/NIE answers, a bare X, the consent
    # box followed by the full legal formula
    lines = [
        ("Imię: Jan", ("Imię", "Jan")),
        ("Nazwisko: Kowalski", ("Nazwisko", "Kowalski")),
        ("Nazwa instytucji: Powiatowe Centrum Pomocy Rodzinie w Rybniku",
         ("Nazwa instytucji", "Powiatowe Centrum Pomocy Rodzinie w Rybniku")),
        ("Powiat: rybnicki", ("Powiat", "rybnicki")),
        ("", None),
        ("☒ Spotkanie informacyjne", ("Spotkanie informacyjne", "☒")),
        ("☐ Warsztaty i wizyta studyjna", ("Warsztaty i wizyta studyjna", "☐")),
        ("Doradztwo: TAK", ("Doradztwo", "TAK")),
        ("Temat doradztwa: [x] 3", ("Temat doradztwa", "[x] 3")),
        ("Szkolenie uzupełniające: NIE", ("Szkolenie uzupełniające", "NIE")),
        ("X Wyrażam zgodę na przetwarzanie moich danych osobowych przez Regionalny Ośrodek "
         "Polityki Społecznej w Katowicach dla potrzeb rekrutacji (zgodnie z ustawą z dnia "
         "29.08.1997 r. o ochronie danych osobowych).",
         ("Wyrażam zgodę na przetwarzanie moich danych osobowych", "X")),
        ("[ ] Szkolenia uzupełniające", ("Szkolenia uzupełniające", "[ ]")),
        ("[x] Warsztaty", ("Warsztaty", "[x]")),
        ("Doradztwo [X]", ("Doradztwo", "[X]")),
        ("[x] Konferencja regionalna", ("Konferencja regionalna", "[x]")),
        ("X Ogólnopolski Kongres Ekonomii Społecznej: Kraków",
         ("X Ogólnopolski Kongres Ekonomii Społecznej", "Kraków")),
    ]
    text = "\n".join(l for l, _ in lines) + "\n"
    pairs = [p for _, p in lines if p]
    # first_name last_name institution powiat info_meeting workshops consulting
    # consulting_topic training consent
    eml = message(name, "zgłoszenie", leaf("text/plain; charset=utf-8", text.encode(), "base64"))
    return eml, result("body", pairs, 10)


@fixture
def tab_separated(name):
    # pasted from a spreadsheet: label, one or more tabs, value
    rows = [("Imię", "Zażółć"), ("Nazwisko", "Gęślą"), ("Adres e-mail", "zazolc.gesla@ops.zory.pl"),
            ("Nazwa instytucji", "Ośrodek Pomocy Społecznej w Żorach"), ("Typ instytucji", "OPS"),
            ("Powiat", "Żory"), ("Doradztwo", "X"), ("Temat doradztwa", "1")]
    text = "".join(f"{a}{chr(9) * (1 + i % 2)}{b}\n" for i, (a, b) in enumerate(rows))
    eml = message(name, "Zgłoszenie", leaf("text/plain; charset=utf-8", text.encode()))
    return eml, result("body", rows, 8)


@fixture
def filename_rfc2231(name):
    text, pairs, n = fill(ZAZOLC)
    body = leaf("text/plain; charset=utf-8", "W załączniku formularz.\n".encode())
    att = attachment("filename*=utf-8''formularz%20zg%C5%82oszeniowy.txt",
                     "text/plain; charset=utf-8", text.encode())
    eml = message(name, "Formularz", multipart("mixed", [body, att], "=_b3"))
    return eml, result("attachment formularz zgłoszeniowy.txt", pairs, n)


@fixture
def filename_rfc2047(name):
    # RFC 2047 inside a parameter is not allowed, but Outlook and others do it
    text, pairs, n = fill(SLAZAK)
    encoded = Header("zgłoszenie Świętochłowice.txt", "utf-8").encode()
    body = leaf("text/plain; charset=utf-8", "W załączniku formularz.\n".encode())
    att = attachment(f"filename=\"{encoded}\"",
                     f"application/octet-stream; name=\"{encoded}\"", text.encode("cp1250"))
    eml = message(name, "Formularz", multipart("mixed", [body, att], "=_b4"))
    return eml, result("attachment zgłoszenie Świętochłowice.txt", pairs, n)


@fixture
def nul_bytes(name):
    text = "Imię: Jan\0\0\nNazwisko:\0Kowalski\nNazwa instytucji: OPS\0w Rybniku\n"
    pairs = [("Imię", "Jan"), ("Nazwisko", "Kowalski"), ("Nazwa instytucji", "OPS w Rybniku")]
    eml = message(name, "Zgłoszenie", leaf("text/plain; charset=utf-8", text.encode(), "binary"))
    return eml, result("body", pairs, 3)


@fixture
def no_form(name):
    text = ("Dzień dobry, proszę o informację, czy w tym roku będą organizowane szkolenia "
            "dla pracowników OPS.\n\nZ poważaniem\nAnna Nowak\nOśrodek Pomocy Społecznej w Żorach\n")
    eml = message(name, "Pytanie", leaf("text/plain; charset=utf-8", text.encode()),
                  ("Anna Nowak", "a.nowak@ops.zory.pl"))
    return eml, result("body", [], 0)


@fixture
def nested_200(name):
    # 200 nested multiparts, the form at the bottom: only the top text is read
    text, _, _ = fill(ZAZOLC)
    inner = leaf("text/plain; charset=utf-8", text.encode())
    for i in range(200, 0, -1):
        inner = multipart("mixed", [inner], f"=_n{i:03d}")
    outer = multipart("mixed", [leaf("text/plain; charset=utf-8",
                                     "Formularz w załączeniu.\n".encode()), inner], "=_n000")
    return (message(name, "Formularz", outer),
            result("body", [], 0, notes="MIME nesting deeper than 20 levels: inner parts not read"))


@fixture
def body_over_limit(name):
    # the body is ~30 kB, the limit 4 kB: the form at the top is read, the rest not
    text, pairs, n = fill(ZAZOLC)
    text += "\n" + "".join(f"Wiersz wypełnienia numer {i:04d}, bez dwukropka i bez tabulatora.\n"
                           for i in range(400))
    eml = message(name, "Zgłoszenie", leaf("text/plain; charset=utf-8", text.encode(), "base64"))
    return eml, result("body", pairs, n, limits=(20, 4096),
                       notes="body: text longer than 4096 bytes, the rest was not read")


@fixture
def html_only(name):
    eml = message(name, "Zgłoszenie", leaf("text/html; charset=utf-8", HTML.encode(), "quoted-printable"))
    pairs = [("Imię", "Zażółć"), ("Nazwisko", "Gęślą"), ("Doradztwo", "[x]")]
    return eml, result("body", pairs, 3, fmt="html")


@fixture
def attachments_other(name):
    body = leaf("text/plain; charset=utf-8",
                "Dzień dobry,\nw załączeniu formularz i skan podpisanej zgody.\n".encode())
    docx = attachment("filename=\"formularz.docx\"",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      b"PK\x03\x04 not really a docx")
    jpg = attachment("filename=\"skan.jpg\"", "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg")
    pdf = attachment("filename=\"zgoda.PDF\"", "application/octet-stream", b"%PDF-1.4 not really")
    doc = attachment("filename=\"stary formularz.doc\"", "application/msword", b"\xd0\xcf\x11\xe0")
    eml = message(name, "Zgłoszenie", multipart("mixed", [body, docx, jpg, pdf, doc], "=_b5"))
    notes = ("attachment formularz.docx: truncated ZIP archive: its central directory is missing; "
             "attachment skan.jpg: image (.jpg), perhaps a scan — ask for a filled DOCX, ODT or PDF form; "
             "attachment zgoda.PDF: damaged PDF: PDF document is damaged; "
             "attachment stary formularz.doc: not a Word document (damaged OLE2 container)")
    return eml, result("body", [], 0, notes=notes)


@fixture
def utf16_attachment(name):
    # Notepad's "Unicode": UTF-16LE with a BOM, CRLF lines, sent without a charset
    text, pairs, n = fill(ZAZOLC)
    data = b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")
    body = leaf("text/plain; charset=utf-8", "Formularz w załączniku.\n".encode())
    att = attachment("filename=\"Formularz.TXT\"", "application/octet-stream", data)
    eml = message(name, "Formularz", multipart("mixed", [body, att], "=_b6"))
    return eml, result("attachment Formularz.TXT", pairs, n)


@fixture
def blank_form(name):
    # the blank form sent back unfilled: every field is there, every value empty
    text, pairs, n = fill({})
    eml = message(name, "Formularz", leaf("text/plain; charset=utf-8", text.encode()))
    return eml, result("body", pairs, n)


def main():
    os.makedirs(OUT, exist_ok=True)
    for fn in FIXTURES:
        name = fn.__name__.replace("_", "-")
        eml, expected = fn(name)
        with open(os.path.join(OUT, name + ".eml"), "wb") as f:
            f.write(eml)
        with open(os.path.join(OUT, name + ".expected"), "wb") as f:
            f.write(expected.encode("utf-8"))
    print(f"{len(FIXTURES)} fixtures written to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
