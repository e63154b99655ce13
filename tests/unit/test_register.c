/* test_register.c - placement (register.c: place, programme.c:
 * programme_room) through the public pipeline on a temporary instance: the
 * order of candidate groups, ties between groups starting at the same time,
 * undated groups last, the waiting list of the first candidate, and a
 * consulting hour budget filled exactly.  The applications are the fixtures
 * in tests/data/programme/ (text forms in the body). */
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

#include "core/errors.h"
#include "register/manage.h"
#include "register/register.h"

#define FIXTURES "tests/data/programme"

/* Groups of the southern subregion, listed out of order: by the first
 * session WS-S-Z (April) comes first, then WS-S-W (8:30 on 10 May, written as
 * an ISO 8601 week date), WS-S-A and WS-S-B start at the same moment, written
 * differently (the code decides), WS-S-0 has no date yet (last).  WS-C-1 is
 * of another subregion.  DOR-1 is topic 1 with 9 hours; DOR-X, without a
 * topic, is the fallback for any topic. */
static const char catalog[] =
	"[WS-S-B]\nkind = workshop_group\ntitle = Warsztaty B\nsubregion = południowy\nseats = 1\n"
	"session1 = 2014-05-10T10:00 | 2014-05-10T16:00 | Bielsko-Biała\n"
	"[WS-S-0]\nkind = workshop_group\ntitle = Warsztaty bez terminu\nsubregion = południowy\nseats = 1\n"
	"session1 = | | termin zostanie podany\n"
	"[WS-S-A]\nkind = workshop_group\ntitle = Warsztaty A\nsubregion = południowy\nseats = 1\n"
	"session1 = 2014-05-10 10:00:00 | 2014-05-10 16:00:00 | Cieszyn\n"
	"[WS-S-W]\nkind = workshop_group\ntitle = Warsztaty W\nsubregion = południowy\nseats = 1\n"
	"session1 = 2014-W19-6T08:30:00 | 2014-W19-6T15:00:00 | Wisła\n"
	"[WS-C-1]\nkind = workshop_group\ntitle = Warsztaty centralne\nsubregion = centralny\nseats = 10\n"
	"session1 = 2014-03-01T10:00 | 2014-03-01T16:00 | Katowice\n"
	"[WS-S-Z]\nkind = workshop_group\ntitle = Warsztaty Z\nsubregion = południowy\nseats = 1\n"
	"session1 = 2014-04-01T10:00 | 2014-04-01T16:00 | Żywiec\n"
	"[DOR-X]\nkind = consulting\ntitle = Doradztwo ogólne\nhours = 5\n"
	"[DOR-1]\nkind = consulting\ntitle = Doradztwo – ekonomia społeczna\ntopic = 1\nhours = 9\n";

typedef struct {
	char *dir;
	Config *cfg;
	Pipeline *p;
} Instance;

static void
instance_open (Instance *in, const char *programme)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *cwd = g_get_current_dir ();
	g_autofree char *conf = NULL;
	g_autofree char *text = NULL;
	g_autofree char *cat = NULL;
	guint count = 0, updates = 0, promoted = 0;

	in->dir = g_dir_make_tmp ("mailreg-register-XXXXXX", &error);
	g_assert_no_error (error);
	conf = g_build_filename (in->dir, "mailreg.conf", NULL);
	cat = g_build_filename (in->dir, "catalog.ini", NULL);
	text = g_strdup_printf ("[paths]\ndatabase = mailreg.db\nspool = spool\noutgoing = outgoing\n"
	                        "templates = %s/templates\ncatalog = catalog.ini\n"
	                        "[mail]\nfrom = Rejestracja ROPS <rejestracja@rops.example.pl>\n%s\n",
	                        cwd, programme);
	g_assert_true (g_file_set_contents (conf, text, -1, NULL));
	g_assert_true (g_file_set_contents (cat, catalog, -1, NULL));
	in->cfg = config_load (conf, &error);
	g_assert_no_error (error);
	in->p = pipeline_open (in->cfg, &error);
	g_assert_no_error (error);
	g_assert_nonnull (in->p);
	programme_import (in->p, cat, &count, &updates, &promoted, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (count, ==, 8);
}

static void
instance_close (Instance *in)
{
	g_autofree char *argv0 = NULL;

	g_clear_pointer (&in->p, pipeline_free);
	g_clear_pointer (&in->cfg, config_free);
	/* a throwaway tree: database, spool, outgoing copies */
	{
		const char *argv[] = { "rm", "-rf", in->dir, NULL };
		g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	}
	g_clear_pointer (&in->dir, g_free);
}

