#!/usr/bin/python3
"""make.py - write the PDF fixtures: tests/data/pdf/NAME.pdf + NAME.expected.

Run with Debian's Python from the repository root or anywhere:
    /usr/bin/python3 tests/data/pdf/make.py
Needs python3-reportlab, python3-pypdf, qpdf, img2pdf and (for printed-soffice)
LibreOffice; without soffice that one fixture is left as it is.  The output is
committed: reportlab runs in invariant mode, so most files change only when this
script does; encrypted*.pdf (random salts), scan.pdf and printed-soffice.pdf (dates)
differ on each run without changing what is extracted.

Format of NAME.expected (UTF-8, lines end in "\\n"), checked by
tests/unit/test_pdf_html.c against extract_pdf() with the test limits
(max_pdf_pages = 20, max_text = 1 MiB):

    TEXT                 the exact text extract_pdf() returns, byte for byte
or
    error: SUBSTRING     one line: extract_pdf() returns NULL with MAILREG_ERROR /
                         MAILREG_ERROR_DATA and a message containing SUBSTRING

The fixtures:
    fillable            AcroForm named by the form's labels, filled: text fields,
                        a combo box, check boxes, a radio group, a multi-line field,
                        an empty field
    fillable-tooltips   technical field names ("field_imie") with the printed label
                        in the tooltip (TU); a field without one; a list box with two
                        items chosen; a radio group, whose tooltip poppler-glib does
                        not show (its name is used); a push button and a signature
                        field (skipped)
    fillable-empty      the fillable form left blank: its page text is read instead
    printed             the filled text form (templates/forms/formularz.txt) drawn as
                        text with DejaVu Sans, long lines wrapped
    printed-table       a filled form as a bordered two-column table, ☒/☐ glyphs,
                        as Word prints a DOCX form: cells become "Label<TAB>value"
    printed-rotated     printed-table on a page with /Rotate 90
    printed-soffice     a filled .txt form converted by LibreOffice
    many-pages          25 pages; only the first 20 are read
    encrypted           AES-256 with a user password: an error
    encrypted-owner     an owner password only (opens without one): read as usual
    scan                a page that is only an image: an error
    blank               a page with nothing on it: the same error
    damaged             a PDF cut short (the last tenth missing): an error
    xref-broken         a PDF whose cross-reference offsets are all wrong: repaired
                        by poppler and read as usual
    not-pdf             an HTML page named .pdf: an error
    field-names         a libFuzzer find (28 KB, not written here): damaged objects
                        poppler parses again for every field name, 10 s of CPU and
                        a syntax error logged for each; stopped by the reader's CPU
                        limit, its log capped
    text-bomb           7 KB inflating to 100 000 text runs: stopped by the reader's
                        memory cap, an error
"""

import io
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, DictionaryObject, FloatObject,
                           NameObject, NumberObject, TextStringObject)
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TEMPLATE = os.path.join(ROOT, "templates", "forms", "formularz.txt")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))
PAGE_W, PAGE_H = A4
MARGIN = 50


def write(name, data, expected):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(HERE, name + ".pdf"), mode) as f:
        f.write(data)
    with open(os.path.join(HERE, name + ".expected"), "w", encoding="utf-8", newline="") as f:
        f.write(expected)


def new_canvas(buf):
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("DejaVuSans", 10)
    return c


# ---------------------------------------------------------------------------
# Fillable forms.  reportlab writes field names, tooltips and values only in
# Latin-1 (its appearance streams cannot show "ę"), so the widgets are made with
# placeholder names and pypdf then sets the real /T, /TU and /V as PDF text
# strings (UTF-16 where needed), with /NeedAppearances so viewers redraw them -
# as a form filled in a viewer that does not write appearances looks.

