#!/usr/bin/python3
"""Generate the blank application form in the formats applicants use.

One source, templates/forms/formularz.txt (the text form), becomes
formularz.docx, formularz.odt and a fillable formularz.pdf beside it.  Run with
Debian's python3 (python3-docx, python3-odf, python3-reportlab); the output is
reproducible (fixed dates, reportlab's invariant mode), so re-running it on an
unchanged source changes nothing in git.  Generation only: mailreg itself never
needs these libraries.

Layout rules taken from the text form:
  "Label:"      -> a two-column table row (label, empty cell to fill in);
                   in the PDF a text field named by the label
  "[ ] Label"   -> a checkbox line "☐ Label" (PDF: a checkbox named by the label)
  other lines   -> headings (upper case) or paragraphs
"""
import datetime
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "formularz.txt")
FIXED = datetime.datetime(2014, 1, 15, 12, 0, 0)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def parse(path):
    """[(kind, text)] with kind in heading, para, field, checkbox, blank."""
    items = []
    for line in open(path, encoding="utf-8").read().splitlines():
        line = line.rstrip()
        m = re.match(r"^\[ \] (.+)$", line)
        if m:
            items.append(("checkbox", m.group(1)))
        elif line.endswith(":") and len(line) < 200 and not line.startswith("Wypełnij"):
            items.append(("field", line[:-1]))
        elif not line:
            items.append(("blank", ""))
        elif line.isupper() or line.split(" (")[0].isupper():
            items.append(("heading", line))
        else:
            items.append(("para", line))
    return items


def instructions(fmt):
    if fmt == "pdf":
        return ("Wypełnij pola formularza, zaznacz wybrane formy wsparcia i odeślij plik PDF "
                "jako załącznik odpowiedzi.")
    return ("Wpisz dane w prawej kolumnie tabeli, a wybrane formy wsparcia zaznacz, zamieniając "
            "☐ na ☒ (lub X). Zapisz plik i odeślij go jako załącznik.")


def make_docx(items, out):
    import docx
    from docx.shared import Pt, Cm

    d = docx.Document()
    d.core_properties.created = FIXED
    d.core_properties.modified = FIXED
    d.core_properties.last_printed = FIXED
    d.core_properties.author = "ROPS Katowice"
    d.core_properties.title = "Formularz zgłoszeniowy"
    d.core_properties.revision = 1
    style = d.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    table = None
    for kind, text in items:
        if kind == "field":
            if table is None:
                table = d.add_table(rows=0, cols=2)
                table.style = "Table Grid"
            row = table.add_row().cells
            row[0].text = text
            row[0].width = Cm(7)
            row[1].width = Cm(9)
            continue
        table = None
        if kind == "heading":
            d.add_heading(text, level=1 if text.startswith("FORMULARZ") else 2)
        elif kind == "para":
            d.add_paragraph(instructions("docx") if text.startswith("Wypełnij") else text)
        elif kind == "checkbox":
            d.add_paragraph("☐ " + text)
    d.save(out)


def make_odt(items, out):
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties, TableColumnProperties, ParagraphProperties
    from odf.table import Table, TableColumn, TableRow, TableCell
    from odf.text import P, H
    from odf import meta, dc

    doc = OpenDocumentText()
    doc.meta.addElement(meta.CreationDate(text=FIXED.isoformat()))
    doc.meta.addElement(dc.Date(text=FIXED.isoformat()))
    doc.meta.addElement(dc.Title(text="Formularz zgłoszeniowy"))
    bold = Style(name="Heading", family="paragraph")
    bold.addElement(TextProperties(fontweight="bold", fontsize="12pt"))
    doc.styles.addElement(bold)
    col1 = Style(name="Col1", family="table-column")
    col1.addElement(TableColumnProperties(columnwidth="7cm"))
    col2 = Style(name="Col2", family="table-column")
    col2.addElement(TableColumnProperties(columnwidth="9cm"))
    doc.automaticstyles.addElement(col1)
    doc.automaticstyles.addElement(col2)
    table = None
    n = 0
    for kind, text in items:
        if kind == "field":
            if table is None:
                n += 1
                table = Table(name=f"Dane{n}")
                table.addElement(TableColumn(stylename=col1))
                table.addElement(TableColumn(stylename=col2))
                doc.text.addElement(table)
            tr = TableRow()
            label = TableCell(valuetype="string")
            label.addElement(P(text=text))
            value = TableCell(valuetype="string")
            value.addElement(P(text=""))
            tr.addElement(label)
            tr.addElement(value)
            table.addElement(tr)
            continue
        table = None
        if kind == "heading":
            doc.text.addElement(H(outlinelevel=1, stylename=bold, text=text))
        elif kind == "para":
            doc.text.addElement(P(text=instructions("odt") if text.startswith("Wypełnij") else text))
        elif kind == "checkbox":
            doc.text.addElement(P(text="☐ " + text))
        elif kind == "blank":
            doc.text.addElement(P(text=""))
    doc.save(out)


