/* fault.c - test-only crash points (see fault.h). */
#include "core/fault.h"

#ifdef MAILREG_FAULTS
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
fault_point (const char *name)
{
	static gint hits;   /* the spool's writer thread passes here too */
	const char *want = g_getenv ("MAILREG_FAULT");
	const char *colon;
	gsize len;

	if (want == NULL)
		return;
	/* "name" dies at the first pass, "name:N" at the Nth (mid-batch crashes). */
	colon = strchr (want, ':');
	len = colon ? (gsize) (colon - want) : strlen (want);
	if (strlen (name) != len || strncmp (want, name, len) != 0)
		return;
	if ((gulong) g_atomic_int_add (&hits, 1) + 1 >= (colon ? strtoul (colon + 1, NULL, 10) : 1))
		kill (getpid (), SIGKILL);
}

int
fault_armed (const char *name)
{
	const char *want = g_getenv ("MAILREG_FAULT");
	gsize len;

	if (want == NULL)
		return 0;
	len = strcspn (want, ":");
	return strlen (name) == len && strncmp (want, name, len) == 0;
}
#else
/* ISO C forbids an empty translation unit. */
typedef int fault_unused;
#endif
