/* programme.c - running the programme after placement: room in an
 * event, promotion from the waiting list (directly, or by an offer answered
 * "TAK"), cancellation (by e-mail and by staff, withdrawing calendar entries),
 * catalog updates that move dates, notes to the waiting list and reminders
 * before every session.
 *
 * Everything that changes seats runs under one write lock (BEGIN IMMEDIATE), so
 * two processes never give one seat to two people nor leave one empty while
 * someone waits.  The mail it causes is queued in the same transaction.
 */
#define _GNU_SOURCE   /* strcasestr */
#include "register/register.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "compose/ical.h"
#include "core/autoptr.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/fault.h"
#include "deliver/deliver.h"
#include "validate/reasons.h"
#include "validate/validate.h"

/* --- mail (through reply.c, like every reply) ------------------------------- */

/* The sessions of @ev as lines of text for a mail. */
static char *
sessions_text (const Event *ev)
{
	GString *out = g_string_new (NULL);

	reply_sessions_text (out, ev);
	return g_string_free (out, FALSE);
}

/* The calendar entry of the consulting appointment of registration @code:
 * @when (ISO 8601 local time) at @place, one sitting of @hours (at most a
 * working day), at SEQUENCE @seq; NULL when @when is malformed.  (transfer full) */
static IcalEvent *
appointment_event (Pipeline *p, const char *code, const char *title, const char *when, const char *place, int hours,
                   int seq)
{
	g_autoptr (GDateTime) start = clock_parse (when);
	g_autoptr (GDateTime) end = NULL;
	g_autofree char *from = NULL;
	g_autofree char *until = NULL;

	if (start == NULL)
		return NULL;
	end = g_date_time_add_hours (start, CLAMP (hours, 1, 8));
	from = g_date_time_format (start, "%Y-%m-%dT%H:%M");
	until = g_date_time_format (end, "%Y-%m-%dT%H:%M");
	return reply_ical_event (p, code, 1, seq, title, place, from, until);
}

typedef enum {
	CAL_NONE,
	CAL_PUBLISH,   /* the entries, added or updated */
	CAL_CANCEL,    /* the same entries withdrawn */
} Calendar;

/* The calendar entries of registration @reg (a db_registration_get row) in @ev
 * as METHOD @method, at the next SEQUENCE: its consulting appointment when
 * staff set one, else the event's dated sessions; *@ics NULL when nothing is
 * dated.  The UIDs are the same every time, so a CANCEL withdraws exactly what
 * the PUBLISH entries added. */
static gboolean
registration_ics (Pipeline *p, const Registration *reg, const Event *ev, IcalMethod method, char **ics, GError **error)
{
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ical_event_free);
	const char *code = reg->code;
	const char *appointment = reg->appointment;
	gboolean tentative = g_strcmp0 (reg->status, "confirmed") != 0;

	*ics = NULL;
	if (appointment != NULL) {
		int seq = db_registration_next_sequence (p->db, code, error);
		IcalEvent *ie;
		if (seq < 0)
			return FALSE;
		ie = appointment_event (p, code, reg->title, appointment, reg->appointment_place, reg->hours, seq);
		if (ie != NULL)
			g_ptr_array_add (events, ie);
	} else if (!reply_event_ics (p, code, ev, tentative, events, error)) {
		return FALSE;
	}
	return reply_calendar_ics (p, method, events, ics, error);
}

/* Mail @kind (template @tmpl) about registration @reg (a db_registration_get
 * row) in @ev, with its calendar entries as @cal.  @vars (may be NULL) holds
 * the template's own variables; the registration's are added. */
static gboolean
tell (Pipeline *p, gint64 inbound_row, const InboundMessage *msg, const char *kind, const char *tmpl,
      const Registration *reg, const Event *ev, Calendar cal, GHashTable *vars, GError **error)
{
	g_autoptr (GHashTable) own = vars ? g_hash_table_ref (vars)
	                                   : reply_vars_new ();
	g_autofree char *name = g_strdup_printf ("%s %s", reg->first_name, reg->last_name);
	g_autofree char *ics = NULL;

	reply_var_set (own, "first_name", reg->first_name);
	reply_var_set (own, "code", reg->code);
	reply_var_set (own, "title", ev->title);
	reply_var_set (own, "event", ev->code);
	reply_var_set (own, "status", g_strcmp0 (reg->status, "confirmed") == 0
	                        ? "miejsce potwierdzone"
	                        : "zgłoszenie przyjęte – termin podamy w osobnej wiadomości");
	g_hash_table_insert (own, "sessions", sessions_text (ev));
	if (cal != CAL_NONE &&
	    !registration_ics (p, reg, ev, cal == CAL_CANCEL ? ICAL_CANCEL : ICAL_PUBLISH, &ics, error))
		return FALSE;
	reply_var_set (own, "calendar_note",
	         ics == NULL ? "" : cal == CAL_CANCEL ? "\nZałączony plik usuwa ten termin z kalendarza.\n"
	                                              : "\nW załączniku jest wpis do kalendarza.\n");
	return reply_queue (p, inbound_row, msg, kind, tmpl, own, name, reg->email, ics, error);
}

/* --- places ---------------------------------------------------------------- */

static gboolean
offer_mode (const Pipeline *p)
{
	return g_strcmp0 (p->cfg->promotion, "offer") == 0;
}

/* The status of a place in @ev: a consulting request waits for its date. */
static const char *
place_status (const Event *ev)
{
	return g_strcmp0 (ev->kind, "consulting") == 0 ? "requested" : "confirmed";
}

int
programme_room (Pipeline *p, const Event *ev, int hours, GError **error)
{
	if (g_strcmp0 (ev->kind, "consulting") == 0) {
		int used;
		if (ev->hours <= 0)
			return 1;
		if ((used = db_event_hours_used (p->db, ev->code, error)) < 0)
			return -1;
		return used + hours <= ev->hours;
	}
	/* A place offered and not yet answered is held: nobody else gets it. */
	return ev->seats <= 0 || ev->taken + ev->offered < ev->seats;
}

/* Whether placement in (and promotion to) events of @kind mixes institution
 * types: workshop groups with [programme] workshop_placement = mixed. */
static gboolean
mixed_groups (const Pipeline *p, const char *kind)
{
	return g_strcmp0 (kind, "workshop_group") == 0 && g_strcmp0 (p->cfg->workshop_placement, "first") != 0;
}

