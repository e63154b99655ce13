/* office.h - what the DOCX and ODT extractors share: one streaming pass of
 * libxml2's xmlReader over the document's XML part, and the line builder that
 * turns paragraphs, table rows and checkboxes into the text layout of formats.h.
 * docx.c and odt.c keep only what their markup means; nothing outside them uses this.
 */
#ifndef MAILREG_OFFICE_H
#define MAILREG_OFFICE_H

#include <glib.h>

#include "extract/extract.h"

/* Element kinds are the format's own enum, which starts with these: the walk
 * itself gives the structure kinds their meaning in both formats, so a format
 * only classifies its paragraphs, tables and text boxes.  Its own kinds start
 * at OFFICE_KINDS. */
enum {
	OFFICE_OTHER = 0,   /* transparent: its content counts */
	OFFICE_SKIP,        /* subtree ignored */
	OFFICE_P,           /* paragraph (or heading): a line */
	OFFICE_P_NESTED,    /* a paragraph inside a paragraph (set by the walk): a frame of its own */
	OFFICE_TABLE,       /* table: its rows are lines of their own */
	OFFICE_ROW,         /* table row: one line */
	OFFICE_CELL,        /* table cell: joined to the row's others by a TAB */
	OFFICE_BOX,         /* text box: its paragraphs in a frame of their own */
	OFFICE_KINDS
};

/* Where text goes: the body, or a text box or a paragraph inside a paragraph,
 * whose lines come out before the paragraph anchoring it. */
typedef struct {
	GString *line;           /* the paragraph or table row being built */
	gboolean pending_space;  /* a space is owed before more text on this line */
	gboolean at_space;       /* ODT white-space collapsing: last text was a space (DOCX ignores it) */
	guint para;              /* paragraphs open in this frame */
	GArray *tables;          /* in-cell flag (gboolean) per open table, innermost last */
	gpointer label;          /* DOCX: the content control written as "alias<TAB>value" on this
	                          * line, or NULL; opaque here (ODT leaves it NULL) */
} OfficeFrame;

/* The format's side of the walk; @data is the pointer given to office_walk_new(). */
typedef struct {
	/* The kind of an element, by local name and namespace URI (@ns may be NULL). */
	guint (*classify) (const char *local, const char *ns);
	/* An element of @kind (never OFFICE_SKIP) starts at @depth, before the walk
	 * opens a structure kind; returns the kind its end will see (an empty element
	 * ends at once). */
	guint (*start) (gpointer data, guint kind, int depth, const char *local, const char *ns);
	/* The element of @kind ends, after the walk closed a structure kind. */
	void (*end) (gpointer data, guint kind);
	/* Character data (text, CDATA, white space) at @depth outside skipped
	 * subtrees; @text may be NULL. */
	void (*text) (gpointer data, int depth, const char *text);
} OfficeWalkFuncs;

typedef struct OfficeWalk OfficeWalk;

/* A walk over the XML part @name (for messages: "word/document.xml") under
 * @limits, calling @funcs with @data; all three must outlive it.  It starts with
 * one frame, the body.  (transfer full) */
OfficeWalk *office_walk_new (const char *name, const ExtractLimits *limits, const OfficeWalkFuncs *funcs,
                             gpointer data);
void office_walk_free (OfficeWalk *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfficeWalk, office_walk_free)

/* Read @xml (the inflated part) once, start to end, and return its text lines
 * (transfer full).  No entity expansion, no DTD, no network, libxml2's own size
 * and depth limits on.  NULL with MAILREG_ERROR_DATA (permanent): a part too large
 * for libxml2, malformed XML, a DOCTYPE, nesting over limits->max_xml_depth (or
 * libxml2's own limit), text over limits->max_zip_entry.  Call it once per walk. */
char *office_walk_read (OfficeWalk *w, GBytes *xml, GError **error);

/* While reading: the kind stored for the open element at @depth (OFFICE_OTHER
 * when there is none); the attribute @local in namespace @ns of the current
 * element, or NULL (transfer full). */
guint office_kind_at (OfficeWalk *w, int depth);
char *office_attr (OfficeWalk *w, const char *local, const char *ns);

/* The innermost frame (transfer none); there is always one. */
OfficeFrame *office_frame (OfficeWalk *w);

/* Clear @label from every frame (the control it names is gone). */
void office_unlabel (OfficeWalk *w, gconstpointer label);

/* Whether the frame is inside a table, and inside one of its cells. */
gboolean office_in_table (const OfficeFrame *f);
gboolean office_in_cell (const OfficeFrame *f);

/* TRUE when @s holds nothing but spaces and TABs. */
gboolean office_is_blank (const GString *s);

/* End the current line; a line with nothing but blanks is dropped. */
void office_flush_line (OfficeWalk *w);

/* A line break or paragraph end: inside a table cell or a labelled control the
 * text goes on after a space (a cell, a field value is one line), else the line ends. */
void office_line_break (OfficeWalk *w);

/* Append @len bytes of text to the current line: CR/LF become spaces, since a
 * line is what extract_text() pairs up.  An owed space goes first unless a blank
 * is already there. */
void office_append_text (OfficeWalk *w, const char *s, gsize len);

/* A literal TAB on the current line. */
void office_append_tab (OfficeWalk *w);

/* A checkbox mark, ☒ or ☐, with a space owed before the label that may follow. */
void office_append_mark (OfficeWalk *w, gboolean ticked);

/* A drop-down form field (Word's FORMDROPDOWN, in either format): entry @i of
 * @entries (char*) as text; nothing when there is no such entry. */
void office_append_entry (OfficeWalk *w, GPtrArray *entries, int i);

#endif