def fix_fields(pdf_bytes, fields, extra=None):
    """fields: placeholder /T -> dict(T=..., TU=..., V=...) (each optional)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    writer = PdfWriter()
    writer.clone_document_from_reader(reader)
    root = writer._root_object
    acro = root["/AcroForm"]
    acro[NameObject("/NeedAppearances")] = BooleanObject(True)
    for ref in acro["/Fields"]:
        field = ref.get_object()
        spec = fields.get(str(field.get("/T")))
        if spec is None:
            continue
        for key in ("T", "TU"):
            if spec.get(key) is not None:
                field[NameObject("/" + key)] = TextStringObject(spec[key])
        if spec.get("V") is not None:
            field[NameObject("/V")] = TextStringObject(spec["V"])
        elif "V" in spec:
            # nothing chosen (reportlab cannot make an empty choice field)
            for key in ("/V", "/I"):
                if key in field:
                    del field[key]
    if extra is not None:
        extra(writer, acro)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_widget(writer, acro, page_no, rect, **entries):
    """A widget annotation that is also a field (push button, signature)."""
    page = writer.pages[page_no]
    widget = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
        NameObject("/F"): NumberObject(4),
    })
    for key, value in entries.items():
        widget[NameObject("/" + key)] = value
    ref = writer._add_object(widget)
    widget[NameObject("/P")] = page.indirect_reference
    page[NameObject("/Annots")].append(ref)
    acro["/Fields"].append(ref)


INSTITUTION_TYPES = ["OPS", "PCPR", "ROPS", "CIS", "KIS", "ZAZ", "WTZ", "NGO", "JST", "inne"]


def fillable(filled):
    """The whole form as AcroForm fields named by its labels."""
    buf = io.BytesIO()
    c = new_canvas(buf)
    form = c.acroForm
    c.drawString(MARGIN, 800, "FORMULARZ ZGŁOSZENIOWY")
    y = 760
    names = {}
    n = [0]

    def label(text, at=None):
        c.drawString(MARGIN, (at if at is not None else y) + 5, text)

    def placeholder(spec):
        n[0] += 1
        key = "F%02d" % n[0]
        names[key] = spec
        return key

    def text(lbl, value, height=18, multiline=False):
        nonlocal y
        label(lbl)
        form.textfield(name=placeholder({"T": lbl, "V": value if filled else ""}), value="",
                       x=250, y=y, width=290, height=height, borderWidth=0.5,
                       fieldFlags="multiline" if multiline else "")
        y -= height + 8

    def check(lbl, on):
        nonlocal y
        form.checkbox(name=placeholder({"T": lbl}), checked=on and filled, x=MARGIN, y=y, size=12)
        c.drawString(MARGIN + 18, y + 2, lbl)
        y -= 22

    text("Imię", "Anna")
    text("Nazwisko", "Nowak")
    text("Adres e-mail", "anna.nowak@ops.zory.pl")
    text("Telefon", "32 434 12 34")
    text("Nazwa instytucji", "Ośrodek Pomocy Społecznej w Żorach")
    label("Typ instytucji")
    form.choice(name=placeholder({"T": "Typ instytucji"} if filled else {"T": "Typ instytucji", "V": None}),
                value="OPS",
                options=INSTITUTION_TYPES, x=250, y=y, width=120, height=18, borderWidth=0.5)
    y -= 26
    text("Stanowisko", "pracownik socjalny")
    text("Powiat / miasto na prawach powiatu", "Żory")
    text("Subregion", "zachodni")
    check("Spotkanie informacyjne", True)
    check("Warsztaty i wizyta studyjna", False)
    check("Doradztwo", True)
    label("Temat doradztwa (1–4)")
    group = placeholder({"T": "Temat doradztwa"})
    for i, value in enumerate(["1", "2", "3", "4"]):
        x = 250 + 60 * i
        form.radio(name=group, value=value, selected=filled and value == "2", x=x, y=y, size=12)
        c.drawString(x + 16, y + 2, value)
    y -= 26
    check("Szkolenie uzupełniające", False)
    text("Szczególne potrzeby", "")
    text("Proponowana tematyka", "Ekonomia społeczna w gminie\nPartnerstwa lokalne", height=40,
         multiline=True)
    check("Wyrażam zgodę na przetwarzanie moich danych osobowych", True)
    c.save()
    return fix_fields(buf.getvalue(), names)


FILLABLE_EXPECTED = """\
Imię\tAnna
Nazwisko\tNowak
Adres e-mail\tanna.nowak@ops.zory.pl
Telefon\t32 434 12 34
Nazwa instytucji\tOśrodek Pomocy Społecznej w Żorach
Typ instytucji\tOPS
Stanowisko\tpracownik socjalny
Powiat / miasto na prawach powiatu\tŻory
Subregion\tzachodni
☒ Spotkanie informacyjne
☐ Warsztaty i wizyta studyjna
☒ Doradztwo
Temat doradztwa\t2
☐ Szkolenie uzupełniające
Szczególne potrzeby\t
Proponowana tematyka\tEkonomia społeczna w gminie Partnerstwa lokalne
☒ Wyrażam zgodę na przetwarzanie moich danych osobowych
"""

# The blank form has no field filled: its page text, with the labels beside
# empty boxes (the radio buttons' labels are 60 points apart: TABs).
FILLABLE_EMPTY_EXPECTED = """\
FORMULARZ ZGŁOSZENIOWY
Imię
Nazwisko
Adres e-mail
Telefon
Nazwa instytucji
Typ instytucji
Stanowisko
Powiat / miasto na prawach powiatu
Subregion
Spotkanie informacyjne
Warsztaty i wizyta studyjna
Doradztwo
Temat doradztwa (1–4)\t1\t2\t3\t4
Szkolenie uzupełniające
Szczególne potrzeby
Proponowana tematyka
Wyrażam zgodę na przetwarzanie moich danych osobowych
"""


def fillable_tooltips():
    """Technical field names, the printed labels in the tooltips."""
    buf = io.BytesIO()
    c = new_canvas(buf)
    form = c.acroForm
    names = {}
    y = 780

    def field(key, spec):
        names[key] = spec
        return key

    def text(key, tooltip, value, lbl):
        nonlocal y
        c.drawString(MARGIN, y + 5, lbl)
        form.textfield(name=field(key, {"TU": tooltip, "V": value}), value="",
                       x=250, y=y, width=290, height=18, borderWidth=0.5)
        y -= 26

    text("field_imie", "Imię", "Jan", "Imię:")
    # a tooltip copied with the label's colon and a line break
    text("field_nazwisko", "Nazwisko:\n", "Kowalski", "Nazwisko:")
    text("field_email", "E-mail", "jan.kowalski@pcpr.bielsko.pl", "E-mail:")
    # no tooltip: the field's own name is all there is
    text("field_instytucja", None, "Powiatowe Centrum Pomocy Rodzinie w Bielsku-Białej",
         "Nazwa instytucji:")
    # a value pasted with a tab and a line break
    text("field_adres", "Adres instytucji", "ul. Piastowska 40\t\r\n43-300 Bielsko-Biała", "Adres:")
    text("field_powiat", "Powiat", "bielski", "Powiat:")

    c.drawString(MARGIN, y + 5, "Typ instytucji:")
    form.choice(name=field("field_typ", {"TU": "Typ instytucji"}), value="PCPR",
                options=[(t, "t%d" % i) for i, t in enumerate(INSTITUTION_TYPES)],
                x=250, y=y, width=120, height=18, borderWidth=0.5)
    y -= 70
    c.drawString(MARGIN, y + 45, "Formy wsparcia:")
    form.listbox(name=field("field_formy", {"TU": "Formy wsparcia"}),
                 value=["Warsztaty", "Doradztwo"],
                 options=["Spotkanie informacyjne", "Warsztaty", "Doradztwo", "Szkolenie"],
                 x=250, y=y, width=200, height=60, borderWidth=0.5, fieldFlags="multiSelect")
    y -= 26
    c.drawString(MARGIN, y + 2, "Temat doradztwa:")
    # poppler-glib shows each radio button as a field of its own without the
    # group's tooltip: the group is reported under its name, "field_temat"
    topics = ["Ekonomia społeczna", "Partnerstwa lokalne", "Środowisko lokalne"]
    for i, value in enumerate(["t1", "t2", "t3"]):
        yy = y - 20 * i
        form.radio(name=field("field_temat", {"TU": "Temat doradztwa"}), value=value,
                   selected=value == "t3", x=250, y=yy, size=12)
        c.drawString(266, yy + 2, topics[i])
    y -= 80
    form.checkbox(name=field("field_zgoda", {"TU": "Zgoda na przetwarzanie danych osobowych"}),
                  checked=True, x=MARGIN, y=y, size=12)
    c.drawString(MARGIN + 18, y + 2, "Wyrażam zgodę na przetwarzanie moich danych osobowych")
    y -= 22
    form.checkbox(name=field("field_newsletter", {"TU": "Newsletter"}), checked=False,
                  x=MARGIN, y=y, size=12)
    c.drawString(MARGIN + 18, y + 2, "Chcę otrzymywać newsletter")
    c.save()

    def extra(writer, acro):
        # "Wyślij" (a push button) and a signature field carry no data
        add_widget(writer, acro, 0, [MARGIN, 100, MARGIN + 80, 120],
                   FT=NameObject("/Btn"), Ff=NumberObject(1 << 16),
                   T=TextStringObject("Wyślij"))
        add_widget(writer, acro, 0, [300, 100, 500, 140],
                   FT=NameObject("/Sig"), T=TextStringObject("Podpis"),
                   TU=TextStringObject("Podpis wnioskodawcy"))

    return fix_fields(buf.getvalue(), names, extra)


FILLABLE_TOOLTIPS_EXPECTED = """\
Imię\tJan
Nazwisko:\tKowalski
E-mail\tjan.kowalski@pcpr.bielsko.pl
field_instytucja\tPowiatowe Centrum Pomocy Rodzinie w Bielsku-Białej
Adres instytucji\tul. Piastowska 40 43-300 Bielsko-Biała
Powiat\tbielski
Typ instytucji\tPCPR
Formy wsparcia\tWarsztaty, Doradztwo
field_temat\tŚrodowisko lokalne
☒ Zgoda na przetwarzanie danych osobowych
☐ Newsletter
"""


# ---------------------------------------------------------------------------
# Printed forms

FILLED = {
    "Imię": "Anna",
    "Nazwisko": "Nowak",
    "Adres e-mail": "anna.nowak@ops.zory.pl",
    "Telefon": "32 434 12 34",
    "Nazwa instytucji": "Ośrodek Pomocy Społecznej w Żorach",
    "Typ instytucji": "OPS",
    "Stanowisko": "pracownik socjalny",
    "Powiat / miasto na prawach powiatu": "Żory",
    "Subregion": "zachodni",
    "Temat doradztwa": "2",
    "Szczególne potrzeby": "",
    "Proponowana tematyka": "ekonomia społeczna w gminie",
}
TICKED = {"Spotkanie informacyjne", "Doradztwo",
          "Wyrażam zgodę na przetwarzanie moich danych osobowych"}


def filled_template():
    """formularz.txt as an applicant fills it in: values after the colons, X in
    the brackets of the chosen forms of support."""
    lines = []
    with open(TEMPLATE, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith("[ ] "):
                label = line[4:]
                line = ("[X] " if label in TICKED else "[ ] ") + label
            elif line.endswith(":") and line.upper() != line:
                head = line[:-1]
                for label, value in FILLED.items():
                    if head == label or head.startswith(label + " ("):
                        line = (line + " " + value).rstrip()
                        break
            lines.append(line)
    return lines


def wrap(line, width, font="DejaVuSans", size=10):
    """Break @line at spaces so that each piece fits @width points."""
    out, cur = [], ""
    for word in line.split(" "):
        trial = word if not cur else cur + " " + word
        if cur and pdfmetrics.stringWidth(trial, font, size) > width:
            out.append(cur)
            cur = word
        else:
            cur = trial
    out.append(cur)
    return out


def printed():
    buf = io.BytesIO()
    c = new_canvas(buf)
    y = PAGE_H - MARGIN
    expected = []
    for line in filled_template():
        for piece in wrap(line, PAGE_W - 2 * MARGIN):
            if piece:
                c.drawString(MARGIN, y, piece)
                expected.append(piece)
            y -= 14
    c.save()
    return buf.getvalue(), "".join(piece + "\n" for piece in expected)


TABLE_ROWS = [
    ("Imię", "Anna"),
    ("Nazwisko", "Nowak"),
    ("Adres e-mail", "anna.nowak@ops.zory.pl"),
    ("Telefon", "32 434 12 34"),
    ("Nazwa instytucji", "Ośrodek Pomocy Społecznej w Żorach"),
    ("Typ instytucji", "OPS"),
    ("Stanowisko", "pracownik socjalny"),
    ("Powiat / miasto na prawach powiatu", "Żory"),
    ("Subregion", "zachodni"),
    ("Szczególne potrzeby", ""),
    ("Proponowana tematyka", "ekonomia społeczna w gminie"),
]
TABLE_BOXES = [
    (True, "Spotkanie informacyjne"),
    (False, "Warsztaty i wizyta studyjna"),
    (True, "Doradztwo"),
    (False, "Szkolenie uzupełniające"),
]


def printed_table():
    """A DOCX form printed to PDF: bordered label | value cells, the padding of a
    Word table, check boxes as ☒/☐ glyphs."""
    buf = io.BytesIO()
    c = new_canvas(buf)
    c.setLineWidth(0.5)
    c.setFont("DejaVuSans", 11)
    c.drawString(MARGIN, 790, "FORMULARZ ZGŁOSZENIOWY")
    c.setFont("DejaVuSans", 10)
    expected = ["FORMULARZ ZGŁOSZENIOWY"]
    y = 760
    for label, value in TABLE_ROWS:
        c.rect(MARGIN, y - 6, 200, 20)
        c.rect(MARGIN + 200, y - 6, 295, 20)
        c.drawString(MARGIN + 5.4, y, label)
        if value:
            c.drawString(MARGIN + 205.4, y, value)
        expected.append(label + ("\t" + value if value else ""))
        y -= 20
    y -= 20
    for on, label in TABLE_BOXES:
        c.drawString(MARGIN, y, ("☒ " if on else "☐ ") + label)
        expected.append(("☒ " if on else "☐ ") + label)
        y -= 16
    c.drawString(MARGIN, y, "Temat doradztwa (1–4): 2")
    expected.append("Temat doradztwa (1–4): 2")
    y -= 30
    c.drawString(MARGIN, y, "☒ Wyrażam zgodę na przetwarzanie moich danych osobowych")
    expected.append("☒ Wyrażam zgodę na przetwarzanie moich danych osobowych")
    c.save()
    return buf.getvalue(), "".join(line + "\n" for line in expected)


def printed_soffice():
    """The filled .txt form printed by LibreOffice (its own fonts and layout).
    Lines are wrapped at 70 characters first so LibreOffice need not wrap them."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: printed-soffice left as it is")
        return None
    lines = []
    for line in filled_template():
        lines.extend(wrap_chars(line, 70))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "printed-soffice.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([soffice, "--headless", "-env:UserInstallation=file://" + tmp + "/profile",
                        "--infilter=Text (encoded):UTF8,LF,,", "--convert-to", "pdf",
                        "--outdir", tmp, src], check=True, capture_output=True)
        with open(os.path.join(tmp, "printed-soffice.pdf"), "rb") as f:
            pdf = f.read()
    return pdf, "".join(line + "\n" for line in lines if line)


