// SPDX-License-Identifier: GPL-2.0
/*
 * Time-ordered merge of file sources, in two stages.
 *
 * First, per source, a bounded reorder window.  A file is not always in time
 * order: dumpcap writing several interfaces into one pcapng flushes each
 * interface's buffer on its own, so the interfaces interleave a few ms out
 * of order, and the engine would see a probe after NAT before it saw it
 * before NAT.  Each source is read ahead: its frames are copied (their
 * bytes are valid only until the source's next read) and held, keyed by
 * (ts_ns, file order), and the earliest is released only once the window
 * holds more than max_frames frames or more than max_bytes bytes, or at
 * the end of the source.  Equal timestamps keep file order.  A frame that
 * arrives earlier than one already released (out of order by more than
 * the window) is still passed on, and counted: merger_late_frames().
 *
 * Second, across sources, a binary min-heap holding the next frame of each
 * source's window, keyed by (ts_ns, source order), so equal timestamps come
 * out in the order the sources were given and, within a source, in file
 * order (a source has one frame in the heap at a time).  This stage is the
 * one the merger always had; its inputs are now each in order.
 *
 * Why a window per source rather than one after the merge: the disorder to
 * undo is within a file (one writer's buffers), so the window counts that
 * file's own frames, and a busy second file does not eat into it; the
 * heap, which only compares heads, then merges sorted streams as before
 * (an unsorted source would make it hand out other sources' frames early,
 * which a window after it would have to cover too); and a frame beyond the
 * window is charged to its file, which the warning names.  The price is a
 * bound per source: n sources hold up to n windows.
 *
 * The in-order case is kept cheap: held frames are in two structures, a
 * FIFO of the frames that came in order (each not earlier than the newest
 * frame in the FIFO: the FIFO stays sorted, O(1) in and out) and a heap
 * of the ones that did not; the release takes the earlier of the two
 * heads.  A file in order never touches the heap.  Frame bytes go to a
 * bump arena, compacted into a second one when full (see arena_room()),
 * rather than one malloc per frame.
 *
 * A frame's bytes are valid only until its source's next read (unless the
 * source reads in place, a mapped file: then they are not copied), so the
 * source whose frame was handed out last is refilled lazily, at the start
 * of the following merger_next() call, after the caller is done with the
 * frame; the same holds for the window's arena, which only its own
 * source's refill moves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drop_comment.h"
#include "reader_internal.h"

/* Limits of merger_set_window(): the held entries are allocated up front. */
#define WINDOW_FRAMES_LIMIT (1u << 20)
#define WINDOW_BYTES_LIMIT (1024u * 1024 * 1024)
/* An arena never shrinks below this: small files cost one allocation. */
#define ARENA_MIN (256u * 1024)

struct arena {
	uint8_t *buf;
	size_t cap, used;
};

/* The clock of one section of a source (merger_set_clock()). */
struct merge_clock {
	unsigned int section;
	int64_t offset, t0;
	double drift;
};

/*
 * The reorder window of one source.  Held frames are keyed by (ts_ns,
 * number): a frame's number is its ordinal in the source, the file order.
 * Their data and comment point into the arena.
 */
struct window {
	struct frame *fifo;	/* ring, sorted: frames that came in order */
	size_t fifo_head, fifo_n;
	struct frame *heap;	/* min-heap: frames earlier than the FIFO tail */
	size_t heap_n;
	size_t cap;		/* entries of fifo and of heap */
	size_t bytes;		/* arena bytes of held frames */
	struct arena arena[2];	/* held frames' bytes are in arena[cur] */
	int cur;
	uint64_t released_ts;	/* newest timestamp handed on */
	bool released;
	uint64_t late;		/* frames earlier than one already handed on */
	int status;		/* 0 reading, 1 end, < 0 error once drained */
	bool in_place;		/* its source's bytes stay: held, not copied */
	/* the clocks of its sections: ts - (offset + drift * (ts - t0)) */
	struct merge_clock *clock;
	size_t n_clock;
};

