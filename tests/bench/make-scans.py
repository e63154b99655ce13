#!/usr/bin/python3
"""Make scans of filled application forms the way an office makes them.

The blank form templates/forms/formularz.docx is filled with made-up Polish
applicant data (the value column of its table; ticked boxes "☐" -> "☒"),
printed to PDF by LibreOffice (soffice --headless --convert-to pdf), and the
pages are scanned with pdftoppm: grayscale at 300 and 200 dpi, and a
phone-like photo at 150 dpi made with ImageMagick (turned 1-3 degrees, noise,
blur, JPEG quality 70).  Beside every image NAME.json holds the values typed
in, for tests/bench/ocr-accuracy.sh.

usage: make-scans.py OUTDIR [COUNT [SEED]]
       make-scans.py --pdf IMAGE DPI OUT.pdf   (an image-only PDF of IMAGE)
Needs: libreoffice-writer-nogui, poppler-utils, imagemagick.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
BLANK = os.path.join(HERE, "..", "..", "templates", "forms", "formularz.docx")

FIRST = ["Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Joanna", "Żaneta",
         "Grażyna", "Jolanta", "Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Michał",
         "Grzegorz", "Jarosław", "Wojciech", "Zdzisław", "Elżbieta", "Beata", "Dorota", "Sławomir"]
LAST = ["Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
        "Zieliński", "Szymańska", "Woźniak", "Dąbrowski", "Kozłowska", "Jankowski", "Mazur",
        "Kwiatkowska", "Krawczyk", "Piotrowski", "Grabowska", "Nowakowski", "Pawłowska",
        "Michalski", "Król", "Wieczorek", "Jabłońska", "Wróbel", "Górecki", "Stępień", "Żak"]
INSTITUTION = [("Miejski Ośrodek Pomocy Społecznej w {city}", "OPS"),
               ("Gminny Ośrodek Pomocy Społecznej w {city}", "OPS"),
               ("Powiatowe Centrum Pomocy Rodzinie w {city}", "PCPR"),
               ("Centrum Integracji Społecznej w {city}", "CIS"),
               ("Stowarzyszenie Na Rzecz Osób Niepełnosprawnych", "NGO"),
               ("Fundacja Pomocy Wzajemnej „Razem”", "NGO"),
               ("Warsztat Terapii Zajęciowej w {city}", "WTZ"),
               ("Urząd Gminy {city}", "JST")]
POWIAT = {"Katowice": "Katowicach", "Gliwice": "Gliwicach", "Bytom": "Bytomiu", "Sosnowiec": "Sosnowcu",
          "Tychy": "Tychach", "Zabrze": "Zabrzu", "Rybnik": "Rybniku", "Częstochowa": "Częstochowie",
          "Bielsko-Biała": "Bielsku-Białej", "Chorzów": "Chorzowie", "Żory": "Żorach",
          "Mysłowice": "Mysłowicach", "Jaworzno": "Jaworznie"}
POWIAT_LAND = [("powiat cieszyński", "Cieszynie"), ("powiat żywiecki", "Żywcu"),
               ("powiat pszczyński", "Pszczynie"), ("powiat będziński", "Będzinie"),
               ("powiat tarnogórski", "Tarnowskich Górach"), ("powiat mikołowski", "Mikołowie"),
               ("powiat raciborski", "Raciborzu"), ("powiat kłobucki", "Kłobucku"),
               ("powiat lubliniecki", "Lublińcu"), ("powiat wodzisławski", "Wodzisławiu Śląskim")]
POSITION = ["pracownik socjalny", "starszy pracownik socjalny", "kierownik działu", "asystent rodziny",
            "specjalista pracy socjalnej", "dyrektor", "koordynator projektu", "psycholog"]
DOMAINS = ["ops.katowice.pl", "pcpr.gliwice.pl", "gmail.com", "wp.pl", "onet.pl", "interia.pl", "o2.pl"]
TICKS = ["Spotkanie informacyjne", "Warsztaty i wizyta studyjna", "Doradztwo", "Szkolenie uzupełniające"]
CONSENT = "Wyrażam zgodę na przetwarzanie moich danych osobowych"


def ascii_fold(s):
    table = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
    return s.translate(table).lower()


def applicant(rnd):
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    if first.endswith("a") and last.endswith("ki"):
        last = last[:-1] + "a"
    if not first.endswith("a") and last.endswith("ska"):
        last = last[:-1] + "i"
    if rnd.random() < 0.7:
        powiat, city = rnd.choice(list(POWIAT.items()))
    else:
        powiat, city = rnd.choice(POWIAT_LAND)
    inst, itype = rnd.choice(INSTITUTION)
    ticks = [t for t in TICKS if rnd.random() < 0.5] or [rnd.choice(TICKS)]
    local = rnd.choice(["{f}.{l}", "{f}{l}", "{i}.{l}", "{l}{n}"]).format(
        f=ascii_fold(first), l=ascii_fold(last), i=ascii_fold(first)[0], n=rnd.randint(1, 99))
    phone = rnd.choice(["32 {a} {b} {c}", "{m}{a} {b}{c} {d}", "+48 {m}{a} {b}{c} {d}"]).format(
        a=rnd.randint(10, 99), b=rnd.randint(10, 99), c=rnd.randint(10, 99), d=rnd.randint(100, 999),
        m=rnd.choice(["5", "6", "7", "8"]))
    return {
        "Imię": first, "Nazwisko": last,
        "Adres e-mail": f"{local}@{rnd.choice(DOMAINS)}",
        "Telefon": phone,
        "Nazwa instytucji": inst.format(city=city),
        "Typ instytucji": itype,
        "Stanowisko": rnd.choice(POSITION),
        "Powiat / miasto na prawach powiatu": powiat,
        "ticks": ticks + [CONSENT],
        "Temat doradztwa": str(rnd.randint(1, 4)) if "Doradztwo" in ticks else "",
    }


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fill_docx(data, out):
    with zipfile.ZipFile(BLANK) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    for label, value in data.items():
        if label == "ticks" or not value:
            continue
        # the label cell (its text may carry a hint: "Typ instytucji (OPS, ...)")
        pat = re.compile(r"(<w:t>" + re.escape(label) + r"[^<]*</w:t></w:r></w:p></w:tc><w:tc>"
                         r"<w:tcPr>.*?</w:tcPr>)<w:p/>")
        xml, n = pat.subn(lambda m: m.group(1) + "<w:p><w:r><w:t>" + esc(value) + "</w:t></w:r></w:p>", xml, 1)
        if n != 1:
            raise SystemExit(f"make-scans: no cell for {label!r} in {BLANK}")
    for t in data["ticks"]:
        xml = xml.replace("<w:t>☐ " + t, "<w:t>☒ " + t, 1)
    parts["word/document.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def image_pdf(png, out, dpi):
    """A PDF whose one page is the (bilevel) image @png, as a scanner's PDF is:
    the pixels, 1 bit each, Flate-compressed, no text."""
    pgm = subprocess.run(["convert", png, "-colorspace", "Gray", "-threshold", "60%", "pgm:-"],
                         check=True, stdout=subprocess.PIPE).stdout
    fields = pgm.split(maxsplit=4)
    w, h, pixels = int(fields[1]), int(fields[2]), fields[4]
    rows = bytearray()
    for y in range(h):
        row = pixels[y * w:(y + 1) * w]
        packed = bytearray((w + 7) // 8)
        for x, v in enumerate(row):
            if v >= 128:
                packed[x >> 3] |= 0x80 >> (x & 7)
        rows += packed
    data = zlib.compress(bytes(rows), 9)
    pw, ph = w * 72 / dpi, h * 72 / dpi
    content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
            f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
            f"/BitsPerComponent 1 /Filter /FlateDecode /Length {len(data)} >>\nstream\n".encode() + data +
            b"\nendstream",
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"]
    out_b = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out_b))
        out_b += f"{i + 1} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out_b)
    out_b += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out_b += f"{off:010d} 00000 n \n".encode()
    out_b += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    open(out, "wb").write(out_b)


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    if sys.argv[1] == "--pdf":
        image_pdf(sys.argv[2], sys.argv[4], int(sys.argv[3]))
        return
    outdir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2014)
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="make-scans.")
    try:
        names = []
        for i in range(count):
            name = f"scan{i + 1:02d}"
            data = applicant(rnd)
            fill_docx(data, os.path.join(work, name + ".docx"))
            names.append((name, data))
        # one LibreOffice start for all documents; its own profile, so a
        # running instance of the user's does not take the job
        run("soffice", f"-env:UserInstallation=file://{work}/profile", "--headless",
            "--convert-to", "pdf", "--outdir", work, *[os.path.join(work, n + ".docx") for n, _ in names])
        for name, data in names:
            pdf = os.path.join(work, name + ".pdf")
            for dpi in (300, 200):
                base = os.path.join(outdir, f"{name}-{dpi}")
                run("pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", pdf, base)
                json.dump(data, open(base + ".json", "w", encoding="utf-8"), ensure_ascii=False)
            base = os.path.join(outdir, f"{name}-phone")
            run("pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", pdf, os.path.join(work, name + "-150"))
            angle = rnd.choice([-1, 1]) * rnd.uniform(1, 3)
            run("convert", os.path.join(work, name + "-150.png"), "-background", "white",
                "-rotate", f"{angle:.2f}", "-attenuate", "0.4", "+noise", "Gaussian",
                "-blur", "0x0.6", "-quality", "70", base + ".jpg")
            json.dump(data, open(base + ".json", "w", encoding="utf-8"), ensure_ascii=False)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
