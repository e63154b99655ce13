/* notice.h - the review notice staff answer by mail.
 *
 * The notice's Message-ID holds a token only mailreg can make: HMAC-SHA256
 * over the item id with a 32-byte key made once (getrandom) and kept
 * owner-only in the state directory, next to the database.  A reply's
 * In-Reply-To / References carry it back: it names the item and proves the
 * reply answers our notice of that item (a forged From alone has no token,
 * a token copied from another notice names another item).  Pure functions
 * but notice_key_load; the decision what to do is review_by_mail's (review.h).
 */
#ifndef MAILREG_NOTICE_H
#define MAILREG_NOTICE_H

#include <glib.h>

#define NOTICE_KEY_FILE "review-notice.key"
#define NOTICE_KEY_SIZE 32

/* The key in @dir/NOTICE_KEY_FILE, made when missing: 32 random bytes,
 * mode 0600, written whole under a temporary name and linked into place, so
 * two processes making it at once end with one key.  (transfer full)
 * MAILREG_ERROR_CANTCREAT / _IO; MAILREG_ERROR_DATA when the file is not
 * NOTICE_KEY_SIZE bytes. */
GBytes *notice_key_load (const char *dir, GError **error);

/* The Message-ID (without <>) of the notice of review item @id:
 * "review-ID-TOKEN@@domain", TOKEN the HMAC's 64 hex digits over the id and
 * @salt, what only that item has (its spool id, a UUID): a row id used again
 * after an erasure gets another token, and the old notice's token no longer
 * names anything.  (transfer full) */
char *notice_message_id (GBytes *key, gint64 id, const char *salt, const char *domain);

/* The salt of item @id (notice_message_id), or NULL when there is no such
 * item.  (transfer full) */
typedef char *(*NoticeSaltFunc) (gint64 id, gpointer user);

typedef enum {
	NOTICE_REF_NONE,      /* no Message-ID shaped like a notice's of @domain */
	NOTICE_REF_VALID,     /* one with a token made for the item it names */
	NOTICE_REF_INVALID,   /* only ones whose token does not match the item named */
} NoticeRef;

/* Look through @ids (the text of In-Reply-To and References: "<a@b> <c@d>")
 * for a notice Message-ID of @domain; *@id is the item the first valid one
 * names (VALID), or the item an invalid one claims (INVALID), else 0.  @salt
 * gives each item's salt (no item: invalid).  Tokens are compared in
 * constant time. */
NoticeRef notice_find_ref (GBytes *key, const char *ids, const char *domain, NoticeSaltFunc salt, gpointer user,
                           gint64 *id);

/* What a staff member's reply asks: its first word (after blank lines), any
 * case, with or without Polish letters. */
typedef enum {
	NOTICE_CMD_NONE,      /* none of the three words */
	NOTICE_CMD_APPROVE,   /* ZATWIERDŹ / ZATWIERDZ */
	NOTICE_CMD_REJECT,    /* ODRZUĆ / ODRZUC */
	NOTICE_CMD_ANSWER,    /* ODPOWIEDŹ / ODPOWIEDZ */
} NoticeCommandKind;

typedef struct {
	NoticeCommandKind kind;
	char *text;          /* the staff member's own text after the word, trimmed ("" when none) */
	GPtrArray *lines;    /* its non-blank lines, trimmed, list markers ("- ", "1. ") removed (char*) */
} NoticeCommand;

/* Read the reply text @body (the sender's text/plain): the command word, then
 * the text up to where the quoted notice starts (a line starting '>', the
 * attribution line before one, "-----Original Message-----", a "From:"/"Od:"
 * header line, or the signature "-- ").  (transfer full), never NULL. */
NoticeCommand *notice_parse_reply (const char *body);
void notice_command_free (NoticeCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NoticeCommand, notice_command_free)

#endif
