// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the dissectors.  Byte 0 selects how the rest is
 * presented:  bits 0-2 the link type (Ethernet, SLL, SLL2, RAW, IPV4,
 * IPV6, then an unknown one), bit 3 a hw-stripped VLAN tag, bit 4 a wire
 * length beyond the captured bytes (snapped frame), bit 5 the other link
 * types by bits 0-1 (BSD loopback NULL and LOOP, DLT_RAW 12 and 14).  The frame bytes are
 * copied to a buffer of exactly their size so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/names.h"
#include "dissect/packet.h"

static const int linktypes[8] = {
	LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
	LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, 226 /* ipnet */,
	LINKTYPE_ETHERNET,
};

static const int linktypes_more[4] = {
	LINKTYPE_NULL, LINKTYPE_LOOP, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_DLT14,
};

static void check_packet(const struct packet *p)
{
	int i;

	if (p->n_anom > MAX_ANOMALIES || p->n_vlan > MAX_VLAN_TAGS)
		abort();
	for (i = 0; i < p->n_anom; i++)
		if (p->anom[i].kind >= ANOM_COUNT ||
		    !strcmp(anomaly_name(p->anom[i].kind), "unknown"))
			abort();
	if ((p->layers & LAYER_QUOTED) && !p->quoted_layers)
		abort();
	/* Tunnels: bounded nesting, a known type whenever one was opened. */
	if (p->tun.depth > MAX_TUNNEL_DEPTH ||
	    ((p->layers & LAYER_TUNNEL) &&
	     (!p->tun.depth || !strcmp(tunnel_type_name(p->tun.type), "unknown"))))
		abort();
	if ((p->layers & (LAYER_ICMP | LAYER_ICMPV6)) &&
	    p->net.icmp.echo_caplen > p->net.icmp.echo_len)
		abort();
	if ((p->layers & (LAYER_IPV4 | LAYER_IPV6)) &&
	    p->net.caplen > p->frame->caplen)
		abort();
	/* Names must cope with any value. */
	(void)icmp_type_name(p->net.ip.version, p->net.icmp.type);
	(void)icmp_code_name(p->net.ip.version, p->net.icmp.type,
			     p->net.icmp.code);
	(void)csum_state_name(p->net.icmp.csum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet p;
	struct frame f;
	uint8_t *copy;
	uint8_t sel;

	if (size < 1 || size > 65536 + 1)
		return 0;
	sel = data[0];
	size--;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size);

	memset(&f, 0, sizeof(f));
	f.data = copy;
	f.caplen = (uint32_t)size;
	f.wirelen = (uint32_t)size + ((sel & 0x10) ? 1000 : 0);
	f.linktype = (sel & 0x20) ? linktypes_more[sel & 3] : linktypes[sel & 7];
	if (sel & 0x08) {
		f.flags = FRAME_F_HW_VLAN;
		f.hw_vlan_tci = (uint16_t)(sel << 8 | 0x5a);
	}
	dissect_frame(&f, &p);
	check_packet(&p);
	/* Reuse without reset: nothing may depend on the old contents. */
	dissect_frame(&f, &p);
	check_packet(&p);
	free(copy);
	return 0;
}
