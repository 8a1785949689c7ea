// SPDX-License-Identifier: GPL-2.0
/*
 * Link types through libpcap, whose names are the ones users meet in
 * tcpdump -L, tshark and the pcap-linktype man page.
 */
#include <ctype.h>
#include <pcap/pcap.h>
#include <stdio.h>

#include "linktype.h"
#include "common/point.h"

int linktype_to_dlt(int linktype)
{
	if (linktype == LINKTYPE_RAW || linktype == LINKTYPE_RAW_DLT12 ||
	    linktype == LINKTYPE_RAW_DLT14)
		return DLT_RAW;
	return linktype;
}

const char *linktype_name(int linktype, char *buf, size_t len)
{
	const char *name = NULL;
	size_t i;

	if (!len)
		return buf;
	if (linktype >= 0)
		name = pcap_datalink_val_to_name(linktype_to_dlt(linktype));
	snprintf(buf, len, "%s", name ? name : "");
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}
