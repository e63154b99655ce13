#!/usr/bin/env python3
"""make-sources.py - the filled forms behind the Word 97 and RTF fixtures.

Writes DOCX files (WordprocessingML by hand, legacy form fields included) into
the directory given as the only argument; make-office-fixtures.sh then has
LibreOffice turn them into .doc, .rtf, .odt and a printed PDF, as an office
would.  LibreOffice's RTF keeps no checkbox state and writes Polish letters as
\\uN, so the RTF that Word 2003 writes (\\ansicpg1250 with \\'hh bytes, form
fields with \\formfield) is written here by hand as word-*.rtf.  Standard
library only; deterministic.
"""
import os
import sys
import zipfile
from xml.sax.saxutils import escape

CONSENT = ("Wyrażam zgodę na przetwarzanie moich danych osobowych zawartych w formularzu "
           "zgłoszeniowym dla potrzeb niezbędnych do realizacji projektu (zgodnie z ustawą z dnia "
           "29 sierpnia 1997 r. o ochronie danych osobowych, Dz. U. z 2002 r. Nr 101, poz. 926 "
           "z późn. zm.).")

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
RPR = '<w:rPr><w:lang w:val="pl-PL"/></w:rPr>'


def run(text):
    return f'<w:r>{RPR}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*runs):
    return f'<w:p><w:pPr>{RPR}</w:pPr>{"".join(runs)}</w:p>'


def fld(instr, ffdata, result_runs=""):
    return (f'<w:r>{RPR}<w:fldChar w:fldCharType="begin"><w:ffData>{ffdata}</w:ffData></w:fldChar></w:r>'
            f'<w:r>{RPR}<w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            f'<w:r>{RPR}<w:fldChar w:fldCharType="separate"/></w:r>{result_runs}'
            f'<w:r>{RPR}<w:fldChar w:fldCharType="end"/></w:r>')


def formtext(name, value):
    return fld("FORMTEXT", f'<w:name w:val="{name}"/><w:enabled/><w:calcOnExit w:val="0"/><w:textInput/>',
               run(value))


def formcheckbox(name, checked):
    state = f'<w:checked w:val="{1 if checked else 0}"/>'
    return fld("FORMCHECKBOX", f'<w:name w:val="{name}"/><w:enabled/><w:calcOnExit w:val="0"/>'
               f'<w:checkBox><w:sizeAuto/><w:default w:val="0"/>{state}</w:checkBox>')


def cell(*runs):
    return f'<w:tc><w:tcPr><w:tcW w:w="4500" w:type="dxa"/></w:tcPr>{para(*runs)}</w:tc>'


def table(rows):
    grid = '<w:tblGrid><w:gridCol w:w="4500"/><w:gridCol w:w="4500"/></w:tblGrid>'
    body = "".join(f'<w:tr>{cell(run(a))}{cell(run(b))}</w:tr>' for a, b in rows)
    return f'<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/></w:tblPr>{grid}{body}</w:tbl>'


def docx(path, body):
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}'
           '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" '
           'w:bottom="1134" w:left="1134" w:header="0" w:footer="0" w:gutter="0"/></w:sectPr>'
           '</w:body></w:document>')
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}><w:docDefaults>'
              '<w:rPrDefault><w:rPr><w:lang w:val="pl-PL"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>')
    ctypes = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
              '<Default Extension="xml" ContentType="application/xml"/>'
              '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
              'officedocument.wordprocessingml.document.main+xml"/>'
              '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
              'officedocument.wordprocessingml.styles+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    drels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/styles" Target="styles.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", ctypes), ("_rels/.rels", rels),
                           ("word/_rels/document.xml.rels", drels), ("word/document.xml", doc),
                           ("word/styles.xml", styles)):
            info = zipfile.ZipInfo(name, date_time=(2014, 3, 12, 10, 0, 0))
            z.writestr(info, data, zipfile.ZIP_DEFLATED)


FIELDS = [("Imię", "Anna"), ("Nazwisko", "Wiśniewska-Żak"), ("Adres e-mail", "anna.wisniewska@ops.example.pl"),
          ("Telefon", "32 123 45 67"), ("Nazwa instytucji", "Ośrodek Pomocy Społecznej w Żorach"),
          ("Typ instytucji", "OPS"), ("Stanowisko", "pracownik socjalny"), ("Powiat", "Żory"),
          ("Temat doradztwa", "2")]


