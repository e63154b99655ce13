/* fault.h - named crash points for the crash-recovery tests.
 *
 * Compiled in only for test builds (-DMAILREG_FAULTS=1, the build/mailreg-test
 * binary): when $MAILREG_FAULT names the point, the process dies with SIGKILL
 * there, as a power cut or the OOM killer would stop it.
 * "name:N" dies at the Nth pass instead of the first.
 */
#ifndef MAILREG_FAULT_H
#define MAILREG_FAULT_H

#ifdef MAILREG_FAULTS
void fault_point (const char *name);
#define FAULT_POINT(name) fault_point (name)
#else
#define FAULT_POINT(name) ((void) 0)
#endif

/* Whether $MAILREG_FAULT names @name ("name" or "name:N", N ignored): for a
 * fault that is an action rather than a crash (a reader trying what its
 * sandbox forbids).  Always 0 outside test builds. */
#ifdef MAILREG_FAULTS
int fault_armed (const char *name);
#define FAULT_ARMED(name) fault_armed (name)
#else
#define FAULT_ARMED(name) 0
#endif

#endif
