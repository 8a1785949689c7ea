// SPDX-License-Identifier: GPL-2.0
/*
 * The offline fast paths of issue 17, against slow references:
 *  - the word-at-a-time Internet checksum against RFC 1071 done a byte pair
 *    at a time, for every length 0..300 at every alignment 0..7, random
 *    bytes and random running sums;
 *  - the echo fingerprint: deterministic, sensitive to every bit and to
 *    the length (no collision among all one-bit flips of every length up
 *    to 80 bytes, nor among runs of zeros of different lengths);
 *  - the mapped reader: frames of a real file equal those read through
 *    read() (DROPSPOT_NO_MMAP=1); a file truncated while mapped ends in an
 *    error naming the shrink, not a crash (SIGBUS) nor frames of zeros;
 *  - RSS stays bounded while a 96 MiB mapped file is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/input.h"
#include "capture/source.h"
#include "check.h"

/* dissect/internal.h, which pulls in more than a test needs */
uint32_t csum_add_bytes(const uint8_t *b, uint32_t n, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
uint64_t echo_hash64(const uint8_t *b, uint32_t n);

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint16_t ref_csum(const uint8_t *b, uint32_t n, uint32_t sum)
{
	uint64_t acc = sum;
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		acc += (uint32_t)b[n - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void test_csum(void)
{
	static uint8_t buf[320];
	uint32_t n, off, k, bad = 0, runs = 0;

	for (k = 0; k < 4; k++) {
		for (n = 0; n < sizeof(buf); n++)
			/* k == 3: all ones, the carry-heavy case */
			buf[n] = k == 3 ? 0xff : (uint8_t)rnd();
		for (n = 0; n <= 300; n++) {
			for (off = 0; off < 8; off++) {
				uint32_t sum = k == 0 ? 0 : rnd() & 0x3ffff;

				runs++;
				if (csum_fold(csum_add_bytes(buf + off, n, sum)) !=
				    ref_csum(buf + off, n, sum))
					bad++;
			}
		}
	}
	CHECK(runs > 9000);
	CHECK_EQ_INT(bad, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_hash(void)
{
	static uint8_t buf[80], zeros[80];
	static uint64_t h[80 * 8 * 80 + 200];
	size_t nh = 0, i, dup = 0;
	uint32_t n, bit;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	CHECK(echo_hash64(buf, 56) == echo_hash64(buf, 56));
	CHECK(echo_hash64(NULL, 0) == echo_hash64(buf, 0));
	for (n = 1; n <= sizeof(buf); n++) {
		h[nh++] = echo_hash64(buf, n);
		for (bit = 0; bit < n * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			h[nh++] = echo_hash64(buf, n);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
	for (n = 0; n <= sizeof(zeros); n++)
		h[nh++] = echo_hash64(zeros, n);
	qsort(h, nh, sizeof(h[0]), cmp_u64);
	for (i = 1; i < nh; i++)
		dup += h[i] == h[i - 1];
	CHECK(nh > 26000);
	CHECK_EQ_INT(dup, 0);
}

/* ---- files ---- */

#define PKT 200

/* A little-endian us pcap of n frames of PKT bytes, frame i filled with i. */
static int write_pcap(const char *path, uint32_t n)
{
	uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	uint8_t rec[16 + PKT];
	FILE *fp = fopen(path, "wb");
	uint32_t i, v;

	if (!fp)
		return -1;
	v = 65535;
	memcpy(hdr + 16, &v, 4);
	v = 1;			/* Ethernet */
	memcpy(hdr + 20, &v, 4);
	fwrite(hdr, 1, sizeof(hdr), fp);
	for (i = 0; i < n; i++) {
		v = 1000 + i / 1000;
		memcpy(rec, &v, 4);
		v = i % 1000 * 1000;
		memcpy(rec + 4, &v, 4);
		v = PKT;
		memcpy(rec + 8, &v, 4);
		memcpy(rec + 12, &v, 4);
		memset(rec + 16, (int)(i & 0xff), PKT);
		fwrite(rec, 1, sizeof(rec), fp);
	}
	return fclose(fp);
}

/* Frames read; each frame's bytes checked against its number. */
static long read_all(const char *path, uint32_t truncate_at_frame,
		     off_t truncate_to, int *ret_out, char *err, size_t errlen,
		     long *bad_bytes)
{
	struct point_table pt;
	struct source *s = NULL;
	struct frame f;
	long n = 0;
	int ret;

	point_table_init(&pt);
	*bad_bytes = 0;
	ret = source_open_file(path, &pt, &s, err, errlen);
	if (ret) {
		*ret_out = ret;
		point_table_free(&pt);
		return -1;
	}
	while ((ret = source_next(s, &f)) == 1) {
		uint32_t i;

		for (i = 0; i < f.caplen; i++)
			if (f.data[i] != (uint8_t)((f.number - 1) & 0xff)) {
				(*bad_bytes)++;
				break;
			}
		n++;
		if (truncate_at_frame && n == truncate_at_frame)
			CHECK(truncate(path, truncate_to) == 0);
	}
	*ret_out = ret;
	snprintf(err, errlen, "%s", ret < 0 ? source_error(s) : "");
	source_close(s);
	point_table_free(&pt);
	return n;
}

static long rss_kib(void)
{
	char line[256];
	long kb = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

static void test_files(void)
{
	char path[] = "/tmp/dropspot-fastpath-XXXXXX";
	char err[SOURCE_ERR_MAX];
	const uint32_t n = 20000;
	long got, bad, rss0, rss1;
	int fd = mkstemp(path), ret;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK(write_pcap(path, n) == 0);

	/* mapped and buffered: the same frames */
	got = read_all(path, 0, 0, &ret, err, sizeof(err), &bad);
	CHECK_EQ_INT(got, n);
	CHECK_EQ_INT(ret, 0);
	CHECK_EQ_INT(bad, 0);
	setenv("DROPSPOT_NO_MMAP", "1", 1);
	got = read_all(path, 0, 0, &ret, err, sizeof(err), &bad);
	CHECK_EQ_INT(got, n);
	CHECK_EQ_INT(bad, 0);
	unsetenv("DROPSPOT_NO_MMAP");

	/*
	 * Shrunk to a third while frame 100 is out: the rest of the mapping
	 * is gone.  The reader must stop with an error (the shrink, or a
	 * truncated record at the new end), not crash.  The kernel serves the
	 * tail of the new last page as zeros without a fault, so up to one
	 * page of zero records (16-byte headers, caplen 0) may come out
	 * before the next page's SIGBUS ends the read; no frame with the
	 * file's bytes replaced by zeros does (bad stays 0).
	 */
	got = read_all(path, 100, (off_t)(24 + (16 + PKT) * (n / 3)) + 5,
		       &ret, err, sizeof(err), &bad);
	CHECK(ret < 0);
	CHECK(got >= 100 && got <= (long)n / 3 + 4096 / 16);
	CHECK_EQ_INT(bad, 0);
	CHECK(strstr(err, "shrank") || strstr(err, "truncated"));
	printf("truncated while mapped: %ld frames, then \"%s\"\n", got, err);

	/* shrunk to nothing right after the header was read */
	CHECK(write_pcap(path, n) == 0);
	got = read_all(path, 1, 0, &ret, err, sizeof(err), &bad);
	CHECK(ret < 0);
	CHECK_EQ_INT(bad, 0);
	printf("emptied while mapped: %ld frames, then \"%s\"\n", got, err);

	/* ~96 MiB: mapped pages are given back behind the read position */
	CHECK(write_pcap(path, 96u * 1024 * 1024 / (16 + PKT)) == 0);
	rss0 = rss_kib();
	got = read_all(path, 0, 0, &ret, err, sizeof(err), &bad);
	rss1 = rss_kib();
	CHECK_EQ_INT(ret, 0);
	CHECK_EQ_INT(bad, 0);
	printf("96 MiB file: RSS %ld -> %ld KiB\n", rss0, rss1);
	/* VmRSS is the current value; the high-water mark is VmHWM */
	{
		char line[256];
		long hwm = -1;
		FILE *fp = fopen("/proc/self/status", "r");

		while (fp && fgets(line, sizeof(line), fp))
			if (sscanf(line, "VmHWM: %ld", &hwm) == 1)
				break;
		if (fp)
			fclose(fp);
		printf("peak RSS %ld KiB\n", hwm);
		CHECK(hwm > 0 && hwm < 48 * 1024);
	}
	unlink(path);
}

int main(void)
{
	test_csum();
	test_hash();
	test_files();
	return check_done();
}
