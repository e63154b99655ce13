/* cmd_run.c - `mailreg run`: the daemon.
 *
 * A loop of the single passes the other commands make: take new mail
 * (intake_pass), queue the reminders due (programme_remind), deliver what is due
 * (deliver_queued), once a day purge old raw copies ([paths] retention_days,
 * purge_old), then wait for new mail (IMAP IDLE) up to the poll interval, or
 * only until a failed step may run again or a deferred reply is due.  The
 * staff's digest comes from mailreg-digest.timer (`mailreg digest`).  Each
 * step fails on its own: SMTP down does not stop intake, IMAP down does not
 * stop delivery; a temporary failure backs off (doubling, capped),
 * a permanent one is reported once until it changes.  SIGTERM/SIGINT end the
 * loop after the step in hand; SIGHUP reloads configuration and templates,
 * keeping the old ones when the new ones are bad.  Under systemd it speaks the
 * notify protocol (READY, STATUS, WATCHDOG, RELOADING, STOPPING).
 */
#define _GNU_SOURCE   /* pipe2 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compose/compose.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/stop.h"
#include "deliver/deliver.h"
#include "intake/intake.h"
#include "register/register.h"
#include "spool/spool.h"
#include "web/web.h"

/* seconds: the first pause after the IDLE connection broke (doubling up to the
 * poll interval while it keeps breaking) */
#define IDLE_PAUSE_MIN 2
/* seconds between looks at the free space while intake waits for room: freeing
 * space should start the mail again at once, not after a back-off of minutes */
#define ROOM_CHECK 5

static volatile sig_atomic_t reload_requested;
static int wake_fds[2] = { -1, -1 };   /* self-pipe: a signal ends the sleep at once */

static void
on_signal (int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_request ();
	if (write (wake_fds[1], "", 1) < 0) {
		/* the pipe is full: a wake-up is already pending */
	}
	errno = saved;
}

/* Everything built from one configuration; replaced whole on SIGHUP. */
typedef struct {
	Config *cfg;
	Pipeline *p;
	Composer *composer;
	Transport *t;
	IntakeWaiter *waiter;   /* IDLE between passes (borrows p) */
	guint idle_pause;       /* seconds to pause after the next broken wait; 0: none broke */
} Instance;

static void
instance_free (Instance *in)
{
	if (in == NULL)
		return;
	intake_waiter_free (in->waiter);
	transport_free (in->t);
	compose_free (in->composer);
	pipeline_free (in->p);
	config_free (in->cfg);
	g_free (in);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Instance, instance_free)

static Instance *
instance_open (const char *config_path, GError **error)
{
	g_autoptr (Instance) in = g_new0 (Instance, 1);

	if ((in->cfg = config_load (config_path, error)) == NULL ||
	    (in->p = pipeline_open (in->cfg, error)) == NULL ||
	    (in->composer = compose_new (in->cfg, error)) == NULL ||
	    (in->t = in->cfg->has_smtp ? deliver_smtp_new (in->cfg, error)
	                               : deliver_dir_new (in->cfg->outgoing, error)) == NULL)
		return NULL;
	in->waiter = intake_waiter_new (in->p);
	return g_steal_pointer (&in);
}

/* One step's failure state: when it may run next, and what it last reported. */
typedef struct {
	const char *name;
	gint64 not_before;     /* monotonic seconds */
	guint backoff;         /* seconds; 0 after a success */
	char *last_error;      /* reported once until it changes */
	gboolean wants_room;   /* failed while the disk was full: due again once there is room */
} Step;

static void
step_succeeded (Step *s)
{
	if (s->last_error != NULL)
		g_message ("run: %s works again", s->name);
	g_clear_pointer (&s->last_error, g_free);
	s->backoff = 0;
	s->not_before = 0;
}

/* Temporary: retry sooner, backing off from 5 s up to [limits] max_backoff;
 * permanent: wait for the @interval (or a reload that fixes the configuration). */
static void
step_failed (Step *s, const GError *error, guint interval, guint backoff_max)
{
	gboolean temporary = error->domain == MAILREG_ERROR && error->code == MAILREG_ERROR_TEMPFAIL;

	s->backoff = temporary ? CLAMP (s->backoff ? s->backoff * 2 : 5, 5, backoff_max) : MAX (interval, 60u);
	s->not_before = g_get_monotonic_time () / G_USEC_PER_SEC + s->backoff;
	if (g_strcmp0 (s->last_error, error->message) != 0) {
		g_warning ("run: %s failed (%s; next try in %u s): %s", s->name,
		           temporary ? "temporary" : "needs a person", s->backoff, error->message);
		g_free (s->last_error);
		s->last_error = g_strdup (error->message);
	}
}

