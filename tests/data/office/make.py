#!/usr/bin/python3
"""make.py - write the DOCX/ODT fixtures: tests/data/office/NAME.{docx,odt} + NAME.expected.

Run with Debian's Python (python3-docx, python3-odf) and LibreOffice installed:
    /usr/bin/python3 tests/data/office/make.py
Documents built here are deterministic: fixed core properties, every ZIP entry
rewritten with a fixed date.  The lo-* files are saved by LibreOffice itself
(soffice --convert-to), which stamps its own dates and ids, so they change from
run to run; pass --no-libreoffice to keep the committed ones.  The encrypted ZIP
needs Info-ZIP's zip(1) (its encryption header is random).

Format of NAME.expected (UTF-8), read by tests/unit/test_office.c:

    limits: xml_depth=N zip_entry=BYTES zip_entries=N
                        optional first line; ExtractLimits instead of the defaults
                        (xml_depth=256 zip_entry=20 MiB zip_entries=1000)
    error: TEXT         the extractor must fail with MAILREG_ERROR_DATA and a
                        message containing TEXT
    otherwise           exactly the text extract_docx()/extract_odt() returns

The expected texts are written by hand below, never by running the extractor.
"""

import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone

import docx
from docx.oxml import parse_xml
from docx.shared import Cm
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow, CoveredTableCell
from odf.text import H, LineBreak, List, ListItem, P, S, Span, Tab

HERE = os.path.dirname(os.path.abspath(__file__))
ZIP_DATE = (2014, 3, 12, 10, 15, 0)
CORE_DATE = datetime(2014, 3, 12, 10, 15, tzinfo=timezone.utc)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECLS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)

# The filled form: label as printed, value.
FORM = [
    ("Imię", "Anna"),
    ("Nazwisko", "Nowak"),
    ("Adres e-mail", "anna.nowak@mops.gliwice.example"),
    ("Telefon", "32 111 22 33"),
    ("Nazwa instytucji", "Miejski Ośrodek Pomocy Społecznej w Gliwicach"),
    ("Typ instytucji", "OPS"),
    ("Stanowisko", "pracownik socjalny"),
    ("Powiat / miasto na prawach powiatu", "Gliwice"),
    ("Subregion", "centralny"),
    ("Spotkanie informacyjne", "☒"),
    ("Warsztaty i wizyta studyjna", "☐"),
    ("Doradztwo", "☒"),
    ("Temat doradztwa", "2"),
    ("Szkolenie uzupełniające", "☐"),
    ("Szczególne potrzeby", ""),
]
TOPICS = ("Proponowana tematyka", ["ekonomia społeczna,", "partnerstwa lokalne"])
CONSENT = "Wyrażam zgodę na przetwarzanie moich danych osobowych"

TABLE_FORM_EXPECTED = (
    "FORMULARZ ZGŁOSZENIOWY\n"
    + "".join(f"{label}\t{value}\n" for label, value in FORM)
    + f"{TOPICS[0]}\t{' '.join(TOPICS[1])}\n"
    + f"☒ {CONSENT}\n"
)

written = []


def out(name):
    return os.path.join(HERE, name)