gboolean
programme_choose (Pipeline *p, const char *kind, GPtrArray *candidates, int hours, const char *institution_type,
                  const Event **chosen, gboolean *room, GError **error)
{
	gboolean mixed = mixed_groups (p, kind);
	int fewest = -1;

	*chosen = NULL;
	*room = FALSE;
	for (guint k = 0; k < candidates->len; k++) {
		const Event *ev = g_ptr_array_index (candidates, k);
		int free = programme_room (p, ev, hours, error);
		int n;
		if (free < 0)
			return FALSE;
		if (free == 0)
			continue;
		if (!mixed) {
			*chosen = ev;
			*room = TRUE;
			return TRUE;
		}
		if ((n = db_event_type_count (p->db, ev->code, institution_type, FALSE, error)) < 0)
			return FALSE;
		if (fewest < 0 || n < fewest) /* a tie keeps the earlier group */
			fewest = n, *chosen = ev;
	}
	if (*chosen != NULL) {
		*room = TRUE;
		return TRUE;
	}
	/* Every one is full: a waiting list.  Mixed, those already waiting count
	 * too, so the waiting lists mix the types as the groups do. */
	*chosen = g_ptr_array_index (candidates, 0);
	for (guint k = 0; mixed && k < candidates->len; k++) {
		const Event *ev = g_ptr_array_index (candidates, k);
		int n = db_event_type_count (p->db, ev->code, institution_type, TRUE, error);
		if (n < 0)
			return FALSE;
		if (fewest < 0 || n < fewest)
			fewest = n, *chosen = ev;
	}
	return TRUE;
}

/* Whole words of an institution's name (lower case) that say its type, and
 * the type: the call's own abbreviations, then the stems of the names. */
static const struct {
	const char *type;
	const char *const words[8];   /* whole words */
	const char *const stems[6];   /* anywhere in the name */
} institution_types[] = {
	{ "ROPS", { "rops" }, { "polityki społ" } },
	{ "PCPR", { "pcpr" }, { "centrum pomocy rodzinie", "centrum pomocy rodzin" } },
	{ "OPS", { "ops", "mops", "gops", "mgops", "miops" }, { "pomocy społ" } },
	{ "CIS", { "cis" }, { "centrum integracji" } },
	{ "KIS", { "kis" }, { "klub integracji" } },
	{ "ZAZ", { "zaz" }, { "aktywności zawodowej" } },
	{ "WTZ", { "wtz" }, { "terapii zajęciowej" } },
	{ "NGO", { "ngo" }, { "stowarzysz", "fundacj", "spółdzielni", "towarzyst", "organizacja pozarząd" } },
	{ "JST", { "jst" }, { "urząd", "urzędu", "starostw", "gmina", "gminy" } },
};

static gboolean
has_word (const char *text, const char *word)
{
	gsize n = strlen (word);

	for (const char *at = strstr (text, word); at != NULL; at = strstr (at + 1, word))
		if ((at == text || !g_ascii_isalnum (at[-1])) && !g_ascii_isalnum (at[n]))
			return TRUE;
	return FALSE;
}

const char *
programme_institution_type (const char *given, const char *institution)
{
	g_autofree char *low = NULL;

	if (given != NULL && *given != '\0')
		return given;
	if (institution == NULL)
		return NULL;
	low = g_utf8_strdown (institution, -1);
	for (gsize i = 0; i < G_N_ELEMENTS (institution_types); i++) {
		for (gsize w = 0; w < G_N_ELEMENTS (institution_types[i].words) && institution_types[i].words[w]; w++)
			if (has_word (low, institution_types[i].words[w]))
				return institution_types[i].type;
		for (gsize w = 0; w < G_N_ELEMENTS (institution_types[i].stems) && institution_types[i].stems[w]; w++)
			if (strstr (low, institution_types[i].stems[w]) != NULL)
				return institution_types[i].type;
	}
	return NULL;
}

/* The start of the first dated session of @ev after @now (unix time), 0 when none. */
static gint64
next_start (const Event *ev, gint64 now)
{
	gint64 first = 0;

	for (guint k = 0; k < ev->sessions->len; k++) {
		const EventSession *s = g_ptr_array_index (ev->sessions, k);
		g_autoptr (GDateTime) at = s->start ? clock_parse (s->start) : NULL;
		gint64 t = at ? g_date_time_to_unix (at) : 0;
		if (t > now && (first == 0 || t < first))
			first = t;
	}
	return first;
}

/* Offer the place held for waitlisted registration @reg in @ev until
 * [programme] offer_hours from now, or the start of the event when that comes
 * first (a place is no use after it): outbox kind promotion, template offer. */
static gboolean
offer_place (Pipeline *p, const Registration *reg, const Event *ev, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	const char *code = reg->code;
	gint64 now = clock_now_unix ();
	gint64 deadline = now + (gint64) p->cfg->offer_hours * 3600;
	gint64 begins = next_start (ev, now);

	if (begins > 0 && begins < deadline)
		deadline = begins;
	if (!db_registration_offer (p->db, code, deadline, error))
		return FALSE;
	{
		g_autoptr (GDateTime) until = g_date_time_new_from_unix_utc (deadline);
		g_autofree char *iso = g_date_time_format_iso8601 (until);
		g_message ("programme: a place in %s offered to %s until %s", ev->code, code, iso);
	}
	g_hash_table_insert (vars, "deadline", catalog_format_instant (deadline));
	return tell (p, 0, NULL, "promotion", "offer", reg, ev, CAL_NONE, vars, error);
}

gboolean
programme_promote (Pipeline *p, const char *event_code, guint *promoted, GError **error)
{
	for (;;) {
		g_autoptr (Event) ev = db_event_get (p->db, event_code, error);
		g_autofree char *code = NULL;
		g_autoptr (Registration) reg = NULL;
		GError *err = NULL;   /* NULL from db_waitlist_first: nobody waits, or this set */
		int room;

		if (ev == NULL)
			return FALSE;
		code = mixed_groups (p, ev->kind) ? db_waitlist_first_mixed (p->db, event_code, &err)
		                                  : db_waitlist_first (p->db, event_code, &err);
		if (code == NULL) {
			if (err == NULL)
				return TRUE;   /* nobody waits */
			g_propagate_error (error, err);
			return FALSE;
		}
		if ((reg = db_registration_get (p->db, code, error)) == NULL)
			return FALSE;
		room = programme_room (p, ev, reg->hours, error);
		if (room <= 0)
			return room == 0;
		if (offer_mode (p)) {
			if (!offer_place (p, reg, ev, error))
				return FALSE;
		} else {
			if (!db_registration_set_status (p->db, code, place_status (ev), error))
				return FALSE;
			g_free (reg->status);
			reg->status = g_strdup (place_status (ev));
			g_message ("programme: %s promoted from the waiting list of %s", code, event_code);
			if (!tell (p, 0, NULL, "promotion", "promotion", reg, ev, CAL_PUBLISH, NULL, error))
				return FALSE;
		}
		if (promoted != NULL)
			(*promoted)++;
	}
}

/* The offer to registration @reg (waitlisted, holding one) in @ev lapsed: it is
 * cancelled (pretix, CiviEvent: an unanswered offer ends the request, so one
 * silent applicant cannot hold a place again and again), told so unless
 * @quiet (they are being answered already), and the place goes on down the
 * list. */