/* Register the fixture @name; the reason recorded for it (transfer full). */
static char *
apply (Instance *in, const char *name)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *path = g_build_filename (FIXTURES, name, NULL);
	g_autofree char *data = NULL;
	g_autofree char *id = NULL;
	RegisterResult res = { 0 };
	gsize len;
	char *reason;

	g_assert_true (g_file_get_contents (path, &data, &len, &error));
	g_assert_no_error (error);
	id = spool_add_data (in->p->spool, data, len, &error);
	g_assert_no_error (error);
	if (id == NULL)
		return g_strdup ("");
	register_message (in->p, id, &res, &error);
	g_assert_no_error (error);
	g_assert_cmpint (res.outcome, ==, OUTCOME_REGISTERED);
	reason = g_strdup (res.reason ? res.reason : "");
	register_result_clear (&res);
	g_test_message ("%s: %s", name, reason);
	return reason;
}

/* @reason names event @code with @status: " EVENT ZG-XXXX-XXXX (status)". */
static void
assert_placed (const char *name, const char *reason, const char *code, const char *status)
{
	g_autofree char *pattern = g_strdup_printf ("(^| )%s ZG-[A-Z0-9-]+ \\(%s\\)", code, status);

	if (!g_regex_match_simple (pattern, reason, 0, 0)) {
		g_test_message ("%s: want %s (%s) in '%s'", name, code, status, reason);
		g_test_fail ();
	}
}

static const Event *
event_in (GPtrArray *events, const char *code)
{
	for (guint i = 0; events && i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		if (g_str_equal (ev->code, code))
			return ev;
	}
	g_test_message ("no event %s", code);
	g_test_fail ();
	return NULL;
}

/* taken and waitlist of @code as "taken/waitlist" */
static char *
counts (Instance *in, const char *code)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) events = db_events_list (in->p->db, &error);
	const Event *ev;

	g_assert_no_error (error);
	ev = event_in (events, code);
	return ev ? g_strdup_printf ("%d/%d", ev->taken, ev->waitlist) : g_strdup ("?");
}

static void
test_workshop_order (void)
{
	Instance in = { 0 };
	static const struct { const char *name, *code, *status; } want[] = {
		{ "ws-01.eml", "WS-S-Z", "confirmed" },   /* the earliest start */
		{ "ws-02.eml", "WS-S-W", "confirmed" },   /* by the time, not the text */
		{ "ws-03.eml", "WS-S-A", "confirmed" },   /* A and B start together: by code */
		{ "ws-04.eml", "WS-S-B", "confirmed" },
		{ "ws-05.eml", "WS-S-0", "confirmed" },   /* undated after every dated group */
		{ "ws-06.eml", "WS-S-Z", "waitlisted" },  /* all full: the first candidate's list */
		{ "ws-07.eml", "WS-S-Z", "waitlisted" },
	};

	g_autofree char *first = NULL;

	/* the order of the groups themselves: mixed placement has its own test */
	instance_open (&in, "[programme]\nworkshop_placement = first\n");
	for (gsize i = 0; i < G_N_ELEMENTS (want); i++) {
		g_autofree char *reason = apply (&in, want[i].name);
		assert_placed (want[i].name, reason, want[i].code, want[i].status);
		if (i == 0)
			first = g_steal_pointer (&reason);
	}
	for (const char *const *c = (const char *const[]) { "WS-S-W", "WS-S-A", "WS-S-B", "WS-S-0", NULL }; *c; c++) {
		g_autofree char *got = counts (&in, *c);
		g_assert_cmpstr (got, ==, "1/0");
	}
	{
		g_autofree char *z = counts (&in, "WS-S-Z");
		g_autofree char *other = counts (&in, "WS-C-1");
		g_assert_cmpstr (z, ==, "1/2");
		g_assert_cmpstr (other, ==, "0/0");   /* another subregion is never a candidate */
	}

	/* The first cancels (staff, and a caller that passes no GError): the
	 * first on WS-S-Z's waiting list takes the place. */
	{
		g_autoptr (GMatchInfo) m = NULL;
		g_autofree char *code = NULL;
		g_autofree char *z = NULL;
		guint promoted = 0;

		g_assert_true (g_regex_match_simple ("ZG-", first, 0, 0));
		g_regex_match (g_regex_new ("ZG-[A-Z0-9]{4}-[A-Z0-9]{4}", 0, 0, NULL), first, 0, &m);
		code = g_match_info_fetch (m, 0);
		g_regex_unref (g_match_info_get_regex (m));
		g_assert_nonnull (code);
		g_assert_true (db_begin (in.p->db, NULL));
		g_assert_true (programme_cancel (in.p, code, 0, NULL, &promoted, NULL));
		g_assert_true (db_commit (in.p->db, NULL));
		g_assert_cmpuint (promoted, ==, 1);
		z = counts (&in, "WS-S-Z");
		g_assert_cmpstr (z, ==, "1/1");
	}
	instance_close (&in);
}

