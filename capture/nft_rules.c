// SPDX-License-Identifier: GPL-2.0
/*
 * Rule text lookup for netfilter drop attributions (nft_rules.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nft_rules.h"

#define NETNS_DIR_ "/var/run/netns"
#define CACHE_MAX 16
#define NAME_MAX_ 64
#define RUN_TIMEOUT_MS 2000

struct nft_listing {
	uint32_t ino;
	char family[8];
	char table[NAME_MAX_];
	char chain[NAME_MAX_];
	char *text;
	size_t len;
};

#define DECISIONS_MAX 8

/* What a listing says for (l3, hook): parsed once per listing. */
struct nft_decision {
	int l3;
	char hook[16];
	struct drop_nft nft;
};

struct nft_ruleset {
	uint32_t ino;
	int64_t at_ms;
	char *text;
	size_t len;
	struct nft_decision dec[DECISIONS_MAX];
	unsigned int ndec;
};

struct nft_rules {
	struct nft_listing cache[CACHE_MAX];
	struct nft_ruleset sets[CACHE_MAX];
	unsigned int n, next, runs, nsets, next_set;
};

struct nft_rules *nft_rules_new(void)
{
	return calloc(1, sizeof(struct nft_rules));
}

void nft_rules_free(struct nft_rules *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < CACHE_MAX; i++) {
		free(r->cache[i].text);
		free(r->sets[i].text);
	}
	free(r);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The handle at the end of line[0..n): "# handle N" then blanks. */
static bool line_handle(const char *line, size_t n, uint64_t *h,
			size_t *text_end)
{
	static const char tag[] = "# handle ";
	const size_t tl = sizeof(tag) - 1;
	size_t i, end = n, start;
	uint64_t v = 0;

	while (end && (line[end - 1] == ' ' || line[end - 1] == '\t' ||
		       line[end - 1] == '\r'))
		end--;
	start = end;
	while (start && is_digit(line[start - 1]))
		start--;
	if (start == end || end - start > 19 || start < tl ||
	    memcmp(line + start - tl, tag, tl))
		return false;
	for (i = start; i < end; i++)
		v = v * 10 + (uint64_t)(line[i] - '0');
	*h = v;
	*text_end = start - tl;
	return true;
}

int nft_rules_parse(const char *text, size_t len, uint64_t handle, char *out,
		    size_t outlen)
{
	size_t pos = 0;

	if (outlen)
		out[0] = '\0';
	if (!text || !outlen || !handle)
		return -1;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t b = 0, e, o = 0, i;
		uint64_t h;

		pos += n + 1;
		if (!line_handle(line, n, &h, &e) || h != handle)
			continue;
		while (b < e && (line[b] == ' ' || line[b] == '\t'))
			b++;
		while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t'))
			e--;
		/* a table, chain or set header, not a rule */
		if (e == b || line[e - 1] == '{')
			continue;
		for (i = b; i < e && o + 1 < outlen; i++) {
			unsigned char c = (unsigned char)line[i];

			out[o++] = c >= ' ' && c < 0x7f ? (char)c : '_';
		}
		out[o] = '\0';
		return 0;
	}
	return -1;
}

/* A path to the netns with inode ino: "" for our own, else a name in
 * /var/run/netns.  Returns 0 or -1. */
static int netns_path(uint32_t ino, char *path, size_t n)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	path[0] = '\0';
	if (!stat("/proc/self/ns/net", &st) && (uint32_t)st.st_ino == ino)
		return 0;
	d = opendir(NETNS_DIR_);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    strlen(de->d_name) + sizeof(NETNS_DIR_) + 1 > n)
			continue;
		snprintf(path, n, NETNS_DIR_ "/%s", de->d_name);
		if (!stat(path, &st) && (uint32_t)st.st_ino == ino) {
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	path[0] = '\0';
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs nft -a list chain in the netns at path; output into *text. */
static int run_nft(const char *path, char *const argv[], char **text,
		   size_t *len)
{
	int64_t deadline = now_ms() + RUN_TIMEOUT_MS;
	char *buf = malloc(NFT_RULES_OUT_MAX);
	size_t got = 0;
	int pfd[2], status;
	pid_t pid;

	if (!buf)
		return -1;
	if (pipe2(pfd, O_CLOEXEC)) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		int fd, nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (path[0]) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWNET))
				_exit(127);
		}
		if (dup2(pfd[1], 1) < 0 || (nul >= 0 && dup2(nul, 2) < 0) ||
		    (nul >= 0 && dup2(nul, 0) < 0))
			_exit(127);
		execvp("nft", argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			if (errno == EINTR && left > 0)
				continue;
			kill(pid, SIGKILL);
			break;
		}
		if (got == NFT_RULES_OUT_MAX) {
			kill(pid, SIGKILL);	/* bounded: the rest is dropped */
			break;
		}
		r = read(pfd[0], buf + got, NFT_RULES_OUT_MAX - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got) {
		free(buf);
		return -1;
	}
	*text = buf;
	*len = got;
	return 0;
}