struct merge_slot {
	struct source *src;
	size_t order;		/* position in the caller's array */
	struct frame f;
};

struct merger {
	struct merge_slot *heap;	/* heap[0] is the earliest */
	size_t n;
	struct merge_slot *sources;	/* every source, by order */
	struct window *win;		/* each source's window, by order */
	size_t n_sources;
	size_t next_fill;	/* sources not yet primed: [next_fill, n) */
	struct merge_slot pending;	/* handed out; refill before popping */
	bool has_pending;
	bool started;		/* merger_next() called: window fixed */
	size_t max_frames, max_bytes;
	struct drop_event drop;	/* the last frame's, when it is a drop */
};

/* ---- the window of one source ---------------------------------------- */

/*
 * A source of another clock (another host's capture): its frames are put
 * on the merge's clock as they are read, before the window orders them.
 */
static void clock_correct(const struct window *w, struct source *src,
			  struct frame *f)
{
	const struct merge_clock *c = NULL;
	unsigned int section;
	size_t i;
	int64_t corr;

	if (!w->n_clock)
		return;
	section = source_section(src);
	for (i = 0; i < w->n_clock && !c; i++)
		if (w->clock[i].section == section)
			c = &w->clock[i];
	if (!c)
		return;
	corr = c->offset +
	       (int64_t)(c->drift * (double)((int64_t)f->ts_ns - c->t0));
	f->ts_ns = (uint64_t)((int64_t)f->ts_ns - corr);
}

static bool held_before(const struct frame *a, const struct frame *b)
{
	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns;
	return a->number < b->number;
}

static size_t held_len(const struct frame *f)
{
	return (size_t)f->caplen + f->comment_len;
}

static struct frame *fifo_at(struct window *w, size_t i)
{
	size_t k = w->fifo_head + i;

	return &w->fifo[k >= w->cap ? k - w->cap : k];
}

static void held_sift_up(struct window *w, size_t i)
{
	struct frame tmp = w->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!held_before(&tmp, &w->heap[parent]))
			break;
		w->heap[i] = w->heap[parent];
		i = parent;
	}
	w->heap[i] = tmp;
}

static void held_sift_down(struct window *w, size_t i)
{
	struct frame tmp = w->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min;

		if (l >= w->heap_n)
			break;
		min = r < w->heap_n && held_before(&w->heap[r], &w->heap[l]) ?
		      r : l;
		if (!held_before(&w->heap[min], &tmp))
			break;
		w->heap[i] = w->heap[min];
		i = min;
	}
	w->heap[i] = tmp;
}

/* Copies a frame's bytes to the end of an arena with room for them. */
static void held_copy(struct frame *f, struct arena *to)
{
	uint8_t *p = to->buf + to->used;

	if (f->caplen)
		memcpy(p, f->data, f->caplen);
	if (f->comment_len) {
		memcpy(p + f->caplen, f->comment, f->comment_len);
		f->comment = (const char *)p + f->caplen;
	} else {
		f->comment = NULL;
	}
	f->data = p;
	to->used += held_len(f);
}

/*
 * Makes room for len more bytes.  When the current arena is full, the held
 * frames are copied into the other one, which is (re)allocated to at least
 * twice what is held then: after a compaction at least as many bytes as
 * were copied can be added before the next, so a byte is copied at most
 * once more on average (about a third of that in steady state, at four
 * times).  What is held is bounded by the window (max_bytes and one frame
 * more), so the arenas are too: each at most 2 * (max_bytes + 2 frames of
 * the largest size a reader accepts), about 33 MiB at the default.
 */