/* The same order straight from the store, also the second time (the
 * candidates are kept between calls while the catalog does not change). */
static void
test_candidates (void)
{
	Instance in = { 0 };

	instance_open (&in, "");
	for (int round = 0; round < 2; round++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GPtrArray) ws = db_event_candidates (in.p->db, "workshop_group", "południowy", 0, &error);
		g_autoptr (GPtrArray) dor = db_event_candidates (in.p->db, "consulting", NULL, 1, &error);
		g_autoptr (GString) order = g_string_new (NULL);

		g_assert_no_error (error);
		g_assert_nonnull (ws);
		g_assert_nonnull (dor);
		if (ws == NULL || dor == NULL)
			break;
		for (guint i = 0; i < ws->len; i++)
			g_string_append_printf (order, "%s ", ((Event *) g_ptr_array_index (ws, i))->code);
		for (guint i = 0; i < dor->len; i++)
			g_string_append_printf (order, "%s ", ((Event *) g_ptr_array_index (dor, i))->code);
		/* consulting: the asked topic first, then the events without one */
		g_assert_cmpstr (order->str, ==, "WS-S-Z WS-S-W WS-S-A WS-S-B WS-S-0 DOR-1 DOR-X ");
	}
	instance_close (&in);
}

/* Catalog times are Polish wall-clock times in any form ISO 8601 allows;
 * they are stored in one form, so the store orders them as times.  A time
 * with its own zone is refused: it would be read as another moment. */
static void
test_catalog_times (void)
{
	Instance in = { 0 };
	g_autoptr (GError) error = NULL;
	static const struct { const char *code, *start, *end; } want[] = {
		{ "WS-S-A", "2014-05-10T10:00", "2014-05-10T16:00" },
		{ "WS-S-B", "2014-05-10T10:00", "2014-05-10T16:00" },
		{ "WS-S-W", "2014-05-10T08:30", "2014-05-10T15:00" },
	};

	instance_open (&in, "");
	for (gsize i = 0; i < G_N_ELEMENTS (want); i++) {
		g_autoptr (Event) ev = db_event_get (in.p->db, want[i].code, &error);
		const EventSession *s;

		g_assert_no_error (error);
		g_assert_nonnull (ev);
		if (ev == NULL || ev->sessions->len != 1)
			continue;
		s = g_ptr_array_index (ev->sessions, 0);
		g_assert_cmpstr (s->start, ==, want[i].start);
		g_assert_cmpstr (s->end, ==, want[i].end);
	}
	for (const char *const *t = (const char *const[]) { "2014-05-10T10:00:00Z", "2014-05-10T10:00:00+02:00",
	                                                     "2014-05-10T10:00:00-01", NULL }; *t; t++) {
		g_autofree char *path = g_build_filename (in.dir, "zoned.ini", NULL);
		g_autofree char *text = g_strdup_printf ("[T]\nkind = training\ntitle = T\nsession1 = %s | %s | X\n",
		                                         *t, *t);
		g_autoptr (GPtrArray) events = NULL;
		g_autoptr (GError) err = NULL;

		g_assert_true (g_file_set_contents (path, text, -1, NULL));
		events = catalog_load (path, &err);
		g_assert_null (events);
		g_assert_error (err, MAILREG_ERROR, MAILREG_ERROR_DATA);
	}
	instance_close (&in);
}

/* [programme] consulting_hours = 3: DOR-1's 9 hours take exactly three
 * requests; the fourth goes to DOR-X (5 h), the fifth would need 6 of its 5
 * hours and waits on DOR-1, the first candidate. */
