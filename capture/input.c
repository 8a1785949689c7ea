// SPDX-License-Identifier: GPL-2.0
/*
 * Byte streams for the capture readers: plain memory is read in place; a
 * regular uncompressed file is mapped and read in place the same way (no
 * read() copy, no window); any other file, stdin, a pipe or gzip goes
 * through zlib's gzread (transparent for plain files, and for those it
 * reads straight into our window once its look-ahead is used); gzip in
 * memory goes through inflate with automatic header detection.
 *
 * The mapped file.  Every byte still goes through the readers' cursors,
 * exactly as with a buffer, so the hostile-input rules are the buffered
 * path's.  Two things are its own:
 *  - Memory.  Mapped file pages count in RSS once touched; the pages more
 *    than MAP_DROP_LAG behind the read position are given back with
 *    MADV_DONTNEED every MAP_DROP_STEP bytes, so RSS stays flat in file
 *    size.  Handed-out pointers stay valid all the same: a dropped page of
 *    a file mapping is faulted in again from the page cache if touched.
 *  - A file that shrinks while mapped (truncated by another process): a
 *    load past its new end raises SIGBUS.  Checking the size first cannot
 *    close that race, so a SIGBUS handler owns it: a fault inside one of our
 *    mappings maps zero pages over the rest of that mapping (the load then
 *    completes) and marks the input torn; the next input_peek() sees the
 *    mark and the reader fails with "file shrank while being read".  The
 *    records already handed out stay readable (no crash) but the bytes of
 *    the vanished pages read as zeros, as does the tail of the new last
 *    page (the kernel zero-fills it without a fault): at most the records
 *    in flight then, and the source always ends in the error, never in a
 *    clean end.
 *  - A file that grows while it is read (a capture still being written)
 *    is read up to the size it had when it was opened; read() would also
 *    return what was appended since.  Either way its last record may be
 *    cut short; analyzing a finished file is the supported case.
 * A fault anywhere else goes to the handler that was there before (by
 * default: the process dies, as it would have).  At most MAP_SLOTS files
 * are mapped at a time; more, or DROPSPOT_NO_MMAP=1 in the environment, or
 * any mmap failure, and the file is read with read() as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "input.h"

/* Big reads amortise syscalls and inflate calls; small enough for L2. */
#define WINDOW_INITIAL (256u * 1024)
#define GZ_BUFFER (128u * 1024)
/* Mapped files: pages further behind the read position are dropped. */
#define MAP_DROP_LAG (2u * 1024 * 1024)
#define MAP_DROP_STEP (2u * 1024 * 1024)
#define MAP_SLOTS 64
#define MAP_PREFETCH 1024u

enum input_kind {
	INPUT_MEM,	/* plain bytes in memory, no window */
	INPUT_GZFD,	/* file or stdin through gzread */
	INPUT_MEMGZ,	/* gzip bytes in memory through inflate */
	INPUT_MAP,	/* a regular plain file, mapped: read as INPUT_MEM */
};

struct input {
	enum input_kind kind;
	bool eof;		/* the backend has nothing more */
	bool is_gzip;
	uint64_t off;		/* bytes consumed so far */

	/* INPUT_MEM: the caller's buffer; INPUT_MEMGZ: compressed source */
	const uint8_t *mem;
	size_t mem_len;
	size_t mem_pos;

	/* window for INPUT_GZFD and INPUT_MEMGZ: valid bytes [start, end) */
	uint8_t *buf;
	size_t cap, start, end;

	gzFile gz;
	z_stream zs;
	bool zs_live;

	/* INPUT_MAP: mem/mem_len are the mapping; pages before dropped given back */
	size_t dropped;
	int slot;		/* its entry in map_slots[] */

	char err[256];
};

static size_t window_initial = WINDOW_INITIAL;