def write_expected(name, text):
    with open(out(name + ".expected"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def normalize_zip(path):
    """Rewrite every entry with a fixed date, order and compression kept."""
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            zi = zipfile.ZipInfo(info.filename, ZIP_DATE)
            zi.compress_type = info.compress_type
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)


def zip_entries(path, entries):
    """A ZIP of (name, bytes) in order; "mimetype" stored, the rest deflated."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)


# --------------------------------------------------------------------------
# DOCX

def new_docx():
    d = docx.Document()
    cp = d.core_properties
    cp.author = "mailreg tests"
    cp.last_modified_by = "mailreg tests"
    cp.title = "Formularz zgłoszeniowy"
    cp.created = CORE_DATE
    cp.modified = CORE_DATE
    cp.revision = 1
    return d


def save_docx(d, name, expected):
    path = out(name + ".docx")
    d.save(path)
    normalize_zip(path)
    write_expected(name, expected)
    written.append(name + ".docx")


def add_xml(d, xml):
    """Append body-level elements written as WordprocessingML (w: etc. prefixes)."""
    frag = parse_xml(f"<w:body {NSDECLS}>{xml}</w:body>")
    body = d.element.body
    sect = body.find(f"{{{W}}}sectPr")
    for child in list(frag):
        if sect is not None:
            sect.addprevious(child)
        else:
            body.append(child)


def run(text, props=""):
    space = ' xml:space="preserve"' if text != text.strip() else ""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f"<w:r>{rpr}<w:t{space}>{text}</w:t></w:r>"


def para(*runs):
    return "<w:p>" + "".join(runs) + "</w:p>"


def table(rows):
    """rows: lists of cell XML (each the content of one w:tc, paragraphs)."""
    grid = "".join('<w:gridCol w:w="3000"/>' for _ in rows[0])
    trs = "".join("<w:tr>" + "".join(f"<w:tc>{c}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{trs}</w:tbl>'


def make_table_form():
    d = new_docx()
    d.add_paragraph("FORMULARZ ZGŁOSZENIOWY")
    t = d.add_table(rows=0, cols=2)
    for label, value in FORM:
        cells = t.add_row().cells
        cells[0].text = label
        cells[1].text = value
    cells = t.add_row().cells
    cells[0].text = TOPICS[0]
    cells[1].text = TOPICS[1][0]
    cells[1].add_paragraph(TOPICS[1][1])
    d.add_paragraph()
    d.add_paragraph("☒ " + CONSENT)
    # headers and footers are other parts: not read
    d.sections[0].footer.paragraphs[0].text = "Stopka: ROPS Katowice"
    d.sections[0].header.paragraphs[0].text = "Nagłówek: Imię: Ktoś"
    save_docx(d, "table-form", TABLE_FORM_EXPECTED)


def make_paragraphs():
    d = new_docx()
    d.add_paragraph("Formularz zgłoszeniowy")
    d.add_paragraph()
    lines = [
        "Imię: Anna",
        "Nazwisko: Nowak",
        "Adres e-mail: anna.nowak@mops.gliwice.example",
        "Telefon: 32 111 22 33",
        "Nazwa instytucji: Miejski Ośrodek Pomocy Społecznej w Gliwicach",
        "Typ instytucji (OPS, PCPR, ROPS, CIS, KIS, ZAZ, WTZ, NGO, JST, inne): OPS",
        "Powiat / miasto na prawach powiatu: Gliwice",
        "",
        "☒ Spotkanie informacyjne",
        "☐ Warsztaty i wizyta studyjna",
        "☒ Doradztwo",
        "Temat doradztwa (1 – Ekonomia społeczna, 2 – Budowanie partnerstw lokalnych): 2",
        "☐ Szkolenie uzupełniające",
        "   ",
        "☒ " + CONSENT,
    ]
    for line in lines:
        d.add_paragraph(line)
    d.sections[0].footer.paragraphs[0].text = "Telefon: 000 000 000"
    save_docx(d, "paragraphs", "Formularz zgłoszeniowy\n" + "".join(l + "\n" for l in lines if l.strip()))


def make_tabs():
    d = new_docx()
    p = d.add_paragraph()
    # tab stops live in w:pPr/w:tabs/w:tab: they are no text
    p.paragraph_format.tab_stops.add_tab_stop(Cm(5))
    r = p.add_run("Imię")
    r.add_tab()
    p.add_run("Anna")
    p = d.add_paragraph()
    p.paragraph_format.tab_stops.add_tab_stop(Cm(3))
    p.paragraph_format.tab_stops.add_tab_stop(Cm(6))
    r = p.add_run("Nazwisko")
    r.add_tab()
    r.add_tab()
    r.add_text("Nowak")
    p = d.add_paragraph()
    r = p.add_run("Telefon")
    r.add_tab()
    p = d.add_paragraph()
    r = p.add_run("Stanowisko:")
    r.add_tab()
    r.add_text("pracownik socjalny")
    save_docx(d, "tabs", "Imię\tAnna\nNazwisko\t\tNowak\nTelefon\t\nStanowisko:\tpracownik socjalny\n")


def sym(font, char):
    return f'<w:r><w:sym w:font="{font}" w:char="{char}"/></w:r>'


def make_symbols():
    d = new_docx()
    add_xml(d, "".join([
        para(run("☒ Spotkanie informacyjne")),
        para(sym("Wingdings", "F0FE"), run(" Doradztwo")),
        para(sym("Wingdings", "F0A8"), run(" Warsztaty i wizyta studyjna")),
        para(sym("Wingdings", "F078"), run(" Szkolenie uzupełniające")),
        para(sym("Wingdings", "F0FD"), run(" Spotkanie informacyjne")),
        para(sym("MS Gothic", "2612"), run(" " + CONSENT)),
        # a bullet of the Symbol font means nothing as text
        para(sym("Symbol", "F0B7"), run(" Uwagi: brak")),
        table([[para(run("Doradztwo")), para(run("☐"))],
               [para(run("Szkolenie uzupełniające")), para(sym("Wingdings", "F0FE"))]]),
    ]))
    save_docx(d, "symbols",
              "☒ Spotkanie informacyjne\n☑ Doradztwo\n☐ Warsztaty i wizyta studyjna\n"
              "☒ Szkolenie uzupełniające\n☒ Spotkanie informacyjne\n"
              f"☒ {CONSENT}\n Uwagi: brak\nDoradztwo\t☐\nSzkolenie uzupełniające\t☑\n")


def formcheckbox(state):
    """A legacy FORMCHECKBOX field; @state is the inner XML of w:checkBox."""
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Wybor"/><w:enabled/>'
            f'<w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/>{state}</w:checkBox></w:ffData>'
            '</w:fldChar></w:r>'
            '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def make_formcheckbox():
    d = new_docx()
    formtext = ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Imie"/><w:enabled/>'
                '<w:calcOnExit w:val="0"/><w:textInput><w:default w:val="wpisz"/></w:textInput>'
                '</w:ffData></w:fldChar></w:r>'
                '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                '<w:r><w:t>An</w:t></w:r><w:r><w:t>na</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    dropdown = ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Typ"/><w:enabled/>'
                '<w:calcOnExit w:val="0"/><w:ddList><w:result w:val="1"/>'
                '<w:listEntry w:val="OPS"/><w:listEntry w:val="PCPR"/><w:listEntry w:val="NGO"/>'
                '</w:ddList></w:ffData></w:fldChar></w:r>'
                '<w:r><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    dropdown_default = dropdown.replace('<w:result w:val="1"/>', '<w:default w:val="2"/>')
    add_xml(d, "".join([
        para(formcheckbox('<w:default w:val="0"/><w:checked/>'), run(" Spotkanie informacyjne")),
        para(formcheckbox('<w:default w:val="0"/>'), run("Warsztaty i wizyta studyjna")),
        para(formcheckbox('<w:default w:val="1"/>'), run(" Doradztwo")),
        para(formcheckbox('<w:default w:val="1"/><w:checked w:val="0"/>'), run(" Szkolenie uzupełniające")),
        para(run("Imię: "), formtext),
        para(run("Typ instytucji: "), dropdown),
        para(run("Rodzaj instytucji: "), dropdown_default),
        table([[para(run(CONSENT)), para(formcheckbox('<w:default w:val="0"/><w:checked w:val="1"/>'))]]),
    ]))
    save_docx(d, "formcheckbox",
              "☒ Spotkanie informacyjne\n☐ Warsztaty i wizyta studyjna\n☒ Doradztwo\n"
              "☐ Szkolenie uzupełniające\nImię: Anna\nTyp instytucji: PCPR\nRodzaj instytucji: NGO\n"
              f"{CONSENT}\t☒\n")


def sdt_checkbox(checked, glyph, extra_pr="", checked_state="2612", font="MS Gothic"):
    val = "1" if checked else "0"
    return ('<w:sdt><w:sdtPr>' + extra_pr + '<w14:checkbox>'
            f'<w14:checked w14:val="{val}"/>'
            f'<w14:checkedState w14:val="{checked_state}" w14:font="{font}"/>'
            '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
            f'<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>'
            f'<w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>')


def make_sdt_checkbox():
    d = new_docx()
    add_xml(d, "".join([
        para(sdt_checkbox(True, "☒"), run(" Spotkanie informacyjne")),
        para(sdt_checkbox(False, "☐"), run(" Warsztaty i wizyta studyjna")),
        # a custom checked symbol: the state says ticked, whatever the glyph
        para(sdt_checkbox(True, "✓", checked_state="2713", font="Segoe UI Symbol"), run("Doradztwo")),
        para(sdt_checkbox(True, "☒", extra_pr='<w:alias w:val="Zgoda"/><w:tag w:val="consent"/>'),
             run(" " + CONSENT)),
        table([[para(run("Szkolenie uzupełniające")), para(sdt_checkbox(False, "☐"))]]),
    ]))
    save_docx(d, "sdt-checkbox",
              "☒ Spotkanie informacyjne\n☐ Warsztaty i wizyta studyjna\n☒ Doradztwo\n"
              f"☒ {CONSENT}\nSzkolenie uzupełniające\t☐\n")


def sdt(content, alias=None, tag=None, placeholder=False, extra_pr=""):
    pr = ""
    if alias is not None:
        pr += f'<w:alias w:val="{alias}"/>'
    if tag is not None:
        pr += f'<w:tag w:val="{tag}"/>'
    pr += '<w:id w:val="1"/>'
    if placeholder:
        pr += '<w:placeholder><w:docPart w:val="DefaultPlaceholder"/></w:placeholder><w:showingPlcHdr/>'
    pr += extra_pr
    return f"<w:sdt><w:sdtPr>{pr}</w:sdtPr><w:sdtEndPr/><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def make_sdt_alias():
    d = new_docx()
    add_xml(d, "".join([
        para(sdt(run("Anna"), alias="Imię", tag="first_name")),
        para(sdt(run("No") + run("wak"), tag="Nazwisko")),
        # a label before the control: the value stays in place
        para(run("Telefon: "), sdt(run("32 111 22 33"), alias="Telefon")),
        # block-level control around one paragraph
        sdt(para(run("Miejski Ośrodek Pomocy Społecznej w Gliwicach")), alias="Nazwa instytucji"),
        # never filled in: the placeholder is no answer
        para(sdt(run("Kliknij lub naciśnij tutaj, aby wprowadzić tekst."), alias="Stanowisko",
                 placeholder=True)),
        table([[para(run("Powiat")), para(sdt(run("Gliwice"), alias="Powiat"))]]),
        # the value already carries its label
        para(sdt(run("Subregion: centralny"), alias="Subregion")),
        # a block control around several paragraphs is a container
        sdt(para(run("Temat doradztwa: 2")) + para(run("Szczególne potrzeby: brak")), alias="Zgłoszenie"),
        # a line break inside a labelled control joins with a space
        para(sdt(run("ekonomia społeczna") + '<w:r><w:br/></w:r>' + run("i partnerstwa"),
                 alias="Proponowana tematyka")),
        # text after a labelled control goes on a line of its own
        para(sdt(run("anna.nowak@mops.gliwice.example"), alias="Adres e-mail"), run(" (służbowy)")),
        # building blocks (page numbers, tables of contents) are no fields
        sdt(para(run("Strona 1")), tag="Numer strony",
            extra_pr='<w:docPartObj><w:docPartGallery w:val="Page Numbers (Top of Page)"/>'
                     '<w:docPartUnique/></w:docPartObj>'),
    ]))
    save_docx(d, "sdt-alias",
              "Imię\tAnna\nNazwisko\tNowak\nTelefon: 32 111 22 33\n"
              "Nazwa instytucji\tMiejski Ośrodek Pomocy Społecznej w Gliwicach\nStanowisko\t\n"
              "Powiat\tGliwice\nSubregion: centralny\nTemat doradztwa: 2\nSzczególne potrzeby: brak\n"
              "Proponowana tematyka\tekonomia społeczna i partnerstwa\n"
              "Adres e-mail\tanna.nowak@mops.gliwice.example\n (służbowy)\nStrona 1\n")


def make_runs():
    d = new_docx()
    p = d.add_paragraph()
    for i, piece in enumerate(["Naz", "wis", "ko", ": ", "No", "wak"]):
        r = p.add_run(piece)
        r.bold = i % 2 == 0
        r.italic = i == 1
    add_xml(d, "".join([
        # hidden text (w:vanish) is not shown, so not read
        para(run("Imię: "), run("(wpisz imię) ", "<w:vanish/>"), '<w:proofErr w:type="spellStart"/>',
             run("An"), '<w:bookmarkStart w:id="0" w:name="imie"/>', run("na"),
             '<w:bookmarkEnd w:id="0"/><w:proofErr w:type="spellEnd"/>'),
        para(run("Adres e-mail: "),
             '<w:hyperlink r:id="rIdNone" w:history="1">'
             + run("anna.nowak@", '<w:rStyle w:val="Hyperlink"/>') + run("mops.gliwice.example")
             + "</w:hyperlink>"),
        para(run("Telefon: 32"), "<w:r><w:noBreakHyphen/></w:r>", run("111"), "<w:r><w:softHyphen/></w:r>",
             run("22 33")),
        para(run("Nazwa instytucji: Caritas &amp; Przyjaciele &lt;Gliwice&gt;")),
        # field codes are not text, their results are
        para(run("Data: "), '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
             '<w:r><w:instrText xml:space="preserve"> DATE \\@ "yyyy-MM-dd" </w:instrText></w:r>',
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', run("2014-03-12"),
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>'),
        para('<w:fldSimple w:instr=" AUTHOR ">' + run("Anna Nowak") + "</w:fldSimple>"),
    ]))
    save_docx(d, "runs",
              "Nazwisko: Nowak\nImię: Anna\nAdres e-mail: anna.nowak@mops.gliwice.example\n"
              "Telefon: 32-11122 33\nNazwa instytucji: Caritas & Przyjaciele <Gliwice>\n"
              "Data: 2014-03-12\nAnna Nowak\n")


def make_soft_break():
    d = new_docx()
    p = d.add_paragraph()
    r = p.add_run("Imię: Anna")
    r.add_break()
    r.add_text("Nazwisko: Nowak")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Nazwa instytucji"
    r = t.cell(0, 1).paragraphs[0].add_run("Miejski Ośrodek")
    r.add_break()
    r.add_text("Pomocy Społecznej")
    add_xml(d, para(run("Telefon: 32 111 22 33"), '<w:r><w:br w:type="page"/></w:r>', run("Stanowisko: x"))
            + para(run("Powiat: Gliwice"), "<w:r><w:cr/></w:r>", run("Subregion: centralny")))
    save_docx(d, "soft-break",
              "Imię: Anna\nNazwisko: Nowak\nNazwa instytucji\tMiejski Ośrodek Pomocy Społecznej\n"
              "Telefon: 32 111 22 33\nStanowisko: x\nPowiat: Gliwice\nSubregion: centralny\n")


def make_tracked():
    d = new_docx()
    rev = 'w:author="Anna" w:date="2014-03-12T10:00:00Z"'
    add_xml(d, "".join([
        para(run("Nazwisko: "),
             f'<w:del w:id="1" {rev}><w:r><w:delText>Kowalski</w:delText></w:r></w:del>',
             f'<w:ins w:id="2" {rev}>' + run("Nowak") + "</w:ins>"),
        para(run("Imię: "), f'<w:ins w:id="3" {rev}>' + run("Anna") + "</w:ins>",
             f'<w:del w:id="4" {rev}><w:r><w:delText xml:space="preserve"> Maria</w:delText></w:r></w:del>'),
        para(run("Subregion: centralny"),
             f'<w:moveFrom w:id="5" {rev}>' + run(" Gliwice") + "</w:moveFrom>"),
        para(run("Powiat: "), f'<w:moveTo w:id="6" {rev}>' + run("Gliwice") + "</w:moveTo>"),
        # the old properties in w:rPrChange hid the run; the current ones do not
        para(f'<w:r><w:rPr><w:b/><w:rPrChange w:id="7" {rev}><w:rPr><w:vanish/></w:rPr></w:rPrChange>'
             '</w:rPr><w:t>Telefon: 32 111 22 33</w:t></w:r>'),
        # a whole paragraph deleted, its mark too
        f'<w:p><w:pPr><w:rPr><w:del w:id="8" {rev}/></w:rPr></w:pPr>'
        f'<w:del w:id="9" {rev}><w:r><w:delText>Stanowisko: kierownik</w:delText></w:r></w:del></w:p>',
        # a deleted table row
        table([[para(run("Typ instytucji")), para(run("OPS"))],
               [para(f'<w:del w:id="10" {rev}><w:r><w:delText>Typ instytucji</w:delText></w:r></w:del>'),
                para(f'<w:del w:id="11" {rev}><w:r><w:delText>NGO</w:delText></w:r></w:del>')]]),
    ]))
    save_docx(d, "tracked-changes",
              "Nazwisko: Nowak\nImię: Anna\nSubregion: centralny\nPowiat: Gliwice\n"
              "Telefon: 32 111 22 33\nTyp instytucji\tOPS\n")


def textbox(paras):
    box = "<w:txbxContent>" + "".join(para(run(t)) for t in paras) + "</w:txbxContent>"
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
            'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset>'
            '</wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset>'
            '</wp:positionV><wp:extent cx="2000000" cy="500000"/><wp:wrapNone/>'
            '<wp:docPr id="1" name="Pole tekstowe 1" descr="Opis: nie do czytania"/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr/>'
            f'<wps:txbx>{box}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>'
            '</wp:anchor></w:drawing></mc:Choice>'
            '<mc:Fallback><w:pict><v:shape id="tb1" style="width:150pt;height:40pt">'
            f'<v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def make_textbox():
    d = new_docx()
    vml = ('<w:r><w:pict><v:shape id="tb2" style="width:150pt;height:40pt"><v:textbox><w:txbxContent>'
           + para(run("Telefon: 32 111 22 33")) + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>")
    add_xml(d, "".join([
        para(run("Formularz"), textbox(["Imię: Anna", "Nazwisko: Nowak"]), run(" (ramka)")),
        para(vml),
        table([[para(run("Powiat")), para(run("Gliwice"), textbox(["Subregion: centralny"]))]]),
    ]))
    save_docx(d, "textbox",
              "Imię: Anna\nNazwisko: Nowak\nFormularz (ramka)\nTelefon: 32 111 22 33\n"
              "Subregion: centralny\nPowiat\tGliwice\n")


def make_nested_table():
    d = new_docx()
    inner = table([[para(run("Imię")), para(run("Anna"))],
                   [para(run("Nazwisko")), para(run("Nowak"))]])
    add_xml(d, "".join([
        # a one-cell frame around the real table, as form designers like it
        table([[para(run("DANE UCZESTNIKA")) + inner + para(run("koniec danych"))]]),
        # an empty indentation column before label and value
        table([[para(""), para(run("Telefon")), para(run("32 111 22 33"))],
               [para(""), para(run("Stanowisko")), para("")],
               [para(run("Powiat")), para(""), para(run("Gliwice"))],
               [para(""), para(""), para("")]]),
    ]))
    save_docx(d, "nested-table",
              "DANE UCZESTNIKA\nImię\tAnna\nNazwisko\tNowak\nkoniec danych\n"
              "Telefon\t32 111 22 33\nStanowisko\t\nPowiat\t\tGliwice\n")


def raw_docx(name, document_xml, expected):
    """A minimal package around a hand-written word/document.xml."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    entries = [("[Content_Types].xml", ct.encode()), ("_rels/.rels", rels.encode())]
    if document_xml is not None:
        entries.append(("word/document.xml", document_xml.encode()))
    zip_entries(out(name + ".docx"), entries)
    write_expected(name, expected)
    written.append(name + ".docx")


def document(body):
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NSDECLS}><w:body>{body}</w:body></w:document>'


