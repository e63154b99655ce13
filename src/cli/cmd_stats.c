/* cmd_stats.c - `mailreg stats [--json]`: seats per event (taken, free,
 * waiting) and consulting hours left per topic. */
#include "cli/cli.h"

#include <stdio.h>

#include "store/db.h"

gboolean
cmd_stats (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Db) db = NULL;
	g_autoptr (GPtrArray) events = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	OutputFormat fmt;
	int seats = 0, taken = 0, waiting = 0, offered = 0;

	if ((db = cli_open (cfg, argc, argv, FALSE, &fmt, error)) == NULL ||
	    (events = db_events_list (db, error)) == NULL)
		return FALSE;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "events");
	json_builder_begin_array (b);
	if (fmt == OUTPUT_TEXT)
		printf ("%-10s %5s %5s %5s %7s   %s\n", "event", "seats", "taken", "free", "waiting", "consulting hours");
	for (guint i = 0; i < events->len; i++) {
		const Event *ev = g_ptr_array_index (events, i);
		gboolean consulting = g_strcmp0 (ev->kind, "consulting") == 0;
		int used = consulting ? db_event_hours_used (db, ev->code, error) : 0;
		/* a place offered and not yet answered is not free */
		int free_seats = MAX (ev->seats - ev->taken - ev->offered, 0);

		if (used < 0)
			return FALSE;
		seats += ev->seats;
		taken += ev->taken;
		offered += ev->offered;
		waiting += ev->waitlist;
		json_builder_begin_object (b);
		cli_json_add (b, "code", ev->code, FALSE);
		cli_json_add (b, "kind", ev->kind, FALSE);
		cli_json_add_int (b, "seats", ev->seats);
		cli_json_add_int (b, "taken", ev->taken);
		cli_json_add_int (b, "free", free_seats);
		cli_json_add_int (b, "waitlist", ev->waitlist);
		if (consulting) {
			cli_json_add_int (b, "topic", ev->topic);
			cli_json_add_int (b, "hours", ev->hours);
			cli_json_add_int (b, "hours_used", used);
			cli_json_add_int (b, "hours_left", MAX (ev->hours - used, 0));
		}
		json_builder_end_object (b);
		if (fmt != OUTPUT_TEXT)
			continue;
		if (consulting)
			printf ("%-10s %5s %5s %5s %7d   topic %d: %d of %d h used, %d h left\n", ev->code, "-", "-", "-",
			        ev->waitlist, ev->topic, used, ev->hours, MAX (ev->hours - used, 0));
		else
			printf ("%-10s %5d %5d %5d %7d\n", ev->code, ev->seats, ev->taken, free_seats, ev->waitlist);
	}
	json_builder_end_array (b);
	cli_json_add_int (b, "seats", seats);
	cli_json_add_int (b, "taken", taken);
	cli_json_add_int (b, "waitlist", waiting);
	json_builder_end_object (b);
	if (fmt == OUTPUT_JSON)
		cli_json_print (b);
	else
		printf ("%-10s %5d %5d %5d %7d\n", "total", seats, taken, MAX (seats - taken - offered, 0), waiting);
	return TRUE;
}
