/* ahead.c - work done ahead on threads of their own (see ahead.h): a
 * GAsyncQueue of jobs for the workers, and a table of the jobs by key for the
 * thread that collects them. */
#include "core/ahead.h"

typedef struct {
	char *key;
	GBytes *data;
	gpointer result;
	GError *error;
	gboolean done;
} AheadJob;

struct Ahead {
	AheadWork work;
	GDestroyNotify free_result;
	gpointer user;
	GThread **threads;
	guint n_threads;
	GAsyncQueue *queue;      /* AheadJob* not begun, oldest first; &closing ends a worker */
	GMutex lock;             /* jobs, and each job's result, error and done */
	GCond done;              /* a job done */
	GHashTable *jobs;        /* key -> AheadJob*, until collected */
};

static char closing;

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
	gpointer item;

	while ((item = g_async_queue_pop (a->queue)) != &closing) {
		AheadJob *job = item;
		GError *error = NULL;
		gpointer result;

		result = a->work (job->key, job->data, a->user, &error);
		g_mutex_lock (&a->lock);
		job->result = result;
		job->error = error;
		job->done = TRUE;
		g_cond_broadcast (&a->done);
		g_mutex_unlock (&a->lock);
	}
	return NULL;
}

Ahead *
ahead_new (const char *name, guint threads, AheadWork work, GDestroyNotify free_result, gpointer user)
{
	Ahead *a = g_new0 (Ahead, 1);
	g_autoptr (GError) error = NULL;

	a->work = work;
	a->free_result = free_result;
	a->user = user;
	a->queue = g_async_queue_new ();
	g_mutex_init (&a->lock);
	g_cond_init (&a->done);
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
	AheadJob *job;

	g_mutex_lock (&a->lock);
	/* pushed twice: the first job stands (it may be under way) */
	if (g_hash_table_contains (a->jobs, key)) {
		g_mutex_unlock (&a->lock);
		return;
	}
	job = g_new0 (AheadJob, 1);
	job->key = g_strdup (key);
	job->data = g_bytes_ref (data);
	g_hash_table_insert (a->jobs, job->key, job);
	g_mutex_unlock (&a->lock);
	g_async_queue_push (a->queue, job);
}

gpointer
ahead_wait (Ahead *a, const char *key, gboolean *pushed, GError **error)
{
	AheadJob *job;
	gpointer result;

	g_mutex_lock (&a->lock);
	if ((job = g_hash_table_lookup (a->jobs, key)) == NULL) {
		g_mutex_unlock (&a->lock);
		*pushed = FALSE;
		return NULL;
	}
	*pushed = TRUE;
	while (!job->done)
		g_cond_wait (&a->done, &a->lock);
	g_hash_table_steal (a->jobs, key);
	g_mutex_unlock (&a->lock);
	result = g_steal_pointer (&job->result);
	if (result == NULL)
		g_propagate_error (error, g_steal_pointer (&job->error));
	job_free (a, job);
	return result;
}

static void
jobs_free (gpointer data, gpointer user)
{
	job_free (user, data);
}

void
ahead_free (Ahead *a)
{
	g_autoptr (GList) left = NULL;

	if (a == NULL)
		return;
	/* the jobs not begun leave the queue (they stay in a->jobs, freed
	 * below); then one end mark per worker */
	g_async_queue_lock (a->queue);
	while (g_async_queue_try_pop_unlocked (a->queue) != NULL)
		;
	for (guint i = 0; i < a->n_threads; i++)
		g_async_queue_push_unlocked (a->queue, &closing);
	g_async_queue_unlock (a->queue);
	for (guint i = 0; i < a->n_threads; i++)
		g_thread_join (a->threads[i]);
	g_free (a->threads);
	g_async_queue_unref (a->queue);
	left = g_hash_table_get_values (a->jobs);
	g_list_foreach (left, jobs_free, a);
	g_hash_table_unref (a->jobs);
	g_mutex_clear (&a->lock);
	g_cond_clear (&a->done);
	g_free (a);
}
