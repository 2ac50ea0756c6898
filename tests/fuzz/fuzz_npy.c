#include "../../src/npy.h"
#include <stdlib.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mx_matrix m;
    mx_error err = {0};
    if (mx_npy_parse(data, size, &m, &err) == 0) {
        uint8_t *out;
        size_t len;
        if (mx_npy_serialize(&m, &out, &len, &err) == 0)
            free(out);
        mx_matrix_free(&m);
    }
    return 0;
}