static bool is_gzip_magic(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

void input_set_initial_window(size_t n)
{
	window_initial = n ? n : WINDOW_INITIAL;
}

static int input_alloc(enum input_kind kind, struct input **out)
{
	struct input *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	in->kind = kind;
	if (kind != INPUT_MEM && kind != INPUT_MAP) {
		in->buf = malloc(window_initial);
		if (!in->buf) {
			free(in);
			return -ENOMEM;
		}
		in->cap = window_initial;
	}
	*out = in;
	return 0;
}

/* ---- mapped files and their SIGBUS guard -------------------------------- */

struct map_slot {
	uintptr_t start, end;		/* page-rounded; 0, 0: free */
	volatile sig_atomic_t torn;	/* the file shrank under it */
};

static struct map_slot map_slots[MAP_SLOTS];
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction old_bus;
static bool bus_installed;
static uintptr_t map_page;	/* page size, read before any handler runs */

static void bus_handler(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	uintptr_t page = a & ~(map_page - 1);
	int i;

	for (i = 0; i < MAP_SLOTS; i++) {
		struct map_slot *m = &map_slots[i];

		if (a < m->start || a >= m->end)
			continue;
		/*
		 * The file ended before our mapping does: zero pages over the
		 * rest of it, so the load completes; the reader is told.
		 * mmap is a plain system call here, safe in a handler.
		 */
		if (mmap((void *)page, m->end - page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
			break;
		m->torn = 1;
		return;
	}
	/* not ours: whoever handled SIGBUS before, or the default death */
	if ((old_bus.sa_flags & SA_SIGINFO) && old_bus.sa_sigaction) {
		old_bus.sa_sigaction(sig, si, uctx);
		return;
	}
	if (old_bus.sa_handler != SIG_DFL && old_bus.sa_handler != SIG_IGN &&
	    old_bus.sa_handler) {
		old_bus.sa_handler(sig);
		return;
	}
	/* the faulting load runs again and kills the process as before */
	signal(SIGBUS, SIG_DFL);
}

/* A free slot for [start, start + len), the handler installed; -1 if none. */
static int map_register(const void *start, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	int i, slot = -1;

	pthread_mutex_lock(&map_lock);
	if (!bus_installed) {
		struct sigaction sa;

		map_page = (uintptr_t)pg;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = bus_handler;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &old_bus) == 0)
			bus_installed = true;
	}
	for (i = 0; bus_installed && i < MAP_SLOTS && slot < 0; i++) {
		if (map_slots[i].end)
			continue;
		slot = i;
		map_slots[i].torn = 0;
		map_slots[i].start = (uintptr_t)start;
		/* the handler reads end last: set it once start is there */
		__atomic_store_n(&map_slots[i].end,
				 ((uintptr_t)start + len + (uintptr_t)pg - 1) &
				 ~(uintptr_t)(pg - 1), __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&map_lock);
	return slot;
}

static void map_unregister(int slot)
{
	pthread_mutex_lock(&map_lock);
	__atomic_store_n(&map_slots[slot].end, 0, __ATOMIC_RELEASE);
	map_slots[slot].start = 0;
	pthread_mutex_unlock(&map_lock);
}

static bool mmap_allowed(void)
{
	const char *v = getenv("DROPSPOT_NO_MMAP");

	return !(v && *v && strcmp(v, "0") != 0);
}

/*
 * Maps fd when it is a regular file that is neither empty nor gzip: 0 with
 * *out set, or 1 when it is not for mapping (read it with read()).  fd is
 * the caller's still.
 */
static int try_map(int fd, struct input **out)
{
	struct input *in;
	struct stat st;
	uint8_t magic[2];
	void *map;
	int slot;

	if (!mmap_allowed() || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size < 2 || (uint64_t)st.st_size > SIZE_MAX)
		return 1;
	/* stdin may be a file already partly read: read() goes on from there */
	if (lseek(fd, 0, SEEK_CUR) != 0)
		return 1;
	if (pread(fd, magic, 2, 0) != 2 || is_gzip_magic(magic, 2))
		return 1;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return 1;
	slot = map_register(map, (size_t)st.st_size);
	if (slot < 0 || input_alloc(INPUT_MAP, &in)) {
		if (slot >= 0)
			map_unregister(slot);
		munmap(map, (size_t)st.st_size);
		return 1;
	}
	/* read ahead hard; map_drop_behind() gives back what was read */
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	in->mem = map;
	in->mem_len = (size_t)st.st_size;
	in->slot = slot;
	*out = in;
	return 0;
}

/* Gives back the mapped pages well behind the read position (RSS). */
static void map_drop_behind(struct input *in)
{
	size_t upto;

	if (in->mem_pos < in->dropped + MAP_DROP_LAG + MAP_DROP_STEP)
		return;
	upto = (in->mem_pos - MAP_DROP_LAG) & ~(size_t)(map_page - 1);
	madvise((void *)(in->mem + in->dropped), upto - in->dropped,
		MADV_DONTNEED);
	in->dropped = upto;
}

bool input_in_place(const struct input *in)
{
	return in->kind == INPUT_MEM || in->kind == INPUT_MAP;
}

int input_open_path(const char *path, struct input **out, char *err,
		    size_t errlen)
{
	struct input *in = NULL;
	int fd, ret;

	*out = NULL;
	/* dup stdin so that gzclose() does not close the caller's fd 0 */
	if (strcmp(path, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	/* stdin too, when it is a regular file (< file) */
	if (try_map(fd, out) == 0) {
		close(fd);	/* the mapping keeps the file */
		return 0;
	}
	ret = input_alloc(INPUT_GZFD, &in);
	if (ret)
		goto fail;
	in->gz = gzdopen(fd, "rb");
	if (!in->gz) {
		ret = -ENOMEM;
		goto fail;
	}
	gzbuffer(in->gz, GZ_BUFFER);
	*out = in;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	if (in) {
		free(in->buf);
		free(in);
	}
	close(fd);
	return ret;
}

int input_open_memory(const void *buf, size_t len, struct input **out)
{
	struct input *in = NULL;
	int ret;

	static const uint8_t empty[1];

	*out = NULL;
	if (!buf) {
		/* NULL + 0 is still undefined behaviour */
		buf = empty;
		len = 0;
	}
	if (!is_gzip_magic(buf, len)) {
		ret = input_alloc(INPUT_MEM, &in);
		if (ret)
			return ret;
		in->mem = buf;
		in->mem_len = len;
		*out = in;
		return 0;
	}
	ret = input_alloc(INPUT_MEMGZ, &in);
	if (ret)
		return ret;
	in->mem = buf;
	in->mem_len = len;
	in->is_gzip = true;
	/* 15 + 32: largest window, gzip or zlib header detected */
	if (inflateInit2(&in->zs, 15 + 32) != Z_OK) {
		free(in->buf);
		free(in);
		return -ENOMEM;
	}
	in->zs_live = true;
	*out = in;
	return 0;
}

static void set_err(struct input *in, const char *msg)
{
	if (!in->err[0])
		snprintf(in->err, sizeof(in->err), "%s", msg);
	in->eof = true;
}

static size_t read_gzfd(struct input *in, uint8_t *dst, size_t len)
{
	unsigned int want = len > INT_MAX ? INT_MAX : (unsigned int)len;
	int n = gzread(in->gz, dst, want);
	int zerr = Z_OK;
	const char *msg;

	if (n > 0) {
		if (!gzdirect(in->gz))
			in->is_gzip = true;
		return (size_t)n;
	}
	msg = gzerror(in->gz, &zerr);
	if (zerr == Z_ERRNO)
		set_err(in, strerror(errno));
	else if (zerr == Z_BUF_ERROR)
		/* gzread reports a stream cut short as a soft end of file */
		set_err(in, "compressed stream ends early");
	else if (zerr != Z_OK)
		set_err(in, msg);
	in->eof = true;
	return 0;
}

/*
 * Inflates into dst.  Concatenated gzip members are followed (as gzread
 * does); anything else after a member is ignored, again like gzread.
 */
static size_t read_memgz(struct input *in, uint8_t *dst, size_t len)
{
	z_stream *zs = &in->zs;
	size_t got = 0;

	while (got < len && !in->eof) {
		size_t left_in = in->mem_len - in->mem_pos;
		size_t room = len - got;
		uInt in_chunk = left_in > UINT_MAX ? UINT_MAX : (uInt)left_in;
		uInt out_chunk = room > UINT_MAX ? UINT_MAX : (uInt)room;
		int zret;

		zs->next_in = (Bytef *)(in->mem + in->mem_pos);
		zs->avail_in = in_chunk;
		zs->next_out = dst + got;
		zs->avail_out = out_chunk;
		zret = inflate(zs, Z_NO_FLUSH);
		in->mem_pos += in_chunk - zs->avail_in;
		got += out_chunk - zs->avail_out;

		if (zret == Z_STREAM_END) {
			left_in = in->mem_len - in->mem_pos;
			if (is_gzip_magic(in->mem + in->mem_pos, left_in) &&
			    inflateReset(zs) == Z_OK)
				continue;
			in->eof = true;
		} else if (zret == Z_BUF_ERROR || (zret == Z_OK &&
			   in->mem_pos == in->mem_len && zs->avail_out)) {
			/* input used up before the end of the stream */
			if (in->mem_pos == in->mem_len)
				set_err(in, "compressed stream ends early");
			else if (zret == Z_BUF_ERROR)
				set_err(in, "inflate made no progress");
		} else if (zret != Z_OK) {
			set_err(in, zs->msg ? zs->msg : "corrupt compressed data");
		}
	}
	return got;
}

static bool grow_window(struct input *in, size_t n)
{
	size_t ncap = in->cap;
	uint8_t *nbuf;

	while (ncap < n)
		ncap *= 2;
	if (ncap > INPUT_MAX_PEEK)
		ncap = INPUT_MAX_PEEK;
	nbuf = realloc(in->buf, ncap);
	if (!nbuf)
		return false;
	in->buf = nbuf;
	in->cap = ncap;
	return true;
}

size_t input_peek(struct input *in, size_t n, const uint8_t **p)
{
	size_t avail;

	if (in->kind == INPUT_MAP && map_slots[in->slot].torn) {
		set_err(in, "file shrank while being read");
		*p = in->mem + in->mem_pos;
		return 0;
	}
	if (in->kind == INPUT_MEM || in->kind == INPUT_MAP) {
		avail = in->mem_len - in->mem_pos;
		*p = in->mem + in->mem_pos;
		return avail < n ? avail : n;
	}
	avail = in->end - in->start;
	if (avail < n && !in->eof) {
		if (n > INPUT_MAX_PEEK) {
			/* callers bound n first; refuse rather than grow */
			set_err(in, "record larger than the read window");
			goto out;
		}
		/* only a partial record is left: moving it is cheap */
		if (in->start) {
			memmove(in->buf, in->buf + in->start, avail);
			in->start = 0;
			in->end = avail;
		}
		if (in->cap < n && !grow_window(in, n)) {
			set_err(in, "out of memory");
			goto out;
		}
		while (in->end < n && !in->eof) {
			size_t room = in->cap - in->end;

			if (in->kind == INPUT_GZFD)
				in->end += read_gzfd(in, in->buf + in->end, room);
			else
				in->end += read_memgz(in, in->buf + in->end, room);
		}
		avail = in->end - in->start;
	}
out:
	*p = in->buf + in->start;
	return avail < n ? avail : n;
}

void input_skip(struct input *in, size_t n)
{
	if (in->kind == INPUT_MEM || in->kind == INPUT_MAP) {
		size_t avail = in->mem_len - in->mem_pos;
		size_t line, end;

		n = n < avail ? n : avail;
		/*
		 * Records are read once, front to back: ask for the cache lines
		 * MAP_PREFETCH ahead of the ones just consumed (the hardware
		 * prefetcher stops at page boundaries; this one does not).
		 * Only lines that start past the previous call's end: the one
		 * holding mem_pos + MAP_PREFETCH, unless it starts there, was
		 * asked for last time.  Nothing past the mapping is asked for.
		 */
		end = in->mem_pos + n + MAP_PREFETCH;
		if (end > in->mem_len)
			end = in->mem_len;
		for (line = (in->mem_pos + MAP_PREFETCH + 63) & ~(size_t)63;
		     line < end; line += 64)
			__builtin_prefetch(in->mem + line);
		in->mem_pos += n;
		if (in->kind == INPUT_MAP)
			map_drop_behind(in);
	} else {
		size_t avail = in->end - in->start;

		n = n < avail ? n : avail;
		in->start += n;
		if (in->start == in->end)
			in->start = in->end = 0;
	}
	in->off += n;
}

uint64_t input_offset(const struct input *in)
{
	return in->off;
}

bool input_is_gzip(const struct input *in)
{
	return in->is_gzip;
}

const char *input_error(const struct input *in)
{
	return in->err[0] ? in->err : NULL;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->gz)
		gzclose(in->gz);
	if (in->zs_live)
		inflateEnd(&in->zs);
	if (in->kind == INPUT_MAP) {
		map_unregister(in->slot);
		munmap((void *)in->mem, in->mem_len);
	}
	free(in->buf);
	free(in);
}
