// SPDX-License-Identifier: GPL-2.0
/*
 * Byte streams for the capture readers: plain memory is read in place; a
 * file or stdin goes through zlib's gzread (transparent for plain files, and
 * for those it reads straight into our window once its look-ahead is used);
 * gzip in memory goes through inflate with automatic header detection.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "input.h"

/* Big reads amortise syscalls and inflate calls; small enough for L2. */
#define WINDOW_INITIAL (256u * 1024)
#define GZ_BUFFER (128u * 1024)

enum input_kind {
	INPUT_MEM,	/* plain bytes in memory, no window */
	INPUT_GZFD,	/* file or stdin through gzread */
	INPUT_MEMGZ,	/* gzip bytes in memory through inflate */
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

	char err[256];
};

static size_t window_initial = WINDOW_INITIAL;

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
	if (kind != INPUT_MEM) {
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

static bool is_gzip_magic(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
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

	if (in->kind == INPUT_MEM) {
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
	if (in->kind == INPUT_MEM) {
		size_t avail = in->mem_len - in->mem_pos;

		n = n < avail ? n : avail;
		in->mem_pos += n;
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
	free(in->buf);
	free(in);
}
