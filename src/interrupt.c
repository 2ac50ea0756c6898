#include "interrupt.h"
#include <signal.h>
#include <string.h>

/* Process-wide by nature: a signal handler reaches nothing but globals.
 * The flag is the one thing the handler writes; `previous` is written by
 * mx_interrupt_arm before the handler can run and only read after, and
 * `armed` is the arming thread's own note (the handler never reads it). */
static atomic_int requested;
static struct sigaction previous;
static int armed;

static void on_interrupt(int sig)
{
    (void)sig;
    atomic_store(&requested, 1);
    sigaction(SIGINT, &previous, NULL); /* the next Ctrl-C is the usual one */
}

int mx_interrupt_arm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESTART; /* the work goes on: no EINTR for it to handle */
    sigemptyset(&sa.sa_mask);
    atomic_store(&requested, 0);
    if (sigaction(SIGINT, NULL, &previous))
        return -1;
    if (sigaction(SIGINT, &sa, NULL))
        return -1;
    armed = 1;
    return 0;
}

void mx_interrupt_disarm(void)
{
    if (armed)
        sigaction(SIGINT, &previous, NULL);
    armed = 0;
}

int mx_interrupted(void)
{
    return atomic_load(&requested) != 0;
}

const atomic_int *mx_interrupt_flag(void)
{
    return &requested;
}
