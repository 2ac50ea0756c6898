/* Each entropy decoder on arbitrary input. The first bytes pick the stage
 * and the stream shape the decoder is told to produce. */
#include <stdlib.h>
#include "../../codecs/stage.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t n_ent = 0;
    const mx_stage *ent[32];
    for (size_t i = 0; mx_stages[i]; i++)
        if (mx_stages[i]->kind == MX_STAGE_ENTROPY)
            ent[n_ent++] = mx_stages[i];
    const mx_stage *st = ent[data[0] % n_ent];
    static const uint8_t widths[] = {1, 4, 8, 16, 32};
    mx_stream_desc d = {widths[data[1] % 5], 1u + data[2] % 64, 1u + data[3] % 64};
    size_t expected;
    if (mx_stream_desc_bytes(&d, &expected))
        return 0;
    mx_params p = {0};
    mx_error err = {0};
    mx_work w = MX_WORK_INIT;
    mx_stage_parse(st, NULL, &p, &err);
    uint8_t *out = malloc(expected + 1);
    if (out) {
        st->decompress(&p, &w, &d, data + 4, size - 4, out, expected, &err);
        /* and again with the scratch the first call left behind */
        st->decompress(&p, &w, &d, data + 4, size - 4, out, expected, &err);
        free(out);
    }
    mx_work_free(&w);
    return 0;
}