def make_strict():
    # ISO 29500 Strict: another namespace, the same elements
    xml = document(para(run("Imię: Anna")) + table([[para(run("Nazwisko")), para(run("Nowak"))]]))
    xml = xml.replace(W, "http://purl.oclc.org/ooxml/wordprocessingml/main")
    raw_docx("strict", xml, "Imię: Anna\nNazwisko\tNowak\n")


# --------------------------------------------------------------------------
# Hostile and broken DOCX

def make_bomb():
    """300 MB of spaces in word/document.xml, declared honestly: ~300 KB."""
    path = out("bomb.docx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        zi = zipfile.ZipInfo("word/document.xml", ZIP_DATE)
        zi.compress_type = zipfile.ZIP_DEFLATED
        with z.open(zi, "w") as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="' + W.encode() + b'"><w:body>')
            chunk = b" " * (1 << 20)
            for _ in range(300):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    write_expected("bomb", "error: entry word/document.xml inflates beyond 20971520 bytes\n")
    written.append("bomb.docx")


def make_bomb_lying():
    """64 MiB of spaces whose headers declare 4 KiB: only counting the bytes inflated catches it."""
    path = out("bomb-lying.docx")
    body = b" " * (64 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        zi = zipfile.ZipInfo("word/document.xml", ZIP_DATE)
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, body)
    data = bytearray(open(path, "rb").read())
    # local header: uncompressed size at +22; central directory entry: at +24
    lh = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, lh + 22, 4096)
    cd = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 4096)
    open(path, "wb").write(bytes(data))
    write_expected("bomb-lying", "error: entry word/document.xml inflates beyond 20971520 bytes\n")
    written.append("bomb-lying.docx")


