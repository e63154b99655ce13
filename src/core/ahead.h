/* ahead.h - work done ahead on a thread of its own, collected by key.
 *
 * The intake hands each fetched message to workers (the spool writer, the
 * reader that parses and extracts it) while the main thread registers the
 * messages before: the disk's waits and the CPU's work overlap.  Jobs start in
 * the order pushed; the main thread waits for the one it needs next.
 *
 * The jobs wait in a GAsyncQueue, first in first out; each worker takes the
 * oldest.  With one worker, jobs also end in push order.  A job may have
 * documents read by the sandboxed reader (sandbox/sandbox.h): this process
 * only ever starts a program with posix_spawn, no child runs its code, so
 * no lock of a worker is ever copied.
 */
#ifndef MAILREG_AHEAD_H
#define MAILREG_AHEAD_H

#include <glib.h>

typedef struct Ahead Ahead;

/* The job of @key with its @data, on the worker's thread: a result (transfer
 * full, freed with the free_result given to ahead_new), or NULL with @error. */
typedef gpointer (*AheadWork) (const char *key, GBytes *data, gpointer user, GError **error);

/* @threads worker threads named @name running @work (jobs start in push
 * order, and with more than one thread run side by side); NULL when no thread
 * can be started (the caller then does the work itself).  (transfer full) */
Ahead *ahead_new (const char *name, guint threads, AheadWork work, GDestroyNotify free_result, gpointer user);

/* Queue the job @key (a key pushed before and not yet collected is ignored). */
void ahead_push (Ahead *a, const char *key, GBytes *data);

/* Wait for the job @key and take its result; *@pushed says whether it was
 * pushed at all (if not: NULL, no error).  (transfer full) */
gpointer ahead_wait (Ahead *a, const char *key, gboolean *pushed, GError **error);

/* Drop the jobs not begun, wait for those under way, end the threads. */
void ahead_free (Ahead *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ahead, ahead_free)

#endif
