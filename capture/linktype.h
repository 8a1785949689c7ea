/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Link types as libpcap knows them: the DLT_ value for a file's LINKTYPE_
 * value (what pcap_open_dead wants) and the name for messages.
 */
#ifndef DROPSPOT_LINKTYPE_H
#define DROPSPOT_LINKTYPE_H

#include <stddef.h>

/* The DLT_ value of a LINKTYPE_ value: they differ only for raw IP. */
int linktype_to_dlt(int linktype);

/*
 * libpcap's name of the link type in lower case ("ipnet", "en10mb") into
 * buf, or "" when libpcap does not know it.  Returns buf.
 */
const char *linktype_name(int linktype, char *buf, size_t len);

#endif /* DROPSPOT_LINKTYPE_H */
