// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hoststate.h"
#include "pcapng_write.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define EPB_FLAGS 2
#define ISB_STARTTIME 2
#define ISB_ENDTIME 3
#define ISB_IFDROP 5
#define ISB_USRDELIV 8

/* Options are limited to what a u16 length can carry. */
#define OPT_MAX 65535

struct pcapng_writer {
	FILE *fp;
	bool own_fp;
	char *created;		/* path of the file we created, else NULL */
	int error;		/* first write error, -errno */
	uint32_t n_if;
	int *point_if;		/* point id -> interface id, -1 = none */
	size_t n_point_if;
	uint8_t *buf;		/* block under construction */
	size_t len, cap;
	long comment_off;	/* file offset of the section comment, -1 */
	size_t comment_len;
};

static void put(struct pcapng_writer *w, const void *p, size_t n)
{
	if (w->error)
		return;
	if (w->len + n > w->cap) {
		size_t ncap = w->cap ? w->cap : 4096;
		uint8_t *nb;

		while (ncap < w->len + n)
			ncap *= 2;
		nb = realloc(w->buf, ncap);
		if (!nb) {
			w->error = -ENOMEM;
			return;
		}
		w->buf = nb;
		w->cap = ncap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_u16(struct pcapng_writer *w, uint16_t v)
{
	put(w, &v, 2);
}

static void put_u32(struct pcapng_writer *w, uint32_t v)
{
	put(w, &v, 4);
}

static void pad4(struct pcapng_writer *w)
{
	static const uint8_t zero[4];

	put(w, zero, (4 - (w->len & 3)) & 3);
}

static void put_opt(struct pcapng_writer *w, uint16_t code, const void *v,
		    size_t n)
{
	if (n > OPT_MAX)
		n = OPT_MAX;
	put_u16(w, code);
	put_u16(w, (uint16_t)n);
	put(w, v, n);
	pad4(w);
}

static void put_opt_str(struct pcapng_writer *w, uint16_t code, const char *s)
{
	if (s && *s)
		put_opt(w, code, s, strlen(s));
}

static void put_ts_opt(struct pcapng_writer *w, uint16_t code, uint64_t ts)
{
	uint32_t v[2] = { (uint32_t)(ts >> 32), (uint32_t)ts };

	put_opt(w, code, v, sizeof(v));
}

/* The writer's host name, as a custom option (pcapng_write.h); false: none. */
static bool put_host_opt(struct pcapng_writer *w)
{
	char v[4 + sizeof(PCAPNG_HOSTNAME_KEY) + 256];
	const char *env = getenv("DROPSPOT_HOSTNAME");
	const size_t klen = sizeof(PCAPNG_HOSTNAME_KEY) - 1;
	uint32_t pen = HS_PCAPNG_PEN;
	char *name = v + 4 + klen;
	size_t room = sizeof(v) - 4 - klen;

	if (env && *env)
		snprintf(name, room, "%s", env);
	else if (gethostname(name, room - 1))
		return false;
	name[room - 1] = 0;
	if (!*name)
		return false;
	memcpy(v, &pen, 4);
	memcpy(v + 4, PCAPNG_HOSTNAME_KEY, klen);
	put_opt(w, PCAPNG_OPT_CUSTOM_STR, v, 4 + klen + strlen(name));
	return true;
}

static void block_begin(struct pcapng_writer *w, uint32_t type)
{
	w->len = 0;
	put_u32(w, type);
	put_u32(w, 0);		/* total length, patched in block_end */
}

/* Ends the options (when any were written), patches the lengths, writes. */
static int block_end(struct pcapng_writer *w, bool had_opts)
{
	uint32_t total;

	if (had_opts) {
		put_u16(w, OPT_ENDOFOPT);
		put_u16(w, 0);
	}
	pad4(w);
	total = (uint32_t)w->len + 4;
	put_u32(w, total);
	if (w->error)
		return w->error;
	memcpy(w->buf + 4, &total, 4);
	if (fwrite(w->buf, 1, w->len, w->fp) != w->len)
		w->error = -(errno ? errno : EIO);
	return w->error;
}

/*
 * Opens path for writing as fopen "w" would, but tells whether the file
 * was created here: O_EXCL first, so a file someone else made (or that was
 * there before) is never taken for ours.  *created gets a copy of path.
 */
static FILE *create_file(const char *path, char **created)
{
	FILE *fp;
	int fd, err;

	*created = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0) {
		*created = strdup(path);
		if (!*created) {
			close(fd);
			unlink(path);
			errno = ENOMEM;
			return NULL;
		}
	} else if (errno == EEXIST) {
		/*
		 * EEXIST also for a dangling symlink (O_EXCL does not follow
		 * it): its target is created as fopen would, but not as ours.
		 */
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				  0666);
	}
	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "wb");
	if (!fp) {
		err = errno;
		close(fd);
		if (*created)
			unlink(path);
		free(*created);
		*created = NULL;
		errno = err;
	}
	return fp;
}

