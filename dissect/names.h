/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human-readable names for protocol values, shared by every report.
 * (Contract written by the lead; implemented in dissect/names.c.)
 * All return static strings, never NULL.
 */
#ifndef DROPSPOT_NAMES_H
#define DROPSPOT_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "echo request", "echo reply", "dest unreachable", "time exceeded", ... */
const char *icmp_type_name(int family, uint8_t type);
/* "frag needed", "port unreachable", "admin prohibited", "ttl exceeded in
 * transit", ... or "" when the code has no name. */
const char *icmp_code_name(int family, uint8_t type, uint8_t code);
const char *arp_op_name(uint16_t op);		/* "request", "reply", ... */
const char *ether_type_name(uint16_t type);	/* "IPv4", "ARP", "802.1Q", ... or "" */
const char *ip_proto_name(uint8_t proto);	/* "ICMP", "TCP", ... or "" */

/*
 * One phrase for a message, into buf: "echo request", "dest unreachable
 * (frag needed, mtu 1400)", "packet too big (mtu 1280)".  Returns buf.
 */
const char *icmp_describe(char *buf, size_t len, int family, uint8_t type,
			  uint8_t code, uint32_t mtu);

/* True for ICMP/ICMPv6 types that carry a quoted datagram. */
int icmp_is_error(int family, uint8_t type);

#endif /* DROPSPOT_NAMES_H */