def make_broken():
    whole = open(out("table-form.docx"), "rb").read()
    open(out("truncated.docx"), "wb").write(whole[: len(whole) // 2])
    write_expected("truncated", "error: truncated ZIP archive\n")
    written.append("truncated.docx")

    open(out("not-zip.docx"), "wb").write("Imię: Anna\nNazwisko: Nowak\n".encode())
    write_expected("not-zip", "error: not a ZIP archive\n")
    written.append("not-zip.docx")

    # what Word writes for a password-protected document (and what a .doc is)
    open(out("ole2.docx"), "wb").write(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    write_expected("ole2", "error: OLE2 compound file\n")
    written.append("ole2.docx")

    # a ZIP whose central directory is cut off in the middle
    cut = whole[: whole.rindex(b"PK\x01\x02") + 10]
    open(out("no-central-directory.docx"), "wb").write(cut)
    write_expected("no-central-directory", "error: truncated ZIP archive\n")
    written.append("no-central-directory.docx")

    raw_docx("no-document", None, "error: ZIP entry word/document.xml missing\n")

    entries = [(f"word/media/x{i:04}.txt", b"") for i in range(1001)]
    entries.append(("word/document.xml", document(para(run("Imię: Anna"))).encode()))
    zip_entries(out("too-many-entries.docx"), entries)
    write_expected("too-many-entries", "error: ZIP archive declares 1002 entries, more than the limit of 1000\n")
    written.append("too-many-entries.docx")

    raw_docx("malformed", document(para(run("Imię: Anna"))).replace("</w:body>", ""),
             "error: word/document.xml is not well-formed XML\n")

    # billion laughs: libxml2 refuses the expansion whatever we do
    lol = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    lol = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">{lol}]>'
           f'<w:document {NSDECLS}><w:body>' + para(run("&l9;")) + "</w:body></w:document>")
    raw_docx("billion-laughs", lol, "error: word/document.xml\n")
    # a harmless DOCTYPE with an external entity: refused before any entity is read
    xxe = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           f'<w:document {NSDECLS}><w:body>' + para(run("Imię: Anna")) + para(run("&x;")) + "</w:body></w:document>")
    raw_docx("doctype", xxe, "error: word/document.xml has a DOCTYPE declaration\n")

    # nesting: w:sdt in w:sdt ... (content controls nest legitimately)
    def nest(n):
        return "<w:sdt><w:sdtContent>" * n + para(run("x")) + "</w:sdtContent></w:sdt>" * n
    raw_docx("deep", document(nest(200)), "error: word/document.xml nests elements deeper than 256 levels\n")
    raw_docx("deep-limit", document(nest(30)),
             "limits: xml_depth=50\nerror: word/document.xml nests elements deeper than 50 levels\n")
    raw_docx("deep-ok", document(nest(30)), "x\n")

    if shutil.which("zip") is None:
        print("zip(1) missing: encrypted.docx not rewritten", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "word"))
        doc = os.path.join(tmp, "word", "document.xml")
        with open(doc, "w", encoding="utf-8") as f:
            f.write(document(para(run("Imię: Anna"))))
        os.utime(doc, (1394615700, 1394615700))
        target = out("encrypted.docx")
        if os.path.exists(target):
            os.unlink(target)
        subprocess.run(["zip", "-q", "-X", "-P", "tajne", target, "word/document.xml"], cwd=tmp, check=True)
    write_expected("encrypted", "error: encrypted ZIP entry word/document.xml\n")
    written.append("encrypted.docx")