static gboolean
expire_offer (Pipeline *p, const Registration *reg, gboolean quiet, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();
	const char *code = reg->code;
	const char *event = reg->event;
	g_autoptr (Event) ev = db_event_get (p->db, event, error);

	if (ev == NULL || !db_registration_set_status (p->db, code, "cancelled", error))
		return FALSE;
	g_message ("programme: the place in %s offered to %s was not taken in time", event, code);
	g_hash_table_insert (vars, "deadline",
	                     catalog_format_instant (reg->offer_deadline));
	if (!quiet && !tell (p, 0, NULL, "cancellation", "offer-expired", reg, ev, CAL_NONE, vars, error))
		return FALSE;
	return programme_promote (p, event, NULL, error);
}

gboolean
programme_expire_offers (Pipeline *p, guint *expired, GError **error)
{
	g_autoptr (GPtrArray) rows = NULL;

	*expired = 0;
	if (!db_begin (p->db, error))
		return FALSE;
	if ((rows = db_offers_expired (p->db, clock_now_unix (), error)) == NULL)
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		const Registration *r = g_ptr_array_index (rows, i);
		GError *err = NULL;
		g_autoptr (Registration) reg = db_registration_get (p->db, r->code, &err);
		/* an earlier expiry in this pass may have moved it: look again */
		if (reg == NULL || g_strcmp0 (reg->status, "waitlisted") != 0 || reg->offer_deadline == 0) {
			if (err != NULL) {
				g_propagate_error (error, err);
				goto fail;
			}
			continue;
		}
		if (!expire_offer (p, reg, FALSE, error))
			goto fail;
		(*expired)++;
	}
	FAULT_POINT ("programme-before-commit");
	return db_commit (p->db, error);

fail:
	db_rollback (p->db);
	return FALSE;
}

gboolean
programme_cancel (Pipeline *p, const char *code, gint64 inbound_row, const InboundMessage *msg, guint *promoted,
                  GError **error)
{
	g_autoptr (Registration) reg = db_registration_get (p->db, code, error);
	g_autoptr (Event) ev = NULL;
	g_autofree char *event = NULL;
	g_autoptr (GHashTable) vars = NULL;
	gboolean invited;

	if (reg == NULL) {
		if (error == NULL || *error == NULL)
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "no registration %s", code);
		return FALSE;
	}
	if (g_strcmp0 (reg->status, "cancelled") == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "registration %s is already cancelled", code);
		return FALSE;
	}
	/* Only a place was sent calendar entries (a waiting list gets none): those
	 * are withdrawn with a CANCEL of the same UIDs. */
	invited = g_strv_contains ((const char *const[]) { "confirmed", "requested", NULL },
	                           reg->status);
	event = g_strdup (reg->event);
	if ((ev = db_event_get (p->db, event, error)) == NULL || !db_registration_set_status (p->db, code, "cancelled", error))
		return FALSE;
	g_message ("programme: %s (%s) cancelled", code, event);
	/* The applicant is told at the address registered, whoever asked; "as you
	 * asked" only when they did (staff cancel with no message). */
	vars = reply_vars_new ();
	g_hash_table_insert (vars, "opening", g_strdup (msg != NULL ? "zgodnie z prośbą anulowaliśmy zgłoszenie:"
	                                                            : "informujemy, że anulowaliśmy zgłoszenie:"));
	return tell (p, inbound_row, msg, "cancellation", "cancellation", reg, ev, invited ? CAL_CANCEL : CAL_NONE,
	             vars, error) &&
	       programme_promote (p, event, promoted, error);
}

/* --- answers by e-mail: cancellation, "TAK" to an offer ------------------------ */

typedef struct {
	GString *text;      /* subject + text parts, lines as sent */
	gsize max;          /* encoded size of a part worth reading ([limits] max_form_text) */
	const char *needle; /* only parts holding it are read (NULL: all) */
} TextParts;

static void
collect_text (GMimeObject *parent, GMimeObject *part, gpointer data)
{
	TextParts *tp = data;
	g_autofree char *text = NULL;

	if (!GMIME_IS_TEXT_PART (part) || tp->text->len > 256 * 1024 ||
	    g_mime_part_is_attachment (GMIME_PART (part)) ||
	    !g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "plain"))
		return;
	/* A cancellation is a short note: a 20 MB body is not decoded whole just to
	 * look for one.  UTF-8 (most mail) is only validated, not run through iconv
	 * as g_mime_text_part_get_text() would. */
	if ((text = extract_part_text (GMIME_PART (part), tp->max, tp->needle)) != NULL)
		g_string_append_printf (tp->text, "%s\n", text);
}

/* The words asking to cancel (lower case, any ending). */
static gboolean
asks_to_cancel (const char *line)
{
	static const char *const stems[] = { "rezygn", "anuluj", "anulow", "odwołuj", "wycofuj", NULL };
	g_autofree char *low = g_utf8_strdown (line, -1);

	for (const char *const *s = stems; *s; s++)
		if (strstr (low, *s) != NULL)
			return TRUE;
	return FALSE;
}

/* Whether @text may hold a registration code (its "ZG-" prefix, any case). */
static gboolean
mentions_code (const char *text)
{
	return strcasestr (text, "zg-") != NULL;
}

/* Registration codes "ZG-XXXX-XXXX" in @text (upper-cased), added to @codes once. */
static void
find_codes (const char *text, GPtrArray *codes)
{
	static GRegex *re;
	g_autoptr (GMatchInfo) mi = NULL;

	if (g_once_init_enter (&re))
		g_once_init_leave (&re, g_regex_new ("\\bZG-[0-9A-Z]{4}-[0-9A-Z]{4}\\b", G_REGEX_CASELESS, 0, NULL));
	g_regex_match (re, text, 0, &mi);
	for (; g_match_info_matches (mi); g_match_info_next (mi, NULL)) {
		g_autofree char *m = g_match_info_fetch (mi, 0);
		char *up = g_ascii_strup (m, -1);
		if (!g_ptr_array_find_with_equal_func (codes, up, g_str_equal, NULL))
			g_ptr_array_add (codes, up);
		else
			g_free (up);
	}
}

gboolean
programme_starts_quoted_reply (const char *line)
{
	g_autofree char *low = g_utf8_strdown (line, -1);
	char *l = g_strstrip (low);

	if (g_str_has_prefix (l, "---") && (strstr (l, "original") || strstr (l, "oryginaln")))
		return TRUE;
	return (g_str_has_prefix (l, "from:") || g_str_has_prefix (l, "od:")) && strchr (l, '@') != NULL;
}

