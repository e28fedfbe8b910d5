#ifndef BATCH_INVITE_CLIBCSV_SHIM_H
#define BATCH_INVITE_CLIBCSV_SHIM_H

#include <csv.h>

/* Adapters for what Swift cannot reach directly in libcsv's parser state. */

/* Bytes of the field being accumulated right now (valid between csv_parse calls). */
static inline size_t clibcsv_pending_length(const struct csv_parser *p) {
    return p->entry_pos;
}

/* libcsv's parser state: 0 row not begun, 1 field not begun, 2 in a field, 3 after a quote. */
static inline int clibcsv_state(const struct csv_parser *p) {
    return p->pstate;
}

/* Whether the field being accumulated started with a quote. */
static inline int clibcsv_quoted(const struct csv_parser *p) {
    return p->quoted;
}

/* The start of the field being accumulated right now. */
static inline const unsigned char *clibcsv_pending_bytes(const struct csv_parser *p) {
    return p->entry_buf;
}

/*
 * Throws away the bytes of an oversized field being accumulated, keeping only its last
 * byte: libcsv may still need it (the closing quote it removes when the field ends), and
 * an entry_pos of at least 1 keeps its `entry_pos -= spaces + 1` from wrapping.
 */
static inline void clibcsv_discard_pending(struct csv_parser *p) {
    if (p->entry_pos > 1) {
        p->entry_buf[0] = p->entry_buf[p->entry_pos - 1];
        p->entry_pos = 1;
    }
}

#endif