/* nft takes names from argv: refuse what it would read as an option. */
static bool name_ok(const char *s)
{
	return s[0] && s[0] != '-' && strlen(s) < NAME_MAX_;
}

static struct nft_listing *find(struct nft_rules *r, uint32_t ino,
				const char *family, const char *table,
				const char *chain)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		struct nft_listing *l = &r->cache[i];

		if (l->ino == ino && !strcmp(l->family, family) &&
		    !strcmp(l->table, table) && !strcmp(l->chain, chain))
			return l;
	}
	return NULL;
}

int nft_rules_lookup(struct nft_rules *r, uint32_t ino, const char *family,
		     const char *table, const char *chain, uint64_t handle,
		     char *out, size_t len)
{
	struct nft_listing *l;
	char path[512];
	char *text;
	size_t tlen;

	if (len)
		out[0] = '\0';
	if (!r || !handle || !name_ok(family) || !name_ok(table) ||
	    !name_ok(chain) || strlen(family) >= sizeof(l->family))
		return -1;
	l = find(r, ino, family, table, chain);
	if (l && !nft_rules_parse(l->text, l->len, handle, out, len))
		return 0;
	/* not listed yet, or a rule added since: list again, bounded */
	if (r->runs >= NFT_RULES_RUNS_MAX || netns_path(ino, path, sizeof(path)))
		return -1;
	r->runs++;
	{
		char *argv[] = { "nft", "-s", "-a", "list", "chain",
				 (char *)family,
				 (char *)table, (char *)chain, NULL };

		if (run_nft(path, argv, &text, &tlen))
			return -1;
	}
	if (!l) {
		l = &r->cache[r->next];
		r->next = (r->next + 1) % CACHE_MAX;
		if (r->n < CACHE_MAX)
			r->n++;
	}
	free(l->text);
	l->ino = ino;
	snprintf(l->family, sizeof(l->family), "%s", family);
	snprintf(l->table, sizeof(l->table), "%s", table);
	snprintf(l->chain, sizeof(l->chain), "%s", chain);
	l->text = text;
	l->len = tlen;
	return nft_rules_parse(text, tlen, handle, out, len);
}

/* ---- the ruleset, when the kernel did not name the chain -------------- */

struct hook_caller {
	const char *fn;
	int l3;
	const char *hook;
};

static const struct hook_caller callers[] = {
	{ "ip_rcv", 4, "prerouting" },
	{ "ip_sublist_rcv", 4, "prerouting" },
	{ "ip_list_rcv", 4, "prerouting" },
	{ "ip_local_deliver", 4, "input" },
	{ "ip_forward", 4, "forward" },
	{ "__ip_local_out", 4, "output" },
	{ "ip_local_out", 4, "output" },
	{ "ip_output", 4, "postrouting" },
	{ "ip_mc_output", 4, "postrouting" },
	{ "ipv6_rcv", 6, "prerouting" },
	{ "ip6_sublist_rcv", 6, "prerouting" },
	{ "ipv6_list_rcv", 6, "prerouting" },
	{ "ip6_input", 6, "input" },
	{ "ip6_forward", 6, "forward" },
	{ "__ip6_local_out", 6, "output" },
	{ "ip6_local_out", 6, "output" },
	{ "ip6_xmit", 6, "output" },
	{ "ndisc_send_skb", 6, "output" },
	{ "mld_sendpack", 6, "output" },
	{ "ip6_output", 6, "postrouting" },
	{ "br_handle_frame", 'b', "prerouting" },
	{ "br_pass_frame_up", 'b', "input" },
	{ "__br_forward", 'b', "forward" },
	{ "br_forward_finish", 'b', "postrouting" },
	{ "arp_rcv", 'a', "input" },
	{ "arp_xmit", 'a', "output" },
	{ "__netif_receive_skb_core", 'n', "ingress" },
	{ "nf_hook_ingress", 'n', "ingress" },
};

