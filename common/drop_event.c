// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events as frames, and the names of their parts (see drop_event.h).
 */
#include <string.h>

#include "common/drop_event.h"

#define ARPHRD_VOID_ 0xffff	/* the device type is not recorded */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

void drop_event_frame(const struct drop_event *ev, uint32_t point,
		      uint8_t *buf, struct frame *f)
{
	uint32_t cap = ev->cap_len > DROP_DATA_MAX ? DROP_DATA_MAX : ev->cap_len;
	uint32_t wire = ev->wire_len < cap ? cap : ev->wire_len;

	/* SLL2: protocol, reserved, ifindex, hatype, pkttype, addr len,
	 * 8 bytes of address. */
	memset(buf, 0, DROP_SLL2_HLEN);
	put_be16(buf, ev->protocol);
	put_be32(buf + 4, ev->ifindex);
	put_be16(buf + 8, ARPHRD_VOID_);
	buf[10] = ev->pkt_type;
	memcpy(buf + DROP_SLL2_HLEN, ev->data, cap);

	memset(f, 0, sizeof(*f));
	f->data = buf;
	f->caplen = DROP_SLL2_HLEN + cap;
	f->wirelen = DROP_SLL2_HLEN + wire;
	f->ts_ns = ev->ts_ns;
	f->point = point;
	f->linktype = LINKTYPE_LINUX_SLL2;
	f->dir = DIR_UNKNOWN;
	f->flags = FRAME_F_KERNEL_DROP;
	f->drop = ev;
}

const char *drop_event_function(const struct drop_event *ev, char *buf,
				size_t len)
{
	size_t n = strcspn(ev->symbol, "+ ");

	if (!len)
		return buf;
	if (n >= len)
		n = len - 1;
	memcpy(buf, ev->symbol, n);
	buf[n] = '\0';
	return buf;
}

const char *drop_nft_family_name(unsigned int family)
{
	switch (family) {
	case 1: return "inet";
	case 2: return "ip";
	case 3: return "arp";
	case 5: return "netdev";
	case 7: return "bridge";
	case 10: return "ip6";
	}
	return "";
}

const char *drop_nft_hook_name(unsigned int family, unsigned int hook)
{
	static const char *const inet[] = { "prerouting", "input", "forward",
					    "output", "postrouting",
					    "ingress" };
	static const char *const arp[] = { "input", "output", "forward" };
	static const char *const netdev[] = { "ingress", "egress" };

	if (family == 3)
		return hook < 3 ? arp[hook] : "";
	if (family == 5)
		return hook < 2 ? netdev[hook] : "";
	return hook < 6 ? inet[hook] : "";
}

const char *drop_nft_by_name(unsigned int by)
{
	switch (by) {
	case DROP_NFT_RULE: return "rule";
	case DROP_NFT_POLICY: return "policy";
	case DROP_NFT_UNKNOWN: return "unknown";
	}
	return "";
}

const char *drop_nft_basis_name(unsigned int basis)
{
	switch (basis) {
	case DROP_NFT_BASIS_RULESET: return "ruleset";
	case DROP_NFT_BASIS_COUNTERS: return "counters";
	}
	return "kernel";
}

unsigned int drop_nft_basis_of(const char *name)
{
	if (!strcmp(name, "ruleset"))
		return DROP_NFT_BASIS_RULESET;
	if (!strcmp(name, "counters"))
		return DROP_NFT_BASIS_COUNTERS;
	return DROP_NFT_BASIS_KERNEL;
}
