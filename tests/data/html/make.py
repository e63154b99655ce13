#!/usr/bin/env python3
"""make.py - write the HTML fixtures: tests/data/html/NAME.html + NAME.expected.

Run from anywhere: python3 tests/data/html/make.py.  Standard library only; the
HTML is written out literally here (as webmail clients produce it), so the output
is deterministic and committed.

Format of NAME.expected (UTF-8, lines end in "\\n"), checked by
tests/unit/test_pdf_html.c against extract_html() with the test limits
(max_xml_depth = 256, max_text = 1 MiB):

    charset: NAME        optional first line: the charset the MIME part declares,
                         passed to extract_html(); absent means NULL (none)
    TEXT                 the rest: the exact text extract_html() returns
or, after the optional charset line,
    error: SUBSTRING     extract_html() fails with MAILREG_ERROR_DATA and a
                         message containing SUBSTRING

The fixtures:
    gmail         <div>/<br> lines, entities (&oacute; &#322; &nbsp; &ndash;), a link,
                  a signature and the quoted message in a blockquote
    outlook       Word HTML: namespaces, <style>, <xml> in a conditional comment,
                  a <script>, the form as a bordered table with <p class=MsoNormal>
                  in its cells, ☒/☐ in MS Gothic, an empty cell, a two-paragraph value
    cp1250        windows-1250 bytes with a <meta http-equiv> charset
    iso8859-2     ISO-8859-2 bytes with <meta charset>: ą ś ź differ from windows-1250
    declared      ISO-8859-2 bytes whose <meta> wrongly says UTF-8: the MIME charset
                  wins
    inputs        an HTML form: check boxes, radio buttons, text boxes, selects,
                  a textarea, hidden inputs and buttons
    layout        a one-cell layout table around the message, a nested table,
                  spacer cells, an empty value cell, a <th> header row
    pre           Thunderbird: a plain-text form quoted in <pre>, TABs kept
    broken        unclosed and stray tags, a table without </td> and </tr>, an
                  unknown entity (kept as written) and invalid character
                  references (dropped by libxml2)
    deep          300 nested <div>s: text below depth 256 is dropped, the rest kept
    empty         only a comment: no text, no error
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, html, expected, charset=None):
    data = html.encode("utf-8") if isinstance(html, str) else html
    with open(os.path.join(HERE, name + ".html"), "wb") as f:
        f.write(data)
    head = "charset: %s\n" % charset if charset else ""
    with open(os.path.join(HERE, name + ".expected"), "w", encoding="utf-8", newline="") as f:
        f.write(head + expected)


GMAIL = """\
<div dir="ltr"><div>Dzie\u0144 dobry,</div><div>w za\u0142\u0105czeniu zg\u0142oszenie.</div><div><br></div>\
<div>Imi&#281;: Anna</div><div>Nazwisko:   Nowak</div>\
<div>Adres e-mail: <a href="mailto:anna.nowak@ops.zory.pl" target="_blank">anna.nowak@ops.zory.pl</a></div>\
<div>Telefon:&nbsp;32&nbsp;434 12 34</div>\
<div>Nazwa instytucji: O&#347;rodek Pomocy Spo&#322;ecznej w &#379;orach</div>\
<div>Typ instytucji: <b>OPS</b></div><div>Stanowisko: pracownik socjalny</div>\
<div>Powiat / miasto na prawach powiatu: &#379;ory</div>\
<div>[X] Spotkanie informacyjne</div><div>[ ] Warsztaty i wizyta studyjna</div><div>[X] Doradztwo</div>\
<div>Temat doradztwa: 2</div>\
<div>Szczeg&oacute;lne potrzeby: brak</div>\
<div>Proponowana tematyka: ekonomia spo&#322;eczna &ndash; dobre praktyki</div>\
<div>[X] Wyra&#380;am zgod&#281; na przetwarzanie moich danych osobowych</div><div><br></div>\
-- <br><div dir="ltr" class="gmail_signature">Anna Nowak<br>OPS &#379;ory</div></div><br>
<div class="gmail_quote"><div dir="ltr" class="gmail_attr">W dniu \u015br., 12 mar 2014 o 10:15 ROPS Katowice \
&lt;<a href="mailto:szkolenia@rops-katowice.pl">szkolenia@rops-katowice.pl</a>&gt; napisa\u0142(a):<br></div>\
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);\
padding-left:1ex">Zapraszamy do udzia&#322;u w programie.<br>Formularz w za&#322;&#261;czniku.</blockquote></div>
"""

GMAIL_EXPECTED = """\
Dzień dobry,
w załączeniu zgłoszenie.
Imię: Anna
Nazwisko: Nowak
Adres e-mail: anna.nowak@ops.zory.pl
Telefon: 32 434 12 34
Nazwa instytucji: Ośrodek Pomocy Społecznej w Żorach
Typ instytucji: OPS
Stanowisko: pracownik socjalny
Powiat / miasto na prawach powiatu: Żory
[X] Spotkanie informacyjne
[ ] Warsztaty i wizyta studyjna
[X] Doradztwo
Temat doradztwa: 2
Szczególne potrzeby: brak
Proponowana tematyka: ekonomia społeczna – dobre praktyki
[X] Wyrażam zgodę na przetwarzanie moich danych osobowych
--
Anna Nowak
OPS Żory
W dniu śr., 12 mar 2014 o 10:15 ROPS Katowice <szkolenia@rops-katowice.pl> napisał(a):
Zapraszamy do udziału w programie.
Formularz w załączniku.
"""


def outlook_row(label, value):
    return ("<tr style='mso-yfti-irow:1'>\n"
            "  <td width=208 valign=top style='width:155.9pt;border:solid windowtext 1.0pt;"
            "padding:0cm 5.4pt 0cm 5.4pt'>\n"
            "  <p class=MsoNormal><b><span style='mso-fareast-language:PL'>%s<o:p></o:p></span></b></p>\n"
            "  </td>\n"
            "  <td width=396 valign=top style='width:297.0pt;border:solid windowtext 1.0pt;"
            "border-left:none;padding:0cm 5.4pt 0cm 5.4pt'>\n"
            "  %s\n"
            "  </td>\n"
            " </tr>\n") % (label, value)


def outlook_box(on, label):
    mark = "&#9746;" if on else "&#9744;"
    return outlook_row("<span style='font-family:\"MS Gothic\"'>%s</span>" % mark,
                       "<p class=MsoNormal>%s<o:p></o:p></p>" % label)


OUTLOOK = ("""\
<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" \
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" \
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face {font-family:"Cambria Math"; panose-1:2 4 5 3 5 4 6 3 2 4;}
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}
.MsoChpDefault {mso-style-type:export-only;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]-->
<title>Formularz</title>
</head>
<body lang=PL link="#0563C1" vlink="#954F72" style='word-wrap:break-word'>
<script>document.write("Imię: Mallory");</script>
<div class=WordSection1>
<p class=MsoNormal>Dzień dobry,<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>przesyłam wypełniony formularz zgłoszeniowy.<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>
"""
           + outlook_row("Imię", "<p class=MsoNormal>Anna<o:p></o:p></p>")
           + outlook_row("Nazwisko", "<p class=MsoNormal>Nowak<o:p></o:p></p>")
           + outlook_row("Adres e-mail", "<p class=MsoNormal><a href=\"mailto:anna.nowak@ops.zory.pl\">"
                                         "anna.nowak@ops.zory.pl</a><o:p></o:p></p>")
           + outlook_row("Telefon", "<p class=MsoNormal>32&nbsp;434&nbsp;12&nbsp;34<o:p></o:p></p>")
           + outlook_row("Nazwa instytucji",
                         "<p class=MsoNormal>Ośrodek Pomocy\nSpołecznej w Żorach<o:p></o:p></p>")
           + outlook_row("Typ instytucji", "<p class=MsoNormal>OPS<o:p></o:p></p>")
           + outlook_row("Stanowisko", "<p class=MsoNormal>pracownik socjalny<o:p></o:p></p>")
           + outlook_row("Powiat / miasto na prawach powiatu", "<p class=MsoNormal>Żory<o:p></o:p></p>")
           + outlook_row("Subregion", "<p class=MsoNormal>zachodni<o:p></o:p></p>")
           + outlook_box(True, "Spotkanie informacyjne")
           + outlook_box(False, "Warsztaty i wizyta studyjna")
           + outlook_box(True, "Doradztwo")
           + outlook_row("Temat doradztwa", "<p class=MsoNormal>2<o:p></o:p></p>")
           + outlook_box(False, "Szkolenie uzupełniające")
           + outlook_row("Szczególne potrzeby", "<p class=MsoNormal><o:p>&nbsp;</o:p></p>")
           + outlook_row("Proponowana tematyka",
                         "<p class=MsoNormal>ekonomia społeczna<o:p></o:p></p>\n"
                         "  <p class=MsoNormal>partnerstwa lokalne<o:p></o:p></p>")
           + outlook_box(True, "Wyrażam zgodę na przetwarzanie moich danych osobowych")
           + """\
