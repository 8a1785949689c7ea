// SPDX-License-Identifier: GPL-2.0
/*
 * The host-state snapshot's saved form (common/hoststate.h): a round trip
 * through the text and through a pcapng Custom Block, and hostile saved
 * forms (no magic, another version, missing fields, control bytes, long
 * fields, too many lines, NUL bytes, a foreign enterprise number, a block
 * too short for one).  Whatever the input, the parser stays bounded and
 * what it returns is clean text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hoststate.h"
#include "capture/pcapng_write.h"
#include "capture/source.h"
#include "check.h"

static void test_round_trip(void)
{
	struct host_state a, b;
	char *buf;
	size_t len;
	uint32_t i;

	hs_init(&a);
	hs_init(&b);
	CHECK(!hs_set(&a, "", "net.ipv4.ip_forward", "0"));
	CHECK(!hs_set(&a, "ns1", "link/up0/mtu", "%u", 1400));
	CHECK(!hs_set(&a, "ns1", "route/10.0.0.2", "type=unicast dev=up0"));
	CHECK(!hs_set(&a, "ns1", "nft/inet/filter/input",
		      "hook=input policy=drop rules=0"));
	/* same key again: replaced, not added */
	CHECK(!hs_set(&a, "ns1", "link/up0/mtu", "1300"));
	CHECK_EQ_INT(a.n, 4);
	CHECK(!hs_serialize(&a, &buf, &len));
	CHECK(len > sizeof(HS_MAGIC) && !memcmp(buf, HS_MAGIC,
						 sizeof(HS_MAGIC) - 1));
	CHECK(!hs_parse(&b, (const uint8_t *)buf, len));
	CHECK_EQ_INT(b.n, a.n);
	CHECK_EQ_INT(b.dropped, 0);
	for (i = 0; i < a.n && i < b.n; i++) {
		CHECK(!strcmp(a.items[i].netns, b.items[i].netns));
		CHECK(!strcmp(a.items[i].key, b.items[i].key));
		CHECK(!strcmp(a.items[i].value, b.items[i].value));
	}
	CHECK(!strcmp(hs_get(&b, "ns1", "link/up0/mtu"), "1300"));
	CHECK(!strcmp(hs_get(&b, NULL, "net.ipv4.ip_forward"), "0"));
	CHECK(!hs_get(&b, "ns2", "net.ipv4.ip_forward"));
	free(buf);
	hs_free(&a);
	hs_free(&b);
}

static int parse_str(struct host_state *hs, const char *s, size_t len)
{
	hs_init(hs);
	return hs_parse(hs, (const uint8_t *)s, len);
}