const char *nft_hook_of_caller(const char *fn, int *l3)
{
	size_t n = strcspn(fn, ".+ ");	/* "ip_forward.cold", "x+0x1a" */
	size_t i;

	for (i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
		if (strlen(callers[i].fn) == n &&
		    !memcmp(callers[i].fn, fn, n)) {
			*l3 = callers[i].l3;
			return callers[i].hook;
		}
	}
	return NULL;
}

#define RS_CHAINS_MAX 512
#define RS_RULES_MAX 8192
#define RS_WORDS_MAX 48
#define RS_WORD_MAX 64

struct rs_chain {
	char family[8];
	char table[NAME_MAX_];
	char name[NAME_MAX_];
	char hook[16];		/* "" = regular chain */
	bool policy_drop;
	bool reach;
};

struct rs_rule {
	uint32_t chain;
	uint64_t handle;
	bool drops;		/* verdict drop or reject */
	char jump[NAME_MAX_];	/* jump/goto target, "" = none */
	char text[DROP_NFT_RULE_MAX];
};

struct rs {
	struct rs_chain *chains;
	struct rs_rule *rules;
	size_t nchains, nrules;
};

/* Splits line[0..n) into words (quotes stripped), at most RS_WORDS_MAX. */
static size_t words(const char *line, size_t n, char w[][RS_WORD_MAX])
{
	size_t i = 0, k = 0;

	while (i < n && k < RS_WORDS_MAX) {
		size_t o = 0;

		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n)
			break;
		while (i < n && line[i] != ' ' && line[i] != '\t') {
			if (line[i] != '"' && o + 1 < RS_WORD_MAX)
				w[k][o++] = line[i];
			i++;
		}
		w[k][o] = '\0';
		if (o)
			k++;
	}
	return k;
}

static void copy_name(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < n; i++)
		dst[i] = (unsigned char)src[i] > ' ' &&
				 (unsigned char)src[i] < 0x7f ? src[i] : '_';
	dst[i] = '\0';
}

