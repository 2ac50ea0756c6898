/* Spec parsing, and that a parsed spec formats to a spec that parses back
 * to the same canonical text. */
#include <stdlib.h>
#include <string.h>
#include "../../src/pipeline.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char spec[MX_SPEC_MAX + 8], a[MX_SPEC_MAX], b[MX_SPEC_MAX];
    if (size > MX_SPEC_MAX + 4)
        return 0;
    memcpy(spec, data, size);
    spec[size] = 0;
    mx_pipeline p, q;
    mx_error err = {0};
    if (mx_pipeline_parse(spec, &p, &err) == 0) {
        mx_pipeline_format(&p, a, sizeof a);
        if (mx_pipeline_parse(a, &q, &err) != 0)
            abort();
        mx_pipeline_format(&q, b, sizeof b);
        if (strcmp(a, b) != 0)
            abort();
    }
    return 0;
}
