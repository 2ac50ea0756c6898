#include "matrix.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int matrix_alloc(mx_matrix *m, uint64_t rows, uint64_t cols, int zeroed)
{
    memset(m, 0, sizeof *m);
    if (cols && rows > SIZE_MAX / 2 / cols)
        return -1;
    size_t n = (size_t)(rows * cols);
    m->data = zeroed ? calloc(n ? n : 1, sizeof(uint16_t)) : malloc((n ? n : 1) * sizeof(uint16_t));
    if (!m->data)
        return -1;
    m->rows = rows;
    m->cols = cols;
    return 0;
}

int mx_matrix_alloc(mx_matrix *m, uint64_t rows, uint64_t cols)
{
    return matrix_alloc(m, rows, cols, 1);
}

int mx_matrix_alloc_unset(mx_matrix *m, uint64_t rows, uint64_t cols)
{
    return matrix_alloc(m, rows, cols, 0);
}

int mx_shape_check_as(uint64_t rows, uint64_t cols, const char *as, mx_error *err)
{
    if (cols && rows > SIZE_MAX / 4 / cols)
        return mx_fail(err, MX_EINPUT, "shape %s is too large", as);
    if ((!rows || !cols) && (rows > MX_EMPTY_DIM_MAX || cols > MX_EMPTY_DIM_MAX))
        return mx_fail(err, MX_EINPUT,
                       "shape %s: a matrix without values may have at most %llu rows and "
                       "columns", as, (unsigned long long)MX_EMPTY_DIM_MAX);
    return 0;
}

int mx_shape_check(uint64_t rows, uint64_t cols, mx_error *err)
{
    if (mx_shape_check_as(rows, cols, "", NULL) == 0)
        return 0; /* the message is formatted only when there is one */
    char as[48];
    snprintf(as, sizeof as, "%llux%llu", (unsigned long long)rows, (unsigned long long)cols);
    return mx_shape_check_as(rows, cols, as, err);
}

void mx_matrix_free(mx_matrix *m)
{
    if (!m)
        return;
    free(m->data);
    free(m->origin_blob);
    memset(m, 0, sizeof *m);
}

size_t mx_matrix_count(const mx_matrix *m)
{
    return (size_t)(m->rows * m->cols);
}

void mx_transpose_u16(const uint16_t *src, uint16_t *dst, uint64_t rows,
                      uint64_t cols)
{
    /* src[c*rows + r] -> dst[r*cols + c] */
    for (uint64_t c = 0; c < cols; c++)
        for (uint64_t r = 0; r < rows; r++)
            dst[r * cols + c] = src[c * rows + r];
}
