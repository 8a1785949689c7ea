/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A byte stream for the capture file readers: a file, stdin ("-") or a
 * memory buffer, plain or gzip (recognised by content, not by name).
 *
 * The readers ask for "the next n bytes, contiguous" (input_peek) and then
 * consume them (input_skip).  A regular plain file is mapped and read in
 * place (DROPSPOT_NO_MMAP=1: not).  Otherwise bytes come from one large
 * window that is refilled in big reads, so a record is normally handed out
 * in place, with no per-record copy or allocation; a plain memory buffer is
 * not copied at all.  Offsets are positions in the uncompressed stream.
 */
#ifndef DROPSPOT_INPUT_H
#define DROPSPOT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct input;

/*
 * The largest n input_peek() accepts.  Readers reject anything bigger before
 * asking (pcapng blocks are capped at 16 MiB), so the window is bounded.
 */
#define INPUT_MAX_PEEK (16u * 1024 * 1024 + 4096)

/* "-" is stdin.  Returns 0 or -errno with "path: strerror" in err. */
int input_open_path(const char *path, struct input **out, char *err,
		    size_t errlen);
/* buf must outlive the input; it is read in place unless compressed. */
int input_open_memory(const void *buf, size_t len, struct input **out);

/*
 * Makes up to n bytes from the read position contiguous and points *p at
 * them.  Returns how many are available: n, or fewer only at the end of the
 * input, on a read error or when n > INPUT_MAX_PEEK (see input_error()).
 * *p stays valid until the next input_peek() (input_skip() does not move
 * bytes, so a record stays readable after it was consumed).
 */
size_t input_peek(struct input *in, size_t n, const uint8_t **p);
/* Consumes n bytes, which must have been made available by input_peek(). */
void input_skip(struct input *in, size_t n);

uint64_t input_offset(const struct input *in);
/*
 * True when bytes handed out stay valid, in place, until input_close()
 * (plain memory, a mapped file): a caller may keep pointers instead of
 * copying.
 */
bool input_in_place(const struct input *in);
bool input_is_gzip(const struct input *in);
/*
 * Why the stream ended early, when it did not simply reach its end: a read
 * error, a compressed stream that stops in the middle, or a mapped file
 * that shrank while it was read ("file shrank while being read"; bytes
 * handed out just before may then read as zeros, see input.c).  NULL
 * otherwise.
 */
const char *input_error(const struct input *in);
void input_close(struct input *in);

/*
 * Tests and fuzzing only: the window size new inputs start with (0 = the
 * default), so that a small capture already exercises refills, moves and
 * growth of the window.
 */
void input_set_initial_window(size_t n);

#endif /* DROPSPOT_INPUT_H */