typedef struct {
	GPtrArray *own;      /* registration codes the sender wrote (the subject counts) */
	GPtrArray *quoted;   /* codes in quoted text: the mail replied to */
	gboolean asked;      /* the sender's own text says the word looked for */
} Answer;

static void
answer_clear (Answer *a)
{
	g_clear_pointer (&a->own, g_ptr_array_unref);
	g_clear_pointer (&a->quoted, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

gboolean
programme_mentions_code (const Pipeline *p, const InboundMessage *msg)
{
	TextParts tp = { NULL, p->cfg->max_form_text, "zg-" };
	gboolean found;

	if (msg->subject != NULL && mentions_code (msg->subject))
		return TRUE;
	/* only the parts whose bytes hold it are decoded */
	tp.text = g_string_new (NULL);
	g_mime_message_foreach (msg->mime, collect_text, &tp);
	found = mentions_code (tp.text->str);
	g_string_free (tp.text, TRUE);
	return found;
}

/* Read @msg's subject and text parts: whether the sender's own lines @say the
 * word, and the codes written and quoted.  Only what the sender wrote asks; a
 * quoted mail of ours names the codes a plain word in reply to it refers to.
 * With @need_code, a message naming no code at all is not read further (asked
 * stays FALSE): most messages are forms, and lower-casing every line of a 25 KB
 * body was a third of intake. */
static void
read_answer (Pipeline *p, const InboundMessage *msg, gboolean (*say) (const char *line), gboolean need_code,
             Answer *a)
{
	TextParts tp = { NULL, p->cfg->max_form_text, NULL };
	g_auto (GStrv) lines = NULL;
	gboolean quoting = FALSE;

	a->own = g_ptr_array_new_with_free_func (g_free);
	a->quoted = g_ptr_array_new_with_free_func (g_free);
	if (need_code && !programme_mentions_code (p, msg))
		return;
	/* a code in one part, the word perhaps in another: read them all */
	tp.text = g_string_new (NULL);
	g_mime_message_foreach (msg->mime, collect_text, &tp);
	a->asked = msg->subject != NULL && say (msg->subject);
	lines = g_strsplit (tp.text->str, "\n", -1);
	g_string_free (tp.text, TRUE);
	if (msg->subject != NULL)
		find_codes (msg->subject, a->own);
	for (char **l = lines; *l; l++) {
		gboolean is_quote;
		quoting |= programme_starts_quoted_reply (*l);
		is_quote = quoting || *g_strchug (*l) == '>';
		if (!is_quote)
			a->asked |= say (*l);
		find_codes (*l, is_quote ? a->quoted : a->own);
	}
}

char *
programme_own_text (Pipeline *p, const InboundMessage *msg, GPtrArray *codes)
{
	TextParts tp = { g_string_new (NULL), p->cfg->max_form_text, NULL };
	g_autoptr (GPtrArray) quoted = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GString) own = g_string_new (NULL);
	g_auto (GStrv) lines = NULL;
	gboolean quoting = FALSE;

	g_mime_message_foreach (msg->mime, collect_text, &tp);
	lines = g_strsplit (tp.text->str, "\n", -1);
	g_string_free (tp.text, TRUE);
	if (msg->subject != NULL)
		find_codes (msg->subject, codes);
	for (char **l = lines; *l; l++) {
		quoting |= programme_starts_quoted_reply (*l);
		if (quoting || *g_strchug (*l) == '>') {
			find_codes (*l, quoted);
			continue;
		}
		if (g_str_has_prefix (*l, "-- ") && g_strstrip (*l)[2] == '\0')
			quoting = TRUE;  /* a signature: nothing of the answer follows */
		else {
			find_codes (*l, codes);
			g_string_append_printf (own, "%s\n", *l);
		}
	}
	for (guint i = 0; i < quoted->len; i++)
		if (!g_ptr_array_find_with_equal_func (codes, quoted->pdata[i], g_str_equal, NULL))
			g_ptr_array_add (codes, g_strdup (quoted->pdata[i]));
	return g_strstrip (g_string_free (g_steal_pointer (&own), FALSE));
}

/* The registration of each code @a names (the sender's own, else the quoted
 * ones, set as *@codes: borrowed from @a), in the same order; NULL for a code
 * without one.  (transfer full)  NULL on a database error. */
static GPtrArray *
answer_registrations (Pipeline *p, const Answer *a, GPtrArray **codes, GError **error)
{
	g_autoptr (GPtrArray) regs = g_ptr_array_new_with_free_func ((GDestroyNotify) registration_free);

	*codes = a->own->len > 0 ? a->own : a->quoted;
	for (guint i = 0; i < (*codes)->len; i++) {
		GError *err = NULL;
		Registration *reg = db_registration_get (p->db, g_ptr_array_index (*codes, i), &err);
		if (err != NULL) {
			g_propagate_error (error, err);
			return NULL;
		}
		g_ptr_array_add (regs, reg);
	}
	return g_steal_pointer (&regs);
}

gboolean
programme_cancel_message (Pipeline *p, const InboundMessage *msg, InboundRecord *rec, gboolean *handled,
                          GError **error)
{
	g_auto (Answer) a = { 0 };
	g_autoptr (GPtrArray) active = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GString) reason = g_string_new ("cancellation:");
	g_autoptr (GPtrArray) regs = NULL;
	GPtrArray *codes;
	gint64 row;

	*handled = FALSE;
	read_answer (p, msg, asks_to_cancel, TRUE, &a);
	if (!a.asked)
		return TRUE;
	if ((regs = answer_registrations (p, &a, &codes, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < regs->len; i++) {
		const Registration *reg = g_ptr_array_index (regs, i);
		if (reg != NULL && g_strcmp0 (reg->status, "cancelled") != 0) {
			g_ptr_array_add (active, g_strdup (g_ptr_array_index (codes, i)));
			g_string_append_printf (reason, " %s %s", (char *) g_ptr_array_index (codes, i),
			                        reg->event);
		}
	}
	if (active->len == 0)
		return TRUE;  /* nothing to cancel: read as any other message */
	rec->outcome = OUTCOME_REGISTERED;
	g_free (rec->reason);
	rec->reason = g_string_free (g_steal_pointer (&reason), FALSE);
	if ((row = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	for (guint i = 0; i < active->len; i++)
		if (!programme_cancel (p, g_ptr_array_index (active, i), row, msg, NULL, error))
			return FALSE;
	*handled = TRUE;
	return TRUE;
}

gboolean
programme_says_yes (const char *line)
{
	static const char *const skip[] = { "re:", "odp:", "aw:", "fwd:", "fw:", "pd:", "„", "\"", "'", "*", "-",
	                                    "•", NULL };
	g_autofree char *low = g_utf8_strdown (line, -1);
	const char *s = low;
	gboolean again = TRUE;

	while (again) {
		again = FALSE;
		while (g_ascii_isspace (*s))
			s++;
		for (const char *const *k = skip; *k; k++)
			if (g_str_has_prefix (s, *k)) {
				s += strlen (*k);
				again = TRUE;
			}
	}
	if (!g_str_has_prefix (s, "tak"))
		return FALSE;
	s += 3;
	return *s == '\0' || !g_unichar_isalnum (g_utf8_get_char_validated (s, -1));
}

typedef enum {
	ANSWER_NO_OFFER,   /* unknown code, or no place was ever offered to it */
	ANSWER_ACCEPT,     /* an open offer, in time */
	ANSWER_AGAIN,      /* the offer was taken already: the confirmation again */
	ANSWER_LATE,       /* the offer lapsed (or was cancelled) */
} AnswerKind;

/* What a "TAK" for registration @reg (NULL: unknown code) is at @now. */
static AnswerKind
classify (const Registration *reg, gint64 now)
{
	if (reg == NULL || reg->offer_deadline == 0)
		return ANSWER_NO_OFFER;
	if (g_strcmp0 (reg->status, "waitlisted") == 0)
		return reg->offer_deadline > now ? ANSWER_ACCEPT : ANSWER_LATE;
	if (g_strcmp0 (reg->status, "cancelled") == 0)
		return ANSWER_LATE;
	return ANSWER_AGAIN;
}

/* Answer the sender of @msg that their "TAK" takes no place: template
 * offer-refused, outbox kind rejection, with @why. */
static gboolean
refuse (Pipeline *p, gint64 row, const InboundMessage *msg, const char *why, GError **error)
{
	g_autoptr (GHashTable) vars = reply_vars_new ();

	reply_var_set (vars, "subject", msg->subject ? msg->subject : "(bez tematu)");
	reply_var_set (vars, "why", why);
	return reply_queue (p, row, msg, "rejection", "offer-refused", vars, msg->sender_name, msg->reply_addr, NULL,
	                       error);
}

#define TAK_HINT "Jeśli otrzymał(a) Pan/Pani od nas propozycję wolnego miejsca, prosimy\n" \
                 "odpowiedzieć na tamtą wiadomość słowem „TAK” – kod zgłoszenia jest w jej\n" \
                 "temacie – albo napisać „TAK” i kod zgłoszenia (ZG-XXXX-XXXX)."

gboolean
programme_offer_message (Pipeline *p, const InboundMessage *msg, InboundRecord *rec, gboolean *handled,
                         char **unclear, GError **error)
{
	g_auto (Answer) a = { 0 };
	g_autoptr (GPtrArray) named = NULL;
	g_autoptr (GPtrArray) regs = g_ptr_array_new ();  /* those with an offer, borrowed from named */
	g_autoptr (GString) reason = g_string_new ("offer answered:");
	g_autoptr (GString) unknown = g_string_new (NULL);
	gint64 now = clock_now_unix ();
	gboolean offered = FALSE, accepted = FALSE;
	GPtrArray *codes;
	gint64 row;

	*handled = FALSE;
	*unclear = NULL;
	read_answer (p, msg, programme_says_yes, FALSE, &a);
	if (!a.asked)
		return TRUE;
	if ((named = answer_registrations (p, &a, &codes, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < named->len; i++) {
		const char *code = g_ptr_array_index (codes, i);
		Registration *reg = g_ptr_array_index (named, i);
		AnswerKind kind = classify (reg, now);

		offered |= kind != ANSWER_NO_OFFER;
		accepted |= kind == ANSWER_ACCEPT || kind == ANSWER_AGAIN;
		if (kind == ANSWER_NO_OFFER) {
			g_string_append_printf (unknown, "%s%s", unknown->len ? ", " : "", code);
			g_string_append_printf (reason, " %s no offer", code);
			continue;
		}
		g_string_append_printf (reason, " %s %s %s", code, reg->event,
		                        kind == ANSWER_ACCEPT ? "accepted" : kind == ANSWER_AGAIN ? "accepted before"
		                                                                                  : "too late");
		g_ptr_array_add (regs, reg);
	}
	if (codes->len == 0)
		g_string_append (reason, " no registration code");
	if (!offered) {
		/* A "TAK" about no offer of ours: without promotion by offer read as
		 * any other message; with it, a person looks (it may be a question
		 * starting "Tak, ..."), and the sender is told what we missed. */
		if (offer_mode (p)) {
			g_free (rec->reason);
			rec->reason = g_string_free (g_steal_pointer (&reason), FALSE);
			*unclear = codes->len == 0
			           ? g_strdup ("W wiadomości nie znaleźliśmy kodu zgłoszenia, więc nie wiemy, którego\n"
			                       "miejsca dotyczy odpowiedź. Wiadomość sprawdzi pracownik ROPS.\n\n" TAK_HINT)
			           : g_strdup_printf ("Nie znaleźliśmy propozycji miejsca dla kodu %s. Wiadomość sprawdzi\n"
			                              "pracownik ROPS.\n\n" TAK_HINT, unknown->str);
		}
		return TRUE;
	}
	rec->outcome = accepted ? OUTCOME_REGISTERED : OUTCOME_REJECTED;
	if (!accepted)
		rec->reason_code = g_strdup (REASON_OFFER_TOO_LATE);
	g_free (rec->reason);
	rec->reason = g_string_free (g_steal_pointer (&reason), FALSE);
	if ((row = db_message_insert (p->db, rec, error)) == 0)
		return FALSE;
	for (guint i = 0; i < regs->len; i++) {
		Registration *reg = g_ptr_array_index (regs, i);
		const char *code = reg->code;
		g_autoptr (Event) ev = db_event_get (p->db, reg->event, error);
		g_autofree char *deadline = NULL;
		g_autofree char *why = NULL;

		if (ev == NULL)
			return FALSE;
		switch (classify (reg, now)) {
		case ANSWER_ACCEPT:
			if (!db_registration_set_status (p->db, code, place_status (ev), error))
				return FALSE;
			g_free (reg->status);
			reg->status = g_strdup (place_status (ev));
			g_message ("programme: %s took the place offered in %s", code, ev->code);
			G_GNUC_FALLTHROUGH;  /* to the confirmation with the calendar entries */
		case ANSWER_AGAIN:
			if (!tell (p, row, msg, "confirmation", "offer-accepted", reg, ev, CAL_PUBLISH, NULL, error))
				return FALSE;
			break;
		case ANSWER_LATE:
			/* The deadline passed before `remind` expired it: expire it now, so
			 * the place moves on in this same transaction. */
			if (g_strcmp0 (reg->status, "waitlisted") == 0 &&
			    !expire_offer (p, reg, TRUE, error))
				return FALSE;
			deadline = catalog_format_instant (reg->offer_deadline);
			why = g_strdup_printf ("Termin odpowiedzi na propozycję miejsca dla zgłoszenia %s\n"
			                       "(%s) minął: %s.\n"
			                       "Propozycja nie jest już aktualna – zgłoszenie zostało zamknięte,\n"
			                       "a miejsce przekazaliśmy kolejnej osobie z listy rezerwowej.\n\n"
			                       "Jeśli nadal chce Pan/Pani wziąć udział, prosimy przesłać formularz\n"
			                       "zgłoszeniowy ponownie – przydzielimy wolne miejsce albo wpiszemy\n"
			                       "Pana/Panią na koniec listy rezerwowej.", code, ev->title, deadline);
			if (!refuse (p, row, msg, why, error))
				return FALSE;
			break;
		case ANSWER_NO_OFFER:
			g_assert_not_reached ();
		}
	}
	if (unknown->len > 0) {
		/* with another code that had an offer: said in the same answer */
		g_autofree char *why = g_strdup_printf ("Nie znaleźliśmy propozycji miejsca dla kodu %s.\n\n" TAK_HINT,
		                                        unknown->str);
		if (!refuse (p, row, msg, why, error))
			return FALSE;
	}
	*handled = TRUE;
	return TRUE;
}

/* --- catalog updates ------------------------------------------------------- */

static gboolean
dates_changed (const Event *old, const Event *now)
{
	for (guint k = 0; k < now->sessions->len; k++) {
		const EventSession *a = k < old->sessions->len ? g_ptr_array_index (old->sessions, k) : NULL;
		const EventSession *b = g_ptr_array_index (now->sessions, k);
		if (b->start == NULL)
			continue;
		if (a == NULL || g_strcmp0 (a->start, b->start) != 0 || g_strcmp0 (a->end, b->end) != 0 ||
		    g_strcmp0 (a->place, b->place) != 0)
			return TRUE;
	}
	return FALSE;
}

gboolean
programme_update_events (Pipeline *p, GPtrArray *events, guint *updates, guint *promoted, GError **error)
{
	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		g_autoptr (GError) local = NULL;
		g_autoptr (Event) old = db_event_get (p->db, ev->code, &local);
		g_autoptr (Event) now = NULL;
		g_autoptr (GPtrArray) regs = NULL;
		guint before = *updates;

		if (local != NULL) {
			g_propagate_error (error, g_steal_pointer (&local));
			return FALSE;
		}
		if (!db_event_upsert (p->db, ev, error))
			return FALSE;
		if (old == NULL)
			continue;
		if (!dates_changed (old, ev)) {
			/* more seats (or hours) free places for the waiting list */
			if (!programme_promote (p, ev->code, promoted, error))
				return FALSE;
			continue;
		}
		if ((now = db_event_get (p->db, ev->code, error)) == NULL ||
		    (regs = db_event_places (p->db, ev->code, error)) == NULL)
			return FALSE;
		for (guint r = 0; r < regs->len; r++) {
			const Participant *row = g_ptr_array_index (regs, r);
			g_autoptr (Registration) reg = NULL;
			if ((reg = db_registration_get (p->db, row->code, error)) == NULL ||
			    !tell (p, 0, NULL, "update", "update", reg, now, CAL_PUBLISH, NULL, error))
				return FALSE;
			(*updates)++;
		}
		g_message ("programme: the dates of %s changed; %u registered told", ev->code, *updates - before);
		/* after the update mails: the promoted are told the new dates once */
		if (!programme_promote (p, ev->code, promoted, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
programme_import (Pipeline *p, const char *path, guint *count, guint *updates, guint *promoted,
                  GError **error)
{
	g_autoptr (GPtrArray) events = catalog_load (path, error);

	*count = *updates = *promoted = 0;
	if (events == NULL || !db_begin (p->db, error) ||
	    !db_end (p->db, programme_update_events (p, events, updates, promoted, error), error))
		return FALSE;
	*count = events->len;
	return TRUE;
}

/* --- reminders ------------------------------------------------------------------ */

const char *
programme_due_state (const Pipeline *p, gint64 due, gint64 now)
{
	return now - due > (gint64) p->cfg->reminder_grace ? "missed" : "sent";
}

gboolean
programme_due_send (int fresh, const char *state, guint *missed)
{
	if (fresh <= 0)
		return FALSE;
	if (g_str_equal (state, "sent"))
		return TRUE;
	(*missed)++;
	return FALSE;
}

static const char *
days_text (guint offset, char **buf)
{
	guint days = offset / 86400;

	if (offset % 86400 != 0)
		return (*buf = g_strdup_printf ("za %u godz.", offset / 3600));
	if (days == 1)
		return "jutro";
	return (*buf = g_strdup_printf ("za %u dni", days));
}

gboolean
programme_remind (Pipeline *p, guint *sent, guint *missed, GError **error)
{
	g_autoptr (GDateTime) now_dt = clock_now ();
	gint64 now = g_date_time_to_unix (now_dt);
	g_autoptr (GPtrArray) rows = NULL;

	*sent = *missed = 0;
	if (!db_begin (p->db, error))
		return FALSE;
	if ((rows = db_reminder_candidates (p->db, error)) == NULL)
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		const ReminderRow *r = g_ptr_array_index (rows, i);
		const char *start = r->start;
		g_autoptr (GDateTime) at = clock_parse (start);
		gint64 begins;

		if (at == NULL || (begins = g_date_time_to_unix (at)) <= now)
			continue;  /* past sessions get none */
		for (guint k = 0; k < p->cfg->reminders->len; k++) {
			guint offset = g_array_index (p->cfg->reminders, guint, k);
			gint64 due = begins - offset;
			const char *state = programme_due_state (p, due, now);
			int fresh;

			if (due > now)
				continue;
			if ((fresh = db_reminder_record (p->db, r->code, r->session, start, offset, state, error)) < 0)
				goto fail;
			if (!programme_due_send (fresh, state, missed))
				continue;
			{
				g_autoptr (GHashTable) vars = reply_vars_new ();
				g_autofree char *name = g_strdup_printf ("%s %s", r->first_name, r->last_name);
				g_autofree char *buf = NULL;
				reply_var_set (vars, "first_name", r->first_name);
				reply_var_set (vars, "code", r->code);
				reply_var_set (vars, "title", r->title);
				reply_var_set (vars, "event", r->event);
				reply_var_set (vars, "when_rel", days_text (offset, &buf));
				g_hash_table_insert (vars, "when", catalog_format_when (start, r->end));
				reply_var_set (vars, "place", r->place ? r->place
				                                                         : "podamy w osobnej wiadomości");
				if (!reply_queue (p, 0, NULL, "reminder", "reminder", vars, name, r->email, NULL, error))
					goto fail;
				(*sent)++;
			}
		}
	}
	return db_commit (p->db, error);

fail:
	db_rollback (p->db);
	return FALSE;
}

/* --- the waiting list before an event ----------------------------------------- */

gboolean
programme_waitlist_notes (Pipeline *p, guint *sent, guint *missed, GError **error)
{
	gint64 now = clock_now_unix ();
	g_autoptr (GPtrArray) rows = NULL;

	*sent = *missed = 0;
	if (p->cfg->waitlist_note == 0)
		return TRUE;
	if (!db_begin (p->db, error))
		return FALSE;
	if ((rows = db_waitlist_note_candidates (p->db, error)) == NULL)
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		const Registration *r = g_ptr_array_index (rows, i);
		const char *code = r->code;
		g_autoptr (GDateTime) at = clock_parse (r->first_start);
		g_autoptr (Registration) reg = NULL;
		g_autoptr (GHashTable) vars = NULL;
		g_autoptr (Event) ev = NULL;
		int position = r->position;
		gint64 begins, due;
		const char *state;
		int fresh;

		if (at == NULL || (begins = g_date_time_to_unix (at)) <= now)
			continue;  /* begun: too late for "still waiting" */
		if ((due = begins - (gint64) p->cfg->waitlist_note) > now)
			continue;
		state = programme_due_state (p, due, now);
		if ((fresh = db_waitlist_note_record (p->db, code, state, position, error)) < 0)
			goto fail;
		if (!programme_due_send (fresh, state, missed))
			continue;
		if ((reg = db_registration_get (p->db, code, error)) == NULL ||
		    (ev = db_event_get (p->db, r->event, error)) == NULL)
			goto fail;
		vars = reply_vars_new ();
		g_hash_table_insert (vars, "position", g_strdup_printf ("%d", position));
		g_hash_table_insert (vars, "waitlist_rule", programme_waitlist_rule (p));
		if (!tell (p, 0, NULL, "waitlist", "waitlist-note", reg, ev, CAL_NONE, vars, error))
			goto fail;
		(*sent)++;
	}
	return db_commit (p->db, error);

fail:
	db_rollback (p->db);
	return FALSE;
}

char *
programme_waitlist_rule (const Pipeline *p)
{
	if (offer_mode (p))
		return g_strdup_printf ("Gdy zwolni się miejsce, zaproponujemy je pierwszej osobie z listy\n"
		                        "rezerwowej – aby je przyjąć, wystarczy odpowiedzieć „TAK” w ciągu %u godz.\n"
		                        "Bez odpowiedzi miejsce otrzyma kolejna osoba.", p->cfg->offer_hours);
	return g_strdup ("Gdy zwolni się miejsce, pierwsza osoba z listy rezerwowej otrzyma je\n"
	                 "automatycznie – wyślemy wtedy potwierdzenie z terminem.");
}

gboolean
programme_due (Pipeline *p, ProgrammeDue *due, GError **error)
{
	memset (due, 0, sizeof *due);
	/* Offers first: a place moving on can still make its reminders. */
	return programme_expire_offers (p, &due->expired, error) &&
	       programme_waitlist_notes (p, &due->notes, &due->notes_missed, error) &&
	       programme_remind (p, &due->reminders, &due->missed, error) &&
	       programme_evaluations (p, &due->evaluations, &due->evaluations_missed, error);
}

/* --- consulting appointments ------------------------------------------------- */

gboolean
programme_schedule (Pipeline *p, const char *code, const char *when, const char *place, GError **error)
{
	g_autoptr (Registration) reg = db_registration_get (p->db, code, error);
	g_autoptr (GHashTable) vars = reply_vars_new ();
	g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) ical_event_free);
	g_autoptr (GDateTime) start = clock_parse (when);
	g_autofree char *name = NULL;
	g_autofree char *ics = NULL;
	IcalEvent *ie;
	int seq;

	if (reg == NULL) {
		if (error == NULL || *error == NULL)
			g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "no registration %s", code);
		return FALSE;
	}
	if (g_strcmp0 (reg->kind, "consulting") != 0 ||
	    !g_strv_contains ((const char *const[]) { "requested", "confirmed", NULL }, reg->status)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "%s is a %s registration (%s); only a consulting request with its hours can be scheduled",
		             code, reg->kind, reg->status);
		return FALSE;
	}
	if (start == NULL || strlen (when) < 16) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "'%s' is not an ISO 8601 local time such as 2014-05-12T10:00", when);
		return FALSE;
	}
	if (!db_registration_set_appointment (p->db, code, when, place, error) ||
	    (seq = db_registration_next_sequence (p->db, code, error)) < 0)
		return FALSE;
	ie = appointment_event (p, code, reg->title, when, place, reg->hours, seq);
	g_ptr_array_add (events, ie);
	if (!reply_calendar_ics (p, ICAL_PUBLISH, events, &ics, error))
		return FALSE;
	reply_var_set (vars, "first_name", reg->first_name);
	reply_var_set (vars, "code", code);
	reply_var_set (vars, "title", reg->title);
	reply_var_set (vars, "place", place);
	g_hash_table_insert (vars, "when", catalog_format_when (ie->start, ie->end));
	name = g_strdup_printf ("%s %s", reg->first_name, reg->last_name);
	/* A confirmation "with the date": outbox kind confirmation. */
	return reply_queue (p, 0, NULL, "confirmation", "appointment", vars, name, reg->email, ics,
	              error);
}

/* --- attendance --------------------------------------------------------------- */

/* Whether registration @code can be marked @present (or absent) in @event:
 * FALSE with MAILREG_ERROR_DATA saying why not, or the database's error. */
static gboolean
markable (Db *db, const char *event, const char *code, gboolean present, GError **error)
{
	GError *err = NULL;
	g_autoptr (Registration) reg = db_registration_get (db, code, &err);

	if (err != NULL) {
		g_propagate_error (error, err);
		return FALSE;
	}
	if (reg == NULL) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "attendance: no registration %s", code);
		return FALSE;
	}
	if (g_strcmp0 (reg->event, event) != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "attendance: %s is a registration for %s, not %s",
		             code, reg->event, event);
		return FALSE;
	}
	/* Only a place given can be attended; absent is noted for any not cancelled. */
	if (present ? g_strcmp0 (reg->status, "confirmed") != 0 : g_strcmp0 (reg->status, "cancelled") == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA,
		             "attendance: %s is %s, not a confirmed registration: it cannot be marked %s", code,
		             reg->status, present ? "present" : "absent");
		return FALSE;
	}
	return TRUE;
}

