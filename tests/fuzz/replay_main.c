/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replays files through a libFuzzer entry point when the build has no
 * libFuzzer (gcc builds): every seed still goes through the target, so the
 * target is compiled and exercised in every configuration.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = -1;

	if (!fp)
		return -1;
	if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET))
		goto cleanup;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len)
		goto cleanup;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	ret = 0;
cleanup:
	free(buf);
	fclose(fp);
	return ret;
}

int main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;	/* libFuzzer flags passed by run.sh */
		if (replay_file(argv[i]) == 0)
			n++;
	}
	printf("replayed %d inputs\n", n);
	return 0;
}