# --------------------------------------------------------------------------
# ODT

def new_odt():
    o = OpenDocumentText()
    return o


def save_odt(o, name, expected):
    path = out(name + ".odt")
    o.save(path)
    normalize_zip(path)
    write_expected(name, expected)
    written.append(name + ".odt")


def make_odt_paragraphs():
    o = new_odt()
    o.text.addElement(H(outlinelevel=1, text="Formularz zgłoszeniowy"))
    p = P()
    for piece in ["Naz", "wis", "ko"]:
        p.addElement(Span(text=piece))
    p.addText(": Nowak")
    o.text.addElement(p)
    p = P(text="Imię:")
    p.addElement(S(c=3))
    p.addElement(Span(text="Anna"))
    o.text.addElement(p)
    p = P(text="Telefon")
    p.addElement(Tab())
    p.addText("32 111 22 33")
    o.text.addElement(p)
    p = P(text="Stanowisko: pracownik socjalny")
    p.addElement(LineBreak())
    p.addText("Powiat / miasto na prawach powiatu: Gliwice")
    o.text.addElement(p)
    # white space in the XML collapses (ODF 1.2 §6.1.2); text:s is literal
    p = P()
    p.addText("  Subregion:   \n centralny ")
    o.text.addElement(p)
    p = P()
    p.addElement(S())
    p.addText("Doradztwo")
    o.text.addElement(p)
    lst = List()
    for t in ["☒ Spotkanie informacyjne", "☐ Warsztaty i wizyta studyjna"]:
        item = ListItem()
        item.addElement(P(text=t))
        lst.addElement(item)
    o.text.addElement(lst)
    o.text.addElement(P())
    save_odt(o, "odt-paragraphs",
             "Formularz zgłoszeniowy\nNazwisko: Nowak\nImię:   Anna\nTelefon\t32 111 22 33\n"
             "Stanowisko: pracownik socjalny\nPowiat / miasto na prawach powiatu: Gliwice\n"
             "Subregion: centralny \n Doradztwo\n☒ Spotkanie informacyjne\n☐ Warsztaty i wizyta studyjna\n")