static void test_hostile(void)
{
	static const char ctrl[] = "dropspot-state v1\n"
				   "ns\x1b[31m\tkey\x01\tval\rue\x7f\n";
	static const char lines[] = "dropspot-state v1\nnofields\none\ttab\n"
				    "ns\t\tempty key\n\n\t\t\n";
	static const char nul[] = "dropspot-state v1\nns\tk\0ey\tv\0al\n";
	struct host_state hs;
	char *big;
	size_t i, n;

	/* not a snapshot at all, or another version of one */
	CHECK_EQ_INT(parse_str(&hs, "", 0), -EINVAL);
	CHECK_EQ_INT(parse_str(&hs, "dropspot-state", 14), -EINVAL);
	CHECK_EQ_INT(parse_str(&hs, "dropspot-state v2\na\tb\tc\n", 24),
		     -EINVAL);
	CHECK_EQ_INT(hs.n, 0);
	/* lines without three fields, or with an empty key, are dropped */
	CHECK(!parse_str(&hs, lines, strlen(lines)));
	CHECK_EQ_INT(hs.n, 0);
	CHECK_EQ_INT(hs.dropped, 4);
	hs_free(&hs);
	/* the last line may lack its newline; an empty netns is ours */
	CHECK(!parse_str(&hs, "dropspot-state v1\n\tk\tv", 22));
	CHECK_EQ_INT(hs.n, 1);
	CHECK(hs.n == 1 && !strcmp(hs_get(&hs, "", "k"), "v"));
	hs_free(&hs);
	/* control bytes never come back: a report line cannot be forged */
	CHECK(!parse_str(&hs, ctrl, sizeof(ctrl) - 1));
	CHECK_EQ_INT(hs.n, 1);
	if (hs.n == 1) {
		CHECK(!strcmp(hs.items[0].netns, "ns?[31m"));
		CHECK(!strcmp(hs.items[0].key, "key?"));
		CHECK(!strcmp(hs.items[0].value, "val?ue?"));
	}
	hs_free(&hs);
	/* NUL bytes inside a field are replaced, not a string's end */
	CHECK(!parse_str(&hs, nul, sizeof(nul) - 1));
	CHECK(hs.n == 1 && !strcmp(hs.items[0].key, "k?ey") &&
	      !strcmp(hs.items[0].value, "v?al"));
	hs_free(&hs);
	/* long fields are cut at their caps, terminated */
	n = 64 * 1024;
	big = malloc(n);
	CHECK(big != NULL);
	if (!big)
		return;
	memcpy(big, HS_MAGIC, sizeof(HS_MAGIC) - 1);
	memset(big + sizeof(HS_MAGIC) - 1, 'a', n - sizeof(HS_MAGIC) + 1);
	big[sizeof(HS_MAGIC) + 999] = '\t';
	big[sizeof(HS_MAGIC) + 2999] = '\t';
	CHECK(!parse_str(&hs, big, n));
	CHECK_EQ_INT(hs.n, 1);
	if (hs.n == 1) {
		CHECK_EQ_INT(strlen(hs.items[0].netns), HS_NETNS_MAX - 1);
		CHECK_EQ_INT(strlen(hs.items[0].key), HS_KEY_MAX - 1);
		CHECK_EQ_INT(strlen(hs.items[0].value), HS_VALUE_MAX - 1);
	}
	hs_free(&hs);
	/* more lines than items: the table stops at its bound */
	n = sizeof(HS_MAGIC) - 1;
	memcpy(big, HS_MAGIC, n);
	for (i = 0; n + 16 < 64 * 1024; i++)
		n += (size_t)snprintf(big + n, 64 * 1024 - n, "n\tk%zu\tv\n", i);
	CHECK(i > HS_MAX_ITEMS);
	CHECK(!parse_str(&hs, big, n));
	CHECK_EQ_INT(hs.n, HS_MAX_ITEMS);
	CHECK(hs.dropped > 0);
	hs_free(&hs);
	free(big);
}

/* A pcapng with one interface and the given custom blocks, read back. */
static const struct host_state *read_back(const char *path,
					  struct point_table *pts,
					  struct source **src)
{
	struct frame f;
	char err[256];
	int ret;

	point_table_init(pts);
	if (source_open_file(path, pts, src, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	while ((ret = source_next(*src, &f)) > 0)
		;
	CHECK_EQ_INT(ret, 0);
	return source_host_state(*src);
}

static void test_pcapng(void)
{
	char path[] = "/tmp/ds-hoststate.XXXXXX";
	struct pcapng_writer *w;
	struct host_state a;
	const struct host_state *b;
	struct point_table pts;
	struct source *src = NULL;
	static const char junk[] = "dropspot-state v1\nforeign\tpen\tx\n";
	char err[256], *buf;
	size_t len;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	hs_init(&a);
	hs_set(&a, "host", "net.ipv4.ip_forward", "0");
	hs_set(&a, "host", "link/up0/brport_state", "listening");
	CHECK(!hs_serialize(&a, &buf, &len));
	CHECK(!pcapng_writer_open(path, "test", NULL, &w, err, sizeof(err)));
	CHECK(pcapng_writer_add_if(w, "eth0", NULL, 1, 262144) == 0);
	/* another enterprise's block with the same bytes: skipped */
	CHECK(!pcapng_writer_custom(w, HS_PCAPNG_BLOCK, 1, junk,
				    sizeof(junk) - 1));
	CHECK(!pcapng_writer_custom(w, HS_PCAPNG_BLOCK, HS_PCAPNG_PEN, buf,
				    len));
	/* a dropspot block too short for its magic: skipped, not fatal */
	CHECK(!pcapng_writer_custom(w, HS_PCAPNG_BLOCK, HS_PCAPNG_PEN, "d", 1));
	CHECK(!pcapng_writer_close(w));
	b = read_back(path, &pts, &src);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_INT(b->n, 2);
		CHECK(!hs_get(b, "foreign", "pen"));
		CHECK(hs_get(b, "host", "link/up0/brport_state") &&
		      !strcmp(hs_get(b, "host", "link/up0/brport_state"),
			      "listening"));
	}
	source_close(src);
	point_table_free(&pts);
	free(buf);
	hs_free(&a);
	unlink(path);
}

int main(void)
{
	test_round_trip();
	test_hostile();
	test_pcapng();
	return check_done();
}
