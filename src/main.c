#include <stdio.h>
#include "cli.h"

/* What went to stdout (tables, info, --help) is the work too: a write that
 * failed (a full disk, a closed pipe) must not end in exit 0. */
int main(int argc, char **argv)
{
    int rc = mx_cli_main(argc, argv);
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
        fprintf(stderr, "mxbench: write error on stdout\n");
        rc = 1;
    }
    return rc;
}
