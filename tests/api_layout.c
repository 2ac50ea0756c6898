/* api_layout.c - the layout of the types the public header redefines, as
 * the library's own headers define them (test_api.c compares). This file
 * must not include mxbench.h, or its definitions would be the ones seen. */
#include <stddef.h>
#include "../codecs/metrics.h"
#include "../codecs/mxerr.h"

size_t api_private_layout(size_t *v);

size_t api_private_layout(size_t *v)
{
    size_t n = 0;
    v[n++] = sizeof(mx_error);
    v[n++] = offsetof(mx_error, code);
    v[n++] = offsetof(mx_error, msg);
    v[n++] = sizeof(((mx_error *)0)->msg);
    v[n++] = (size_t)MX_OK;
    v[n++] = (size_t)MX_EFAIL;
    v[n++] = (size_t)MX_EINPUT;
    v[n++] = sizeof(mx_similarity);
    v[n++] = offsetof(mx_similarity, cosine);
    v[n++] = offsetof(mx_similarity, norm_sim);
    v[n++] = offsetof(mx_similarity, similarity);
    return n;
}
