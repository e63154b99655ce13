/* fault.c - test-only crash points (see fault.h). */
#include "core/fault.h"

#ifdef MAILREG_FAULTS
#include <glib.h>
#include <signal.h>
#include <unistd.h>

void
fault_point (const char *name)
{
	const char *want = g_getenv ("MAILREG_FAULT");

	if (want != NULL && g_strcmp0 (want, name) == 0)
		kill (getpid (), SIGKILL);
}
#else
/* ISO C forbids an empty translation unit. */
typedef int fault_unused;
#endif