</table>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Pozdrawiam<o:p></o:p></p>
<p class=MsoNormal>Anna Nowak<o:p></o:p></p>
<style>p.sig {color:red} /* Imię: Eve */</style>
<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>
<p class=MsoNormal><b>Od:</b> ROPS Katowice &lt;szkolenia@rops-katowice.pl&gt; <br>
<b>Wysłano:</b> środa, 12 marca 2014 10:15<br><b>Temat:</b> Zaproszenie<o:p></o:p></p>
</div>
</div>
</body>
</html>
""")

OUTLOOK_EXPECTED = """\
Dzień dobry,
przesyłam wypełniony formularz zgłoszeniowy.
Imię\tAnna
Nazwisko\tNowak
Adres e-mail\tanna.nowak@ops.zory.pl
Telefon\t32 434 12 34
Nazwa instytucji\tOśrodek Pomocy Społecznej w Żorach
Typ instytucji\tOPS
Stanowisko\tpracownik socjalny
Powiat / miasto na prawach powiatu\tŻory
Subregion\tzachodni
☒\tSpotkanie informacyjne
☐\tWarsztaty i wizyta studyjna
☒\tDoradztwo
Temat doradztwa\t2
☐\tSzkolenie uzupełniające
Szczególne potrzeby\t
Proponowana tematyka\tekonomia społeczna partnerstwa lokalne
☒\tWyrażam zgodę na przetwarzanie moich danych osobowych
Pozdrawiam
Anna Nowak
Od: ROPS Katowice <szkolenia@rops-katowice.pl>
Wysłano: środa, 12 marca 2014 10:15
Temat: Zaproszenie
"""

# One form in the legacy Polish charsets.
LEGACY = """\
<html><head>%s<title>Zgłoszenie</title></head>
<body><p>Imię: Łucja<br>Nazwisko: Źdźbło-Ślązak<br>Nazwa instytucji: Powiatowe Centrum Pomocy Rodzinie w Świętochłowicach<br>
Powiat: Świętochłowice<br>Szczególne potrzeby: dieta bezglutenowa, śniadanie o 8:00</p>
<p>[X] Wyrażam zgodę na przetwarzanie moich danych osobowych</p></body></html>
"""

LEGACY_EXPECTED = """\
Imię: Łucja
Nazwisko: Źdźbło-Ślązak
Nazwa instytucji: Powiatowe Centrum Pomocy Rodzinie w Świętochłowicach
Powiat: Świętochłowice
Szczególne potrzeby: dieta bezglutenowa, śniadanie o 8:00
[X] Wyrażam zgodę na przetwarzanie moich danych osobowych
"""

INPUTS = """\
<!DOCTYPE html>
<html><body>
<form action="https://example.invalid/submit" method="post">
<input type="hidden" name="token" value="d41d8cd98f00b204">
<p>Imię: <input type="text" name="imie" value="Jan"></p>
<p>Nazwisko: <input name="nazwisko" value="Kowalski"></p>
<p><label>E-mail <input type="email" value="jan@pcpr.example.pl"></label></p>
<p>Hasło: <input type="password" value="sekret"></p>
<p>Typ instytucji: <select name="typ"><option>OPS</option><option selected>PCPR</option>\
<optgroup label="inne"><option>NGO</option></optgroup></select></p>
<p>Subregion: <select name="sub"><option>centralny</option><option>północny</option></select></p>
<p>Formy: <select multiple><option selected>Warsztaty</option><option>Doradztwo</option>\
<option selected>Szkolenie</option></select></p>
<p><input type="checkbox" checked> Spotkanie informacyjne</p>
<p><input type="checkbox"> Warsztaty i wizyta studyjna</p>
<p><label><input type="CHECKBOX" checked="checked">Doradztwo</label></p>
<p>Temat doradztwa: <input type="radio" name="t" value="1">1 <input type="radio" name="t" value="2" checked>2</p>
<p>Proponowana tematyka: <textarea name="tematyka">ekonomia
społeczna</textarea></p>
<table><tr><td>Telefon</td><td><input type="tel" value="600 100 200"></td></tr>
<tr><td><input type="checkbox" checked></td><td>Wyrażam zgodę na przetwarzanie moich danych osobowych</td></tr></table>
<p><input type="submit" value="Wyślij"> <button type="reset">Wyczyść</button></p>
</form>
</body></html>
"""

INPUTS_EXPECTED = """\
Imię: Jan
Nazwisko: Kowalski
E-mail jan@pcpr.example.pl
Hasło:
Typ instytucji: PCPR
Subregion:
Formy: Warsztaty, Szkolenie
☒ Spotkanie informacyjne
☐ Warsztaty i wizyta studyjna
☒ Doradztwo
Temat doradztwa: ☐ 1 ☒ 2
Proponowana tematyka: ekonomia społeczna
Telefon\t600 100 200
☒\tWyrażam zgodę na przetwarzanie moich danych osobowych
Wyczyść
"""

LAYOUT = """\
<html><body>
<table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<p>Imię: Maria</p>
<p>Nazwisko: Wiśniewska</p>
<table border="1">
<tr><th>Pole</th><th>Wartość</th></tr>
<tr><td></td><td>Stanowisko</td><td>kierownik</td></tr>
<tr><td>Telefon</td><td>&nbsp;</td><td></td></tr>
<tr><td>Nazwa instytucji</td><td>Miejski Ośrodek<br>Pomocy Społecznej</td></tr>
<tr><td colspan="2"></td></tr>
</table>
<p>Powiat: Gliwice</p>
</td></tr></table>
<table><tr><td>Logo</td><td><p>Regionalny Ośrodek Polityki Społecznej</p><p>ul. Modelarska 10</p>
<table><tr><td>tel.</td><td>32 730 68 00</td></tr></table></td></tr></table>
</body></html>
"""

LAYOUT_EXPECTED = """\
Imię: Maria
Nazwisko: Wiśniewska
Pole\tWartość
Stanowisko\tkierownik
Telefon\t
Nazwa instytucji\tMiejski Ośrodek Pomocy Społecznej
Powiat: Gliwice
Logo
Regionalny Ośrodek Polityki Społecznej
ul. Modelarska 10
tel.\t32 730 68 00
"""

PRE = """\
<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"></head>
<body>
<div class="moz-cite-prefix">W dniu 12.03.2014 o 10:15, Jan Kowalski pisze:<br></div>
<blockquote type="cite">
<pre class="moz-quote-pre" wrap="">Imię:   Jan
Nazwisko:\tKowalski
Stanowisko\tkierownik   
Adres e-mail: &lt;jan@ops.example.pl&gt;

