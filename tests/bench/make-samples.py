#!/usr/bin/python3
"""Fill the blank forms of templates/forms/ with one applicant's data, for the
per-format benchmark (tests/bench/formats.sh).  Writes samples/filled.{txt,docx,
odt,pdf,html}, samples/printed.pdf (the DOCX printed to PDF by LibreOffice) and
samples/filled.{doc,rtf} (the DOCX saved as Word 97 and RTF by LibreOffice).
Needs Debian's python3-docx, python3-pypdf and LibreOffice; the outputs are
committed, so the benchmark itself needs none of them."""
import os
import re
import shutil
import subprocess
import tempfile
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FORMS = os.path.join(ROOT, "templates", "forms")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples")

VALUES = {
    "Imię": "Anna",
    "Nazwisko": "Wiśniewska-Żak",
    "Adres e-mail": "anna.wisniewska@ops.example.pl",
    "Telefon": "32 123 45 67",
    "Nazwa instytucji": "Ośrodek Pomocy Społecznej w Żorach",
    "Typ instytucji": "OPS",
    "Stanowisko": "pracownik socjalny",
    "Powiat / miasto na prawach powiatu": "Żory",
    "Subregion": "zachodni",
    "Temat doradztwa": "2",
    "Szczególne potrzeby": "brak",
    "Proponowana tematyka": "partnerstwo lokalne",
}
TICKED = {"Spotkanie informacyjne", "Doradztwo",
          "Wyrażam zgodę na przetwarzanie moich danych osobowych"}


def value_for(label):
    base = label.split(" (")[0]
    return VALUES.get(base, "")


def filled_txt():
    out = []
    for line in open(os.path.join(FORMS, "formularz.txt"), encoding="utf-8").read().splitlines():
        m = re.match(r"^\[ \] (.+)$", line)
        if m:
            out.append(("[X] " if m.group(1) in TICKED else "[ ] ") + m.group(1))
        elif line.endswith(":") and not line.startswith("Wypełnij"):
            out.append(f"{line} {value_for(line[:-1])}".rstrip())
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def filled_docx(path):
    import docx
    d = docx.Document(os.path.join(FORMS, "formularz.docx"))
    for table in d.tables:
        for row in table.rows:
            row.cells[1].text = value_for(row.cells[0].text)
    for p in d.paragraphs:
        if p.text.startswith("☐ ") and p.text[2:] in TICKED:
            for run in p.runs:
                run.text = run.text.replace("☐", "☒")
    d.save(path)


def filled_pdf(path):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject
    reader = PdfReader(os.path.join(FORMS, "formularz.pdf"))
    writer = PdfWriter()
    writer.append(reader)
    fields = {name: value_for(name) for name in reader.get_fields()
              if reader.get_fields()[name].get("/FT") == "/Tx"}
    for page in writer.pages:
        writer.update_page_form_field_values(page, fields)
        for annot in page.get("/Annots", []):
            a = annot.get_object()
            if a.get("/FT") == "/Btn" and a.get("/T") in TICKED:
                a[NameObject("/V")] = NameObject("/Yes")
                a[NameObject("/AS")] = NameObject("/Yes")
    with open(path, "wb") as f:
        writer.write(f)


def filled_html(text):
    rows = []
    for line in text.splitlines():
        if ":" in line and not line.startswith(("Wypełnij", "[")):
            label, value = line.split(":", 1)
            rows.append(f"<tr><td>{label}</td><td>{value.strip()}</td></tr>")
        elif line:
            rows.append(f"<tr><td colspan=2>{line.replace('[X]', '&#9746;').replace('[ ]', '&#9744;')}</td></tr>")
    return ("<html><head><meta charset=\"utf-8\"><style>td{border:1px solid}</style></head>"
            "<body><div dir=\"ltr\">Dzień dobry,<br>przesyłam formularz.<br></div>"
            "<table>" + "\n".join(rows) + "</table><p>Pozdrawiam<br>Anna</p></body></html>\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    text = filled_txt()
    open(os.path.join(OUT, "filled.txt"), "w", encoding="utf-8").write(text)
    open(os.path.join(OUT, "filled.html"), "w", encoding="utf-8").write(filled_html(text))
    filled_docx(os.path.join(OUT, "filled.docx"))
    filled_pdf(os.path.join(OUT, "filled.pdf"))
    tmp = tempfile.mkdtemp()
    try:
        for fmt in ("odt", "pdf", "doc:MS Word 97", "rtf"):
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", fmt, "--outdir", tmp, os.path.join(OUT, "filled.docx")],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.move(os.path.join(tmp, "filled.odt"), os.path.join(OUT, "filled.odt"))
        shutil.move(os.path.join(tmp, "filled.pdf"), os.path.join(OUT, "printed.pdf"))
        for ext in ("doc", "rtf"):
            shutil.move(os.path.join(tmp, "filled." + ext), os.path.join(OUT, "filled." + ext))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
