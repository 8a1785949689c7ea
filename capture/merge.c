// SPDX-License-Identifier: GPL-2.0
/*
 * Time-ordered merge of file sources: a binary min-heap holding the next
 * frame of each source, keyed by (ts_ns, source order), so equal timestamps
 * come out in the order the sources were given and, within a source, in file
 * order (a source has one frame in the heap at a time).
 *
 * A frame's bytes are valid only until its source's next read, so the source
 * whose frame was handed out last is refilled lazily, at the start of the
 * following merger_next() call, after the caller is done with the frame.
 */
#include <errno.h>
#include <stdlib.h>

#include "source.h"

struct merge_slot {
	struct source *src;
	size_t order;		/* position in the caller's array */
	struct frame f;
};

struct merger {
	struct merge_slot *heap;	/* heap[0] is the earliest */
	size_t n;
	struct merge_slot *sources;	/* every source, by order */
	size_t n_sources;
	size_t next_fill;	/* sources not yet primed: [next_fill, n) */
	struct merge_slot pending;	/* handed out; refill before popping */
	bool has_pending;
};

static bool slot_before(const struct merge_slot *a, const struct merge_slot *b)
{
	if (a->f.ts_ns != b->f.ts_ns)
		return a->f.ts_ns < b->f.ts_ns;
	return a->order < b->order;
}

static void sift_up(struct merger *m, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		struct merge_slot tmp;

		if (!slot_before(&m->heap[i], &m->heap[parent]))
			break;
		tmp = m->heap[i];
		m->heap[i] = m->heap[parent];
		m->heap[parent] = tmp;
		i = parent;
	}
}

static void sift_down(struct merger *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		struct merge_slot tmp;

		if (l < m->n && slot_before(&m->heap[l], &m->heap[min]))
			min = l;
		if (r < m->n && slot_before(&m->heap[r], &m->heap[min]))
			min = r;
		if (min == i)
			break;
		tmp = m->heap[i];
		m->heap[i] = m->heap[min];
		m->heap[min] = tmp;
		i = min;
	}
}

int merger_new(struct source **sources, size_t n, struct merger **out)
{
	struct merger *m = calloc(1, sizeof(*m));
	size_t i;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->heap = calloc(n ? n : 1, sizeof(*m->heap));
	m->sources = calloc(n ? n : 1, sizeof(*m->sources));
	if (!m->heap || !m->sources) {
		merger_free(m);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		m->sources[i].src = sources[i];
		m->sources[i].order = i;
	}
	m->n_sources = n;
	*out = m;
	return 0;
}

/* Reads the next frame of slot's source into the heap, if it has one. */
static int refill(struct merger *m, struct merge_slot *slot,
		  struct source **failed)
{
	int ret = source_next(slot->src, &slot->f);

	if (ret < 0) {
		*failed = slot->src;	/* dropped: not put back */
		return ret;
	}
	if (ret > 0) {
		m->heap[m->n] = *slot;
		sift_up(m, m->n);
		m->n++;
	}
	return 0;
}

int merger_next(struct merger *m, struct frame *f, struct source **failed)
{
	int ret;

	if (failed)
		*failed = NULL;
	/*
	 * Prime every source on the first call; a failing one is reported
	 * and the others are primed on the next call.
	 */
	while (m->next_fill < m->n_sources) {
		struct source *dummy;

		ret = refill(m, &m->sources[m->next_fill++],
			     failed ? failed : &dummy);
		if (ret < 0)
			return ret;
	}
	if (m->has_pending) {
		struct source *dummy;

		m->has_pending = false;
		ret = refill(m, &m->pending, failed ? failed : &dummy);
		if (ret < 0)
			return ret;
	}
	if (m->n == 0)
		return 0;
	m->pending = m->heap[0];
	m->has_pending = true;
	m->heap[0] = m->heap[--m->n];
	sift_down(m, 0);
	*f = m->pending.f;
	return 1;
}

void merger_free(struct merger *m)
{
	if (!m)
		return;
	free(m->heap);
	free(m->sources);
	free(m);
}
