/* notify.c - sd_notify(3) without libsystemd. */
#include "core/notify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void
notify_send (const char *fmt, ...)
{
	const char *path = g_getenv ("NOTIFY_SOCKET");
	g_autofree char *msg = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	va_list ap;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') || strlen (path) >= sizeof sa.sun_path)
		return;
	va_start (ap, fmt);
	msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	memcpy (sa.sun_path, path, strlen (path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';  /* abstract namespace */
	len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (path));
	if ((fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto (fd, msg, strlen (msg), MSG_NOSIGNAL, (struct sockaddr *) &sa, len) < 0)
		g_debug ("notify: %s: %s", path, g_strerror (errno));
	close (fd);
}

guint64
notify_watchdog_usec (void)
{
	const char *usec = g_getenv ("WATCHDOG_USEC");
	const char *pid = g_getenv ("WATCHDOG_PID");

	if (usec == NULL)
		return 0;
	if (pid != NULL && g_ascii_strtoll (pid, NULL, 10) != (gint64) getpid ())
		return 0;
	return g_ascii_strtoull (usec, NULL, 10);
}
