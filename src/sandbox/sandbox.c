/* sandbox.c - the reader helper (see sandbox.h): a reader server started with
 * posix_spawn, a reader forked by it per document, fed over a socket and
 * answered over a pipe.
 *
 * The daemon's half (sandbox_run) runs on any thread: glibc's posix_spawn is
 * clone(CLONE_VM|CLONE_VFORK) + exec, and the child runs no code of ours
 * before the exec.  The server's half (sandbox_serve) and the reader's
 * (sandbox_enter, after its libraries are loaded and before its input is
 * read) run in mailreg-reader.
 */
#define G_LOG_DOMAIN "sandbox"
#define _GNU_SOURCE   /* closefrom */

#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/errors.h"

extern char **environ;

#ifdef MAILREG_FAULTS
#define READER_NAME "mailreg-reader-test"
#else
#define READER_NAME "mailreg-reader"
#endif
#ifndef MAILREG_LIBEXECDIR
#define MAILREG_LIBEXECDIR "/usr/local/libexec/mailreg"
#endif

/* Descriptors the reader may hold: 0/1/2 and what poppler, fontconfig and
 * iconv open for reading (fonts, gconv modules). */
#define READER_FILES 32

/* Folders the reader may read under Landlock: shared libraries loaded late
 * (gconv modules), poppler's and tesseract's data, fonts and their cache. */
static const char *const readable[] = {
	"/usr", "/etc/fonts", "/var/cache/fontconfig", "/etc/ld.so.cache",
};

/* AddressSanitizer (GCC and clang spell it differently) reserves terabytes
 * of shadow memory and cannot run under RLIMIT_AS. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

void
sandbox_result_clear (SandboxResult *res)
{
	g_clear_pointer (&res->output, g_bytes_unref);
	memset (res, 0, sizeof *res);
}

/* ------------------------------------------------------------------------- */
/* The parent */

static char *
reader_path (void)
{
	const char *env = g_getenv ("MAILREG_READER");
	g_autofree char *self = NULL;

	if (env != NULL && *env != '\0')
		return g_strdup (env);
	/* a build folder, or a package that keeps it beside the binary */
	if ((self = g_file_read_link ("/proc/self/exe", NULL)) != NULL) {
		g_autofree char *dir = g_path_get_dirname (self);
		g_autofree char *beside = g_build_filename (dir, READER_NAME, NULL);
		if (access (beside, X_OK) == 0)
			return g_steal_pointer (&beside);
	}
	return g_build_filename (MAILREG_LIBEXECDIR, READER_NAME, NULL);
}

static void
close_fd (int *fd)
{
	if (*fd >= 0)
		close (*fd);
	*fd = -1;
}

/* Start @argv with @in on its stdin and @out on its stdout; the pid, or -1
 * with errno. */
static pid_t
spawn (char **argv, int in, int out)
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid = -1;
	int err;

	posix_spawn_file_actions_init (&actions);
	posix_spawnattr_init (&attr);
	posix_spawn_file_actions_adddup2 (&actions, in, 0);
	posix_spawn_file_actions_adddup2 (&actions, out, 1);
	/* the daemon's blocked and ignored signals (SIGPIPE, SIGTERM, ...) are
	 * not the reader's: its limits are signals */
	sigemptyset (&none);
	sigfillset (&all);
	posix_spawnattr_setsigmask (&attr, &none);
	posix_spawnattr_setsigdefault (&attr, &all);
	posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawn (&pid, argv[0], &actions, &attr, argv, environ);
	posix_spawnattr_destroy (&attr);
	posix_spawn_file_actions_destroy (&actions);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return pid;
}

/* Feed @input to @to and collect the answer from @from until it ends, grows
 * past the limit (*@over), or @deadline passes (*@late). */
