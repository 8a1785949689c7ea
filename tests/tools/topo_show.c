// SPDX-License-Identifier: GPL-2.0
/*
 * topo_show TARGET [NETNS] : prints what `dropspot trace --auto` would
 * watch, one point a line (the way there, then the way back and the other
 * routes, each role saying why), then the one-line path and the return
 * lines.  With -t the points are machine-readable instead (for
 * tests/integration/test_topology.sh):
 *
 *   spec<TAB>kind<TAB>role
 *
 * Exit status: 0, or 1 with the error on stderr; 3 if the call did not
 * leave us in the netns we called it from (on success or failure).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/topology.h"

int main(int argc, char **argv)
{
	struct stat before, after;
	struct topo_result r;
	bool tsv = false;
	char err[512];
	size_t i;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "-t")) {
		tsv = true;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: topo_show [-t] TARGET [NETNS]\n");
		return 2;
	}
	if (stat("/proc/thread-self/ns/net", &before))
		return 1;
	ret = topology_discover(argv[1], argc > 2 ? argv[2] : NULL, &r, err,
				sizeof(err));
	if (stat("/proc/thread-self/ns/net", &after) ||
	    before.st_ino != after.st_ino || before.st_dev != after.st_dev) {
		fprintf(stderr, "topo_show: left in another netns\n");
		return 3;
	}
	if (ret) {
		fprintf(stderr, "topo_show: %s\n", err);
		return 1;
	}
	if (!tsv) {
		topology_print(&r, stdout);
		return 0;
	}
	for (i = 0; i < r.n; i++)
		printf("%s\t%s\t%s\n", r.pts[i].spec,
		       point_kind_name(r.pts[i].kind), r.pts[i].role);
	return 0;
}
