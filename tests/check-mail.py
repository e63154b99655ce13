#!/usr/bin/python3
"""check-mail.py FILE... - what every outgoing message of mailreg must be.

Parsed with Python's email package (policy.strict raises on any defect); prints
one line per problem and exits 1 when there is any.  --crlf: the file holds the
bytes seen on the wire (CRLF line ends only).
"""
import email
import email.policy
import re
import sys

problems = 0


def bad(name, what):
    global problems
    problems += 1
    print("%s: %s" % (name, what))


args = sys.argv[1:]
crlf = "--crlf" in args
for name in [a for a in args if a != "--crlf"]:
    raw = open(name, "rb").read()
    if crlf:
        if re.search(rb"(?<!\r)\n", raw) or re.search(rb"\r(?!\n)", raw):
            bad(name, "a bare LF or CR on the wire")
        lines = raw.split(b"\r\n")
    else:
        lines = raw.split(b"\n")
    if any(len(l) > 998 for l in lines):
        bad(name, "a line over 998 octets")
    long_lines = sum(1 for l in lines if len(l) > 78)
    if long_lines:
        bad(name, "%d lines over 78 octets" % long_lines)
    head = raw.split(b"\r\n\r\n" if crlf else b"\n\n", 1)[0]
    if any(b > 127 for b in head):
        bad(name, "8-bit bytes in the header (RFC 2047 expected)")
    try:
        m = email.message_from_bytes(raw, policy=email.policy.strict)
        for part in m.walk():
            part.get_content() if not part.is_multipart() else None
    except Exception as e:  # strict policy: any defect raises
        bad(name, "strict parse: %s" % e)
        continue
    for h in ("Date", "Message-ID", "MIME-Version", "From", "To", "Subject"):
        if m[h] is None:
            bad(name, "no %s" % h)
    if m["Auto-Submitted"] != "auto-replied":
        bad(name, "Auto-Submitted is %r" % m["Auto-Submitted"])
    if m["X-Auto-Response-Suppress"] != "All":
        bad(name, "X-Auto-Response-Suppress is %r" % m["X-Auto-Response-Suppress"])
    attachments = [p for p in m.walk() if p.get_content_disposition() == "attachment"]
    if m.get_content_type() == "multipart/mixed" and not attachments:
        bad(name, "multipart/mixed without an attachment")
    if m.is_multipart() and m.get_content_type() != "multipart/mixed":
        bad(name, "unexpected %s" % m.get_content_type())
    for p in m.walk():
        if p.get_content_type() == "text/plain":
            if p.get_content_charset() != "utf-8":
                bad(name, "text/plain charset %r" % p.get_content_charset())
            if p["Content-Transfer-Encoding"] != "quoted-printable":
                bad(name, "text/plain in %r" % p["Content-Transfer-Encoding"])
sys.exit(1 if problems else 0)