static GByteArray *
exchange (int to, int from, GBytes *input, const SandboxLimits *limits, gint64 deadline, gboolean *over,
          gboolean *late)
{
	GByteArray *answer = g_byte_array_new ();
	gsize len, sent = 0;
	const guint8 *data = g_bytes_get_data (input, &len);

	*over = *late = FALSE;
	if (len == 0)
		close_fd (&to);
	for (;;) {
		struct pollfd pfd[2] = { { from, POLLIN, 0 }, { to, POLLOUT, 0 } };
		gint64 left = deadline - g_get_monotonic_time ();
		guint8 buf[16384];
		ssize_t n;
		int r;

		if (left <= 0) {
			*late = TRUE;
			break;
		}
		/* to == -1: poll ignores the entry */
		r = poll (pfd, 2, (int) MIN ((left + 999) / 1000, G_MAXINT));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			break;
		if (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
			/* a socket: a reader gone early makes EPIPE, not our SIGPIPE */
			n = send (to, data + sent, MIN (len - sent, 65536), MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent += (gsize) n;
			if ((n == -1 && errno != EAGAIN && errno != EINTR) || sent == len)
				close_fd (&to);
		}
		if (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			n = read (from, buf, sizeof buf);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			g_byte_array_append (answer, buf, (guint) n);
			if (answer->len > limits->max_output) {
				*over = TRUE;
				break;
			}
		}
	}
	close_fd (&to);
	return answer;
}

static void
classify (SandboxResult *res, int status, gboolean over, gboolean late)
{
	if (over) {
		res->end = SANDBOX_OUTPUT;
	} else if (late) {
		res->end = SANDBOX_TIME;
	} else if (WIFEXITED (status)) {
		res->status = WEXITSTATUS (status);
		res->end = res->status == 0 ? SANDBOX_EXITED : SANDBOX_FAILED;
	} else if (WIFSIGNALED (status)) {
		res->signal = WTERMSIG (status);
		switch (res->signal) {
		case SIGSYS:
			res->end = SANDBOX_SYSCALL;
			break;
		case SIGXCPU:
			res->end = SANDBOX_CPU;
			break;
		case SIGABRT:
			/* GLib, poppler (C++ new) and libxml2 abort when an allocation fails */
			res->end = SANDBOX_MEMORY;
			break;
		case SIGKILL:
			res->end = SANDBOX_KILLED;
			break;
		default:
			res->end = SANDBOX_CRASHED;
			break;
		}
	} else {
		res->end = SANDBOX_CRASHED;
	}
}

/* ------------------------------------------------------------------------- */
/* The reader server
 *
 * Starting mailreg-reader costs more than reading a form: its loader maps and
 * relocates some 60 libraries (poppler, cairo, NSS, ...), 40 ms of CPU a time.
 * So one reader is started with exec, as a server (`mailreg-reader --server`),
 * and forks a reader per document.  That fork is safe where the daemon's was
 * not: the server has one thread and has read nothing untrusted; each child
 * confines itself before it reads a byte.  The daemon sends the server, over a
 * SOCK_SEQPACKET socket, the reader's arguments with the two descriptors of
 * its stdin and stdout (SCM_RIGHTS); the server answers the child's pid, then
 * its wait status.  One request at a time (server_lock).  If the server dies,
 * the next request starts another. */

#define SERVER_ARG "--server"
#define MAX_REQUEST 4096

static GMutex server_lock;
static int server_fd = -1;        /* our end of the control socket */
static pid_t server_pid = -1;

static void
server_stop (void)
{
	close_fd (&server_fd);
	if (server_pid > 0)
		kill (server_pid, SIGKILL);
	while (server_pid > 0 && waitpid (server_pid, NULL, 0) == -1 && errno == EINTR)
		;
	server_pid = -1;
}

static gboolean
server_start (GError **error)
{
	g_autofree char *path = reader_path ();
	char *argv[] = { path, (char *) SERVER_ARG, NULL };
	int ctl[2];

	if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == -1)
		goto fail;
	/* the control socket is the server's stdin and stdout */
	if ((server_pid = spawn (argv, ctl[1], ctl[1])) == -1) {
		int saved = errno;
		close (ctl[0]);
		close (ctl[1]);
		errno = saved;
		goto fail;
	}
	close (ctl[1]);
	server_fd = ctl[0];
	return TRUE;
fail:
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL, "cannot start the reader %s: %s", path,
	             g_strerror (errno));
	return FALSE;
}