static int arena_room(struct merger *m, struct window *w, size_t len)
{
	struct arena *from = &w->arena[w->cur], *to = &w->arena[!w->cur];
	size_t need = w->bytes + len, limit, want, i;

	if (from->buf && from->cap - from->used >= len)
		return 0;
	limit = 2 * (m->max_bytes + 2 * (RD_MAX_CAPLEN + UINT16_MAX));
	want = need * 4 < ARENA_MIN ? ARENA_MIN : need * 4;
	if (want > limit)
		want = limit > 2 * need ? limit : 2 * need;
	if (!to->buf || to->cap < 2 * need) {
		uint8_t *buf = malloc(want);

		if (!buf)
			return -ENOMEM;
		free(to->buf);
		to->buf = buf;
		to->cap = want;
	}
	to->used = 0;
	for (i = 0; i < w->fifo_n; i++)
		held_copy(fifo_at(w, i), to);
	for (i = 0; i < w->heap_n; i++)
		held_copy(&w->heap[i], to);
	from->used = 0;
	w->cur = !w->cur;
	return 0;
}

/*
 * Takes a frame just read into in, the FIFO's free slot past its tail, into
 * the window: its bytes into the arena, itself into the FIFO when it is
 * not earlier than the FIFO's newest frame (ties: the later number goes
 * after, file order), else into the heap.  A source read in place (a
 * mapped file, memory: input_in_place()) keeps its bytes valid until it is
 * closed, so they are not copied; they are counted all the same, so that
 * the window releases frames exactly as when they are copied.
 */
static int window_add(struct merger *m, struct window *w, struct frame *in,
		      bool in_place)
{
	size_t len;
	int ret;

	if (!in->comment)
		in->comment_len = 0;
	len = held_len(in);
	if (!in_place) {
		ret = arena_room(m, w, len);
		if (ret)
			return ret;
		held_copy(in, &w->arena[w->cur]);
	}
	w->bytes += len;
	if (w->released && in->ts_ns < w->released_ts)
		w->late++;	/* passed on all the same, out of order */
	if (!w->fifo_n || in->ts_ns >= fifo_at(w, w->fifo_n - 1)->ts_ns) {
		w->fifo_n++;
	} else {
		w->heap[w->heap_n] = *in;
		held_sift_up(w, w->heap_n++);
	}
	return 0;
}

/* Hands out the earliest held frame; its bytes stay until the next add. */
static void window_pop(struct window *w, struct frame *f)
{
	if (w->heap_n && (!w->fifo_n || held_before(&w->heap[0],
						     fifo_at(w, 0)))) {
		*f = w->heap[0];
		w->heap[0] = w->heap[--w->heap_n];
		if (w->heap_n)
			held_sift_down(w, 0);
	} else {
		*f = w->fifo[w->fifo_head];
		w->fifo_head = w->fifo_head + 1 == w->cap ? 0 : w->fifo_head + 1;
		w->fifo_n--;
	}
	w->bytes -= held_len(f);
	if (!w->released || f->ts_ns > w->released_ts) {
		w->released_ts = f->ts_ns;
		w->released = true;
	}
}

/*
 * The next frame of one source in time order, as source_next() (1, 0, or
 * negative), through its window.  A read error is returned only once the
 * frames read before it are handed out, as without the window.
 */
static int window_next(struct merger *m, struct window *w, struct source *src,
		       struct frame *f)
{
	struct frame *in;
	int ret;

	if (!m->max_frames) {
		/* no window: handed on as read, nothing to copy */
		if (w->status)
			return 0;	/* ended, or its error already said */
		ret = source_next(src, f);
		if (ret <= 0) {
			w->status = 1;
			return ret;
		}
		clock_correct(w, src, f);
		if (w->released && f->ts_ns < w->released_ts) {
			w->late++;
		} else {
			w->released_ts = f->ts_ns;
			w->released = true;
		}
		return 1;
	}
	if (!w->fifo) {
		w->in_place = input_in_place(src->in);
		w->cap = m->max_frames + 1;
		w->fifo = malloc(w->cap * sizeof(*w->fifo));
		w->heap = malloc(w->cap * sizeof(*w->heap));
		if (!w->fifo || !w->heap) {
			w->status = 1;	/* said once, then dropped */
			return rd_fail(src, "out of memory for the reorder "
				       "window");
		}
	}
	while (!w->status && w->fifo_n + w->heap_n <= m->max_frames &&
	       w->bytes <= m->max_bytes) {
		/* fewer than cap frames held: the FIFO has a free slot */
		in = fifo_at(w, w->fifo_n);
		ret = source_next(src, in);
		if (ret <= 0) {
			w->status = ret ? ret : 1;
			break;
		}
		clock_correct(w, src, in);
		if (window_add(m, w, in, w->in_place))
			w->status = rd_fail(src, "out of memory holding frames "
					    "for the reorder window");
	}
	if (w->fifo_n + w->heap_n) {
		window_pop(w, f);
		return 1;
	}
	if (w->status < 0) {
		ret = w->status;
		w->status = 1;
		return ret;
	}
	return 0;
}

