/* interrupt.h - Ctrl-C as a request: long work stops and keeps what it did.
 *
 * While armed, the first SIGINT only sets a flag and puts back the handler
 * that was there before, so a second Ctrl-C acts as one always did (the
 * CLI's handler removes any temporary output and ends the process). Give
 * the flag to a context (mx_ctx_set_cancel) or a solution
 * (mx_solution_set_cancel), or poll mx_interrupted(). */
#ifndef MX_INTERRUPT_H
#define MX_INTERRUPT_H
#include <stdatomic.h>

/* Clears the flag and installs the one-shot handler; -1 if sigaction fails. */
int mx_interrupt_arm(void);
/* Puts back the handler found by mx_interrupt_arm (the flag keeps its value). */
void mx_interrupt_disarm(void);
/* 1 once a SIGINT arrived while armed. */
int mx_interrupted(void);
/* The flag itself, for the cancel checks of the engine and eval. */
const atomic_int *mx_interrupt_flag(void);
#endif