def wrap_chars(line, width):
    out, cur = [], ""
    for word in line.split(" "):
        trial = word if not cur else cur + " " + word
        if cur and len(trial) > width:
            out.append(cur)
            cur = word
        else:
            cur = trial
    out.append(cur)
    return out


def many_pages():
    buf = io.BytesIO()
    c = new_canvas(buf)
    for i in range(1, 26):
        c.setFont("DejaVuSans", 10)
        c.drawString(MARGIN, 800, "Strona %d z 25" % i)
        c.showPage()
    c.save()
    return buf.getvalue(), "".join("Strona %d z 25\n" % i for i in range(1, 21))


# ---------------------------------------------------------------------------
# Unreadable ones

def png(width, height):
    """A grey page with dark bars where text lines would be: what a scanner sends."""
    rows = []
    for y in range(height):
        dark = (y // 6) % 3 == 0 and 20 < y < height - 20
        rows.append(b"\0" + bytes((60 if dark and 15 < x < width - 15 else 235) for x in range(width)))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xffffffff)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def scan():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "scan.png")
        with open(src, "wb") as f:
            f.write(png(210, 297))
        out = subprocess.run(["img2pdf", "--pagesize", "A4", "--nodate", src],
                             check=True, capture_output=True)
        return out.stdout


def blank():
    buf = io.BytesIO()
    c = new_canvas(buf)
    c.showPage()
    c.save()
    return buf.getvalue()


