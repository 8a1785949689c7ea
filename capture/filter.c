// SPDX-License-Identifier: GPL-2.0
/*
 * pcap-filter expressions through libpcap: compiled lazily once per link
 * type (a multi-interface pcapng mixes them) and run with
 * pcap_offline_filter on each frame.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "filter.h"
#include "linktype.h"

#define FILTER_MAX_LINKTYPES 8
#define FILTER_SNAPLEN 262144

struct compiled {
	int linktype;
	bool usable;		/* false: expression does not apply here */
	struct bpf_program prog;
};

struct filter {
	char *expr;		/* NULL: match everything */
	struct compiled progs[FILTER_MAX_LINKTYPES];
	int n_progs;
};

static int compile_for(const char *expr, int linktype, struct bpf_program *prog,
		       char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(linktype_to_dlt(linktype), FILTER_SNAPLEN);
	int ret = 0;

	if (!p) {
		snprintf(err, errlen, "filter: cannot open libpcap handle");
		return -ENOMEM;
	}
	if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "filter \"%s\": %s", expr, pcap_geterr(p));
		ret = -EINVAL;
	}
	pcap_close(p);
	return ret;
}

int filter_new(const char *expr, struct filter **out, char *err, size_t errlen)
{
	struct filter *flt = calloc(1, sizeof(*flt));
	struct bpf_program probe;
	int ret;

	if (!flt)
		return -ENOMEM;
	if (expr && *expr) {
		/* Syntax errors are reported now, against Ethernet framing. */
		ret = compile_for(expr, LINKTYPE_ETHERNET, &probe, err, errlen);
		if (ret) {
			free(flt);
			return ret;
		}
		pcap_freecode(&probe);
		flt->expr = strdup(expr);
		if (!flt->expr) {
			free(flt);
			return -ENOMEM;
		}
	}
	*out = flt;
	return 0;
}

static struct compiled *program_for(struct filter *flt, int linktype)
{
	struct compiled *c;
	char err[256];
	int i;

	for (i = 0; i < flt->n_progs; i++)
		if (flt->progs[i].linktype == linktype)
			return &flt->progs[i];
	if (flt->n_progs == FILTER_MAX_LINKTYPES)
		return NULL;
	c = &flt->progs[flt->n_progs++];
	c->linktype = linktype;
	c->usable = compile_for(flt->expr, linktype, &c->prog, err,
				sizeof(err)) == 0;
	if (!c->usable)
		log_warn("%s; frames of link type %d never match", err, linktype);
	return c;
}

bool filter_match(struct filter *flt, const struct frame *f)
{
	struct pcap_pkthdr hdr;
	struct compiled *c;

	if (!flt || !flt->expr)
		return true;
	c = program_for(flt, f->linktype);
	if (!c || !c->usable)
		return false;
	memset(&hdr, 0, sizeof(hdr));
	hdr.caplen = f->caplen;
	hdr.len = f->wirelen;
	return pcap_offline_filter(&c->prog, &hdr, f->data) != 0;
}

void filter_free(struct filter *flt)
{
	int i;

	if (!flt)
		return;
	for (i = 0; i < flt->n_progs; i++)
		if (flt->progs[i].usable)
			pcap_freecode(&flt->progs[i].prog);
	free(flt->expr);
	free(flt);
}
