#include "../../src/safetensors.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mx_named_matrix *v;
    size_t n;
    mx_error err = {0};
    if (mx_safetensors_parse(data, size, &v, &n, &err) == 0)
        mx_named_matrices_free(v, n);
    return 0;
}