Event *
programme_event (Db *db, const char *command, const char *code, GError **error)
{
	Event *ev = db_event_get (db, code, error);

	if (ev == NULL && (error == NULL || *error == NULL))
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "%s: no event %s", command, code);
	return ev;
}

gboolean
programme_attendance (Db *db, const char *event, int session, gboolean present, char **codes, guint *marked,
                      GError **error)
{
	g_autoptr (Event) ev = NULL;

	*marked = 0;
	if (!db_begin (db, error))
		return FALSE;
	if ((ev = programme_event (db, "attendance", event, error)) == NULL)
		goto fail;
	if (session == 0 && ev->sessions->len == 1)
		session = 1;  /* the only session needs no naming */
	else if (session == 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE,
		             "attendance: %s has %u sessions: name one with --session N", event, ev->sessions->len);
		goto fail;
	}
	if (session < 1 || (guint) session > ev->sessions->len) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA, "attendance: %s has no session %d (it has %u)",
		             event, session, ev->sessions->len);
		goto fail;
	}
	for (char **c = codes; *c != NULL; c++) {
		g_autofree char *code = g_ascii_strup (*c, -1);
		g_autofree char *record = g_strdup_printf ("registration:%s", code);
		g_autofree char *detail = g_strdup_printf ("%s session %d", event, session);
		if (!markable (db, event, code, present, error) || !db_attendance_set (db, code, session, present, error) ||
		    !db_audit_add (db, "cli", present ? "attendance.present" : "attendance.absent", record, detail, error))
			goto fail;
		(*marked)++;
	}
	if (!db_commit (db, error))
		goto fail;
	g_message ("programme: %u marked %s at session %d of %s", *marked, present ? "present" : "absent", session,
	           event);
	return TRUE;