static gboolean
step_due (const Step *s)
{
	return g_get_monotonic_time () / G_USEC_PER_SEC >= s->not_before;
}

/* Keep `mailreg status` informed; a failure to do so is only logged. */
static void
health (Db *db, const char *step, const char *error_text)
{
	g_autoptr (GError) error = NULL;

	if (!db_health_record (db, step, error_text, &error))
		g_warning ("run: %s", error->message);
}

static void
log_event (const IntakeEvent *ev, gpointer user_data)
{
	guint *n = user_data;

	/* The line names the message, so staff can find it in their mail
	 * client; what came from mail cannot break the line (log_safe). */
	g_autofree char *mid = log_safe (ev->message_id, 250);
	g_autofree char *reason = log_safe (ev->reason, 2000);

	(*n)++;
	g_message ("%s %s%s%s%s%s: %s", outcome_name (ev->outcome), ev->source, mid ? " <" : " (no Message-ID)",
	           mid ? mid : "", mid ? ">" : "", ev->recovered ? " (recovered)" : "", reason ? reason : "");
}

/* Room for new mail on the spool's and the database's disks?  A disk with no
 * byte left is full whatever [limits] min_free_space says (ENOSPC, SQLITE_FULL). */
static gboolean
has_room (const Instance *in)
{
	return spool_check_space (in->p->spool->dir, in->cfg->database, MAX (in->cfg->min_free_space, 1), NULL, NULL);
}

static void
intake (Instance *in, Step *s, guint *taken)
{
	g_autoptr (GError) error = NULL;
	IntakeStats stats;

	if (s->wants_room && !step_due (s) && has_room (in)) {
		g_message ("run: the disk has room again: intake resumes");
		s->not_before = 0;
	}
	if (!step_due (s))
		return;
	g_debug ("run: intake pass");
	if (intake_pass (in->p, log_event, taken, &stats, &error))
		step_succeeded (s);
	else
		step_failed (s, error, in->cfg->imap_poll_interval, (guint) in->cfg->max_backoff);
	s->wants_room = error != NULL && !has_room (in);
	health (in->p->db, "intake", error ? error->message : NULL);
}

static void
delivery (Instance *in, Step *s, guint *sent, guint *queued)
{
	g_autoptr (GError) error = NULL;
	DeliverCounts n = { 0 };
	int lock;

	if (!step_due (s))
		return;
	/* a manual `mailreg send` is delivering: leave the queue to it this round */
	if ((lock = deliver_lock (in->cfg, &error)) < 0) {
		g_debug ("run: %s", error->message);
		return;
	}
	if (deliver_queued (in->p->db, in->t, in->cfg, in->composer, &n, &error)) {
		g_autofree char *stuck = deliver_health (&n);
		step_succeeded (s);
		health (in->p->db, "delivery", stuck);
	} else {
		step_failed (s, error, in->cfg->imap_poll_interval, (guint) in->cfg->max_backoff);
		health (in->p->db, "delivery", error->message);
	}
	close (lock);
	*sent += n.sent;
	*queued = n.deferred;
}

static void
reminders (Instance *in, Step *s)
{
	g_autoptr (GError) error = NULL;
	ProgrammeDue due;

	if (!step_due (s))
		return;
	if (programme_due (in->p, &due, &error)) {
		step_succeeded (s);
		if (due.reminders > 0 || due.missed > 0)
			g_message ("run: %u reminders queued, %u missed", due.reminders, due.missed);
		if (due.notes > 0 || due.notes_missed > 0)
			g_message ("run: %u waiting-list notes queued, %u missed", due.notes, due.notes_missed);
		if (due.expired > 0)
			g_message ("run: %u offers expired", due.expired);
		if (due.evaluations > 0 || due.evaluations_missed > 0)
			g_message ("run: %u evaluation requests queued, %u missed", due.evaluations, due.evaluations_missed);
	} else {
		step_failed (s, error, in->cfg->imap_poll_interval, (guint) in->cfg->max_backoff);
	}
}

/* With [paths] retention_days: purge the raw copies of old finished messages
 * at start and then once a day (purge_old logs what it removed). */