[x] Doradztwo
</pre>
</blockquote>
<p>Dziękuję, Jan</p>
</body></html>
"""

PRE_EXPECTED = """\
W dniu 12.03.2014 o 10:15, Jan Kowalski pisze:
Imię:   Jan
Nazwisko:\tKowalski
Stanowisko\tkierownik
Adres e-mail: <jan@ops.example.pl>
[x] Doradztwo
Dziękuję, Jan
"""

BROKEN = """\
<HTML><BODY BGCOLOR=#ffffff>
<P>Imię: Anna<P>Nazwisko: <B>Nowak</I>
</td></tr></table>
<TABLE><TR><TD>Telefon<TD>600 100 200<TR><TD>Powiat<TD>Żory</TABLE>
<div><span>Stanowisko: pracownik socjalny
<p>Typ instytucji: OPS &amp; NGO &lt;razem&gt; &bogus; &#0; &#x110000;
</BODY>
"""

BROKEN_EXPECTED = """\
Imię: Anna
Nazwisko: Nowak
Telefon\t600 100 200
Powiat\tŻory
Stanowisko: pracownik socjalny
Typ instytucji: OPS & NGO <razem> &bogus;
"""


def deep():
    depth = 300
    parts = ["<html><body>"]   # html is depth 1, body depth 2
    for level in range(3, depth + 3):
        parts.append("<div>")
        if level % 50 == 0 or level in (255, 256, 257):
            parts.append("Poziom %d " % level)
    parts.append("Najgłębiej")
    parts.append("</div>" * depth)
    parts.append("<p>Imię: Anna</p></body></html>\n")
    expected = "".join("Poziom %d\n" % n for n in (50, 100, 150, 200, 250, 255, 256))
    return "".join(parts), expected + "Imię: Anna\n"


def main():
    write("gmail", GMAIL, GMAIL_EXPECTED)
    write("outlook", OUTLOOK, OUTLOOK_EXPECTED)
    write("cp1250", (LEGACY % '<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">')
          .encode("cp1250"), LEGACY_EXPECTED)
    write("iso8859-2", (LEGACY % '<meta charset="ISO-8859-2">').encode("iso8859-2"), LEGACY_EXPECTED)
    write("declared", (LEGACY % '<meta charset="utf-8">').encode("iso8859-2"), LEGACY_EXPECTED,
          charset="iso-8859-2")
    write("inputs", INPUTS, INPUTS_EXPECTED)
    write("layout", LAYOUT, LAYOUT_EXPECTED)
    write("pre", PRE, PRE_EXPECTED)
    write("broken", BROKEN, BROKEN_EXPECTED)
    write("deep", *deep())
    write("empty", "<!-- nothing here -->\n", "")


if __name__ == "__main__":
    main()