fail:
	*marked = 0;
	db_rollback (db);
	return FALSE;
}

int
programme_attendance_mark (GPtrArray *marks, const char *code, int session)
{
	for (guint i = 0; i < marks->len; i++) {
		const AttendanceMark *m = g_ptr_array_index (marks, i);
		if (m->session == session && g_strcmp0 (m->code, code) == 0)
			return m->present;
	}
	return -1;
}

int
programme_hours_attended (const Event *ev, GPtrArray *marks, const char *code)
{
	int hours = 0;

	for (guint i = 0; i < marks->len; i++) {
		const AttendanceMark *m = g_ptr_array_index (marks, i);
		if (m->present && g_strcmp0 (m->code, code) == 0 && m->session >= 1 &&
		    (guint) m->session <= ev->sessions->len)
			hours += ((const EventSession *) g_ptr_array_index (ev->sessions, m->session - 1))->hours;
	}
	return hours;
}

/* --- personal data (RODO/GDPR art. 17) ---------------------------------------- */

/* Regular files in @dir whose content names @needle (lower case): paths added
 * to @paths, and their names to @names when @names is not NULL. */
static gboolean
files_naming (const char *dir, const char *needle, GPtrArray *paths, GPtrArray *names, GError **error)
{
	g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return TRUE;  /* a folder never made: nothing in it */
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree char *path = g_build_filename (dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len;

		if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (path, &data, &len, NULL))
			continue;
		for (gsize i = 0; i < len; i++)
			data[i] = g_ascii_tolower (data[i]);
		if (g_strstr_len (data, (gssize) len, needle) == NULL)
			continue;
		g_ptr_array_add (paths, g_steal_pointer (&path));
		if (names != NULL)
			g_ptr_array_add (names, g_strdup (name));
	}
	return TRUE;
}

