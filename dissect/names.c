// SPDX-License-Identifier: GPL-2.0
/*
 * Names for protocol values and packet states, shared by every report.
 * Anomaly names are stable: they appear in JSON and in tests.
 */
#include <stdio.h>

#include "names.h"
#include "packet.h"

static const char *const anomaly_names[ANOM_COUNT] = {
	[ANOM_NONE] = "none",
	[ANOM_LINKTYPE_UNKNOWN] = "link.unknown_type",
	[ANOM_ETH_TRUNCATED] = "eth.truncated",
	[ANOM_VLAN_TRUNCATED] = "vlan.truncated",
	[ANOM_VLAN_TOO_MANY] = "vlan.too_many",
	[ANOM_SLL_TRUNCATED] = "sll.truncated",
	[ANOM_ARP_TRUNCATED] = "arp.truncated",
	[ANOM_ARP_UNSUPPORTED] = "arp.unsupported",
	[ANOM_IPV4_TRUNCATED] = "ipv4.truncated",
	[ANOM_IPV4_BAD_VERSION] = "ipv4.bad_version",
	[ANOM_IPV4_BAD_IHL] = "ipv4.bad_ihl",
	[ANOM_IPV4_BAD_TOTAL_LEN] = "ipv4.bad_total_len",
	[ANOM_IPV4_LEN_EXCEEDS_WIRE] = "ipv4.len_exceeds_wire",
	[ANOM_IPV4_BAD_OPTION] = "ipv4.bad_option",
	[ANOM_IPV4_BAD_CHECKSUM] = "ipv4.bad_checksum",
	[ANOM_IPV6_TRUNCATED] = "ipv6.truncated",
	[ANOM_IPV6_BAD_VERSION] = "ipv6.bad_version",
	[ANOM_IPV6_LEN_EXCEEDS_WIRE] = "ipv6.len_exceeds_wire",
	[ANOM_IPV6_TOO_MANY_EXT] = "ipv6.too_many_ext",
	[ANOM_IPV6_BAD_EXT] = "ipv6.bad_ext",
	[ANOM_ICMP_TRUNCATED] = "icmp.truncated",
	[ANOM_ICMP_BAD_CHECKSUM] = "icmp.bad_checksum",
	[ANOM_ICMP_QUOTE_TRUNCATED] = "icmp.quote_truncated",
	[ANOM_ICMPV6_TRUNCATED] = "icmpv6.truncated",
	[ANOM_ICMPV6_BAD_CHECKSUM] = "icmpv6.bad_checksum",
	[ANOM_ND_BAD_OPTION] = "nd.bad_option",
	[ANOM_UDP_TRUNCATED] = "udp.truncated",
	[ANOM_UDP_BAD_LENGTH] = "udp.bad_length",
	[ANOM_TCP_TRUNCATED] = "tcp.truncated",
	[ANOM_TCP_BAD_OFFSET] = "tcp.bad_offset",
	[ANOM_TRAILING_GARBAGE] = "ip.trailing_garbage",
	[ANOM_NULL_TRUNCATED] = "null.truncated",
	[ANOM_IP_FRAG_OVERLAP] = "ip.frag_overlap",
	[ANOM_IP_FRAG_TOO_BIG] = "ip.frag_too_big",
	[ANOM_IP_FRAG_BAD_LEN] = "ip.frag_bad_len",
	[ANOM_IP_FRAG_TOO_MANY] = "ip.frag_too_many",
	[ANOM_IP_FRAG_INCOMPLETE] = "ip.frag_incomplete",
	[ANOM_TUNNEL_TRUNCATED] = "tunnel.truncated",
	[ANOM_TUNNEL_BAD_HEADER] = "tunnel.bad_header",
	[ANOM_TUNNEL_TOO_DEEP] = "tunnel.too_deep",
};

const char *anomaly_name(enum anomaly_kind k)
{
	if ((unsigned int)k >= ANOM_COUNT || !anomaly_names[k])
		return "unknown";
	return anomaly_names[k];
}

const char *csum_state_name(enum csum_state s)
{
	switch (s) {
	case CSUM_NONE:
		return "-";
	case CSUM_GOOD:
		return "good";
	case CSUM_BAD:
		return "bad";
	case CSUM_UNVERIFIABLE:
		return "unverifiable";
	}
	return "?";
}

/* Family is 4 or 6; AF_INET6 (10) is accepted as 6 too. */
static int is_v6(int family)
{
	return family == 6 || family == 10;
}

