#!/bin/sh
# Build mailreg.conf(5) from the commented example etc/mailreg.conf, so the
# manual and the example cannot disagree: each "[group]" becomes a section,
# each key (also commented-out "#key = value") an entry with the comment
# lines above it as its text.
#   man/conf-to-man.sh etc/mailreg.conf > mailreg.conf.5
set -eu
cat <<'HEAD'
.\" -*- coding: utf-8 -*-
.TH MAILREG.CONF 5 "2026" "mailreg" "File Formats"
.SH NAME
mailreg.conf \- configuration of mailreg
.SH DESCRIPTION
An INI file read by
.BR mailreg (1)
(\fB\-c\fR \fIFILE\fR, else \fB$MAILREG_CONFIG\fR, else
\fI/etc/mailreg/mailreg.conf\fR).
Relative paths resolve against the file's folder.
Unknown groups and keys are errors; all problems are reported together,
naming file, group and key, with exit status 78.
Secrets are never in this file: \fBpassword_file\fR and
\fB$CREDENTIALS_DIRECTORY\fR.
HEAD
awk '
# Text for troff: a backslash becomes \e (printed as a backslash), and a line
# starting with a dot or an apostrophe gets \& in front, so it is not read as a
# request.  Built by hand: awks differ on backslashes in the text gsub puts in.
function esc(s,   out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		out = out (c == "\\" ? "\\e" : c)
	}
	if (out ~ /^[.'\'']/) out = "\\&" out
	return out
}
/^\[[a-z]+\]/ { printf ".SH [%s]\n", substr($0, 2, length($0) - 2); text = ""; next }
/^#? ?[a-z_0-9]+ = / || /^#[a-z_0-9]+ =/ {
	line = $0; sub(/^# ?/, "", line)
	split(line, kv, / = /)
	printf ".TP\n.B %s\n", kv[1]
	if (text != "") printf "%s", text
	printf "Example: \\fB%s\\fR\n", esc(line)
	text = ""; next
}
/^# / && seen { t = $0; sub(/^# /, "", t); text = text esc(t) "\n"; next }
/^$/ { if (!seen) text = ""; next }
/^#/ { next }
{ next }
/^\[/ { seen = 1 }
' seen=1 "$1"