static void
test_hour_budget (void)
{
	Instance in = { 0 };
	g_autoptr (GError) error = NULL;
	static const struct { const char *name, *code, *status; } want[] = {
		{ "consult-1.eml", "DOR-1", "requested" },
		{ "consult-2.eml", "DOR-1", "requested" },
		{ "consult-3.eml", "DOR-1", "requested" },   /* 9 of 9 hours: fits exactly */
		{ "consult-4.eml", "DOR-X", "requested" },
		{ "consult-5.eml", "DOR-1", "waitlisted" },  /* DOR-X: 6 > 5 */
	};

	instance_open (&in, "[programme]\nconsulting_hours = 3\n");
	for (gsize i = 0; i < G_N_ELEMENTS (want); i++) {
		g_autofree char *reason = apply (&in, want[i].name);
		assert_placed (want[i].name, reason, want[i].code, want[i].status);
	}
	g_assert_cmpint (db_event_hours_used (in.p->db, "DOR-1", &error), ==, 9);
	g_assert_cmpint (db_event_hours_used (in.p->db, "DOR-X", &error), ==, 3);
	g_assert_no_error (error);
	{
		g_autoptr (Event) dor1 = db_event_get (in.p->db, "DOR-1", &error);
		g_autoptr (Event) dorx = db_event_get (in.p->db, "DOR-X", &error);

		g_assert_no_error (error);
		g_assert_nonnull (dor1);
		g_assert_nonnull (dorx);
		if (dor1 != NULL && dorx != NULL) {
			/* used + asked <= budget */
			g_assert_cmpint (programme_room (in.p, dor1, 0, &error), ==, 1);
			g_assert_cmpint (programme_room (in.p, dor1, 1, &error), ==, 0);
			g_assert_cmpint (programme_room (in.p, dorx, 2, &error), ==, 1);
			g_assert_cmpint (programme_room (in.p, dorx, 3, &error), ==, 0);
			g_assert_no_error (error);
		}
	}
	instance_close (&in);
}

static guint
audit_rows (Instance *in)
{
	g_autoptr (GPtrArray) rows = db_audit_list (in->p->db, 0, NULL);

	return rows ? rows->len : 0;
}

/* The code in @reason (one registration).  (transfer full) */
static char *
code_in (const char *reason)
{
	g_autoptr (GRegex) re = g_regex_new ("ZG-[A-Z0-9]{4}-[A-Z0-9]{4}", 0, 0, NULL);
	g_autoptr (GMatchInfo) m = NULL;

	return g_regex_match (re, reason, 0, &m) ? g_match_info_fetch (m, 0) : g_strdup ("?");
}

/* Staff actions (manage.h): each refused one changes nothing and leaves no
 * audit row; each done one leaves exactly one. */