const char *icmp_type_name(int family, uint8_t type)
{
	if (is_v6(family)) {
		switch (type) {
		case 1: return "dest unreachable";
		case 2: return "packet too big";
		case 3: return "time exceeded";
		case 4: return "parameter problem";
		case 128: return "echo request";
		case 129: return "echo reply";
		case 130: return "mld query";
		case 131: return "mld report";
		case 132: return "mld done";
		case 133: return "router solicitation";
		case 134: return "router advertisement";
		case 135: return "neighbor solicitation";
		case 136: return "neighbor advertisement";
		case 137: return "redirect";
		case 143: return "mldv2 report";
		}
		return "icmpv6";
	}
	switch (type) {
	case 0: return "echo reply";
	case 3: return "dest unreachable";
	case 4: return "source quench";
	case 5: return "redirect";
	case 8: return "echo request";
	case 9: return "router advertisement";
	case 10: return "router solicitation";
	case 11: return "time exceeded";
	case 12: return "parameter problem";
	case 13: return "timestamp request";
	case 14: return "timestamp reply";
	}
	return "icmp";
}

static const char *const unreach4[16] = {
	"net unreachable", "host unreachable", "protocol unreachable",
	"port unreachable", "frag needed", "source route failed",
	"net unknown", "host unknown", "source host isolated",
	"net prohibited", "host prohibited", "net unreachable for tos",
	"host unreachable for tos", "admin prohibited",
	"host precedence violation", "precedence cutoff",
};

static const char *const unreach6[8] = {
	"no route", "admin prohibited", "beyond scope of source",
	"address unreachable", "port unreachable",
	"source address failed policy", "reject route",
	"error in source routing header",
};

const char *icmp_code_name(int family, uint8_t type, uint8_t code)
{
	if (is_v6(family)) {
		switch (type) {
		case 1:
			return code < 8 ? unreach6[code] : "";
		case 3:
			return code == 0 ? "hop limit exceeded in transit" :
			       code == 1 ? "fragment reassembly time exceeded" : "";
		case 4:
			return code == 0 ? "erroneous header field" :
			       code == 1 ? "unrecognized next header" :
			       code == 2 ? "unrecognized option" : "";
		}
		return "";
	}
	switch (type) {
	case 3:
		return code < 16 ? unreach4[code] : "";
	case 5:
		return code == 0 ? "for network" : code == 1 ? "for host" :
		       code == 2 ? "for tos and network" :
		       code == 3 ? "for tos and host" : "";
	case 11:
		return code == 0 ? "ttl exceeded in transit" :
		       code == 1 ? "fragment reassembly time exceeded" : "";
	case 12:
		return code == 0 ? "pointer indicates the error" :
		       code == 1 ? "missing a required option" :
		       code == 2 ? "bad length" : "";
	}
	return "";
}

int icmp_is_error(int family, uint8_t type)
{
	if (is_v6(family))
		return type >= 1 && type <= 4;
	return type == 3 || type == 4 || type == 5 || type == 11 ||
	       type == 12;
}

const char *icmp_describe(char *buf, size_t len, int family, uint8_t type,
			  uint8_t code, uint32_t mtu)
{
	const char *t = icmp_type_name(family, type);
	const char *cn = icmp_code_name(family, type, code);
	int mtu_err = (!is_v6(family) && type == 3 && code == 4) ||
		      (is_v6(family) && type == 2);

	if (!len)
		return buf;
	if (mtu_err && *cn)
		snprintf(buf, len, "%s (%s, mtu %u)", t, cn, mtu);
	else if (mtu_err)
		snprintf(buf, len, "%s (mtu %u)", t, mtu);
	else if (*cn)
		snprintf(buf, len, "%s (%s)", t, cn);
	else if (!icmp_is_error(family, type) || !code)
		snprintf(buf, len, "%s", t);
	else
		snprintf(buf, len, "%s (code %u)", t, code);
	return buf;
}

const char *arp_op_name(uint16_t op)
{
	switch (op) {
	case 1: return "request";
	case 2: return "reply";
	case 3: return "rarp request";
	case 4: return "rarp reply";
	case 8: return "inarp request";
	case 9: return "inarp reply";
	}
	return "unknown";
}

const char *ether_type_name(uint16_t type)
{
	switch (type) {
	case 0x0800: return "IPv4";
	case 0x0806: return "ARP";
	case 0x86dd: return "IPv6";
	case 0x8100: return "802.1Q";
	case 0x88a8: return "802.1ad";
	case 0x9100: return "QinQ";
	case 0x8035: return "RARP";
	case 0x88cc: return "LLDP";
	case 0x8847: return "MPLS";
	case 0x8848: return "MPLS multicast";
	case 0x888e: return "EAPOL";
	case 0x8863: return "PPPoE discovery";
	case 0x8864: return "PPPoE session";
	}
	return "";
}

const char *ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case 0: return "HOPOPT";
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPv6";
	case 43: return "IPv6-Route";
	case 44: return "IPv6-Frag";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 59: return "IPv6-NoNxt";
	case 60: return "IPv6-Opts";
	case 112: return "VRRP";
	case 132: return "SCTP";
	}
	return "";
}
