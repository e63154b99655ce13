/* sandbox.h - run a reader of untrusted bytes in a confined helper process.
 *
 * Below extract in the pipeline: extract hands one attachment's bytes to
 * sandbox_run(), which has a reader started for them - forked by a reader
 * server that posix_spawn started with exec, never a bare fork() of this
 * threaded process - writes the bytes to the reader's stdin and reads its
 * answer from its stdout, within a size and a time limit; the reader is
 * always reaped.  The reader calls sandbox_enter() before
 * it reads a byte: rlimits, no descriptor but 0/1/2, no new privileges,
 * Landlock (read-only on a few system folders, where the kernel offers it),
 * then a seccomp filter that kills it at any system call reading does not need.
 */
#ifndef MAILREG_SANDBOX_H
#define MAILREG_SANDBOX_H

#include <glib.h>

typedef struct {
	guint64 memory;         /* RLIMIT_AS of the reader, bytes */
	guint cpu_seconds;      /* RLIMIT_CPU of the reader */
	guint wall_seconds;     /* the parent kills the reader after this long */
	gsize max_output;       /* answer bytes read; a longer answer kills the reader */
} SandboxLimits;

/* How a reader ended. */
typedef enum {
	SANDBOX_EXITED,         /* exited with status 0 */
	SANDBOX_FAILED,         /* exited with another status */
	SANDBOX_SYSCALL,        /* killed by the seccomp filter (SIGSYS) */
	SANDBOX_CPU,            /* past its CPU limit (SIGXCPU) */
	SANDBOX_TIME,           /* killed by the parent after wall_seconds */
	SANDBOX_MEMORY,         /* aborted (SIGABRT): an allocation failed at its memory limit */
	SANDBOX_OUTPUT,         /* killed by the parent: answer longer than max_output */
	SANDBOX_KILLED,         /* SIGKILL from elsewhere: the OOM killer, an administrator */
	SANDBOX_CRASHED,        /* another signal (SIGSEGV, ...) */
} SandboxEnd;

typedef struct {
	SandboxEnd end;
	int signal;             /* the signal that ended it, or 0 */
	int status;             /* its exit status (SANDBOX_EXITED, SANDBOX_FAILED) */
	GBytes *output;         /* what it wrote to stdout, at most max_output bytes */
} SandboxResult;

void sandbox_result_clear (SandboxResult *res);

/* Run a reader with @args (NULL-terminated, after the program name) and
 * @input on its stdin; its stderr is ours (its log lines join ours).  Any
 * thread; one reader at a time.
 * TRUE with *@res filled (clear it with sandbox_result_clear) whenever it ran,
 * however it ended; FALSE with MAILREG_ERROR_TEMPFAIL when it could not be
 * started (no processes or descriptors left, the program missing).  The
 * program: $MAILREG_READER, else mailreg-reader beside this executable, else
 * the one installed in the libexec folder. */
gboolean sandbox_run (const char *const *args, GBytes *input, const SandboxLimits *limits,
                      SandboxResult *res, GError **error);

/* The reader program's main, run by sandbox_serve in each forked reader. */
typedef int (*SandboxMain) (int argc, char **argv);

/* `mailreg-reader --server` (@self: its argv[0]): on stdin, a control socket
 * from sandbox_run; fork a reader running @reader_main for each request and
 * report its pid and wait status.  Returns 0 when the daemon closes the
 * socket. */
int sandbox_serve (const char *self, SandboxMain reader_main);

/* Why a reader that ended as @res did gave no answer, for staff: "not allowed
 * system call", "memory limit (256 MB)", ...  (transfer full) */
char *sandbox_describe (const SandboxResult *res, const SandboxLimits *limits);

/* In the reader, before it reads a byte: confine this process under @limits
 * (see above).  FALSE with MAILREG_ERROR_OS when a step the kernel offers
 * failed; Landlock missing from the kernel is no failure. */
gboolean sandbox_enter (const SandboxLimits *limits, GError **error);

#endif