def make_odt_table():
    o = new_odt()
    o.text.addElement(P(text="FORMULARZ ZGŁOSZENIOWY"))
    t = Table(name="Formularz")
    t.addElement(TableColumn(numbercolumnsrepeated=2))
    for label, value in FORM:
        tr = TableRow()
        c = TableCell(valuetype="string")
        p = P()
        # a label split over spans, as LibreOffice writes after edits
        half = len(label) // 2
        p.addElement(Span(text=label[:half]))
        p.addElement(Span(text=label[half:]))
        c.addElement(p)
        tr.addElement(c)
        c = TableCell(valuetype="string")
        c.addElement(P(text=value))
        tr.addElement(c)
        t.addElement(tr)
    tr = TableRow()
    c = TableCell(valuetype="string")
    c.addElement(P(text=TOPICS[0]))
    tr.addElement(c)
    c = TableCell(valuetype="string")
    for t_ in TOPICS[1]:
        c.addElement(P(text=t_))
    tr.addElement(c)
    t.addElement(tr)
    # the consent spans both columns
    tr = TableRow()
    c = TableCell(valuetype="string", numbercolumnsspanned=2)
    c.addElement(P(text="☒ " + CONSENT))
    tr.addElement(c)
    tr.addElement(CoveredTableCell())
    t.addElement(tr)
    o.text.addElement(t)
    expected = TABLE_FORM_EXPECTED.replace(f"☒ {CONSENT}\n", f"☒ {CONSENT}\t\n")
    save_odt(o, "odt-table", expected)


ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)


def raw_odt(name, text_xml, expected, manifest_extra="", content=None):
    if content is None:
        content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODT_NS} office:version="1.2">'
                   f"<office:body><office:text>{text_xml}</office:text></office:body></office:document-content>").encode()
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                f"{manifest_extra}</manifest:file-entry></manifest:manifest>")
    zip_entries(out(name + ".odt"), [
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content),
        ("META-INF/manifest.xml", manifest.encode()),
    ])
    write_expected(name, expected)
    written.append(name + ".odt")


