// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet lines for `dissect` and `capture`.  Text follows tcpdump -n -e
 * (link, then network, then transport) with the point and direction in
 * front; JSON is one object per line (NDJSON) holding every decoded field.
 * Lines are formatted into one buffer and flushed in large writes.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/linktype.h"
#include "common/strbuf.h"
#include "dissect/names.h"
#include "output.h"

#define OUTPUT_FLUSH_AT (64 * 1024)

void output_init(struct output *o, FILE *fp, bool json)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->json = json;
	o->flush_each = isatty(fileno(fp));
	sb_init(&o->buf);
}

bool output_flush(struct output *o)
{
	bool ok = sb_flush(&o->buf, o->fp);

	return fflush(o->fp) == 0 && ok && !ferror(o->fp);
}

void output_free(struct output *o)
{
	output_flush(o);
	sb_free(&o->buf);
}

/* Local time of day, cached per second: localtime_r is costly per packet. */
static void put_time_of_day(struct strbuf *sb, uint64_t ts_ns)
{
	static time_t cached_sec = -1;
	static char cached[16];
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	struct tm tm;

	if (sec != cached_sec) {
		localtime_r(&sec, &tm);
		strftime(cached, sizeof(cached), "%H:%M:%S", &tm);
		cached_sec = sec;
	}
	sb_puts(sb, cached);
	sb_putc(sb, '.');
	sb_u64_pad(sb, (ts_ns % 1000000000ull) / 1000, 6);
}

static void put_addr(struct strbuf *sb, const struct ip_addr *a)
{
	if (a->family == 4)
		sb_ipv4(sb, a->a);
	else if (a->family == 6)
		sb_ipv6(sb, a->a);
	else
		sb_putc(sb, '?');
}

/* Link layer as tcpdump -e prints it, ending with the frame length. */
static void text_link(struct strbuf *sb, const struct packet *p)
{
	int i;

	if (p->layers & LAYER_ETH) {
		sb_mac(sb, p->eth.src);
		sb_puts(sb, " > ");
		sb_mac(sb, p->eth.dst);
		sb_puts(sb, ", ");
	} else if ((p->layers & LAYER_SLL) && p->sll.addr_len == 6) {
		sb_mac(sb, p->sll.addr);
		sb_puts(sb, ", ");
	} else if (p->layers & LAYER_NULL) {
		/* like tcpdump -e: "AF IPv4 (2), " */
		sb_puts(sb, "AF ");
		if (p->layers & LAYER_IPV4)
			sb_puts(sb, "IPv4 (");
		else if (p->layers & LAYER_IPV6)
			sb_puts(sb, "IPv6 (");
		sb_u64(sb, p->null_family);
		if (p->layers & (LAYER_IPV4 | LAYER_IPV6))
			sb_putc(sb, ')');
		sb_puts(sb, ", ");
	}
	for (i = 0; i < p->n_vlan; i++) {
		sb_puts(sb, p->vlan[i].tpid == 0x8100 ? "vlan " : "qinq ");
		sb_u64(sb, p->vlan[i].vid);
		if (p->vlan[i].pcp) {
			sb_puts(sb, " p ");
			sb_u64(sb, p->vlan[i].pcp);
		}
		sb_puts(sb, ", ");
	}
	sb_puts(sb, "length ");
	sb_u64(sb, p->frame->wirelen);
	sb_puts(sb, ": ");
}

/*
 * ARP whose addresses were not decoded (other hardware such as ATMARP, or
 * not captured): its type and operation only, never zero addresses.
 */
static bool arp_addrs_decoded(const struct packet *p)
{
	return p->arp.hlen == 6 && p->arp.plen == 4 &&
	       !packet_has_anomaly(p, ANOM_ARP_UNSUPPORTED) &&
	       !packet_has_anomaly(p, ANOM_ARP_TRUNCATED);
}

static void text_arp(struct strbuf *sb, const struct packet *p)
{
	const struct arp_info *a = &p->arp;

	sb_puts(sb, "ARP ");
	if (!arp_addrs_decoded(p)) {
		sb_puts(sb, arp_op_name(a->op));
		sb_puts(sb, ", hardware type ");
		sb_u64(sb, a->htype);
		sb_puts(sb, ", protocol ");
		sb_hex16(sb, a->ptype);
		return;
	}
	if (a->op == 1) {
		sb_puts(sb, a->is_gratuitous ? "announcement " : "who-has ");
		sb_ipv4(sb, a->tpa);
		if (!a->is_gratuitous) {
			sb_puts(sb, " tell ");
			sb_ipv4(sb, a->spa);
		}
	} else if (a->op == 2) {
		sb_puts(sb, "reply ");
		sb_ipv4(sb, a->spa);
		sb_puts(sb, " is-at ");
		sb_mac(sb, a->sha);
	} else {
		sb_puts(sb, arp_op_name(a->op));
	}
}