int pcapng_writer_open(const char *path, const char *application,
		       const char *comment,
		       struct pcapng_writer **out, char *err, size_t errlen)
{
	struct pcapng_writer *w;
	int64_t section_len = -1;
	bool has_host;
	int ret;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!strcmp(path, "-")) {
		w->fp = stdout;
	} else {
		w->fp = create_file(path, &w->created);
		if (!w->fp) {
			ret = -errno;
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			free(w);
			return ret;
		}
		w->own_fp = true;
	}
	block_begin(w, BT_SHB);
	put_u32(w, BYTE_ORDER_MAGIC);
	put_u16(w, 1);
	put_u16(w, 0);
	put(w, &section_len, 8);
	/* the comment's bytes start after the option header */
	w->comment_off = comment && *comment ? (long)w->len + 4 : -1;
	w->comment_len = comment ? strlen(comment) : 0;
	if (w->comment_len > OPT_MAX)
		w->comment_len = OPT_MAX;
	put_opt_str(w, OPT_COMMENT, comment);
	put_opt_str(w, SHB_USERAPPL, application);
	has_host = put_host_opt(w);
	ret = block_end(w, (application && *application) ||
			   (comment && *comment) || has_host);
	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
		pcapng_writer_discard(w);
		return ret;
	}
	*out = w;
	return 0;
}

int pcapng_writer_add_if(struct pcapng_writer *w, const char *name,
			 const char *description, int linktype,
			 uint32_t snaplen)
{
	uint8_t tsresol = 9;	/* 10^-9 s */
	int ret;

	block_begin(w, BT_IDB);
	put_u16(w, (uint16_t)linktype);
	put_u16(w, 0);
	put_u32(w, snaplen);
	put_opt_str(w, IF_NAME, name);
	put_opt_str(w, IF_DESCRIPTION, description);
	put_opt(w, IF_TSRESOL, &tsresol, 1);
	ret = block_end(w, true);
	if (ret)
		return ret;
	return (int)w->n_if++;
}

int pcapng_writer_add_point(struct pcapng_writer *w, const struct point *p)
{
	char desc[POINT_NAME_MAX + POINT_NETNS_MAX + POINT_IFNAME_MAX + 80];
	int id;

	/*
	 * The bridge it is a port of ("-": none) and a direction no hook
	 * could watch are said, so analyze knows them too.
	 */
	snprintf(desc, sizeof(desc), "%s; netns %s; %s; %s%s%s%s", p->name,
		 p->netns[0] ? p->netns : "(host)", point_kind_name(p->kind),
		 point_hook_name(p->hook), p->master_known ? "; master " : "",
		 !p->master_known ? "" : p->master[0] ? p->master : "-",
		 p->blind == POINT_BLIND_ALL ? "; not watched" :
		 p->blind == POINT_BLIND_IN ? "; not watched in" :
		 p->blind == POINT_BLIND_OUT ? "; not watched out" : "");
	id = pcapng_writer_add_if(w, p->ifname[0] ? p->ifname : p->name, desc,
				  p->linktype, p->snaplen);
	if (id < 0)
		return id;
	if (p->id >= w->n_point_if) {
		size_t n = (size_t)p->id + 1, i;
		int *m = realloc(w->point_if, n * sizeof(*m));

		if (!m)
			return -ENOMEM;
		for (i = w->n_point_if; i < n; i++)
			m[i] = -1;
		w->point_if = m;
		w->n_point_if = n;
	}
	w->point_if[p->id] = id;
	return id;
}

int pcapng_writer_if_of_point(const struct pcapng_writer *w, uint32_t point_id)
{
	return point_id < w->n_point_if ? w->point_if[point_id] : -1;
}