def make_odt_tracked():
    tracked = ('<text:tracked-changes>'
               '<text:changed-region xml:id="ct1" text:id="ct1"><text:deletion><office:change-info>'
               '<dc:creator>Anna</dc:creator><dc:date>2014-03-12T10:00:00</dc:date></office:change-info>'
               '<text:p>Kowalski</text:p></text:deletion></text:changed-region>'
               '<text:changed-region xml:id="ct2" text:id="ct2"><text:insertion><office:change-info>'
               '<dc:creator>Anna</dc:creator><dc:date>2014-03-12T10:00:00</dc:date></office:change-info>'
               '</text:insertion></text:changed-region>'
               '<text:changed-region xml:id="ct3" text:id="ct3"><text:deletion><office:change-info>'
               '<dc:creator>Anna</dc:creator><dc:date>2014-03-12T10:00:00</dc:date></office:change-info>'
               '<text:p>Stanowisko: kierownik</text:p></text:deletion></text:changed-region>'
               '</text:tracked-changes>')
    body = ('<text:p>Nazwisko: <text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>'
            'Nowak<text:change-end text:change-id="ct2"/></text:p>'
            '<text:p><text:change text:change-id="ct3"/>Imię: Anna</text:p>'
            # comments and footnotes are not the form
            '<text:p>Telefon: 32 111 22 33<office:annotation><dc:creator>ROPS</dc:creator>'
            '<text:p>Sprawdzić numer</text:p></office:annotation>'
            '<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
            '<text:note-body><text:p>Przypis: numer służbowy</text:p></text:note-body></text:note></text:p>')
    raw_odt("odt-tracked", tracked + body, "Nazwisko: Nowak\nImię: Anna\nTelefon: 32 111 22 33\n")


def make_odt_forms():
    forms = ('<office:forms form:automatic-focus="false" form:apply-design-mode="false">'
             '<form:form form:name="Formularz" form:apply-filter="true" form:command-type="table">'
             '<form:checkbox form:name="spotkanie" form:control-implementation="ooo:com.sun.star.form.component.CheckBox" '
             'xml:id="control1" form:id="control1" form:current-state="checked" form:image-position="center">'
             '<form:properties/></form:checkbox>'
             '<form:checkbox form:name="warsztaty" xml:id="control2" form:id="control2" form:image-position="center"/>'
             '<form:checkbox form:name="doradztwo" form:id="control3" form:label="Doradztwo" '
             'form:state="checked" form:image-position="center"/>'
             '<form:text form:name="imie" xml:id="control4" form:id="control4" form:current-value="Anna" form:value="wpisz"/>'
             '<form:text form:name="nazwisko" xml:id="control5" form:id="control5" form:value="Nowak"/>'
             '<form:listbox form:name="typ" xml:id="control6" form:id="control6" form:dropdown="true">'
             '<form:option form:label="OPS" form:value="OPS"/>'
             '<form:option form:label="PCPR" form:value="PCPR" form:current-selected="true"/>'
             '</form:listbox>'
             '<form:checkbox form:name="zgoda" xml:id="control7" form:id="control7" form:current-state="unchecked" '
             'form:state="checked" form:image-position="center"/>'
             '<form:radio form:name="sub" xml:id="control8" form:id="control8" form:label="centralny" '
             'form:current-selected="true" form:image-position="center"/>'
             '</form:form></office:forms>')

    def ctl(n):
        return (f'<draw:control text:anchor-type="as-char" svg:width="0.4cm" svg:height="0.4cm" '
                f'draw:control="control{n}"/>')
    body = (f'<text:p>{ctl(1)} Spotkanie informacyjne</text:p>'
            f'<text:p>{ctl(2)}Warsztaty i wizyta studyjna</text:p>'
            f'<text:p>{ctl(3)}</text:p>'
            f'<text:p>Imię: {ctl(4)}</text:p>'
            f'<text:p>Nazwisko: {ctl(5)}</text:p>'
            f'<text:p>Typ instytucji: {ctl(6)}</text:p>'
            '<table:table table:name="T"><table:table-column table:number-columns-repeated="2"/>'
            f'<table:table-row><table:table-cell><text:p>{CONSENT}</text:p></table:table-cell>'
            f'<table:table-cell><text:p>{ctl(7)}</text:p></table:table-cell></table:table-row></table:table>'
            f'<text:p>Subregion: {ctl(8)}</text:p>'
            f'<text:p>{ctl(99)}Telefon: 32 111 22 33</text:p>')
    raw_odt("odt-forms", forms + body,
            "☒ Spotkanie informacyjne\n☐ Warsztaty i wizyta studyjna\n☒ Doradztwo\nImię: Anna\n"
            f"Nazwisko: Nowak\nTyp instytucji: PCPR\n{CONSENT}\t☐\nSubregion: ☒ centralny\n"
            "Telefon: 32 111 22 33\n")


def make_odt_fields():
    body = ('<text:p>Imię: <text:text-input text:description="imię">Anna</text:text-input></text:p>'
            '<text:p>Nazwisko: <text:placeholder text:placeholder-type="text">&lt;wpisz nazwisko&gt;'
            '</text:placeholder></text:p>'
            '<text:p>Data: <text:date text:date-value="2014-03-12">12.03.2014</text:date></text:p>'
            '<text:p>Typ instytucji: <text:drop-down text:name="typ"><text:label text:value="OPS"/>'
            '<text:label text:value="NGO" text:current-selected="true"/>NGO</text:drop-down></text:p>'
            '<text:p>Formularz<draw:frame draw:name="Ramka1" text:anchor-type="paragraph" svg:width="5cm">'
            '<svg:title>Tytuł ramki</svg:title><svg:desc>Opis ramki</svg:desc><draw:text-box>'
            '<text:p>Telefon: 32 111 22 33</text:p><text:p>Stanowisko: pracownik socjalny</text:p>'
            '</draw:text-box></draw:frame> (ramka)</text:p>'
            '<text:section text:name="S1"><text:h text:outline-level="2">Dane instytucji</text:h>'
            '<text:p>Nazwa instytucji: <text:a xlink:href="http://mops.example" xlink:type="simple">MOPS</text:a>'
            ' Gliwice</text:p></text:section>')
    raw_odt("odt-fields", body,
            "Imię: Anna\nNazwisko: \nData: 12.03.2014\nTyp instytucji: NGO\n"
            "Telefon: 32 111 22 33\nStanowisko: pracownik socjalny\nFormularz (ramka)\n"
            "Dane instytucji\nNazwa instytucji: MOPS Gliwice\n")


