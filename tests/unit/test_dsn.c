/* test_dsn.c - RFC 3464 delivery reports: own fixtures (tests/data/dsn/) and
 * real ones from ../shared/corpus/wild when present. */
#include <gmime/gmime.h>
#include <fcntl.h>
#include <string.h>

#include "core/autoptr.h"
#include "parse/dsn.h"

#define WILD "../shared/corpus/wild/"

static GMimeMessage *
load (const char *path)
{
	g_autoptr (GMimeStream) stream = g_mime_stream_fs_open (path, O_RDONLY, 0, NULL);
	g_autoptr (GMimeParser) parser = NULL;

	if (stream == NULL)
		return NULL;
	parser = g_mime_parser_new_with_stream (stream);
	return g_mime_parser_construct_message (parser, NULL);
}

static DsnReport *
report_of (const char *path)
{
	g_autoptr (GMimeMessage) m = load (path);

	g_assert_nonnull (m);
	return dsn_parse (m);
}

static void
test_postfix (void)
{
	g_autoptr (DsnReport) r = report_of ("tests/data/dsn/postfix-5xx.eml");

	g_assert_nonnull (r);
	g_assert_cmpstr (r->action, ==, "failed");
	g_assert_cmpstr (r->status, ==, "5.1.1");
	g_assert_cmpstr (r->recipient, ==, "jan.kowalski@ops-bytom.example.pl");
	g_assert_cmpstr (r->original_message_id, ==, "0f1e2d3c-0000-4000-8000-000000000001@rops.example.pl");
	g_assert_cmpstr (r->reporting_mta, ==, "mx.rops.example.pl");
	g_assert_cmpstr (r->diagnostic, ==, "smtp; 550 5.1.1 <jan.kowalski@ops-bytom.example.pl>: Recipient "
	                 "address rejected: User unknown in virtual mailbox table");
}

static void
test_exchange (void)
{
	g_autoptr (DsnReport) r = report_of ("tests/data/dsn/exchange-rfc822.eml");

	g_assert_nonnull (r);
	g_assert_cmpstr (r->status, ==, "5.2.2");
	g_assert_cmpstr (r->recipient, ==, "anna.nowak@urzad.example.pl");
	g_assert_cmpstr (r->original_message_id, ==, "0f1e2d3c-0000-4000-8000-000000000002@rops.example.pl");
	g_assert_true (g_str_has_prefix (r->diagnostic, "smtp;554 5.2.2 mailbox full; STOREDRV"));
}

static void
test_delayed_and_verp (void)
{
	g_autoptr (DsnReport) d = report_of ("tests/data/dsn/delayed.eml");
	g_autoptr (DsnReport) v = report_of ("tests/data/dsn/verp-noheaders.eml");
	g_autofree char *id = dsn_verp_id ("bounces+0f1e2d3c-0000-4000-8000-000000000003@rops.example.pl", "bounces");
	g_autofree char *none = dsn_verp_id ("bouncesx+1@rops.example.pl", "bounces");
	g_autofree char *empty = dsn_verp_id ("bounces+@rops.example.pl", "bounces");

	g_assert_cmpstr (d->action, ==, "delayed");
	g_assert_cmpstr (d->status, ==, "4.4.1");
	/* one field group only: per-message and per-recipient fields together */
	g_assert_cmpstr (v->action, ==, "failed");
	g_assert_cmpstr (v->status, ==, "5.1.2");
	g_assert_cmpstr (v->recipient, ==, "piotr.zielinski@gops.example.pl");
	g_assert_null (v->original_message_id);
	g_assert_cmpstr (id, ==, "0f1e2d3c-0000-4000-8000-000000000003");
	g_assert_null (none);
	g_assert_null (empty);
}

static void
test_not_a_report (void)
{
	g_autoptr (GMimeMessage) m = load ("tests/data/pipeline/valid-8bit.eml");

	g_assert_nonnull (m);
	g_assert_null (dsn_parse (m));
}

typedef struct {
	const char *file;
	const char *action, *status, *recipient, *message_id;
} WildCase;

static const WildCase wild[] = {
	{ "mailparser__delivery-status.eml", "failed", "5.1.1", "xxxx@xxxx.com", NULL },
	{ "mail__multipart_report_emails_multi_address_bounce1.eml", "failed", "5.1.1",
	  "bbbbvhvbbvkjbhfbvbvjhb@gmail.com", "118707422.15521266992174819.JavaMail.root@lvmail01" },
	{ "mail__multipart_report_emails_report_422.eml", "delayed", "4.2.2", "fraser@oooooooo.com.au",
	  "15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au" },
	{ "mimekit__messages_bounce.eml", "failed", NULL, NULL, NULL },
};

static void
test_wild (gconstpointer data)
{
	const WildCase *c = data;
	g_autofree char *path = g_strconcat (WILD, c->file, NULL);
	g_autoptr (GMimeMessage) m = NULL;
	g_autoptr (DsnReport) r = NULL;

	if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
		/* on CI a skip would hide a regression: the corpus must be there */
		if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
			g_test_fail_printf ("CI=true but %s is missing", path);
		else
			g_test_skip ("no ../shared/corpus/wild");
		return;
	}
	m = load (path);
	r = dsn_parse (m);
	g_assert_nonnull (r);
	g_assert_cmpstr (r->action, ==, c->action);
	if (c->status)
		g_assert_cmpstr (r->status, ==, c->status);
	else
		g_assert_nonnull (r->status);
	if (c->recipient)
		g_assert_cmpstr (r->recipient, ==, c->recipient);
	else
		g_assert_nonnull (r->recipient);
	if (c->message_id)
		g_assert_cmpstr (r->original_message_id, ==, c->message_id);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_set_nonfatal_assertions ();
	g_mime_init ();
	g_test_add_func ("/dsn/postfix", test_postfix);
	g_test_add_func ("/dsn/exchange-rfc822", test_exchange);
	g_test_add_func ("/dsn/delayed-and-verp", test_delayed_and_verp);
	g_test_add_func ("/dsn/not-a-report", test_not_a_report);
	for (gsize i = 0; i < G_N_ELEMENTS (wild); i++) {
		g_autofree char *name = g_strdup_printf ("/dsn/wild/%s", wild[i].file);
		g_test_add_data_func (name, &wild[i], test_wild);
	}
	return g_test_run ();
}