static void text_icmp_fields(struct strbuf *sb, int family,
			     const struct icmp_info *ic, bool echo)
{
	const char *code = icmp_code_name(family, ic->type, ic->code);

	sb_puts(sb, family == 6 ? "ICMP6 " : "ICMP ");
	sb_puts(sb, icmp_type_name(family, ic->type));
	if (*code) {
		sb_puts(sb, " (");
		sb_puts(sb, code);
		if (ic->mtu) {
			sb_puts(sb, ", mtu ");
			sb_u64(sb, ic->mtu);
		}
		sb_putc(sb, ')');
	} else if (ic->mtu) {
		sb_puts(sb, " mtu ");
		sb_u64(sb, ic->mtu);
	}
	if (echo) {
		sb_puts(sb, " id ");
		sb_u64(sb, ic->echo_id);
		sb_puts(sb, " seq ");
		sb_u64(sb, ic->echo_seq);
	}
	if (ic->nd_target.family) {
		sb_puts(sb, " target ");
		put_addr(sb, &ic->nd_target);
	}
	if (ic->has_sll) {
		sb_puts(sb, " sll ");
		sb_mac(sb, ic->sll);
	}
	if (ic->has_tll) {
		sb_puts(sb, " tll ");
		sb_mac(sb, ic->tll);
	}
	if (ic->gateway.family) {
		sb_puts(sb, " gateway ");
		put_addr(sb, &ic->gateway);
	}
}

static bool is_echo(int family, uint8_t type)
{
	return family == 4 ? (type == 8 || type == 0) :
			     (type == 128 || type == 129);
}

/* Network and transport layers of one datagram (outer or quoted). */
static void text_net(struct strbuf *sb, const struct net_info *n,
		     uint32_t layers, bool quoted)
{
	int family = n->ip.version;

	if (!(layers & (LAYER_IPV4 | LAYER_IPV6)))
		return;
	sb_puts(sb, family == 6 ? "IP6 " : "IP ");
	put_addr(sb, &n->ip.src);
	sb_puts(sb, " > ");
	put_addr(sb, &n->ip.dst);
	if (!quoted) {
		sb_puts(sb, " ttl ");
		sb_u64(sb, n->ip.ttl);
		sb_puts(sb, " len ");
		sb_u64(sb, n->ip.total_len);
		if (n->ip.is_fragment) {
			sb_puts(sb, " frag ");
			sb_u64(sb, n->ip.frag_off);
			if (n->ip.mf)
				sb_putc(sb, '+');
		}
		if (n->ip.df)
			sb_puts(sb, " DF");
	}
	sb_puts(sb, ": ");
	if (layers & (LAYER_ICMP | LAYER_ICMPV6)) {
		text_icmp_fields(sb, family, &n->icmp,
				 is_echo(family, n->icmp.type));
		if (!quoted && n->ip.total_len >= n->ip.hdr_len) {
			/* like tcpdump: the ICMP message length */
			sb_puts(sb, ", length ");
			sb_u64(sb, n->ip.total_len - n->ip.hdr_len);
		}
	} else if (layers & (LAYER_UDP | LAYER_TCP)) {
		sb_puts(sb, layers & LAYER_UDP ? "UDP " : "TCP ");
		sb_u64(sb, n->l4.sport);
		sb_puts(sb, " > ");
		sb_u64(sb, n->l4.dport);
		if (layers & LAYER_TCP) {
			static const char flag_chars[] = "FSRPAUEC";
			int i;

			sb_puts(sb, " [");
			for (i = 0; i < 8; i++)
				if (n->l4.tcp_flags & (1u << i))
					sb_putc(sb, flag_chars[i]);
			sb_putc(sb, ']');
		}
	} else {
		const char *name = ip_proto_name(n->ip.proto);

		sb_puts(sb, "proto ");
		if (*name)
			sb_puts(sb, name);
		else
			sb_u64(sb, n->ip.proto);
	}
}

