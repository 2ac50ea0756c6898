/* lz4_block.h - LZ4 block-format helpers shared by the lz4 and lz4hc
 * stages (the two differ only in how they compress). Internal to codecs/. */
#ifndef MX_LZ4_BLOCK_H
#define MX_LZ4_BLOCK_H
#include "stage.h"

size_t mx_lz4_block_bound(const mx_params *p, size_t n);
int mx_lz4_block_decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                            size_t n, uint8_t *dst, size_t expected, mx_error *err);
#endif