/* Parses an `nft -a list ruleset` listing into rs (bounded, untrusted). */
static void rs_parse(struct rs *rs, const char *text, size_t len)
{
	char w[RS_WORDS_MAX][RS_WORD_MAX];
	char family[8] = "", table[NAME_MAX_] = "";
	int depth = 0;
	bool in_chain = false;
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t k, i, e;
		uint64_t h;

		pos += n + 1;
		k = words(line, n, w);
		if (!k)
			continue;
		if (!strcmp(w[0], "}")) {
			if (depth > 0)
				depth--;
			if (depth <= 1)
				in_chain = false;
			continue;
		}
		if (depth == 0 && k >= 4 && !strcmp(w[0], "table") &&
		    !strcmp(w[3], "{")) {
			copy_name(family, sizeof(family), w[1]);
			copy_name(table, sizeof(table), w[2]);
			depth = 1;
			continue;
		}
		if (depth == 1 && k >= 2 && strcmp(w[k - 1], "{") &&
		    !line_handle(line, n, &h, &e))
			continue;
		if (depth == 1) {
			/* "chain NAME {" or another block (set, map...) */
			bool open = false;

			for (i = 0; i < k; i++)
				if (!strcmp(w[i], "{"))
					open = true;
			if (!open)
				continue;
			depth = 2;
			in_chain = !strcmp(w[0], "chain") && k >= 2 &&
				   rs->nchains < RS_CHAINS_MAX;
			if (in_chain) {
				struct rs_chain *c = &rs->chains[rs->nchains++];

				memset(c, 0, sizeof(*c));
				copy_name(c->family, sizeof(c->family), family);
				copy_name(c->table, sizeof(c->table), table);
				copy_name(c->name, sizeof(c->name), w[1]);
			}
			continue;
		}
		if (depth >= 2) {
			int net = 0;

			for (i = 0; i < k; i++) {
				if (!strcmp(w[i], "{"))
					net++;
				else if (!strcmp(w[i], "}"))
					net--;
			}
			depth += net;
			if (depth < 2)
				depth = 2;
			if (depth > 64)
				depth = 64;
		}
		if (!in_chain || depth != 2 || !rs->nchains)
			continue;
		if (!strcmp(w[0], "type")) {
			struct rs_chain *c = &rs->chains[rs->nchains - 1];

			for (i = 1; i + 1 < k; i++) {
				if (!strcmp(w[i], "hook"))
					copy_name(c->hook, sizeof(c->hook),
						  w[i + 1]);
				if (!strcmp(w[i], "policy"))
					c->policy_drop =
						!strncmp(w[i + 1], "drop", 4);
			}
			continue;
		}
		if (!line_handle(line, n, &h, &e) || rs->nrules >= RS_RULES_MAX)
			continue;
		{
			struct rs_rule *r = &rs->rules[rs->nrules++];
			size_t b = 0;

			memset(r, 0, sizeof(*r));
			r->chain = (uint32_t)(rs->nchains - 1);
			r->handle = h;
			for (i = 0; i < k; i++) {
				if (!strcmp(w[i], "#"))
					break;
				if (!strcmp(w[i], "drop") ||
				    !strcmp(w[i], "reject"))
					r->drops = true;
				if ((!strcmp(w[i], "jump") ||
				     !strcmp(w[i], "goto")) && i + 1 < k)
					copy_name(r->jump, sizeof(r->jump),
						  w[i + 1]);
			}
			while (b < e && (line[b] == ' ' || line[b] == '\t'))
				b++;
			while (e > b && line[e - 1] == ' ')
				e--;
			for (i = 0; b + i < e && i + 1 < sizeof(r->text); i++) {
				unsigned char c = (unsigned char)line[b + i];

				r->text[i] = c >= ' ' && c < 0x7f ? (char)c : '_';
			}
			r->text[i] = '\0';
		}
	}
}

static bool family_fits(const char *fam, int l3, const char *hook)
{
	switch (l3) {
	case 4:
		return !strcmp(fam, "ip") || !strcmp(fam, "inet");
	case 6:
		return !strcmp(fam, "ip6") || !strcmp(fam, "inet");
	case 'b':
		return !strcmp(fam, "bridge");
	case 'a':
		return !strcmp(fam, "arp");
	case 'n':
		return !strcmp(fam, "netdev") ||
		       (!strcmp(fam, "inet") && !strcmp(hook, "ingress"));
	}
	return false;
}

static void set_from_chain(struct drop_nft *out, const struct rs_chain *c,
			   const char *hook)
{
	snprintf(out->family, sizeof(out->family), "%s", c->family);
	snprintf(out->table, sizeof(out->table), "%s", c->table);
	snprintf(out->chain, sizeof(out->chain), "%s", c->name);
	snprintf(out->hook, sizeof(out->hook), "%s", hook);
}

static int rs_decide(struct rs *rs, int l3, const char *hook,
		     struct drop_nft *out)
{
	const struct rs_rule *only = NULL;
	const struct rs_chain *pol = NULL, *first = NULL;
	size_t i, j, ndrop = 0, npol = 0, o = 0;
	bool grew = true;
	int round;

