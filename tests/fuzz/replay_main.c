/* replay DIR... - runs every file in the given directories through the fuzz
 * target it is linked with; any crash or sanitizer report fails make check. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/fileio.h"
#include "fuzz.h"

int main(int argc, char **argv)
{
    size_t files = 0;
    for (int a = 1; a < argc; a++) {
        DIR *d = opendir(argv[a]);
        if (!d) {
            fprintf(stderr, "replay: cannot open %s\n", argv[a]);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
            uint8_t *buf;
            size_t len;
            mx_error err = {0};
            if (mx_read_file(path, &buf, &len, &err)) {
                fprintf(stderr, "replay: %s\n", err.msg);
                closedir(d);
                return 1;
            }
            LLVMFuzzerTestOneInput(buf, len);
            free(buf);
            files++;
        }
        closedir(d);
    }
    fprintf(stderr, "replay: %zu inputs, no crash\n", files);
    return files ? 0 : 1;
}