static void
retention (Instance *in, Step *s)
{
	g_autoptr (GError) error = NULL;
	PurgeStats st;

	if (in->cfg->retention_days == 0 || !step_due (s))
		return;
	if (purge_old (in->p, in->cfg->retention_days, &st, &error)) {
		step_succeeded (s);
		s->not_before = g_get_monotonic_time () / G_USEC_PER_SEC + 86400;
	} else {
		step_failed (s, error, 3600, (guint) in->cfg->max_backoff);
	}
}

/* SIGHUP: a new configuration replaces the old one only if all of it loads. */
static void
reload (Instance **in, const char *config_path)
{
	g_autoptr (GError) error = NULL;
	Instance *fresh;

	notify_send ("RELOADING=1");
	if ((fresh = instance_open (config_path, &error)) == NULL) {
		g_warning ("run: reload refused, keeping the running configuration: %s", error->message);
	} else {
		instance_free (*in);
		*in = fresh;
		g_message ("run: configuration and templates reloaded from %s", fresh->cfg->path);
	}
	notify_send ("READY=1");
}

/* Sleep @seconds, waking early for a signal and to feed the watchdog. */
static void
sleep_interruptible (guint seconds)
{
	guint64 watchdog = notify_watchdog_usec ();
	gint64 until = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

	g_debug ("run: sleeping %u s", seconds);
	while (!stop_requested () && !reload_requested) {
		gint64 left = until - g_get_monotonic_time ();
		gint64 slice = watchdog ? MIN (left, (gint64) watchdog / 2) : left;
		struct pollfd pfd = { .fd = wake_fds[0], .events = POLLIN };
		char buf[64];

		if (left <= 0)
			break;
		if (poll (&pfd, 1, (int) MAX (slice / 1000, 1)) > 0)
			while (read (wake_fds[0], buf, sizeof buf) > 0) {
			}
		if (watchdog)
			notify_send ("WATCHDOG=1");
	}
}

/* Wait up to @seconds for new mail: IMAP IDLE where the server has it, so an
 * application is answered within seconds; a signal, the watchdog or an error
 * end the wait early.  After an error (the server went away, or broke the
 * IDLE) a short pause, then the round ends: the next pass reports the trouble
 * or takes what came meanwhile, and the next wait connects again.  The pause
 * doubles while waits keep failing (up to the poll interval), so a server
 * that breaks every IDLE at once costs a pass per pause, not a busy loop. */
static void
wait_for_mail (Instance *in, guint seconds)
{
	guint64 watchdog = notify_watchdog_usec ();
	gint64 until = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

	while (!stop_requested () && !reload_requested) {
		gint64 left = (until - g_get_monotonic_time ()) / G_USEC_PER_SEC;
		guint slice = (guint) (watchdog ? MIN (left, (gint64) (watchdog / G_USEC_PER_SEC / 2)) : left);
		g_autoptr (GError) error = NULL;
		IntakeWake wake;
		char buf[64];

		if (left <= 0)
			return;
		if (!intake_wait (in->waiter, MAX (slice, 1u), wake_fds[0], &wake, &error)) {
			guint pause = in->idle_pause ? in->idle_pause : IDLE_PAUSE_MIN;
			g_debug ("run: waiting for mail (next try in %u s): %s", pause, error->message);
			in->idle_pause = MIN (pause * 2, MAX (in->cfg->imap_poll_interval, (guint) IDLE_PAUSE_MIN));
			sleep_interruptible ((guint) MIN ((gint64) pause, left));
			return;
		}
		/* a whole slice idled: the connection holds again */
		if (wake == INTAKE_WAKE_TIMEOUT)
			in->idle_pause = 0;
		if (watchdog)
			notify_send ("WATCHDOG=1");
		if (wake == INTAKE_WAKE_NEW)
			return;
		if (wake == INTAKE_WAKE_INTERRUPTED)
			while (read (wake_fds[0], buf, sizeof buf) > 0) {
			}
	}
}

/* Seconds until the next step is due: the poll interval, or sooner when a step
 * that failed may run again or a deferred reply's next attempt comes first
 * (new mail may end the wait earlier still).  At least 1.  @round_start (unix
 * time) is when this round began, before delivery read what was due. */