static void
remove_file (const char *path, guint *removed)
{
	if (g_unlink (path) == 0)
		(*removed)++;
	else if (errno != ENOENT)
		g_warning ("forget: cannot remove %s: %s", path, g_strerror (errno));
}

gboolean
programme_forget (Pipeline *p, const char *email, const char *actor, guint *rows, guint *files, GError **error)
{
	g_autofree char *needle = g_ascii_strdown (email, -1);
	g_autofree char *processed = g_build_filename (p->cfg->inbox, "processed", NULL);
	g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) spool_ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) gone_spool = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) gone_out = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) regs = NULL;
	gint64 applicant;

	*rows = *files = 0;
	if (!validate_email (email)) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "forget: '%s' is not an e-mail address", email);
		return FALSE;
	}
	/* Raw files first: a message naming the address is erased with its row. */
	if (!files_naming (p->spool->new, needle, paths, spool_ids, error) ||
	    !files_naming (p->spool->cur, needle, paths, spool_ids, error) ||
	    !files_naming (p->cfg->outgoing, needle, paths, NULL, error) ||
	    !files_naming (processed, needle, paths, NULL, error))
		return FALSE;
	if (!db_begin (p->db, error))
		return FALSE;
	if ((applicant = db_applicant_find (p->db, email, error)) < 0)
		goto fail;
	if (applicant > 0) {
		/* Places are freed for the waiting list; the person is not written to. */
		if ((regs = db_registrations_of (p->db, applicant, error)) == NULL)
			goto fail;
		for (guint i = 0; i < regs->len; i++) {
			GHashTable *r = g_ptr_array_index (regs, i);
			if (g_strcmp0 (g_hash_table_lookup (r, "status"), "cancelled") == 0)
				continue;
			if (!db_registration_set_status (p->db, g_hash_table_lookup (r, "code"), "cancelled", error) ||
			    !programme_promote (p, g_hash_table_lookup (r, "event"), NULL, error))
				goto fail;
		}
	}
	if (!db_forget (p->db, applicant, email, spool_ids, gone_spool, gone_out, error))
		goto fail;
	if (actor != NULL) {
		/* the record by id only: the trail must not keep what was erased */
		g_autofree char *record = applicant > 0 ? g_strdup_printf ("applicant:%" G_GINT64_FORMAT, applicant) : NULL;
		g_autofree char *detail = g_strdup_printf ("%u messages, %u replies erased", gone_spool->len, gone_out->len);
		if (!db_audit_add (p->db, actor, "applicant.forget", record, detail, error))
			goto fail;
	}
	if (!db_commit (p->db, error))
		goto fail;
	*rows = gone_spool->len + gone_out->len + (applicant > 0);
	for (guint i = 0; i < paths->len; i++)
		remove_file (g_ptr_array_index (paths, i), files);
	for (guint i = 0; i < gone_spool->len; i++) {
		g_autofree char *a = g_build_filename (p->spool->new, g_ptr_array_index (gone_spool, i), NULL);
		g_autofree char *b = g_build_filename (p->spool->cur, g_ptr_array_index (gone_spool, i), NULL);
		remove_file (a, files);
		remove_file (b, files);
	}
	for (guint i = 0; i < gone_out->len; i++) {
		g_autofree char *name = deliver_dir_name (g_ptr_array_index (gone_out, i));
		g_autofree char *path = g_build_filename (p->cfg->outgoing, name, NULL);
		remove_file (path, files);
	}
	/* Logged without the address: the log must not keep what was erased. */
	g_message ("forget: erased applicant #%" G_GINT64_FORMAT ", %u messages, %u outgoing, %u files",
	           applicant, gone_spool->len, gone_out->len, *files);
	return db_compact (p->db, error);

fail:
	db_rollback (p->db);
	return FALSE;
}
