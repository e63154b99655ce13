/* stop.c - the stop flag (see stop.h). */
#include "core/stop.h"

#include <signal.h>

static volatile sig_atomic_t stopping;

void
stop_request (void)
{
	stopping = 1;
}

gboolean
stop_requested (void)
{
	return stopping != 0;
}
