// SPDX-License-Identifier: GPL-2.0
/*
 * Reorder buffer for live frames (see frame_queue.h).  A ring of slots in
 * timestamp order; a new frame is inserted from the newest end, which is
 * where nearly every live frame belongs, so insertion is O(1) in practice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/drop_event.h"
#include "frame_queue.h"

struct slot {
	struct frame f;		/* f.data / f.comment point into mem */
	uint8_t *mem;
	size_t mem_cap;
	struct drop_event *drop;	/* f.drop's copy, kept for reuse */
};

struct frame_queue {
	struct slot *s;
	size_t cap, head, len;
};

struct frame_queue *frame_queue_new(size_t max_frames)
{
	struct frame_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->cap = max_frames ? max_frames : 4096;
	q->s = calloc(q->cap, sizeof(*q->s));
	if (!q->s) {
		free(q);
		return NULL;
	}
	return q;
}

void frame_queue_free(struct frame_queue *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->cap; i++) {
		free(q->s[i].mem);
		free(q->s[i].drop);
	}
	free(q->s);
	free(q);
}

size_t frame_queue_len(const struct frame_queue *q)
{
	return q->len;
}

static struct slot *at(struct frame_queue *q, size_t i)
{
	return &q->s[(q->head + i) % q->cap];
}

/*
 * Copies f's bytes, comment and typed drop event into the slot's own
 * memory; the comment gets a NUL after it, for consumers that want a C
 * string (the writer).
 */
static int fill(struct slot *sl, const struct frame *f)
{
	size_t need = (size_t)f->caplen + f->comment_len + 1;

	if (need > sl->mem_cap) {
		uint8_t *m = realloc(sl->mem, need);

		if (!m)
			return -ENOMEM;
		sl->mem = m;
		sl->mem_cap = need;
	}
	sl->f = *f;
	if (f->caplen)
		memcpy(sl->mem, f->data, f->caplen);
	sl->f.data = sl->mem;
	if (f->comment && f->comment_len) {
		memcpy(sl->mem + f->caplen, f->comment, f->comment_len);
		sl->mem[f->caplen + f->comment_len] = '\0';
		sl->f.comment = (const char *)sl->mem + f->caplen;
	} else {
		sl->f.comment = NULL;
		sl->f.comment_len = 0;
	}
	if (f->drop) {
		if (!sl->drop && !(sl->drop = malloc(sizeof(*sl->drop))))
			return -ENOMEM;
		*sl->drop = *f->drop;
		sl->f.drop = sl->drop;
	}
	return 0;
}

/* Hands out the oldest frame. */
static int pop(struct frame_queue *q, frame_queue_fn fn, void *ctx)
{
	struct slot *sl = at(q, 0);
	int ret = fn(&sl->f, ctx);

	q->head = (q->head + 1) % q->cap;
	q->len--;
	return ret;
}

int frame_queue_push(struct frame_queue *q, const struct frame *f,
		     frame_queue_fn fn, void *ctx)
{
	struct slot tmp;
	size_t i;
	int ret;

	if (q->len == q->cap) {
		ret = pop(q, fn, ctx);
		if (ret)
			return ret;
	}
	/* the new frame goes into the free slot at the end ... */
	ret = fill(at(q, q->len), f);
	if (ret)
		return ret;
	q->len++;
	/* ... and moves towards the head past every newer frame (swapping
	 * slots keeps each slot's memory with it) */
	for (i = q->len - 1; i > 0; i--) {
		struct slot *a = at(q, i - 1), *b = at(q, i);

		if (a->f.ts_ns <= b->f.ts_ns)
			break;
		tmp = *a;
		*a = *b;
		*b = tmp;
	}
	return 0;
}

int frame_queue_release(struct frame_queue *q, uint64_t until_ns,
			frame_queue_fn fn, void *ctx)
{
	int ret;

	while (q->len && at(q, 0)->f.ts_ns <= until_ns) {
		ret = pop(q, fn, ctx);
		if (ret)
			return ret;
	}
	return 0;
}