/*
 * The outermost tunnel, before the inner summary: "vxlan vni 42
 * 192.168.100.1>192.168.100.2 | ", and " +1" when another tunnel is
 * nested inside it.
 */
static void text_tunnel(struct strbuf *sb, const struct tunnel_info *t)
{
	sb_puts(sb, tunnel_type_name((enum tunnel_type)t->type));
	if (t->has_id) {
		sb_putc(sb, ' ');
		sb_puts(sb, tunnel_id_name((enum tunnel_type)t->type));
		sb_putc(sb, ' ');
		sb_u64(sb, t->id);
	}
	if (t->has_seq) {
		sb_puts(sb, " seq ");
		sb_u64(sb, t->seq);
	}
	sb_putc(sb, ' ');
	put_addr(sb, &t->src);
	sb_putc(sb, '>');
	put_addr(sb, &t->dst);
	if (t->depth > 1) {
		sb_puts(sb, " +");
		sb_u64(sb, t->depth - 1u);
	}
	sb_puts(sb, " | ");
}

static void text_checksums(struct strbuf *sb, const struct packet *p)
{
	if (p->net.ip.hdr_csum == CSUM_BAD)
		sb_puts(sb, " [bad ip cksum]");
	if (p->net.icmp.csum == CSUM_BAD)
		sb_puts(sb, p->net.ip.version == 6 ? " [bad icmp6 cksum]" :
						     " [bad icmp cksum]");
}

static void text_anomalies(struct strbuf *sb, const struct packet *p)
{
	int i;

	for (i = 0; i < p->n_anom; i++) {
		sb_puts(sb, i ? ", " : " !");
		if (p->anom[i].in_quote)
			sb_puts(sb, "quoted.");
		sb_puts(sb, anomaly_name(p->anom[i].kind));
	}
	if (p->anom_overflow)
		sb_puts(sb, ", ...");
	if (p->snapped)
		sb_puts(sb, " (snapped)");
}

static void text_packet(struct strbuf *sb, const struct packet *p,
			const struct point_table *points)
{
	const struct frame *f = p->frame;
	const struct point *pt = point_get_const(points, f->point);

	put_time_of_day(sb, f->ts_ns);
	sb_putc(sb, ' ');
	sb_puts(sb, pt ? pt->name : "?");
	sb_putc(sb, ' ');
	sb_puts(sb, direction_name(f->dir));
	sb_putc(sb, ' ');
	text_link(sb, p);
	if ((p->layers & LAYER_TUNNEL) && !p->tun.in_quote)
		text_tunnel(sb, &p->tun);
	if (p->layers & LAYER_ARP) {
		text_arp(sb, p);
	} else if (p->layers & (LAYER_IPV4 | LAYER_IPV6)) {
		text_net(sb, &p->net, p->layers, false);
		if (p->layers & LAYER_QUOTED) {
			sb_puts(sb, " for ");
			if ((p->quoted_layers & LAYER_TUNNEL) &&
			    p->tun.in_quote)
				text_tunnel(sb, &p->tun);
			text_net(sb, &p->quoted, p->quoted_layers, true);
		}
	} else if (p->layers & LAYER_NULL) {
		/* the family is on the link part already */
		sb_puts(sb, "not IP, not decoded");
	} else if (packet_has_anomaly(p, ANOM_LINKTYPE_UNKNOWN)) {
		char lt[64];

		linktype_name(f->linktype, lt, sizeof(lt));
		sb_puts(sb, "link type ");
		if (lt[0]) {
			sb_puts(sb, lt);
			sb_puts(sb, " (");
		}
		sb_u64(sb, (uint64_t)f->linktype);
		sb_puts(sb, lt[0] ? ") not decoded" : " not decoded");
	} else {
		const char *name = ether_type_name(p->eth.ethertype);

		sb_puts(sb, "ethertype ");
		if (*name)
			sb_puts(sb, name);
		else
			sb_hex16(sb, p->eth.ethertype);
	}
	text_checksums(sb, p);
	text_anomalies(sb, p);
	sb_putc(sb, '\n');
}

/* --- JSON ------------------------------------------------------------ */

static void json_key(struct strbuf *sb, const char *key)
{
	sb_putc(sb, '"');
	sb_puts(sb, key);
	sb_puts(sb, "\":");
}

