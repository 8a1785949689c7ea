// SPDX-License-Identifier: GPL-2.0
/*
 * pcap_loop: the baseline every reader is compared with. It does what any
 * libpcap program must do at the least (pcap_open_offline, pcap_next_ex
 * until the end) and touches nothing in the packet but its length, so its
 * packets/s is the ceiling for "read a capture file" on this machine.
 *
 *   pcap_loop FILE      prints "packets N bytes B seconds S pps P"
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	double t0, dt;
	pcap_t *p;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_loop FILE\n");
		return 2;
	}
	t0 = now();
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap_loop: %s\n", errbuf);
		return 2;
	}
	while ((ret = pcap_next_ex(p, &hdr, &data)) == 1) {
		packets++;
		bytes += hdr->caplen;
	}
	if (ret == PCAP_ERROR)
		fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
	pcap_close(p);
	dt = now() - t0;
	printf("packets %" PRIu64 " bytes %" PRIu64 " seconds %.3f pps %.0f\n",
	       packets, bytes, dt, dt > 0 ? (double)packets / dt : 0.0);
	return ret == PCAP_ERROR ? 1 : 0;
}