int pcapng_writer_packet(struct pcapng_writer *w, uint32_t if_id,
			 const struct frame *f, const char *comment)
{
	bool retag = (f->flags & FRAME_F_HW_VLAN) && f->caplen >= 12;
	uint32_t caplen = f->caplen + (retag ? 4 : 0);
	uint32_t wirelen = (f->wirelen < f->caplen ? f->caplen : f->wirelen) +
			   (retag ? 4 : 0);
	uint32_t flags = f->dir == DIR_IN ? 1 : f->dir == DIR_OUT ? 2 : 0;

	if (if_id >= w->n_if)
		return -EINVAL;
	block_begin(w, BT_EPB);
	put_u32(w, if_id);
	put_u32(w, (uint32_t)(f->ts_ns >> 32));
	put_u32(w, (uint32_t)f->ts_ns);
	put_u32(w, caplen);
	put_u32(w, wirelen);
	if (retag) {
		uint8_t tag[4] = { 0x81, 0x00, (uint8_t)(f->hw_vlan_tci >> 8),
				   (uint8_t)f->hw_vlan_tci };

		put(w, f->data, 12);
		put(w, tag, 4);
		put(w, f->data + 12, f->caplen - 12);
	} else {
		put(w, f->data, f->caplen);
	}
	pad4(w);
	put_opt_str(w, OPT_COMMENT, comment);
	if (flags)
		put_opt(w, EPB_FLAGS, &flags, 4);
	return block_end(w, flags || (comment && *comment));
}

int pcapng_writer_frame(struct pcapng_writer *w, const struct frame *f)
{
	int id = pcapng_writer_if_of_point(w, f->point);

	if (id < 0)
		return -ENOENT;
	return pcapng_writer_packet(w, (uint32_t)id, f, NULL);
}

int pcapng_writer_stats(struct pcapng_writer *w, uint32_t if_id,
			uint64_t start_ns, uint64_t end_ns, uint64_t delivered,
			uint64_t drops, bool drops_known)
{
	if (if_id >= w->n_if)
		return -EINVAL;
	block_begin(w, BT_ISB);
	put_u32(w, if_id);
	put_u32(w, (uint32_t)(end_ns >> 32));
	put_u32(w, (uint32_t)end_ns);
	put_ts_opt(w, ISB_STARTTIME, start_ns);
	put_ts_opt(w, ISB_ENDTIME, end_ns);
	if (drops_known)
		put_opt(w, ISB_IFDROP, &drops, 8);
	put_opt(w, ISB_USRDELIV, &delivered, 8);
	return block_end(w, true);
}

int pcapng_writer_window_end(struct pcapng_writer *w, const struct point *p,
			     uint64_t run_start, uint64_t end_ns)
{
	int id = pcapng_writer_if_of_point(w, p->id);
	uint64_t start = point_window_start(p);

	if (id < 0)
		return 0;
	return pcapng_writer_stats(w, (uint32_t)id, start ? start : run_start,
				   end_ns, p->frames, p->capture_drops,
				   p->capture_drops_known);
}

int pcapng_writer_patch_comment(struct pcapng_writer *w, size_t at,
				const char *text)
{
	size_t n = strlen(text);
	ssize_t done;

	if (w->comment_off < 0 || at > w->comment_len ||
	    n > w->comment_len - at)
		return -ENOSPC;
	if (!w->own_fp)
		return -ESPIPE;
	/* the header was written long ago: flushed, pwrite cannot reorder */
	if (fflush(w->fp))
		return -errno;
	done = pwrite(fileno(w->fp), text, n, (off_t)w->comment_off + (off_t)at);
	if (done < 0)
		return -errno;
	return (size_t)done == n ? 0 : -EIO;
}

int pcapng_writer_close(struct pcapng_writer *w)
{
	int ret;

	if (!w)
		return 0;
	if (fflush(w->fp) && !w->error)
		w->error = -errno;
	if (w->own_fp && fclose(w->fp) && !w->error)
		w->error = -errno;
	ret = w->error;
	free(w->created);
	free(w->buf);
	free(w->point_if);
	free(w);
	return ret;
}

void pcapng_writer_discard(struct pcapng_writer *w)
{
	char *created;

	if (!w)
		return;
	/* taken before close frees it; removed after the fd is closed */
	created = w->created;
	w->created = NULL;
	pcapng_writer_close(w);
	if (created)
		unlink(created);
	free(created);
}

int pcapng_writer_custom(struct pcapng_writer *w, uint32_t type, uint32_t pen,
			 const void *data, size_t len)
{
	/* the whole block must fit a reader's bound (pcapng.c: 16 MiB) */
	if (len > (16u << 20) - 64)
		return -EMSGSIZE;
	block_begin(w, type);
	put_u32(w, pen);
	put(w, data, len);
	return block_end(w, false);
}
