#include "../../src/manifest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mx_manifest_entry *v;
    size_t n;
    mx_error err = {0};
    if (mx_manifest_parse(data, size, "dir/", "fuzz.csv", &v, &n, &err) == 0)
        mx_manifest_free(v, n);
    return 0;
}
