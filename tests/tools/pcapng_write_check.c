// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a small pcapng through capture/pcapng_write.h with every feature
 * of the API: a point interface, a custom-named pseudo interface, packet
 * comments, both directions, a hardware-stripped VLAN tag put back, and
 * statistics blocks.  The test script reads it back with tshark and with
 * our reader.
 *
 *   pcapng_write_check OUT.pcapng
 */
#include <stdio.h>
#include <string.h>

#include "capture/pcapng_write.h"

/* Ethernet + IPv4 + ICMP echo request, 10.0.0.1 -> 10.0.0.2 */
static const uint8_t echo[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0x66, 0xde,
	10, 0, 0, 1, 10, 0, 0, 2,
	8, 0, 0xf7, 0xfe, 0, 1, 0, 0,
};

int main(int argc, char **argv)
{
	struct pcapng_writer *w;
	struct point p;
	struct frame f;
	char err[256];
	int ifp, ifk, ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapng_write_check OUT\n");
		return 2;
	}
	if (pcapng_writer_open(argv[1], "pcapng_write_check", NULL, &w, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	p.id = 3;
	snprintf(p.name, sizeof(p.name), "guest/veth0");
	snprintf(p.ifname, sizeof(p.ifname), "veth0");
	snprintf(p.netns, sizeof(p.netns), "guest");
	p.linktype = LINKTYPE_ETHERNET;
	p.snaplen = 9216;
	p.kind = POINT_KIND_VETH;
	p.hook = HOOK_XDP;
	ifp = pcapng_writer_add_point(w, &p);
	ifk = pcapng_writer_add_if(w, "kernel-drops", "kfree_skb records",
				   LINKTYPE_ETHERNET, 256);
	if (ifp != 0 || ifk != 1 || pcapng_writer_if_of_point(w, 3) != 0 ||
	    pcapng_writer_if_of_point(w, 2) != -1) {
		fprintf(stderr, "interface ids wrong: %d %d\n", ifp, ifk);
		ret = 1;
	}

	memset(&f, 0, sizeof(f));
	f.data = echo;
	f.caplen = sizeof(echo);
	f.wirelen = sizeof(echo) + 20;	/* snapped */
	f.ts_ns = 1700000000123456789ull;
	f.point = 3;
	f.linktype = LINKTYPE_ETHERNET;
	f.dir = DIR_OUT;
	ret |= pcapng_writer_frame(w, &f) != 0;
	f.ts_ns += 1000;
	f.dir = DIR_IN;
	f.flags = FRAME_F_HW_VLAN;
	f.hw_vlan_tci = 100;
	ret |= pcapng_writer_frame(w, &f) != 0;
	f.ts_ns += 1000;
	f.dir = DIR_UNKNOWN;
	f.flags = 0;
	ret |= pcapng_writer_packet(w, (uint32_t)ifk, &f,
				    "dropped: reason NETFILTER_DROP") != 0;
	f.point = 9;	/* not added: refused */
	ret |= pcapng_writer_frame(w, &f) == 0;
	ret |= pcapng_writer_stats(w, 0, 1700000000000000000ull,
				   1700000001000000000ull, 2, 7, true) != 0;
	ret |= pcapng_writer_stats(w, 1, 1700000000000000000ull,
				   1700000001000000000ull, 1, 0, false) != 0;
	ret |= pcapng_writer_stats(w, 5, 0, 0, 0, 0, false) == 0;
	ret |= pcapng_writer_close(w) != 0;
	if (ret)
		fprintf(stderr, "a writer call returned the wrong result\n");
	return ret;
}