static void json_u64(struct strbuf *sb, const char *key, uint64_t v)
{
	json_key(sb, key);
	sb_u64(sb, v);
	sb_putc(sb, ',');
}

static void json_str(struct strbuf *sb, const char *key, const char *v)
{
	json_key(sb, key);
	sb_json_cstr(sb, v);
	sb_putc(sb, ',');
}

static void json_bool(struct strbuf *sb, const char *key, bool v)
{
	json_key(sb, key);
	sb_puts(sb, v ? "true," : "false,");
}

static void json_mac(struct strbuf *sb, const char *key, const uint8_t mac[6])
{
	json_key(sb, key);
	sb_putc(sb, '"');
	sb_mac(sb, mac);
	sb_puts(sb, "\",");
}

static void json_addr(struct strbuf *sb, const char *key,
		      const struct ip_addr *a)
{
	json_key(sb, key);
	sb_putc(sb, '"');
	put_addr(sb, a);
	sb_puts(sb, "\",");
}

/* Replaces a trailing comma by the closing character. */
static void json_close(struct strbuf *sb, char c)
{
	if (sb->len && sb->buf[sb->len - 1] == ',')
		sb->buf[sb->len - 1] = c;
	else
		sb_putc(sb, c);
}

static void json_link(struct strbuf *sb, const struct packet *p)
{
	int i;

	if (p->layers & LAYER_ETH) {
		sb_puts(sb, "\"eth\":{");
		json_mac(sb, "src", p->eth.src);
		json_mac(sb, "dst", p->eth.dst);
		json_u64(sb, "type", p->eth.ethertype);
		json_close(sb, '}');
		sb_putc(sb, ',');
	}
	if (p->layers & LAYER_SLL) {
		sb_puts(sb, "\"sll\":{");
		json_u64(sb, "version", p->sll.version);
		json_u64(sb, "pkttype", p->sll.pkttype);
		json_u64(sb, "protocol", p->sll.protocol);
		if (p->sll.version == 2)
			json_u64(sb, "ifindex", p->sll.ifindex);
		json_close(sb, '}');
		sb_putc(sb, ',');
	}
	if (p->layers & LAYER_NULL) {
		sb_puts(sb, "\"null\":{");
		json_u64(sb, "family", p->null_family);
		json_close(sb, '}');
		sb_putc(sb, ',');
	}
	if (p->n_vlan) {
		sb_puts(sb, "\"vlan\":[");
		for (i = 0; i < p->n_vlan; i++) {
			sb_putc(sb, '{');
			json_u64(sb, "tpid", p->vlan[i].tpid);
			json_u64(sb, "vid", p->vlan[i].vid);
			json_u64(sb, "pcp", p->vlan[i].pcp);
			json_close(sb, '}');
			sb_putc(sb, ',');
		}
		json_close(sb, ']');
		sb_putc(sb, ',');
	}
}

static void json_arp(struct strbuf *sb, const struct packet *p)
{
	const struct arp_info *a = &p->arp;

	sb_puts(sb, "\"arp\":{");
	json_u64(sb, "op", a->op);
	if (!arp_addrs_decoded(p)) {
		json_u64(sb, "htype", a->htype);
		json_u64(sb, "ptype", a->ptype);
	} else {
		json_mac(sb, "sha", a->sha);
		json_key(sb, "spa");
		sb_putc(sb, '"');
		sb_ipv4(sb, a->spa);
		sb_puts(sb, "\",");
		json_mac(sb, "tha", a->tha);
		json_key(sb, "tpa");
		sb_putc(sb, '"');
		sb_ipv4(sb, a->tpa);
		sb_puts(sb, "\",");
		json_bool(sb, "gratuitous", a->is_gratuitous);
	}
	json_close(sb, '}');
	sb_putc(sb, ',');
}

static void json_icmp(struct strbuf *sb, int family,
		      const struct icmp_info *ic, bool quoted)
{
	sb_puts(sb, family == 6 ? "\"icmp6\":{" : "\"icmp\":{");
	json_u64(sb, "type", ic->type);
	json_u64(sb, "code", ic->code);
	if (!quoted)
		json_str(sb, "csum", csum_state_name(ic->csum));
	if (is_echo(family, ic->type)) {
		json_u64(sb, "id", ic->echo_id);
		json_u64(sb, "seq", ic->echo_seq);
		if (!quoted)
			json_u64(sb, "data_len", ic->echo_len);
	}
	if (ic->mtu)
		json_u64(sb, "mtu", ic->mtu);
	if (ic->gateway.family)
		json_addr(sb, "gateway", &ic->gateway);
	if (ic->nd_target.family)
		json_addr(sb, "target", &ic->nd_target);
	if (ic->has_sll)
		json_mac(sb, "sll", ic->sll);
	if (ic->has_tll)
		json_mac(sb, "tll", ic->tll);
	json_close(sb, '}');
	sb_putc(sb, ',');
}

