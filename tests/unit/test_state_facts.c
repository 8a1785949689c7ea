// SPDX-License-Identifier: GPL-2.0
/*
 * Host state as evidence (analyze/state.c), through the engine: a routing
 * host (tap0 -> virbr0 -> up0, all in netns "h") passes probes 1-3, loses
 * 4-6 after virbr0.  The same loss with different snapshots: forwarding
 * off where the host routes it names forwarding_disabled; where the host
 * only switches it (both routes by one device) it does not; the next
 * point's port in STP listening, a small MTU on up0, a chain policy drop
 * on the forward hook, and no snapshot at all each give their own cause;
 * state of another netns says nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hoststate.h"
#include "check.h"
#include "engine_rig.h"

#define MS 1000000ull
#define T0 1700000000000000000ull

static const uint8_t MAC_G[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_H[6] = { 2, 0, 0, 0, 0, 1 };

/* 192.168.122.2 -> 203.0.113.2, 56 bytes of data: an 84-byte packet */
static size_t echo(uint8_t *b, bool req, uint16_t seq)
{
	uint32_t g = 0xc0a87a02, t = 0xcb007102;
	uint8_t *ip = b + 14, *ic = b + 34;
	size_t i;

	memcpy(b, req ? MAC_H : MAC_G, 6);
	memcpy(b + 6, req ? MAC_G : MAC_H, 6);
	put16(b + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 84);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 1;
	put32(ip + 12, req ? g : t);
	put32(ip + 16, req ? t : g);
	put16(ip + 10, csum(ip, 20));
	memset(ic, 0, 8);
	ic[0] = req ? 8 : 0;
	put16(ic + 4, 0x4242);
	put16(ic + 6, seq);
	for (i = 0; i < 56; i++)
		ic[8 + i] = (uint8_t)(i * 3 + 1);
	put16(ic + 2, csum(ic, 64));
	return 98;
}

static const char *const ifs[3] = { "tap0", "virbr0", "up0" };

static void run(const struct host_state *hs, char *code, size_t n,
		char *what, size_t wn)
{
	struct engine_opts o;
	struct rig r;
	uint8_t b[128];
	uint64_t t;
	uint16_t seq;
	size_t i;
	int p;

	engine_opts_default(&o);
	rig_init_points(&r, 3, NULL, &o);
	for (p = 0; p < 3; p++) {
		snprintf(r.points.items[p].ifname,
			 sizeof(r.points.items[p].ifname), "%s", ifs[p]);
		snprintf(r.points.items[p].netns,
			 sizeof(r.points.items[p].netns), "h");
	}
	for (seq = 1; seq <= 6; seq++) {
		t = T0 + seq * 1000 * MS;
		for (p = 0; p < 3; p++) {
			if (seq > 3 && p == 2)
				break;
			feed(&r, p, t + (uint64_t)p * 10000, b,
			     echo(b, true, seq));
		}
		if (seq > 3)
			continue;
		for (p = 2; p >= 0; p--)
			feed(&r, p, t + 300000 + (uint64_t)(2 - p) * 10000, b,
			     echo(b, false, seq));
	}
	if (hs)
		CHECK(!engine_note_host_state(r.e, hs));
	engine_finish(r.e);
	code[0] = what[0] = 0;
	for (i = 0; i < r.e->n_findings; i++) {
		const struct finding *f = &r.e->findings[i];

		if (f->kind != FK_DROP)
			continue;
		snprintf(code, n, "%s", cause_code(f->cref.id));
		if (f->n_ev)
			snprintf(what, wn, "%s", f->ev[0].what);
		break;
	}
	rig_free(&r);
}