def text_bomb(runs):
    """A small PDF whose one page inflates to @runs text runs: 7 KB that poppler
    would turn into 440 MB and 20 s (a million runs: 3.5 GB, three minutes)."""
    content = b"BT /F1 10 Tf 50 800 Td " + b"(Imie: Anna ) Tj 0 -0.001 Td " * runs + b"ET"
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def qpdf_encrypt(data, user, owner, *restrictions):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.pdf"), os.path.join(tmp, "out.pdf")
        with open(src, "wb") as f:
            f.write(data)
        # --static-id keeps the output stable (and is only for tests)
        subprocess.run(["qpdf", "--static-id", "--encrypt", user, owner, "256", *restrictions,
                        "--", src, dst], check=True)
        with open(dst, "rb") as f:
            return f.read()


def qpdf_rotate(data):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.pdf"), os.path.join(tmp, "out.pdf")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["qpdf", "--static-id", "--rotate=+90", src, dst], check=True)
        with open(dst, "rb") as f:
            return f.read()


def main():
    write("fillable", fillable(True), FILLABLE_EXPECTED)
    write("fillable-empty", fillable(False), FILLABLE_EMPTY_EXPECTED)
    write("fillable-tooltips", fillable_tooltips(), FILLABLE_TOOLTIPS_EXPECTED)
    pdf, text = printed()
    write("printed", pdf, text)
    write("encrypted", qpdf_encrypt(pdf, "tajne", "wlasciciel"),
          "error: encrypted PDF: cannot be read without a password\n")
    write("encrypted-owner", qpdf_encrypt(pdf, "", "wlasciciel", "--print=none", "--modify=none"),
          text)
    # a download cut short: the page tree and the trailer are missing
    write("damaged", pdf[:len(pdf) * 9 // 10], "error: damaged PDF\n")
    # every xref offset wrong by 37 bytes: poppler rebuilds the table and reads on
    write("xref-broken", pdf.replace(b"\n", b"\n% comment added by a mail gateway....\n", 1), text)
    table, table_text = printed_table()
    write("printed-table", table, table_text)
    write("printed-rotated", qpdf_rotate(table), table_text)
    soffice = printed_soffice()
    if soffice is not None:
        write("printed-soffice", *soffice)
    write("many-pages", *many_pages())
    write("scan", scan(), "error: PDF has no text (a scan?)\n")
    write("blank", blank(), "error: PDF has no text (a scan?)\n")
    write("text-bomb", text_bomb(100000), "error: PDF reader stopped: memory limit\n")
    write("not-pdf", b"<!DOCTYPE html>\n<html><body><p>Imi\xc4\x99: Anna</p></body></html>\n",
          "error: damaged PDF\n")


if __name__ == "__main__":
    main()
