/* neighbor.h - shared walk for stages that code each element against its
 * neighbour in the previous row or column (delta, xor). Internal to codecs/. */
#ifndef MX_NEIGHBOR_H
#define MX_NEIGHBOR_H
#include "stage.h"

typedef uint32_t (*mx_neighbor_op)(uint32_t x, uint32_t prev, uint32_t mask);

/* Encodes with `fwd` (prev = original neighbour) and decodes with `inv`
 * (prev = already-decoded neighbour). Applies to 8/16/32-bit streams. */
int mx_neighbor_encode(const char *name, mx_neighbor_op fwd, const mx_params *p,
                       const mx_stream *in, mx_stream_set *out, mx_error *err);
int mx_neighbor_decode(const char *name, mx_neighbor_op inv, const mx_params *p,
                       const mx_stream *parts, size_t nparts, mx_stream *out,
                       mx_error *err);
#endif