static void json_net(struct strbuf *sb, const struct net_info *n,
		     uint32_t layers, bool quoted)
{
	int family = n->ip.version;

	if (!(layers & (LAYER_IPV4 | LAYER_IPV6)))
		return;
	sb_puts(sb, "\"ip\":{");
	json_u64(sb, "v", family);
	json_addr(sb, "src", &n->ip.src);
	json_addr(sb, "dst", &n->ip.dst);
	json_u64(sb, "ttl", n->ip.ttl);
	json_u64(sb, "proto", n->ip.proto);
	json_u64(sb, "len", n->ip.total_len);
	if (family == 4) {
		json_u64(sb, "id", n->ip.ip_id);
		json_bool(sb, "df", n->ip.df);
		json_str(sb, "csum", csum_state_name(n->ip.hdr_csum));
	}
	if (n->ip.is_fragment) {
		json_u64(sb, "frag_off", n->ip.frag_off);
		json_bool(sb, "mf", n->ip.mf);
	}
	json_close(sb, '}');
	sb_putc(sb, ',');
	if (layers & (LAYER_ICMP | LAYER_ICMPV6))
		json_icmp(sb, family, &n->icmp, quoted);
	if (layers & (LAYER_UDP | LAYER_TCP)) {
		sb_puts(sb, layers & LAYER_UDP ? "\"udp\":{" : "\"tcp\":{");
		json_u64(sb, "sport", n->l4.sport);
		json_u64(sb, "dport", n->l4.dport);
		if (layers & LAYER_TCP)
			json_u64(sb, "flags", n->l4.tcp_flags);
		json_close(sb, '}');
		sb_putc(sb, ',');
	}
}

/* "tunnel":{...}: the outermost encapsulation, outer addresses. */
static void json_tunnel(struct strbuf *sb, const struct tunnel_info *t)
{
	sb_puts(sb, "\"tunnel\":{");
	json_str(sb, "type", tunnel_type_name((enum tunnel_type)t->type));
	if (t->has_id)
		json_u64(sb, "id", t->id);
	if (t->has_seq)
		json_u64(sb, "seq", t->seq);
	json_addr(sb, "outer_src", &t->src);
	json_addr(sb, "outer_dst", &t->dst);
	json_u64(sb, "outer_len", t->outer_len);
	json_u64(sb, "outer_ttl", t->outer_ttl);
	json_bool(sb, "outer_df", t->outer_df);
	if (t->sport || t->dport) {
		json_u64(sb, "sport", t->sport);
		json_u64(sb, "dport", t->dport);
	}
	json_u64(sb, "depth", t->depth);
	json_bool(sb, "in_quote", t->in_quote);
	json_close(sb, '}');
	sb_putc(sb, ',');
}

static void json_packet(struct strbuf *sb, const struct packet *p,
			const struct point_table *points)
{
	const struct frame *f = p->frame;
	const struct point *pt = point_get_const(points, f->point);
	int i;

	sb_puts(sb, "{\"type\":\"packet\",");
	json_u64(sb, "n", f->number);
	json_key(sb, "ts");
	sb_putc(sb, '"');
	sb_u64(sb, f->ts_ns / 1000000000ull);
	sb_putc(sb, '.');
	sb_u64_pad(sb, f->ts_ns % 1000000000ull, 9);
	sb_puts(sb, "\",");
	json_str(sb, "point", pt ? pt->name : "?");
	json_u64(sb, "point_id", f->point);
	json_str(sb, "dir", direction_name(f->dir));
	json_u64(sb, "caplen", f->caplen);
	json_u64(sb, "len", f->wirelen);
	json_link(sb, p);
	if ((p->layers | p->quoted_layers) & LAYER_TUNNEL)
		json_tunnel(sb, &p->tun);
	if (p->layers & LAYER_ARP)
		json_arp(sb, p);
	json_net(sb, &p->net, p->layers, false);
	if (p->layers & LAYER_QUOTED) {
		sb_puts(sb, "\"quoted\":{");
		json_net(sb, &p->quoted, p->quoted_layers, true);
		json_close(sb, '}');
		sb_putc(sb, ',');
	}
	if (p->n_anom || p->snapped) {
		sb_puts(sb, "\"anomalies\":[");
		for (i = 0; i < p->n_anom; i++) {
			sb_putc(sb, '"');
			if (p->anom[i].in_quote)
				sb_puts(sb, "quoted.");
			sb_puts(sb, anomaly_name(p->anom[i].kind));
			sb_puts(sb, "\",");
		}
		json_close(sb, ']');
		sb_putc(sb, ',');
		json_bool(sb, "snapped", p->snapped);
	}
	json_close(sb, '}');
	sb_putc(sb, '\n');
}