	memset(out, 0, sizeof(*out));
	out->basis = DROP_NFT_BASIS_RULESET;
	out->by = DROP_NFT_UNKNOWN;
	snprintf(out->hook, sizeof(out->hook), "%s", hook);
	for (i = 0; i < rs->nchains; i++) {
		struct rs_chain *c = &rs->chains[i];

		if (!c->hook[0] || strcmp(c->hook, hook) ||
		    !family_fits(c->family, l3, hook))
			continue;
		c->reach = true;
		if (!first)
			first = c;
		if (c->policy_drop) {
			npol++;
			pol = c;
		}
	}
	if (!first)
		return 0;
	/* the chains they jump to, same table, bounded rounds */
	for (round = 0; grew && round < 8; round++) {
		grew = false;
		for (j = 0; j < rs->nrules; j++) {
			const struct rs_rule *r = &rs->rules[j];
			const struct rs_chain *from = &rs->chains[r->chain];

			if (!r->jump[0] || !from->reach)
				continue;
			for (i = 0; i < rs->nchains; i++) {
				struct rs_chain *c = &rs->chains[i];

				if (!c->reach && !c->hook[0] &&
				    !strcmp(c->name, r->jump) &&
				    !strcmp(c->table, from->table) &&
				    !strcmp(c->family, from->family)) {
					c->reach = true;
					grew = true;
				}
			}
		}
	}
	for (j = 0; j < rs->nrules; j++) {
		const struct rs_rule *r = &rs->rules[j];

		if (!r->drops || !rs->chains[r->chain].reach)
			continue;
		ndrop++;
		only = r;
		if (o + 24 < sizeof(out->rule))
			o += (size_t)snprintf(out->rule + o,
					      sizeof(out->rule) - o,
					      "%shandle %llu (%s)",
					      o ? ", " : "candidates: ",
					      (unsigned long long)r->handle,
					      r->text);
		if (o >= sizeof(out->rule))
			o = sizeof(out->rule) - 1;
	}
	if (ndrop == 1 && !npol) {
		const struct rs_chain *c = &rs->chains[only->chain];

		set_from_chain(out, c, hook);
		out->by = DROP_NFT_RULE;
		out->handle = only->handle;
		snprintf(out->rule, sizeof(out->rule), "%s", only->text);
		return 0;
	}
	if (ndrop == 0 && npol == 1) {
		set_from_chain(out, pol, hook);
		out->by = DROP_NFT_POLICY;
		out->rule[0] = '\0';
		return 0;
	}
	/* ambiguous: say so, name the first chain there */
	set_from_chain(out, pol ? pol : first, hook);
	if (npol && o + 16 < sizeof(out->rule))
		snprintf(out->rule + o, sizeof(out->rule) - o, "%s",
			 o ? ", or a policy drop" : "a policy drop");
	return 0;
}

int nft_ruleset_attribute(const char *text, size_t len, int l3,
			  const char *hook, struct drop_nft *out)
{
	struct rs rs = { 0 };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	rs.chains = calloc(RS_CHAINS_MAX, sizeof(*rs.chains));
	rs.rules = calloc(RS_RULES_MAX, sizeof(*rs.rules));
	if (rs.chains && rs.rules && text && hook) {
		rs_parse(&rs, text, len);
		ret = rs_decide(&rs, l3, hook, out);
	}
	free(rs.chains);
	free(rs.rules);
	return ret;
}

#define RULESET_TTL_MS 2000

int nft_rules_attribute(struct nft_rules *r, uint32_t ino, int l3,
			const char *hook, struct drop_nft *out)
{
	struct nft_ruleset *set = NULL;
	char *argv[] = { "nft", "-s", "-a", "list", "ruleset", NULL };
	char path[512];
	unsigned int i;
	char *text;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!r || !hook)
		return -1;
	for (i = 0; i < r->nsets; i++)
		if (r->sets[i].ino == ino)
			set = &r->sets[i];
	if (!set || now_ms() - set->at_ms > RULESET_TTL_MS) {
		if (r->runs >= NFT_RULES_RUNS_MAX ||
		    netns_path(ino, path, sizeof(path)))
			return set ? nft_ruleset_attribute(set->text, set->len,
							   l3, hook, out) : -1;
		r->runs++;
		if (run_nft(path, argv, &text, &len))
			return -1;
		if (!set) {
			set = &r->sets[r->next_set];
			r->next_set = (r->next_set + 1) % CACHE_MAX;
			if (r->nsets < CACHE_MAX)
				r->nsets++;
		}
		free(set->text);
		set->ino = ino;
		set->text = text;
		set->len = len;
		set->at_ms = now_ms();
		set->ndec = 0;
	}
	for (i = 0; i < set->ndec; i++) {
		if (set->dec[i].l3 == l3 && !strcmp(set->dec[i].hook, hook)) {
			*out = set->dec[i].nft;
			return 0;
		}
	}
	if (nft_ruleset_attribute(set->text, set->len, l3, hook, out))
		return -1;
	if (set->ndec < DECISIONS_MAX) {
		set->dec[set->ndec].l3 = l3;
		snprintf(set->dec[set->ndec].hook,
			 sizeof(set->dec[set->ndec].hook), "%s", hook);
		set->dec[set->ndec++].nft = *out;
	}
	return 0;
}
