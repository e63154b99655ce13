#!/bin/sh
# make-office-fixtures.sh - the Word 97 (.doc), RTF, DOCX, ODT and printed-PDF
# forms under tests/data/word/, as an office makes them: make-sources.py writes
# filled DOCX forms (legacy form fields, a table, plain paragraphs, an unticked
# consent), and LibreOffice (libreoffice-writer-nogui) saves them as Word 97,
# RTF, ODT and PDF.  The output is committed, so `make test` needs no
# LibreOffice; run this again only to change the forms:
#     sh tests/data/word/make-office-fixtures.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$here/make-sources.py" "$tmp"
python3 "$here/make-sources.py" --rtf "$here"
python3 "$here/make-sources.py" --pdf "$here"
# a profile of its own: no clash with a running LibreOffice, no first-start dialogs
profile="-env:UserInstallation=file://$tmp/profile"
cd "$tmp"
soffice "$profile" --headless --convert-to doc:"MS Word 97" fields.docx consent-unticked.docx table.docx \
	paragraphs.docx >/dev/null
soffice "$profile" --headless --convert-to rtf fields.docx table.docx paragraphs.docx >/dev/null
soffice "$profile" --headless --convert-to odt table.docx >/dev/null
soffice "$profile" --headless --convert-to pdf table.docx paragraphs.docx >/dev/null
# lo-*: saved by LibreOffice; form-*.docx: the sources as written
for f in fields.doc consent-unticked.doc table.doc paragraphs.doc fields.rtf table.rtf paragraphs.rtf \
	table.odt table.pdf paragraphs.pdf; do
	cp "$f" "$here/lo-$f"
done
cp fields.docx "$here/form-fields.docx"
cp table.docx "$here/form-table.docx"
echo "fixtures written to $here"