def fields_form(consent):
    """Legacy form fields: FORMTEXT values after numbered, hinted labels; FORMCHECKBOX boxes."""
    body = para(run("FORMULARZ ZGŁOSZENIOWY"))
    for i, (label, value) in enumerate(FIELDS, 1):
        hint = " (drukowanymi literami)" if label == "Nazwisko" else ""
        body += para(run(f"{i}. {label}{hint}: "), formtext(f"Tekst{i}", value))
    for name, label, on in (("Wybor1", "Spotkanie informacyjne", False),
                            ("Wybor2", "Warsztaty i wizyta studyjna", True),
                            ("Wybor3", "Doradztwo", True), ("Wybor4", "Szkolenie uzupełniające", False)):
        body += para(formcheckbox(name, on), run(" " + label))
    body += para(formcheckbox("Zgoda", consent), run(" " + CONSENT))
    return body


def table_form():
    """A table of label and value cells, ticks typed as X and TAK, the consent clause as a label."""
    rows = [(f"{label}:" if label != "Nazwa instytucji" else "Nazwa instytucji (pełna):", value)
            for label, value in FIELDS]
    rows += [("Spotkanie informacyjne", ""), ("Warsztaty i wizyta studyjna", "X"), ("Doradztwo", "TAK"),
             ("Szkolenie uzupełniające", ""), (CONSENT, "X")]
    return para(run("Formularz zgłoszeniowy – tabela")) + table(rows) + para(run("Podpis: Anna Wiśniewska-Żak"))


def paragraphs_form():
    """Plain paragraphs as typed, boxes as [x] and ☒, the consent clause after its box."""
    body = para(run("Dzień dobry, poniżej moje zgłoszenie."))
    for label, value in FIELDS:
        body += para(run(f"{label}: {value}"))
    body += para(run("[x] Warsztaty i wizyta studyjna")) + para(run("☒ Doradztwo"))
    body += para(run("[ ] Spotkanie informacyjne")) + para(run("☒ " + CONSENT))
    return body


def rtf_text(text):
    """Word 2003's escaping: cp1250 bytes as \\'hh, anything else as \\uN with a '?' fallback."""
    out = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 0x80:
            out.append(ch)
        else:
            try:
                out.append("\\'%02x" % ch.encode("cp1250")[0])
            except UnicodeEncodeError:
                out.append("\\u%d?" % (ord(ch) if ord(ch) < 0x8000 else ord(ch) - 0x10000))
    return "".join(out)


def rtf_formtext(name, value):
    return ("{\\field{\\*\\fldinst {\\lang1045 FORMTEXT }{\\lang1045 {\\*\\datafield 8001000000000000"
            "}{\\*\\formfield{\\fftype0\\ffownhelp\\ffownstat\\fftypetxt0{\\*\\ffname %s}}}}}"
            "{\\fldrslt {\\lang1045\\noproof %s}}}" % (name, rtf_text(value)))


def rtf_checkbox(name, checked, res=None):
    res = (1 if checked else 0) if res is None else res
    return ("{\\field{\\*\\fldinst {\\lang1045 FORMCHECKBOX }{\\lang1045 {\\*\\datafield 6500000014000000"
            "}{\\*\\formfield{\\fftype1\\ffres%d\\fftypetxt0\\ffhps20\\ffdefres%d{\\*\\ffname %s}}}}}"
            "{\\fldrslt }}" % (res, 1 if checked else 0, name))


def word_rtf(path, consent, default_only=False):
    """An RTF as Word 2003 saves the form: cp1250, a table, form fields, a picture to skip."""
    head = ("{\\rtf1\\ansi\\ansicpg1250\\uc1\\deff0\\stshfdbch0\\deflang1045"
            "{\\fonttbl{\\f0\\froman\\fcharset238\\fprq2{\\*\\panose 02020603050405020304}Times New Roman;}"
            "{\\f1\\fswiss\\fcharset238\\fprq2 Arial CE;}}"
            "{\\colortbl;\\red0\\green0\\blue0;}{\\stylesheet{\\ql \\f0\\fs24 Normal;}}"
            "{\\info{\\title Formularz zg\\'b3oszeniowy}{\\author ROPS Katowice}}"
            "\\paperw11906\\paperh16838\\viewkind4\n")
    body = ["\\pard\\plain \\ql\\f0\\fs24\\lang1045 {\\b " + rtf_text("FORMULARZ ZGŁOSZENIOWY") + "}\\par\n"]
    body.append("{\\header \\pard\\plain " + rtf_text("Nagłówek: nie do czytania") + "\\par}\n")
    body.append("{\\*\\shppict{\\pict\\pngblip\\picw10\\pich10 89504e470d0a1a0a}}\n")
    for i, (label, value) in enumerate(FIELDS[:5], 1):
        body.append("\\pard " + rtf_text(f"{i}. {label}: ") + rtf_formtext(f"Tekst{i}", value) + "\\par\n")
    # a table of the rest: label cell, value cell
    row_def = "\\trowd\\trgaph108\\cellx4500\\cellx9000\n"
    for label, value in FIELDS[5:]:
        body.append(row_def + "\\pard\\intbl " + rtf_text(label) + "\\cell " + rtf_text(value)
                    + "\\cell\\row\n")
    body.append("\\pard\\plain\\f0\\fs24 ")
    for name, label, on in (("Wybor1", "Spotkanie informacyjne", False),
                            ("Wybor2", "Warsztaty i wizyta studyjna", True),
                            ("Wybor3", "Doradztwo", True), ("Wybor4", "Szkolenie uzupełniające", False)):
        res = 25 if default_only else None
        body.append(rtf_checkbox(name, on, res) + " " + rtf_text(label) + "\\par\n")
    body.append(rtf_checkbox("Zgoda", consent, 25 if default_only else None) + " "
                + rtf_text(CONSENT).replace("zgłoszeniowym", "zg\\u322\\'b3oszeniowym") + "\\par\n")
    body.append("{\\*\\annotation komentarz}\\pard " + rtf_text("Dziękuję") + "\\line "
                + rtf_text("Anna Wiśniewska-Żak") + "\\par\n}")
    with open(path, "w", encoding="ascii", newline="\r\n") as f:
        f.write(head + "".join(body))


