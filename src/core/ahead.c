/* ahead.c - work done ahead on a thread of its own (see ahead.h). */
#include "core/ahead.h"

#include <pthread.h>

typedef struct AheadJob AheadJob;
struct AheadJob {
	AheadJob *next;    /* in the queue: taking one allocates nothing (see fork_lock) */
	char *key;
	GBytes *data;
	gpointer result;
	GError *error;
	gboolean done;
};

/* Shared by workers while they work, exclusive around fork().  A fork waiting
 * for it keeps new jobs from starting (writers preferred), so it waits for
 * the jobs under way only. */
static pthread_rwlock_t fork_lock;

static void
fork_prepare (void)
{
	pthread_rwlock_wrlock (&fork_lock);
}

static void
fork_done (void)
{
	pthread_rwlock_unlock (&fork_lock);
}

static void
fork_guard (void)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init (&attr);
	pthread_rwlockattr_setkind_np (&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init (&fork_lock, &attr);
	pthread_rwlockattr_destroy (&attr);
	pthread_atfork (fork_prepare, fork_done, fork_done);
}

struct Ahead {
	AheadWork work;
	GDestroyNotify free_result;
	gpointer user;
	GThread **threads;
	guint n_threads;
	/* pthread rather than GMutex/GCond: GLib's futexes are invisible to
	 * ThreadSanitizer, which then reports every hand-over as a race */
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* a job queued, a job done, or closing */
	AheadJob *head, *tail;   /* the jobs not begun, oldest first */
	GHashTable *jobs;        /* key -> AheadJob*, until collected */
	gboolean closing;
};

static void
job_free (Ahead *a, AheadJob *job)
{
	g_free (job->key);
	g_bytes_unref (job->data);
	if (job->result != NULL && a->free_result != NULL)
		a->free_result (job->result);
	g_clear_error (&job->error);
	g_free (job);
}

static gpointer
ahead_thread (gpointer user)
{
	Ahead *a = user;
	AheadJob *job;

	pthread_mutex_lock (&a->lock);
	for (;;) {
		GError *error = NULL;
		gpointer result;

		while ((job = a->head) == NULL && !a->closing)
			pthread_cond_wait (&a->cond, &a->lock);
		if (job == NULL)
			break;
		if ((a->head = job->next) == NULL)
			a->tail = NULL;
		pthread_mutex_unlock (&a->lock);
		pthread_rwlock_rdlock (&fork_lock);
		result = a->work (job->key, job->data, a->user, &error);
		pthread_rwlock_unlock (&fork_lock);
		pthread_mutex_lock (&a->lock);
		job->result = result;
		job->error = error;
		job->done = TRUE;
		pthread_cond_broadcast (&a->cond);
	}
	pthread_mutex_unlock (&a->lock);
	return NULL;
}

static void
jobs_free (gpointer data, gpointer user)
{
	job_free (user, data);
}

Ahead *
ahead_new (const char *name, guint threads, AheadWork work, GDestroyNotify free_result, gpointer user)
{
	static pthread_once_t guarded = PTHREAD_ONCE_INIT;
	Ahead *a = g_new0 (Ahead, 1);
	g_autoptr (GError) error = NULL;

	pthread_once (&guarded, fork_guard);
	a->work = work;
	a->free_result = free_result;
	a->user = user;
	pthread_mutex_init (&a->lock, NULL);
	pthread_cond_init (&a->cond, NULL);
	a->jobs = g_hash_table_new (g_str_hash, g_str_equal);
	a->threads = g_new0 (GThread *, MAX (threads, 1));
	for (a->n_threads = 0; a->n_threads < MAX (threads, 1); a->n_threads++) {
		GThread *t = g_thread_try_new (name, ahead_thread, a, &error);
		if (t == NULL)
			break;
		a->threads[a->n_threads] = t;
	}
	if (a->n_threads == 0) {
		g_debug ("%s: no worker thread (%s): the work is done in turn", name, error->message);
		ahead_free (a);
		return NULL;
	}
	return a;
}

void
ahead_push (Ahead *a, const char *key, GBytes *data)
{
	AheadJob *job = g_new0 (AheadJob, 1);

	job->key = g_strdup (key);
	job->data = g_bytes_ref (data);
	pthread_mutex_lock (&a->lock);
	if (g_hash_table_contains (a->jobs, key)) {
		/* pushed twice: the first job stands (it may be under way) */
		pthread_mutex_unlock (&a->lock);
		job_free (a, job);
		return;
	}
	g_hash_table_insert (a->jobs, job->key, job);
	if (a->tail != NULL)
		a->tail->next = job;
	else
		a->head = job;
	a->tail = job;
	pthread_cond_broadcast (&a->cond);
	pthread_mutex_unlock (&a->lock);
}

gpointer
ahead_wait (Ahead *a, const char *key, gboolean *pushed, GError **error)
{
	AheadJob *job;
	gpointer result;

	pthread_mutex_lock (&a->lock);
	if ((job = g_hash_table_lookup (a->jobs, key)) == NULL) {
		pthread_mutex_unlock (&a->lock);
		*pushed = FALSE;
		return NULL;
	}
	*pushed = TRUE;
	while (!job->done)
		pthread_cond_wait (&a->cond, &a->lock);
	g_hash_table_steal (a->jobs, key);
	pthread_mutex_unlock (&a->lock);
	result = g_steal_pointer (&job->result);
	if (result == NULL)
		g_propagate_error (error, g_steal_pointer (&job->error));
	job_free (a, job);
	return result;
}

void
ahead_free (Ahead *a)
{
	g_autoptr (GList) left = NULL;

	if (a == NULL)
		return;
	pthread_mutex_lock (&a->lock);
	a->head = a->tail = NULL;   /* the jobs stay in a->jobs, freed below */
	a->closing = TRUE;
	pthread_cond_broadcast (&a->cond);
	pthread_mutex_unlock (&a->lock);
	for (guint i = 0; i < a->n_threads; i++)
		g_thread_join (a->threads[i]);
	g_free (a->threads);
	left = g_hash_table_get_values (a->jobs);
	g_list_foreach (left, jobs_free, a);
	g_hash_table_unref (a->jobs);
	pthread_mutex_destroy (&a->lock);
	pthread_cond_destroy (&a->cond);
	g_free (a);
}
