/* edge.h - the edge-case matrices (zeros, constant, NaN/Inf/-0/subnormals,
 * 1x1, odd sizes, single row/column, empty). Deterministic: the same bytes on
 * every machine, so data/edge/ can be checked against a fresh generation. */
#ifndef MX_TEST_EDGE_H
#define MX_TEST_EDGE_H
#include "../src/safetensors.h"

/* Fills a new array of named matrices; returns 0 or -1 (out of memory). */
int mx_edge_cases(mx_named_matrix **out, size_t *n);
#endif