void output_packet(struct output *o, const struct packet *p,
		   const struct point_table *points)
{
	if (o->json)
		json_packet(&o->buf, p, points);
	else
		text_packet(&o->buf, p, points);
	o->printed++;
	if (o->flush_each)
		output_flush(o);
	else if (o->buf.len >= OUTPUT_FLUSH_AT)
		sb_flush(&o->buf, o->fp);
}

static void summary_text(struct strbuf *sb, const struct point_table *points)
{
	size_t i;

	sb_printf(sb, "\n%-36s %10s %10s %10s %12s %8s %8s\n", "point",
		  "frames", "in", "out", "bytes", "snapped", "lost");
	for (i = 0; i < points->count; i++) {
		const struct point *pt = &points->items[i];
		char lost[24] = "-";

		if (point_is_sll2_parent(pt))
			continue;
		if (pt->capture_drops_known)
			snprintf(lost, sizeof(lost), "%llu",
				 (unsigned long long)pt->capture_drops);
		sb_printf(sb, "%-36s %10llu %10llu %10llu %12llu %8llu %8s\n",
			  pt->name, (unsigned long long)pt->frames,
			  (unsigned long long)pt->frames_in,
			  (unsigned long long)pt->frames_out,
			  (unsigned long long)pt->bytes,
			  (unsigned long long)pt->snapped, lost);
		if (pt->frames && !dissect_linktype_known(pt->linktype)) {
			char lt[64];

			linktype_name(pt->linktype, lt, sizeof(lt));
			sb_printf(sb, "  ^ link type %s%s%d%s not decoded: "
				  "%llu frame(s) without analysis\n", lt,
				  lt[0] ? " (" : "", pt->linktype,
				  lt[0] ? ")" : "",
				  (unsigned long long)pt->frames);
		}
	}
}

static void summary_json(struct strbuf *sb, const struct point_table *points)
{
	size_t i;

	sb_puts(sb, "{\"type\":\"summary\",\"points\":[");
	for (i = 0; i < points->count; i++) {
		const struct point *pt = &points->items[i];

		sb_putc(sb, '{');
		json_u64(sb, "id", pt->id);
		json_str(sb, "name", pt->name);
		json_str(sb, "ifname", pt->ifname);
		json_str(sb, "netns", pt->netns);
		json_str(sb, "source", pt->source);
		if (pt->ifindex)
			json_u64(sb, "ifindex", pt->ifindex);
		json_str(sb, "kind", point_kind_name(pt->kind));
		json_str(sb, "hook", point_hook_name(pt->hook));
		json_u64(sb, "linktype", (uint64_t)pt->linktype);
		json_u64(sb, "frames", pt->frames);
		json_u64(sb, "in", pt->frames_in);
		json_u64(sb, "out", pt->frames_out);
		json_u64(sb, "bytes", pt->bytes);
		json_u64(sb, "snapped", pt->snapped);
		if (pt->capture_drops_known)
			json_u64(sb, "lost", pt->capture_drops);
		if (pt->frames && !dissect_linktype_known(pt->linktype))
			json_u64(sb, "undecodable", pt->frames);
		json_close(sb, '}');
		sb_putc(sb, ',');
	}
	json_close(sb, ']');
	sb_puts(sb, "}\n");
}

void output_summary(struct output *o, const struct point_table *points)
{
	if (o->json)
		summary_json(&o->buf, points);
	else
		summary_text(&o->buf, points);
	output_flush(o);
}
