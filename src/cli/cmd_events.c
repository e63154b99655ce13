/* cmd_events.c - `mailreg events [--json]`: the catalog with seats taken, free and
 * waitlisted, and (JSON) the places held by institution type. */
#include "cli/cli.h"

#include <stdio.h>

#include "register/register.h"

/* "composition": the places held by institution type ("" when none given):
 * mixed workshop placement spreads them over a subregion's groups. */
static void
add_composition (JsonBuilder *b, Db *db, const Event *ev)
{
	g_autoptr (GPtrArray) rows = db_event_composition (db, ev->code, NULL);

	json_builder_set_member_name (b, "composition");
	json_builder_begin_object (b);
	for (guint i = 0; rows != NULL && i < rows->len; i++) {
		GHashTable *r = g_ptr_array_index (rows, i);
		json_builder_set_member_name (b, g_hash_table_lookup (r, "type"));
		json_builder_add_int_value (b, g_ascii_strtoll (g_hash_table_lookup (r, "count"), NULL, 10));
	}
	json_builder_end_object (b);
}

static void
print_json (Db *db, GPtrArray *events)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_array (b);
	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		json_builder_begin_object (b);
		cli_json_add (b, "code", ev->code, FALSE);
		cli_json_add (b, "kind", ev->kind, FALSE);
		cli_json_add (b, "title", ev->title, FALSE);
		cli_json_add (b, "subregion", ev->subregion, FALSE);
		cli_json_add_pos (b, "topic", ev->topic);
		cli_json_add_int (b, "seats", ev->seats);
		cli_json_add_int (b, "hours", ev->hours);
		if (g_strcmp0 (ev->kind, "consulting") == 0) {
			/* consulting counts hours, not seats */
			int used = db_event_hours_used (db, ev->code, NULL);
			cli_json_add_int (b, "hours_used", MAX (used, 0));
		}
		cli_json_add_int (b, "taken", ev->taken);
		cli_json_add_int (b, "offered", ev->offered);
		cli_json_add_int (b, "free", MAX (ev->seats - ev->taken - ev->offered, 0));
		cli_json_add_int (b, "waitlist", ev->waitlist);
		add_composition (b, db, ev);
		json_builder_set_member_name (b, "sessions");
		json_builder_begin_array (b);
		for (guint j = 0; j < ev->sessions->len; j++) {
			const EventSession *s = g_ptr_array_index (ev->sessions, j);
			json_builder_begin_object (b);
			cli_json_add (b, "start", s->start, FALSE);
			cli_json_add (b, "end", s->end, FALSE);
			cli_json_add (b, "place", s->place, FALSE);
			json_builder_end_object (b);
		}
		json_builder_end_array (b);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	cli_json_print (b);
}

gboolean
cmd_events (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) events = NULL;
	OutputFormat fmt;

	if ((db = cli_open (cfg, argc, argv, FALSE, &fmt, error)) == NULL ||
	    (events = db_events_list (db, error)) == NULL)
		return FALSE;
	if (fmt == OUTPUT_JSON) {
		print_json (db, events);
		return TRUE;
	}
	printf ("%-10s %-15s %5s %5s %5s %8s  %s\n", "code", "kind", "seats", "taken", "free", "waitlist",
	        "title");
	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		const EventSession *first = ev->sessions->len ? g_ptr_array_index (ev->sessions, 0) : NULL;
		g_autofree char *when = catalog_format_when (first ? first->start : NULL, first ? first->end : NULL);
		printf ("%-10s %-15s %5d %5d %5d %8d  %s (%s)\n", ev->code, ev->kind, ev->seats, ev->taken,
		        MAX (ev->seats - ev->taken - ev->offered, 0), ev->waitlist, ev->title, when);
	}
	return TRUE;
}
