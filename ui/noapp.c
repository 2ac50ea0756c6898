/* noapp.c - what stands in for the app in a build without ncurses
 * (./configure --without-ui): `mxbench ui` says so in one line. */
#include <stdio.h>
#include "ui.h"

int mx_ui_main(const char *manifest, const char *const *specs, size_t n_specs,
               const mx_batch_opts *opts, const mx_eval_opts *eval, int threads)
{
    (void)manifest, (void)specs, (void)n_specs, (void)opts, (void)eval, (void)threads;
    fprintf(stderr, "mxbench: built without the app (./configure --without-ui)\n");
    return 2;
}