/* A host that routes: guest behind virbr0, target behind up0. */
static void routing_host(struct host_state *hs)
{
	hs_init(hs);
	hs_set(hs, "h", "net.ipv4.ip_forward", "1");
	hs_set(hs, "h", "route/203.0.113.2", "type=unicast dev=up0");
	hs_set(hs, "h", "route/192.168.122.2", "type=unicast dev=virbr0");
	hs_set(hs, "h", "link/up0/mtu", "1500");
	hs_set(hs, "h", "link/up0/oper", "up");
	hs_set(hs, "h", "link/up0/admin", "up");
}

static void expect(const struct host_state *hs, const char *want,
		   const char *want_what)
{
	char code[64], what[160];

	run(hs, code, sizeof(code), what, sizeof(what));
	if (strcmp(code, want) || (want_what && strcmp(what, want_what)))
		fprintf(stderr, "got %s (%s), want %s (%s)\n", code, what,
			want, want_what ? want_what : "-");
	CHECK(!strcmp(code, want));
	CHECK(!want_what || !strcmp(what, want_what));
}

int main(void)
{
	struct host_state hs;
	char base[64], what[160];

	/* without state: what the wire says */
	run(NULL, base, sizeof(base), what, sizeof(what));
	CHECK(base[0] && strcmp(base, "forwarding_disabled"));

	routing_host(&hs);
	expect(&hs, base, NULL);	/* healthy state: nothing added */
	hs_set(&hs, "h", "net.ipv4.ip_forward", "0");
	expect(&hs, "forwarding_disabled", "net.ipv4.ip_forward = 0 in netns h");
	/* the same sysctl in a netns the loss is not in */
	hs_free(&hs);
	routing_host(&hs);
	hs_set(&hs, "other", "net.ipv4.ip_forward", "0");
	expect(&hs, base, NULL);
	/* one segment both ways: the host switches, forwarding is moot */
	hs_set(&hs, "h", "net.ipv4.ip_forward", "0");
	hs_set(&hs, "h", "route/192.168.122.2", "type=unicast dev=up0");
	expect(&hs, base, NULL);
	hs_free(&hs);

	routing_host(&hs);
	hs_set(&hs, "h", "link/up0/brport_state", "listening");
	hs_set(&hs, "h", "link/up0/master", "br9");
	expect(&hs, "stp_blocking",
	       "port up0 of br9 in netns h is in STP state listening");
	hs_free(&hs);

	routing_host(&hs);
	hs_set(&hs, "h", "link/up0/mtu", "80");
	expect(&hs, "mtu_too_small",
	       "up0 in netns h has MTU 80, the probe is 84 bytes");
	hs_set(&hs, "h", "link/up0/admin", "down");
	expect(&hs, "link_down", "up0 in netns h is administratively down");
	hs_free(&hs);

	routing_host(&hs);
	hs_set(&hs, "h", "nft/ip/filter/FORWARD",
	       "hook=forward policy=drop rules=0");
	expect(&hs, "chain_policy_drop", NULL);
	/* a rule in it: the policy alone does not explain the loss */
	hs_set(&hs, "h", "nft/ip/filter/FORWARD",
	       "hook=forward policy=drop rules=2");
	expect(&hs, base, NULL);
	/* ... nor an input chain, for a packet the host routes */
	hs_set(&hs, "h", "nft/ip/filter/FORWARD",
	       "hook=input policy=drop rules=0");
	expect(&hs, base, NULL);
	hs_free(&hs);

	routing_host(&hs);
	hs_set(&hs, "h", "route/203.0.113.2", "type=unreachable");
	expect(&hs, "route_unreachable",
	       "route to 203.0.113.2 in netns h: unreachable");
	hs_free(&hs);

	/* hostile values: nothing parses, nothing is claimed */
	routing_host(&hs);
	hs_set(&hs, "h", "link/up0/mtu", "-1x");
	hs_set(&hs, "h", "route/203.0.113.2", "type= dev=");
	hs_set(&hs, "h", "nft/ip/f/c", "hook=forward policy=");
	expect(&hs, base, NULL);
	hs_free(&hs);
	return check_done();
}