def make_pdf(items, out):
    from reportlab.pdfgen import canvas
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.lib.colors import black, white

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_BOLD))
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    c.setTitle("Formularz zgłoszeniowy")
    c.setAuthor("ROPS Katowice")
    width, height = A4
    y = height - 50
    form = c.acroForm

    def newline(dy):
        nonlocal y
        y -= dy
        if y < 60:
            c.showPage()
            y = height - 50

    def wrap(text, size, maxw):
        words, lines, cur = text.split(), [], ""
        for w in words:
            test = (cur + " " + w).strip()
            if pdfmetrics.stringWidth(test, "DejaVu", size) > maxw and cur:
                lines.append(cur)
                cur = w
            else:
                cur = test
        return lines + [cur] if cur else lines

    for kind, text in items:
        if kind == "heading":
            newline(8)
            c.setFont("DejaVu-Bold", 12 if text.startswith("FORMULARZ") else 10)
            c.drawString(50, y, text)
            newline(18)
        elif kind == "para":
            c.setFont("DejaVu", 9)
            for line in wrap(instructions("pdf") if text.startswith("Wypełnij") else text, 9, width - 100):
                c.drawString(50, y, line)
                newline(12)
        elif kind == "field":
            c.setFont("DejaVu", 9)
            lines = wrap(text + ":", 9, 200)
            for i, line in enumerate(lines):
                c.drawString(50, y - 12 * i, line)
            form.textfield(name=text, tooltip=text, x=260, y=y - 4, width=280, height=16,
                           fontName="Helvetica", fontSize=9, borderColor=black, fillColor=white,
                           forceBorder=True)
            newline(max(22, 12 * len(lines) + 8))
        elif kind == "checkbox":
            form.checkbox(name=text, tooltip=text, x=50, y=y - 3, size=12, buttonStyle="cross",
                          borderColor=black, fillColor=white, forceBorder=True, checked=False)
            c.setFont("DejaVu", 9)
            lines = wrap(text, 9, width - 120)
            for i, line in enumerate(lines):
                c.drawString(70, y - 12 * i, line)
            newline(max(20, 12 * len(lines) + 8))
        elif kind == "blank":
            newline(6)
    c.save()


def normalize_zip(path):
    """Rewrite a ZIP with fixed entry times, so a rebuild is byte-identical."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            # ODF: the "mimetype" entry must come first and stay uncompressed
            fixed.compress_type = (zipfile.ZIP_STORED if info.filename == "mimetype"
                                   else zipfile.ZIP_DEFLATED)
            fixed.external_attr = 0o644 << 16
            z.writestr(fixed, data)


def main():
    items = parse(SOURCE)
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    make_docx(items, os.path.join(outdir, "formularz.docx"))
    make_odt(items, os.path.join(outdir, "formularz.odt"))
    normalize_zip(os.path.join(outdir, "formularz.docx"))
    normalize_zip(os.path.join(outdir, "formularz.odt"))
    make_pdf(items, os.path.join(outdir, "formularz.pdf"))


if __name__ == "__main__":
    main()