def pdf_string(text):
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def fillable_keys(path):
    """A fillable PDF whose fields are named by the form's keys, two generic ones
    ("Pole1", "Text7") with the printed label in the tooltip (TU), as form tools
    export them; written object by object (no PDF library needed)."""
    fields = [("first_name", None, "Anna"), ("last_name", None, "Wiśniewska-Żak"),
              ("email", None, "anna.wisniewska@ops.example.pl"), ("phone", None, "32 123 45 67"),
              ("Text7", "Nazwa instytucji (pełna)", "Ośrodek Pomocy Społecznej w Żorach"),
              ("institution_type", None, "OPS"), ("Pole1", "Powiat", "Żory"),
              ("consulting_topic", None, "2")]
    boxes = [("info_meeting", False), ("workshops", True), ("consulting", True), ("consent", True)]
    objs = {}
    n = len(fields) + len(boxes)
    first = 5
    kids = []
    y = 780
    for i, (name, tu, value) in enumerate(fields):
        num = first + i
        kids.append(num)
        tu_part = f" /TU {pdf_string(tu)}" if tu else ""
        objs[num] = (f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {pdf_string(name)}{tu_part} "
                     f"/V {pdf_string(value)} /Rect [250 {y} 540 {y + 18}] /P 3 0 R /F 4 >>")
        y -= 26
    for i, (name, on) in enumerate(boxes):
        num = first + len(fields) + i
        kids.append(num)
        state = "/Yes" if on else "/Off"
        objs[num] = (f"<< /Type /Annot /Subtype /Widget /FT /Btn /T {pdf_string(name)} /V {state} /AS {state} "
                     f"/Rect [50 {y} 62 {y + 12}] /P 3 0 R /F 4 /MK << /CA (4) >> >>")
        y -= 22
    refs = " ".join(f"{k} 0 R" for k in kids)
    content = "BT /F1 14 Tf 50 800 Td (FORMULARZ ZGLOSZENIOWY) Tj ET"
    objs[1] = f"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{refs}] /NeedAppearances true >> >>"
    objs[2] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    objs[3] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [{refs}] "
               f"/Resources << /Font << /F1 {first + n} 0 R >> >> >>")
    objs[4] = f"<< /Length {len(content)} >>\nstream\n{content}\nendstream"
    objs[first + n] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out = b"%PDF-1.4\n"
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n{objs[num]}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for num in sorted(objs):
        out += f"{offsets[num]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    with open(path, "wb") as f:
        f.write(out)


def main():
    if sys.argv[1] == "--pdf":
        fillable_keys(os.path.join(sys.argv[2], "fillable-keys.pdf"))
        return
    if sys.argv[1] == "--rtf":
        out = sys.argv[2]
        word_rtf(os.path.join(out, "word-fields.rtf"), True)
        word_rtf(os.path.join(out, "word-consent-unticked.rtf"), False)
        word_rtf(os.path.join(out, "word-defaults.rtf"), True, default_only=True)
        return
    out = sys.argv[1]
    docx(os.path.join(out, "fields.docx"), fields_form(True))
    docx(os.path.join(out, "consent-unticked.docx"), fields_form(False))
    docx(os.path.join(out, "table.docx"), table_form())
    docx(os.path.join(out, "paragraphs.docx"), paragraphs_form())


if __name__ == "__main__":
    main()
