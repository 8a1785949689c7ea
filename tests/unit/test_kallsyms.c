// SPDX-License-Identifier: GPL-2.0
/*
 * kallsyms symbolisation: a crafted file (boundaries, modules, data symbols,
 * ties, hidden addresses) and the running kernel (a known function resolves
 * to itself + 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/kallsyms.h"
#include "check.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_kallsyms.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_crafted(void)
{
	const char *text =
		"ffffffff81000000 T _stext\n"
		"ffffffff81000100 t helper_a\n"
		"ffffffff81000100 T alias_of_a\n"
		"ffffffff81000200 D some_data\n"
		"ffffffff81000300 T func_b\n"
		"ffffffffc0000000 t mod_func\t[nf_tables]\n"
		"garbage line\n"
		"ffffffffc0001000 T mod_last\t[veth]";	/* no newline */
	struct ksyms *k = NULL;
	const struct ksym *s;
	char *path = write_tmp(text), buf[128];
	uint64_t off = 0, a = 0;

	CHECK(path != NULL);
	CHECK_EQ_INT(ksyms_load(path, &k), 0);
	if (!k)
		goto cleanup;
	CHECK_EQ_INT(ksyms_count(k), 6);	/* text only */
	CHECK(ksyms_find(k, 0xffffffff80ffffffULL, &off) == NULL);
	s = ksyms_find(k, 0xffffffff81000000ULL, &off);
	CHECK(s && strcmp(s->name, "_stext") == 0 && off == 0);
	/* Same address: the first listed wins. */
	s = ksyms_find(k, 0xffffffff81000104ULL, &off);
	CHECK(s && strcmp(s->name, "helper_a") == 0 && off == 4);
	/* A data symbol does not split a function. */
	s = ksyms_find(k, 0xffffffff81000250ULL, &off);
	CHECK(s && strcmp(s->name, "helper_a") == 0 && off == 0x150);
	CHECK(strcmp(ksyms_format(k, 0xffffffff81000305ULL, buf, sizeof(buf)),
		     "func_b+0x5") == 0);
	CHECK(strcmp(ksyms_format(k, 0xffffffffc0000010ULL, buf, sizeof(buf)),
		     "mod_func+0x10 [nf_tables]") == 0);
	CHECK(strcmp(ksyms_format(k, 0xffffffffc0001000ULL, buf, sizeof(buf)),
		     "mod_last+0x0 [veth]") == 0);
	/* Far past the last symbol: unknown, printed raw. */
	CHECK(strcmp(ksyms_format(k, 0xffffffffd0000000ULL, buf, sizeof(buf)),
		     "0xffffffffd0000000") == 0);
	CHECK(strcmp(ksyms_format(NULL, 0x1234, buf, sizeof(buf)),
		     "0x1234") == 0);
	CHECK_EQ_INT(ksyms_addr(k, "func_b", &a), 0);
	CHECK(a == 0xffffffff81000300ULL);
	CHECK_EQ_INT(ksyms_addr(k, "some_data", &a), -ENOENT);
cleanup:
	ksyms_free(k);
	if (path)
		unlink(path);
}

static void test_hidden(void)
{
	/* What an unprivileged reader sees with kptr_restrict. */
	char *path = write_tmp("0000000000000000 T _stext\n"
			       "0000000000000000 t helper\n");
	struct ksyms *k = NULL;

	CHECK_EQ_INT(ksyms_load(path, &k), -EPERM);
	CHECK(k == NULL);
	unlink(path);
	CHECK_EQ_INT(ksyms_load("/nonexistent/kallsyms", &k), -ENOENT);
}

static void test_kernel(void)
{
	static const char *const names[] = {
		"sk_skb_reason_drop", "kfree_skb_reason", "kfree_skb",
	};
	struct ksyms *k = NULL;
	uint64_t addr = 0, off = 1;
	const struct ksym *s;
	char want[128], buf[128];
	size_t i;
	int ret;

	ret = ksyms_load(NULL, &k);
	if (ret == -EPERM || ret == -EACCES || ret == -ENOENT) {
		printf("skip kernel part: /proc/kallsyms: %s\n", strerror(-ret));
		return;
	}
	CHECK_EQ_INT(ret, 0);
	if (!k)
		return;
	CHECK(ksyms_count(k) > 1000);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ksyms_addr(k, names[i], &addr) == 0)
			break;
	CHECK(i < sizeof(names) / sizeof(names[0]));
	if (i < sizeof(names) / sizeof(names[0])) {
		s = ksyms_find(k, addr, &off);
		CHECK(s && s->addr == addr && off == 0);
		snprintf(want, sizeof(want), "%s+0x0", names[i]);
		ksyms_format(k, addr, buf, sizeof(buf));
		printf("%s at 0x%llx -> %s\n", names[i],
		       (unsigned long long)addr, buf);
		CHECK(strcmp(buf, want) == 0);
		snprintf(want, sizeof(want), "%s+0x10", names[i]);
		CHECK(strcmp(ksyms_format(k, addr + 0x10, buf, sizeof(buf)),
			     want) == 0);
	}
	ksyms_free(k);
}

int main(void)
{
	test_crafted();
	test_hidden();
	test_kernel();
	return check_done();
}