static guint
next_round (Instance *in, const Step *const *steps, gsize n, const Step *send, gint64 round_start)
{
	g_autoptr (GError) error = NULL;
	gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
	gint64 wait = in->cfg->imap_poll_interval;
	gint64 next_attempt, now_unix = clock_now_unix ();

	for (gsize i = 0; i < n; i++)
		if (steps[i]->not_before > now)
			wait = MIN (wait, MIN (steps[i]->not_before - now, steps[i]->wants_room ? ROOM_CHECK : G_MAXINT64));
	/* A reply that was due when the round began and still waits was left by
	 * delivery (backing off, or a `mailreg send` holding the queue): no reason
	 * to hurry.  One that fell due while the round ran (a retry 3 s after a
	 * deferral, behind a slow batch) is due now, but never sooner than
	 * delivery may run again. */
	if (!db_outbox_next_attempt (in->p->db, round_start, &next_attempt, &error))
		g_debug ("run: %s", error->message);
	else if (next_attempt > 0)
		wait = MIN (wait, MAX (next_attempt - now_unix, send->not_before - now));
	return (guint) MAX (wait, 1);
}

static gboolean
install_signals (GError **error)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int sigs[] = { SIGTERM, SIGINT, SIGHUP };

	if (pipe2 (wake_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "run: pipe: %s", g_strerror (errno));
		return FALSE;
	}
	sigemptyset (&sa.sa_mask);
	for (gsize i = 0; i < G_N_ELEMENTS (sigs); i++)
		sigaction (sigs[i], &sa, NULL);
	signal (SIGPIPE, SIG_IGN);
	return TRUE;
}

gboolean
cmd_run (const Config *cfg, int argc, char **argv, GError **error)
{
	g_autoptr (Instance) in = NULL;
	g_autofree char *lock_path = g_strconcat (cfg->database, ".run-lock", NULL);
	Step intake_step = { .name = "intake" }, send_step = { .name = "delivery" };
	Step remind_step = { .name = "reminders" }, purge_step = { .name = "purge" };
	g_autoptr (WebServer) web = NULL;
	guint taken = 0, sent = 0, queued = 0, wait;
	int lock;

	if (argc > 1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_USAGE, "run: takes no arguments");
		return FALSE;
	}
	/* A second daemon on the same database would race the first. */
	if ((lock = fs_lock (lock_path, "run: another mailreg run is using this database", error)) < 0)
		return FALSE;
	if (!install_signals (error) || (in = instance_open (cfg->path, error)) == NULL) {
		close (lock);
		return FALSE;
	}
	if (in->cfg->has_imap && !in->cfg->imap_tls_verify)
		g_warning ("run: [imap] tls_verify is false: the server's certificate is not checked");
	g_message ("run: started (%s in, %s out, every %u s)", in->cfg->has_imap ? in->cfg->imap_url : in->cfg->inbox,
	           in->cfg->has_smtp ? in->cfg->smtp_url : in->cfg->outgoing, in->cfg->imap_poll_interval);
	/* The console on its own thread and connection: mail never waits for it,
	 * and a console that cannot start does not stop the mail either. */
	if (in->cfg->web_listen != NULL) {
		g_autoptr (GError) web_error = NULL;
		if ((web = web_start (cfg->path, &web_error)) == NULL)
			g_warning ("run: the console is off: %s", web_error->message);
	}
	notify_send ("READY=1\nSTATUS=started");

	while (!stop_requested ()) {
		gint64 round_start = clock_now_unix ();

		if (reload_requested) {
			reload_requested = 0;
			reload (&in, cfg->path);
		}
		intake (in, &intake_step, &taken);
		if (stop_requested ())
			break;
		/* IMAP down must not stop reminders: each step on its own */
		reminders (in, &remind_step);
		delivery (in, &send_step, &sent, &queued);
		retention (in, &purge_step);
		notify_send ("STATUS=%u messages taken, %u replies sent, %u waiting for a retry\nWATCHDOG=1",
		             taken, sent, queued);
		wait = next_round (in, (const Step *const[]) { &intake_step, &send_step, &remind_step, &purge_step }, 4,
		                  &send_step, round_start);
		if (in->cfg->has_imap)
			wait_for_mail (in, wait);
		else
			sleep_interruptible (wait);
	}
	notify_send ("STOPPING=1");
	g_clear_pointer (&web, web_stop);
	g_message ("run: stopping (%u messages taken, %u replies sent)", taken, sent);
	g_free (intake_step.last_error);
	g_free (remind_step.last_error);
	g_free (purge_step.last_error);
	g_free (send_step.last_error);
	close (lock);
	return TRUE;
}