/* ---- the merge across sources ---------------------------------------- */

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
	m->win = calloc(n ? n : 1, sizeof(*m->win));
	if (!m->heap || !m->sources || !m->win) {
		merger_free(m);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		m->sources[i].src = sources[i];
		m->sources[i].order = i;
	}
	m->n_sources = n;
	m->max_frames = MERGE_WINDOW_FRAMES;
	m->max_bytes = MERGE_WINDOW_BYTES;
	*out = m;
	return 0;
}

int merger_set_window(struct merger *m, size_t frames, size_t bytes)
{
	if (m->started || frames > WINDOW_FRAMES_LIMIT ||
	    bytes > WINDOW_BYTES_LIMIT)
		return -EINVAL;
	m->max_frames = frames;
	m->max_bytes = bytes;
	return 0;
}

int merger_set_clock(struct merger *m, size_t i, unsigned int section,
		     int64_t offset_ns, double drift, int64_t t0_ns)
{
	struct window *w;
	struct merge_clock *c;

	if (m->started || i >= m->n_sources)
		return -EINVAL;
	w = &m->win[i];
	c = realloc(w->clock, (w->n_clock + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	w->clock = c;
	c[w->n_clock].section = section;
	c[w->n_clock].offset = offset_ns;
	c[w->n_clock].drift = drift;
	c[w->n_clock].t0 = t0_ns;
	w->n_clock++;
	return 0;
}

/* Reads the next frame of slot's source into the heap, if it has one. */
static int refill(struct merger *m, struct merge_slot *slot,
		  struct source **failed)
{
	int ret = window_next(m, &m->win[slot->order], slot->src, &slot->f);

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

static int next_in_order(struct merger *m, struct frame *f,
			 struct source **failed)
{
	int ret;

	if (failed)
		*failed = NULL;
	m->started = true;
	/* one source (one pcapng of several interfaces): no heap needed */
	if (m->n_sources == 1) {
		ret = window_next(m, &m->win[0], m->sources[0].src, f);
		if (ret < 0 && failed)
			*failed = m->sources[0].src;
		return ret;
	}
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

/*
 * A drop record leaves the merger with its typed event (frame.drop), decoded
 * from the comment once, here, where every file frame passes in its final
 * order; a comment that is not dropspot's leaves it NULL.
 */
int merger_next(struct merger *m, struct frame *f, struct source **failed)
{
	int ret = next_in_order(m, f, failed);

	if (ret <= 0 || !(f->flags & FRAME_F_KERNEL_DROP))
		return ret;
	f->drop = drop_event_from_frame(f, &m->drop) ? NULL : &m->drop;
	return ret;
}

bool merger_in_place(const struct merger *m)
{
	size_t i;

	for (i = 0; i < m->n_sources; i++)
		if (!input_in_place(m->sources[i].src->in))
			return false;
	return true;
}

uint64_t merger_late_frames(const struct merger *m)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < m->n_sources; i++)
		n += m->win[i].late;
	return n;
}

uint64_t merger_source_late_frames(const struct merger *m, size_t i)
{
	return i < m->n_sources ? m->win[i].late : 0;
}

void merger_free(struct merger *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; m->win && i < m->n_sources; i++) {
		free(m->win[i].fifo);
		free(m->win[i].heap);
		free(m->win[i].arena[0].buf);
		free(m->win[i].arena[1].buf);
		free(m->win[i].clock);
	}
	free(m->win);
	free(m->heap);
	free(m->sources);
	free(m);
}