def make_odt_content_control():
    """What LibreOffice writes for Word's content controls (see lo-sdt-checkbox)."""
    lo = 'xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"'
    body = (f'<text:p><loext:content-control {lo} loext:checkbox="true" loext:checked="true" '
            'loext:checked-state="☒" loext:unchecked-state="☐">✓</loext:content-control> Doradztwo</text:p>'
            f'<text:p><loext:content-control {lo} loext:checkbox="true" loext:checked="false">☐'
            '</loext:content-control>Szkolenie uzupełniające</text:p>'
            f'<text:p>Stanowisko: <loext:content-control {lo} loext:showing-place-holder="true">'
            'Kliknij tutaj</loext:content-control></text:p>'
            f'<text:p>Imię: <loext:content-control {lo} loext:alias="Imię">Anna</loext:content-control></text:p>')
    raw_odt("odt-content-control", body,
            "☒ Doradztwo\n☐ Szkolenie uzupełniające\nStanowisko: \nImię: Anna\n")


def make_odt_fieldmarks():
    """What LibreOffice writes for Word's legacy form fields (see lo-formcheckbox)."""
    fns = 'xmlns:field="urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"'
    cb = "vnd.oasis.opendocument.field.FORMCHECKBOX"
    dd = "vnd.oasis.opendocument.field.FORMDROPDOWN"
    body = (f'<text:p><field:fieldmark {fns} text:name="a" field:type="{cb}">'
            '<field:param field:name="Checkbox_Checked" field:value="true"/></field:fieldmark>Doradztwo</text:p>'
            f'<text:p><field:fieldmark {fns} text:name="b" field:type="{cb}"/><text:s/>Szkolenie uzupełniające</text:p>'
            f'<text:p>Typ instytucji: <field:fieldmark {fns} text:name="c" field:type="{dd}">'
            '<field:param field:name="Dropdown_ListEntry" field:value="OPS"/>'
            '<field:param field:name="Dropdown_ListEntry" field:value="NGO"/>'
            '<field:param field:name="Dropdown_Selected" field:value="1"/></field:fieldmark></text:p>'
            f'<text:p>Imię: <field:fieldmark-start {fns} text:name="d" field:type="vnd.oasis.opendocument.field.FORMTEXT">'
            '<field:param field:name="Content" field:value="wpisz"/></field:fieldmark-start>'
            f'<field:fieldmark-separator {fns}/>Anna<field:fieldmark-end {fns}/></text:p>')
    raw_odt("odt-fieldmarks", body,
            "☒ Doradztwo\n☐ Szkolenie uzupełniające\nTyp instytucji: NGO\nImię: Anna\n")


def make_odt_broken():
    enc = ('<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
           'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
           'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>')
    raw_odt("odt-encrypted", "", "error: password-protected ODT\n", manifest_extra=enc,
            content=bytes(range(256)) * 16)
    raw_odt("odt-deep", "<text:section>" * 300 + "<text:p>x</text:p>" + "</text:section>" * 300,
            "error: content.xml nests elements deeper than 256 levels\n")
    with zipfile.ZipFile(out("odt-no-content.odt"), "w") as z:
        zi = zipfile.ZipInfo("mimetype", ZIP_DATE)
        z.writestr(zi, b"application/vnd.oasis.opendocument.text")
    write_expected("odt-no-content", "error: ZIP entry content.xml missing\n")
    written.append("odt-no-content.odt")


# --------------------------------------------------------------------------
# LibreOffice

def soffice_convert(src, fmt, name, expected):
    """Save @src as @fmt with LibreOffice, as tests/data/office/NAME.fmt."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = "file://" + os.path.join(tmp, "profile")
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
                        "--convert-to", fmt, "--outdir", tmp, src],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        produced = os.path.join(tmp, os.path.splitext(os.path.basename(src))[0] + "." + fmt)
        shutil.copyfile(produced, out(f"{name}.{fmt}"))
    write_expected(name, expected)
    written.append(f"{name}.{fmt}")


def make_libreoffice():
    soffice_convert(out("table-form.docx"), "odt", "lo-table-form", TABLE_FORM_EXPECTED)
    # the spanned consent cell is one w:tc with w:gridSpan in DOCX: no empty cell after it
    soffice_convert(out("odt-table.odt"), "docx", "lo-odt-table", TABLE_FORM_EXPECTED)
    # legacy fields become field:fieldmark; LibreOffice ignores a drop-down's
    # w:default and saves the first entry as the selected one
    soffice_convert(out("formcheckbox.docx"), "odt", "lo-formcheckbox",
                    open(out("formcheckbox.expected"), encoding="utf-8").read()
                    .replace("Rodzaj instytucji: NGO", "Rodzaj instytucji: OPS"))
    # checkbox content controls become loext:content-control (see odt-content-control)
    soffice_convert(out("sdt-checkbox.docx"), "odt", "lo-sdt-checkbox",
                    open(out("sdt-checkbox.expected"), encoding="utf-8").read())


def main():
    make_table_form()
    make_paragraphs()
    make_tabs()
    make_symbols()
    make_formcheckbox()
    make_sdt_checkbox()
    make_sdt_alias()
    make_runs()
    make_soft_break()
    make_tracked()
    make_textbox()
    make_nested_table()
    make_strict()
    make_bomb()
    make_bomb_lying()
    make_broken()
    make_odt_paragraphs()
    make_odt_table()
    make_odt_tracked()
    make_odt_forms()
    make_odt_fields()
    make_odt_content_control()
    make_odt_fieldmarks()
    make_odt_broken()
    if "--no-libreoffice" not in sys.argv:
        make_libreoffice()
    print("\n".join(sorted(written)))


if __name__ == "__main__":
    main()
