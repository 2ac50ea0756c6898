/* stages.c - the registry of stages. Its list, stage_list.h, is made at
 * build time from Makefile.am's STAGE_SOURCES (one MX_STAGE(name) per
 * codecs/stage_<name>.c, in that order, which is the display order): a new
 * stage is its file and one line there. */
#include "stage.h"
#include <string.h>

#define MX_STAGE(name) extern const mx_stage mx_stage_##name;
#include "stage_list.h"
#undef MX_STAGE

#define MX_STAGE(name) &mx_stage_##name,
const mx_stage *const mx_stages[] = {
#include "stage_list.h"
    NULL,
};
#undef MX_STAGE

const mx_stage *mx_stage_find(const char *name)
{
    for (size_t i = 0; mx_stages[i]; i++)
        if (strcmp(mx_stages[i]->name, name) == 0)
            return mx_stages[i];
    return NULL;
}

int mx_stage_expect(const mx_stream *part, unsigned bits, uint64_t rows,
                    uint64_t cols, const char *stage, mx_error *err)
{
    if (part->d.bits != bits || part->d.rows != rows || part->d.cols != cols)
        return mx_fail(err, MX_EINPUT,
                       "corrupt data: %s part is %llux%llu of %u bits, expected %llux%llu of %u bits",
                       stage, (unsigned long long)part->d.rows,
                       (unsigned long long)part->d.cols, part->d.bits,
                       (unsigned long long)rows, (unsigned long long)cols, bits);
    return 0;
}