/* Send the request: @args, NUL-separated, with descriptors @in and @out. */
static gboolean
request_send (const char *const *args, int in, int out)
{
	g_autoptr (GString) body = g_string_new (NULL);
	union {
		char buf[CMSG_SPACE (2 * sizeof (int))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;
	int fds[2] = { in, out };

#ifdef MAILREG_FAULTS
	/* test builds: the fault armed now, not when the server started */
	g_string_append_printf (body, "%s%c", g_getenv ("MAILREG_FAULT") ? g_getenv ("MAILREG_FAULT") : "", 0);
#endif
	for (guint i = 0; args[i] != NULL; i++)
		g_string_append_len (body, args[i], (gssize) strlen (args[i]) + 1);
	if (body->len > MAX_REQUEST)
		return FALSE;
	iov.iov_base = body->str;
	iov.iov_len = body->len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	memset (&control, 0, sizeof control);
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof control.buf;
	cmsg = CMSG_FIRSTHDR (&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN (sizeof fds);
	memcpy (CMSG_DATA (cmsg), fds, sizeof fds);
	while (sendmsg (server_fd, &msg, MSG_NOSIGNAL) == -1)
		if (errno != EINTR)
			return FALSE;
	return TRUE;
}

/* One int from the server; FALSE when it is gone, or after @deadline (0: none). */
static gboolean
reply_read (int *value, gint64 deadline)
{
	for (;;) {
		struct pollfd pfd = { server_fd, POLLIN, 0 };
		int timeout = -1;
		ssize_t n;

		if (deadline > 0) {
			gint64 left = deadline - g_get_monotonic_time ();
			if (left <= 0)
				return FALSE;
			timeout = (int) MIN ((left + 999) / 1000, G_MAXINT);
		}
		if (poll (&pfd, 1, timeout) == -1) {
			if (errno == EINTR)
				continue;
			return FALSE;
		}
		if (pfd.revents == 0)
			continue;
		n = recv (server_fd, value, sizeof *value, 0);
		if (n == -1 && errno == EINTR)
			continue;
		return n == (ssize_t) sizeof *value;
	}
}

/* Have the server fork a reader with @args, @in and @out: its pid, or -1 (the
 * server gone: the caller starts another and asks once more). */
static pid_t
server_fork (const char *const *args, int in, int out)
{
	int pid;

	if (!request_send (args, in, out) || !reply_read (&pid, 0) || pid <= 0)
		return -1;
	return pid;
}

gboolean
sandbox_run (const char *const *args, GBytes *input, const SandboxLimits *limits, SandboxResult *res,
             GError **error)
{
	g_autoptr (GByteArray) answer = NULL;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int status = 0, saved;
	gboolean over, late;
	gint64 deadline;
	pid_t pid = -1;

	memset (res, 0, sizeof *res);
	/* stdin is a socket so that writing to a reader gone early is EPIPE
	 * (MSG_NOSIGNAL), not a SIGPIPE for the daemon */
	if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) == -1 || pipe2 (out, O_CLOEXEC) == -1) {
		saved = errno;
		close_fd (&in[0]);
		close_fd (&in[1]);
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL, "cannot start the reader: %s",
		             g_strerror (saved));
		return FALSE;
	}
	shutdown (in[0], SHUT_WR);
	shutdown (in[1], SHUT_RD);

	g_mutex_lock (&server_lock);
	for (guint attempt = 0; attempt < 2 && pid == -1; attempt++) {
		if (server_fd == -1 && !server_start (error))
			break;
		if ((pid = server_fork (args, in[0], out[1])) == -1)
			server_stop ();
	}
	close_fd (&in[0]);
	close_fd (&out[1]);
	if (pid == -1) {
		g_mutex_unlock (&server_lock);
		close_fd (&in[1]);
		close_fd (&out[0]);
		if (error != NULL && *error == NULL)
			g_set_error_literal (error, MAILREG_ERROR, MAILREG_ERROR_TEMPFAIL,
			                     "cannot start the reader: its server failed");
		return FALSE;
	}

	deadline = g_get_monotonic_time () + (gint64) limits->wall_seconds * G_USEC_PER_SEC;
	answer = exchange (in[1], out[0], input, limits, deadline, &over, &late);
	in[1] = -1;   /* closed by exchange */
	close_fd (&out[0]);
	/* a reader that closed its stdout may still be running: the time limit holds */
	if (over || late || !reply_read (&status, deadline)) {
		late = late || (!over && g_get_monotonic_time () >= deadline);
		kill (pid, SIGKILL);
		if (!reply_read (&status, 0)) {
			server_stop ();
			status = SIGKILL;   /* as if killed: the server is gone with it */
		}
	}
	g_mutex_unlock (&server_lock);
	classify (res, status, over, late);
	g_byte_array_set_size (answer, MIN (answer->len, limits->max_output));
	res->output = g_byte_array_free_to_bytes (g_steal_pointer (&answer));
	return TRUE;
}