static void
test_manage (void)
{
	Instance in = { 0 };
	g_autofree char *first = NULL, *waiting = NULL;
	g_autoptr (Registration) r1 = NULL;
	g_autoptr (Registration) r6 = NULL;
	guint promoted = 0, updates = 0, rows = 0, files = 0;

	instance_open (&in, "[programme]\nworkshop_placement = first\n");
	for (int i = 1; i <= 7; i++) {
		g_autofree char *name = g_strdup_printf ("ws-0%d.eml", i);
		g_autofree char *reason = apply (&in, name);
		if (i == 1)
			first = code_in (reason);
		if (i == 6)
			waiting = code_in (reason);
	}
	r1 = db_registration_get (in.p->db, first, NULL);
	r6 = db_registration_get (in.p->db, waiting, NULL);
	g_assert_nonnull (r1);
	g_assert_nonnull (r6);
	if (r1 == NULL || r6 == NULL)
		return;
	{
		g_autoptr (GError) error = NULL;
		g_autofree char *z = NULL;
		g_assert_false (manage_cancel (in.p, r6->applicant_id, first, "web:test", &promoted, &error));
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);   /* another applicant's code */
		z = counts (&in, "WS-S-Z");
		g_assert_cmpstr (z, ==, "1/2");
		g_assert_cmpuint (audit_rows (&in), ==, 0);
	}
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (GPtrArray) audit = NULL;
		g_autofree char *z = NULL;
		g_autofree char *record = g_strdup_printf ("registration:%s", first);
		g_assert_true (manage_cancel (in.p, r1->applicant_id, first, "web:test", &promoted, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (promoted, ==, 1);
		z = counts (&in, "WS-S-Z");
		g_assert_cmpstr (z, ==, "1/1");
		audit = db_audit_list (in.p->db, 0, NULL);
		g_assert_cmpuint (audit->len, ==, 1);
		g_assert_cmpstr (((AuditRow *) g_ptr_array_index (audit, 0))->action, ==, "registration.cancel");
		g_assert_cmpstr (((AuditRow *) g_ptr_array_index (audit, 0))->record, ==, record);
		g_assert_cmpstr (((AuditRow *) g_ptr_array_index (audit, 0))->actor, ==, "web:test");
	}
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (manage_cancel (in.p, r1->applicant_id, first, "web:test", &promoted, &error));
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);   /* cancelled already */
		g_assert_cmpuint (audit_rows (&in), ==, 1);
	}
	{
		static const struct { const char *event; guint session; const char *start, *end; int code; } bad[] = {
			{ "WS-S-Z", 1, "jutro", NULL, MAILREG_ERROR_USAGE },
			{ "WS-S-Z", 1, "2014-04-02T10:00", "2014-04-02T09:00", MAILREG_ERROR_USAGE },
			{ "WS-S-Z", 2, "2014-04-02T10:00", NULL, MAILREG_ERROR_DATA },
			{ "NOPE-1", 1, "2014-04-02T10:00", NULL, MAILREG_ERROR_DATA },
		};
		for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
			g_autoptr (GError) error = NULL;
			g_assert_false (manage_reschedule (in.p, bad[i].event, bad[i].session, bad[i].start, bad[i].end, NULL,
			                                   "web:test", &updates, &promoted, &error));
			g_assert_error (error, MAILREG_ERROR, bad[i].code);
		}
		g_assert_cmpuint (audit_rows (&in), ==, 1);
	}
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (Event) ev = NULL;
		const EventSession *s;
		/* the promoted one holds the place now: the one update mail */
		g_assert_true (manage_reschedule (in.p, "WS-S-Z", 1, "2014-04-02T10:00", "2014-04-02T16:00",
		                                  "Żywiec, ul. Nowa 1", "web:test", &updates, &promoted, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (updates, ==, 1);
		g_assert_cmpuint (audit_rows (&in), ==, 2);
		ev = db_event_get (in.p->db, "WS-S-Z", NULL);
		s = g_ptr_array_index (ev->sessions, 0);
		g_assert_cmpstr (s->start, ==, "2014-04-02T10:00");
		g_assert_cmpstr (s->place, ==, "Żywiec, ul. Nowa 1");
		/* the same again moves nothing: nobody told, nothing recorded */
		g_assert_true (manage_reschedule (in.p, "WS-S-Z", 1, "2014-04-02T10:00", "2014-04-02T16:00", NULL,
		                                  "web:test", &updates, &promoted, &error));
		g_assert_cmpuint (updates, ==, 0);
		g_assert_cmpuint (audit_rows (&in), ==, 2);
	}
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (manage_resend (in.p, r6->applicant_id, "web:test", &error));
		g_assert_no_error (error);
		g_assert_cmpuint (audit_rows (&in), ==, 3);
		g_assert_false (manage_resend (in.p, r1->applicant_id, "web:test", &error));
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);   /* nothing but a cancellation */
		g_assert_cmpuint (audit_rows (&in), ==, 3);
	}
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (GPtrArray) audit = NULL;
		g_autofree char *record = g_strdup_printf ("applicant:%" G_GINT64_FORMAT, r1->applicant_id);
		g_assert_true (manage_forget (in.p, r1->applicant_id, "web:test", &rows, &files, &error));
		g_assert_no_error (error);
		audit = db_audit_list (in.p->db, 1, NULL);
		g_assert_cmpstr (((AuditRow *) g_ptr_array_index (audit, 0))->action, ==, "applicant.forget");
		g_assert_cmpstr (((AuditRow *) g_ptr_array_index (audit, 0))->record, ==, record);
		g_assert_null (strchr (((AuditRow *) g_ptr_array_index (audit, 0))->detail, '@'));
		g_assert_false (manage_forget (in.p, r1->applicant_id, "web:test", &rows, &files, &error));
		g_assert_error (error, MAILREG_ERROR, MAILREG_ERROR_DATA);
		g_assert_cmpuint (audit_rows (&in), ==, 4);
	}
	instance_close (&in);
}

int
main (int argc, char **argv)
{
	g_setenv ("TZ", "Europe/Warsaw", TRUE);
	g_setenv ("MAILREG_NOW", "2014-02-17T12:00", TRUE);
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_mime_init ();
	g_test_add_func ("/register/place/workshop-order", test_workshop_order);
	g_test_add_func ("/register/place/candidates", test_candidates);
	g_test_add_func ("/register/place/hour-budget", test_hour_budget);
	g_test_add_func ("/register/catalog/times", test_catalog_times);
	g_test_add_func ("/register/manage", test_manage);
	return g_test_run ();
}