/* The child of the server: @args and the two descriptors of a request. */
static G_GNUC_NORETURN void
serve_one (SandboxMain reader_main, GPtrArray *argv, int in, int out, int err)
{
	/* replaces the control socket, fds 0 and 1 of the server */
	if (dup2 (in, STDIN_FILENO) == -1 || dup2 (out, STDOUT_FILENO) == -1 ||
	    (err != -1 && dup2 (err, STDERR_FILENO) == -1))
		_exit (71);
	close (in);
	close (out);
	_exit (reader_main ((int) argv->len - 1, (char **) argv->pdata));
}

/* Copy what a reader logs from @from to our stderr, at most READER_LOG bytes
 * (its stderr cannot be a file: RLIMIT_FSIZE 0 would stop it at its first
 * line); until it ends. */
#define READER_LOG 16384

static void
relay_log (int from)
{
	gsize total = 0;
	char buf[4096];
	ssize_t n;

	while ((n = read (from, buf, sizeof buf)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		if (total < READER_LOG && write (STDERR_FILENO, buf, MIN ((gsize) n, READER_LOG - total)) == -1)
			total = READER_LOG;
		total += (gsize) n;
	}
}

int
sandbox_serve (const char *self, SandboxMain reader_main)
{
	for (;;) {
		char body[MAX_REQUEST + 1];
		union {
			char buf[CMSG_SPACE (2 * sizeof (int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { body, MAX_REQUEST };
		struct msghdr msg = { 0 };
		struct cmsghdr *cmsg;
		g_autoptr (GPtrArray) argv = g_ptr_array_new ();
		int fds[2] = { -1, -1 }, err[2] = { -1, -1 };
		int status = 0;
#ifdef MAILREG_FAULTS
		const char *fault;
#endif
		ssize_t n;
		pid_t pid;

		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof control.buf;
		n = recvmsg (STDIN_FILENO, &msg, MSG_CMSG_CLOEXEC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;   /* the daemon is gone */
		for (cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
			if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
			    cmsg->cmsg_len == CMSG_LEN (sizeof fds))
				memcpy (fds, CMSG_DATA (cmsg), sizeof fds);
		body[n] = '\0';
		g_ptr_array_add (argv, (char *) self);
		for (ssize_t at = 0; at < n; at += (ssize_t) strlen (body + at) + 1)
			g_ptr_array_add (argv, body + at);
#ifdef MAILREG_FAULTS
		fault = argv->len > 1 ? g_ptr_array_steal_index (argv, 1) : NULL;
#endif
		g_ptr_array_add (argv, NULL);
		if (fds[0] == -1 || fds[1] == -1) {
			int none = -1;
			if (fds[0] != -1)
				close (fds[0]);
			if (fds[1] != -1)
				close (fds[1]);
			send (STDOUT_FILENO, &none, sizeof none, MSG_NOSIGNAL);
			continue;
		}
		if (pipe2 (err, O_CLOEXEC) == -1)
			err[0] = err[1] = -1;
		if ((pid = fork ()) == -1) {
			int none = -1;
			close (fds[0]);
			close (fds[1]);
			close_fd (&err[0]);
			close_fd (&err[1]);
			send (STDOUT_FILENO, &none, sizeof none, MSG_NOSIGNAL);
			continue;
		}
		if (pid == 0) {
#ifdef MAILREG_FAULTS
			if (fault != NULL && *fault != '\0')
				g_setenv ("MAILREG_FAULT", fault, TRUE);
			else
				g_unsetenv ("MAILREG_FAULT");
#endif
			serve_one (reader_main, argv, fds[0], fds[1], err[1]);
		}
		close (fds[0]);
		close (fds[1]);
		close_fd (&err[1]);
		if (send (STDOUT_FILENO, &pid, sizeof pid, MSG_NOSIGNAL) == -1)
			kill (pid, SIGKILL);
		if (err[0] != -1)
			relay_log (err[0]);
		close_fd (&err[0]);
		while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
			;
		if (send (STDOUT_FILENO, &status, sizeof status, MSG_NOSIGNAL) == -1)
			return 0;
	}
}

char *
sandbox_describe (const SandboxResult *res, const SandboxLimits *limits)
{
	switch (res->end) {
	case SANDBOX_SYSCALL:
		return g_strdup ("not allowed system call");
	case SANDBOX_CPU:
		return g_strdup_printf ("CPU time limit (%u s)", limits->cpu_seconds);
	case SANDBOX_TIME:
		return g_strdup_printf ("time limit (%u s)", limits->wall_seconds);
	case SANDBOX_MEMORY:
		return g_strdup_printf ("memory limit (%" G_GUINT64_FORMAT " MB)", limits->memory >> 20);
	case SANDBOX_OUTPUT:
		return g_strdup_printf ("answer longer than %" G_GSIZE_FORMAT " bytes", limits->max_output);
	case SANDBOX_KILLED:
		return g_strdup ("killed");
	case SANDBOX_CRASHED:
		return g_strdup_printf ("crashed (%s)", res->signal ? g_strsignal (res->signal) : "unknown");
	case SANDBOX_FAILED:
		return g_strdup_printf ("failed (exit status %d)", res->status);
	case SANDBOX_EXITED:
	default:
		return g_strdup ("no answer");
	}
}

/* ------------------------------------------------------------------------- */
/* The child */

/* Soft limit @value, hard limit @hard (never above the present hard limit). */
static gboolean
set_limit (int resource, guint64 value, guint64 hard, GError **error)
{
	struct rlimit rl;

	if (getrlimit (resource, &rl) == -1)
		goto fail;
	if (rl.rlim_max != RLIM_INFINITY) {
		value = MIN (value, rl.rlim_max);
		hard = MIN (hard, rl.rlim_max);
	}
	rl.rlim_cur = value;
	rl.rlim_max = hard;
	if (setrlimit (resource, &rl) == -1)
		goto fail;
	return TRUE;
fail:
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "setrlimit %d: %s", resource, g_strerror (errno));
	return FALSE;
}

/* Landlock: read-only under the folders of readable[], nothing else; quietly
 * nothing when the kernel has no Landlock (before 5.13, or not enabled). */
static gboolean
landlock (GError **error)
{
	struct landlock_ruleset_attr attr = { 0 };
	int abi, ruleset;

	abi = (int) syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return TRUE;
	attr.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	                         LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	                         LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	                         LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	                         LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	                         LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	                         LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	if ((ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, sizeof attr, 0)) == -1)
		goto fail;
	for (gsize i = 0; i < G_N_ELEMENTS (readable); i++) {
		struct landlock_path_beneath_attr rule = { 0 };
		struct stat st;
		int fd = open (readable[i], O_PATH | O_CLOEXEC);

		if (fd == -1)
			continue;   /* not on this system */
		rule.parent_fd = fd;
		rule.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
		if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
			rule.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
		if (syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == -1) {
			int saved = errno;
			close (fd);
			close (ruleset);
			errno = saved;
			goto fail;
		}
		close (fd);
	}
	if (syscall (SYS_landlock_restrict_self, ruleset, 0) == -1) {
		int saved = errno;
		close (ruleset);
		errno = saved;
		goto fail;
	}
	close (ruleset);
	return TRUE;
fail:
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "landlock: %s", g_strerror (errno));
	return FALSE;
}

/* What reading needs, as glibc 2.36, GLib 2.74, poppler 22.12, libxml2 and
 * libzip call it (strace of the reader over the test documents); every other
 * system call kills the process (SIGSYS).  socket, connect, execve, fork,
 * ptrace, kill of another process, open for writing: all killed. */
static const int allowed[] = {
	SCMP_SYS (read), SCMP_SYS (readv), SCMP_SYS (pread64), SCMP_SYS (write), SCMP_SYS (writev),
	SCMP_SYS (close), SCMP_SYS (lseek), SCMP_SYS (fstat), SCMP_SYS (newfstatat), SCMP_SYS (statx),
	SCMP_SYS (stat), SCMP_SYS (lstat), SCMP_SYS (access), SCMP_SYS (faccessat), SCMP_SYS (faccessat2),
	SCMP_SYS (readlink), SCMP_SYS (readlinkat), SCMP_SYS (getdents64), SCMP_SYS (fcntl), SCMP_SYS (getcwd),
	SCMP_SYS (mmap), SCMP_SYS (munmap), SCMP_SYS (mprotect), SCMP_SYS (mremap), SCMP_SYS (madvise),
	SCMP_SYS (brk), SCMP_SYS (futex), SCMP_SYS (set_robust_list), SCMP_SYS (rseq),
	SCMP_SYS (set_tid_address), SCMP_SYS (sched_yield), SCMP_SYS (sched_getaffinity),
	SCMP_SYS (rt_sigaction), SCMP_SYS (rt_sigprocmask), SCMP_SYS (rt_sigreturn), SCMP_SYS (sigaltstack),
	SCMP_SYS (clock_gettime), SCMP_SYS (clock_getres), SCMP_SYS (gettimeofday), SCMP_SYS (nanosleep),
	SCMP_SYS (clock_nanosleep), SCMP_SYS (getpid), SCMP_SYS (gettid), SCMP_SYS (getrandom),
	SCMP_SYS (getuid), SCMP_SYS (geteuid), SCMP_SYS (getgid), SCMP_SYS (getegid), SCMP_SYS (uname),
	SCMP_SYS (sysinfo), SCMP_SYS (getrlimit), SCMP_SYS (exit), SCMP_SYS (exit_group),
};

static gboolean
seccomp (GError **error)
{
	scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_KILL_PROCESS);
	const char *step = "init";
	int rc = -ENOMEM;

	if (ctx == NULL)
		goto fail;
	step = "rules";
	for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
		if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, allowed[i], 0)) < 0)
			goto fail;
	/* open for reading only: fonts, gconv modules, poppler's data */
	if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (openat), 1,
	                            SCMP_A2 (SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY))) < 0 ||
	    (rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (open), 1,
	                            SCMP_A1 (SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY))) < 0)
		goto fail;
	/* threads, never processes */
	if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (clone), 1,
	                            SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD))) < 0)
		goto fail;
	/* clone3's flags are in memory, out of the filter's sight: glibc falls back to clone */
	if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), SCMP_SYS (clone3), 0)) < 0)
		goto fail;
	/* abort() signals itself; no other process */
	if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (tgkill), 1,
	                            SCMP_A0 (SCMP_CMP_EQ, (scmp_datum_t) getpid ()))) < 0)
		goto fail;
	/* reading limits, never raising them */
	if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (prlimit64), 1, SCMP_A2 (SCMP_CMP_EQ, 0))) < 0)
		goto fail;
	/* isatty() and the like: not a terminal */
	if ((rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOTTY), SCMP_SYS (ioctl), 0)) < 0)
		goto fail;
	step = "load";
	if ((rc = seccomp_load (ctx)) < 0)
		goto fail;
	seccomp_release (ctx);
	return TRUE;
fail:
	if (ctx != NULL)
		seccomp_release (ctx);
	g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "seccomp %s: %s", step, g_strerror (-rc));
	return FALSE;
}

gboolean
sandbox_enter (const SandboxLimits *limits, GError **error)
{
	/* the CPU's hard limit a second later: at the soft one the kernel sends
	 * SIGXCPU, which names the cause; at the hard one a bare SIGKILL */
	if (!set_limit (RLIMIT_CORE, 0, 0, error) || !set_limit (RLIMIT_FSIZE, 0, 0, error) ||
	    !set_limit (RLIMIT_CPU, limits->cpu_seconds, limits->cpu_seconds + 1, error))
		return FALSE;
#ifndef UNDER_ASAN
	if (!set_limit (RLIMIT_AS, limits->memory, limits->memory, error))
		return FALSE;
#endif
	/* whatever the daemon left open without O_CLOEXEC */
	closefrom (3);
	if (!set_limit (RLIMIT_NOFILE, READER_FILES, READER_FILES, error))
		return FALSE;
	if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		g_set_error (error, MAILREG_ERROR, MAILREG_ERROR_OS, "no_new_privs: %s", g_strerror (errno));
		return FALSE;
	}
	return landlock (error) && seccomp (error);
}
