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

/* What a listing says for (l3, hook, family, legacy): parsed once. */
struct nft_decision {
	int l3;
	bool legacy;
	char hook[16];
	char family[8];
	struct drop_nft nft;
};

#define TOOL_KEY_MAX 96

/* Output of another read-only tool (iptables-*-save), per netns. */
struct tool_out {
	uint32_t ino;
	char key[TOOL_KEY_MAX];
	int64_t at_ms;
	char *text;		/* NULL: the run failed */
	size_t len;
};

struct nft_ruleset {
	uint32_t ino;
	int64_t at_ms;
	char *text;
	size_t len;
	struct nft_decision dec[DECISIONS_MAX];
	unsigned int ndec;
};

/* The last listing with counter values of a netns (nft_rules_prime). */
struct nft_counts {
	uint32_t ino;
	char *text;
	size_t len;
};

struct nft_rules {
	struct nft_listing cache[CACHE_MAX];
	struct nft_ruleset sets[CACHE_MAX];
	struct tool_out tools[CACHE_MAX];
	struct nft_counts counts[CACHE_MAX];
	unsigned int n, next, runs, nsets, next_set, ntools, next_tool,
		ncounts;
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
		free(r->tools[i].text);
		free(r->counts[i].text);
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

/* Runs argv (nft, iptables-*-save) in the netns at path; output into
 * *text. */
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
		execvp(argv[0], argv);
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

/* l3 0: br_netfilter hands a bridged frame to the IPv4 or IPv6 hooks by
 * its protocol (net.bridge.bridge-nf-call-iptables / -ip6tables). */
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
	{ "br_nf_pre_routing", 0, "prerouting" },
	{ "br_nf_forward_ip", 0, "forward" },
	{ "br_nf_forward", 0, "forward" },
	{ "br_nf_post_routing", 0, "postrouting" },
	{ "br_nf_forward_arp", 'a', "forward" },
	{ "br_handle_frame", 'b', "prerouting" },
	{ "br_pass_frame_up", 'b', "input" },
	{ "__br_forward", 'b', "forward" },
	{ "br_forward_finish", 'b', "postrouting" },
	{ "arp_rcv", 'a', "input" },
	{ "arp_xmit", 'a', "output" },
	{ "__netif_receive_skb_core", 'n', "ingress" },
	{ "nf_hook_ingress", 'n', "ingress" },
};

/* The name without ".cold", ".part.0", "+0x1a": its length. */
static size_t base_len(const char *fn)
{
	return strcspn(fn, ".+ ");
}

const char *nft_hook_of_caller(const char *fn, int *l3)
{
	size_t n = base_len(fn);
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

/* nf_tables' per-family hook functions (nft_chain_filter.c) call
 * nft_do_chain: the frame names the family of the table. */
static const struct {
	const char *fn;
	const char *family;
} nft_family_fns[] = {
	{ "nft_do_chain_ipv4", "ip" },
	{ "nft_do_chain_ipv6", "ip6" },
	{ "nft_do_chain_inet", "inet" },
	{ "nft_do_chain_inet_ingress", "inet" },
	{ "nft_do_chain_arp", "arp" },
	{ "nft_do_chain_bridge", "bridge" },
	{ "nft_do_chain_netdev", "netdev" },
};

const char *nft_family_of_caller(const char *fn)
{
	size_t n = base_len(fn);
	size_t i;

	for (i = 0; i < sizeof(nft_family_fns) / sizeof(nft_family_fns[0]);
	     i++) {
		if (strlen(nft_family_fns[i].fn) == n &&
		    !memcmp(nft_family_fns[i].fn, fn, n))
			return nft_family_fns[i].family;
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
	bool legacy;		/* an x_tables table (iptables-legacy-save) */
	uint32_t nrules;	/* legacy: rules so far, for their numbers */
};

struct rs_rule {
	uint32_t chain;
	uint64_t handle;	/* legacy: the rule's number in its chain */
	bool drops;		/* verdict drop or reject */
	bool counted;		/* "counter packets N" (a listing without -s) */
	uint64_t packets;
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

/* line[b..e) into out, trimmed, unprintable bytes as '_'. */
static void copy_text(char *out, size_t outlen, const char *line, size_t b,
		      size_t e)
{
	size_t i;

	while (b < e && (line[b] == ' ' || line[b] == '\t'))
		b++;
	while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' ||
			 line[e - 1] == '\r'))
		e--;
	for (i = 0; b + i < e && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)line[b + i];

		out[i] = c >= ' ' && c < 0x7f ? (char)c : '_';
	}
	if (outlen)
		out[i < outlen ? i : outlen - 1] = '\0';
}

/*
 * "counter packets 5 bytes 420" -> "counter": a rule's text is the same
 * whether the listing carried the values or not (-s).
 */
static void strip_counter_values(char *text)
{
	static const char key[] = "counter packets ";
	char *p = strstr(text, key), *q;
	int fields;

	if (!p)
		return;
	q = p + sizeof("counter") - 1;
	/* " packets N bytes M": four words after "counter" */
	for (fields = 0; fields < 4 && *q; fields++) {
		while (*q == ' ')
			q++;
		while (*q && *q != ' ')
			q++;
	}
	memmove(p + sizeof("counter") - 1, q, strlen(q) + 1);
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
				if (!strcmp(w[i], "counter") && i + 2 < k &&
				    !strcmp(w[i + 1], "packets")) {
					r->counted = true;
					r->packets = strtoull(w[i + 2], NULL,
							      10);
				}
			}
			copy_text(r->text, sizeof(r->text), line, 0, e);
			strip_counter_values(r->text);
		}
	}
}

/* The nf hook an iptables built-in chain is registered at, "" if none. */
static const char *xt_chain_hook(const char *chain)
{
	static const char *const names[][2] = {
		{ "PREROUTING", "prerouting" }, { "INPUT", "input" },
		{ "FORWARD", "forward" }, { "OUTPUT", "output" },
		{ "POSTROUTING", "postrouting" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(chain, names[i][0]))
			return names[i][1];
	return "";
}

static struct rs_chain *rs_find(struct rs *rs, const char *family,
				const char *table, const char *chain,
				bool legacy)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		struct rs_chain *c = &rs->chains[i];

		if (c->legacy == legacy && !strcmp(c->family, family) &&
		    !strcmp(c->table, table) && !strcmp(c->name, chain))
			return c;
	}
	return NULL;
}

/*
 * Parses `iptables-legacy-save` output (family "ip" or "ip6") into rs:
 * "*table", ":CHAIN POLICY [p:b]", "-A CHAIN ...", "COMMIT".  Rules are
 * numbered in their chain as iptables -L --line-numbers does.
 */
static void rs_parse_save(struct rs *rs, const char *text, size_t len,
			  const char *family)
{
	char w[RS_WORDS_MAX][RS_WORD_MAX];
	char table[NAME_MAX_] = "";
	size_t pos = 0, i, k;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		struct rs_chain *c;

		pos += n + 1;
		if (!n || line[0] == '#')
			continue;
		k = words(line, n, w);
		if (!k)
			continue;
		if (w[0][0] == '*') {
			copy_name(table, sizeof(table), w[0] + 1);
			continue;
		}
		if (!strcmp(w[0], "COMMIT")) {
			table[0] = '\0';
			continue;
		}
		if (!table[0])
			continue;
		if (w[0][0] == ':' && w[0][1] && k >= 2 &&
		    rs->nchains < RS_CHAINS_MAX) {
			c = &rs->chains[rs->nchains++];
			memset(c, 0, sizeof(*c));
			c->legacy = true;
			copy_name(c->family, sizeof(c->family), family);
			copy_name(c->table, sizeof(c->table), table);
			copy_name(c->name, sizeof(c->name), w[0] + 1);
			if (strcmp(w[1], "-"))	/* a built-in chain */
				copy_name(c->hook, sizeof(c->hook),
					  xt_chain_hook(c->name));
			c->policy_drop = !strcmp(w[1], "DROP");
			continue;
		}
		if (strcmp(w[0], "-A") || k < 2 || rs->nrules >= RS_RULES_MAX)
			continue;
		c = rs_find(rs, family, table, w[1], true);
		if (!c)
			continue;
		{
			struct rs_rule *r = &rs->rules[rs->nrules++];

			memset(r, 0, sizeof(*r));
			r->chain = (uint32_t)(c - rs->chains);
			r->handle = ++c->nrules;
			for (i = 2; i + 1 < k; i++) {
				if (strcmp(w[i], "-j") && strcmp(w[i], "-g") &&
				    strcmp(w[i], "--jump") &&
				    strcmp(w[i], "--goto"))
					continue;
				if (!strcmp(w[i + 1], "DROP") ||
				    !strcmp(w[i + 1], "REJECT"))
					r->drops = true;
				else
					copy_name(r->jump, sizeof(r->jump),
						  w[i + 1]);
			}
			copy_text(r->text, sizeof(r->text), line, 0, n);
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
	out->xt = c->legacy ? DROP_XT_LEGACY : DROP_XT_NONE;
}

/* Which chains may see the packet at (l3, hook): nf_tables base chains
 * of family (any fitting one when NULL), and x_tables built-in chains
 * when legacy. */
static bool chain_at(const struct rs_chain *c, int l3, const char *hook,
		     const char *family, bool legacy)
{
	if (!c->hook[0] || strcmp(c->hook, hook) ||
	    !family_fits(c->family, l3, hook))
		return false;
	if (c->legacy)
		return legacy;
	return !family || !family[0] || !strcmp(c->family, family);
}

static void candidate(struct drop_nft *out, size_t *o, const struct rs *rs,
		      const struct rs_rule *r)
{
	const struct rs_chain *c = &rs->chains[r->chain];

	if (*o + 24 >= sizeof(out->rule))
		return;
	if (c->legacy)
		*o += (size_t)snprintf(out->rule + *o, sizeof(out->rule) - *o,
				       "%siptables-legacy %s %s rule %llu (%s)",
				       *o ? ", " : "candidates: ", c->table,
				       c->name, (unsigned long long)r->handle,
				       r->text);
	else
		*o += (size_t)snprintf(out->rule + *o, sizeof(out->rule) - *o,
				       "%shandle %llu (%s)",
				       *o ? ", " : "candidates: ",
				       (unsigned long long)r->handle, r->text);
	if (*o >= sizeof(out->rule))
		*o = sizeof(out->rule) - 1;
}

/*
 * Marks the chains a packet at (l3, hook) may traverse: the base chains
 * there and the chains they jump to.  Returns the first base chain (NULL:
 * none), the last with a policy drop in *pol and their number in *npol.
 */
static const struct rs_chain *rs_reach(struct rs *rs, int l3, const char *hook,
				       const char *family, bool legacy,
				       const struct rs_chain **pol,
				       size_t *npol)
{
	const struct rs_chain *first = NULL;
	bool grew = true;
	size_t i, j;
	int round;

	*pol = NULL;
	*npol = 0;
	for (i = 0; i < rs->nchains; i++) {
		struct rs_chain *c = &rs->chains[i];

		c->reach = false;
		if (!chain_at(c, l3, hook, family, legacy))
			continue;
		c->reach = true;
		if (!first)
			first = c;
		if (c->policy_drop) {
			(*npol)++;
			*pol = c;
		}
	}
	if (!first)
		return NULL;
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
				    c->legacy == from->legacy &&
				    !strcmp(c->name, r->jump) &&
				    !strcmp(c->table, from->table) &&
				    !strcmp(c->family, from->family)) {
					c->reach = true;
					grew = true;
				}
			}
		}
	}
	return first;
}

/* The attribution to rule r (an nf_tables handle or a legacy number). */
static void set_rule(struct drop_nft *out, const struct rs *rs,
		     const struct rs_rule *r, const char *hook)
{
	const struct rs_chain *c = &rs->chains[r->chain];

	set_from_chain(out, c, hook);
	out->by = DROP_NFT_RULE;
	if (c->legacy) {
		out->xt_num = (uint32_t)r->handle;
		snprintf(out->xt_rule, sizeof(out->xt_rule), "%s", r->text);
		out->rule[0] = '\0';
	} else {
		out->handle = r->handle;
		snprintf(out->rule, sizeof(out->rule), "%s", r->text);
	}
}

static int rs_decide(struct rs *rs, int l3, const char *hook,
		     const char *family, bool legacy, struct drop_nft *out)
{
	const struct rs_rule *only = NULL;
	const struct rs_chain *pol, *first;
	size_t j, ndrop = 0, npol, o = 0;

	memset(out, 0, sizeof(*out));
	out->basis = DROP_NFT_BASIS_RULESET;
	out->by = DROP_NFT_UNKNOWN;
	snprintf(out->hook, sizeof(out->hook), "%s", hook);
	first = rs_reach(rs, l3, hook, family, legacy, &pol, &npol);
	if (!first)
		return 0;
	for (j = 0; j < rs->nrules; j++) {
		const struct rs_rule *r = &rs->rules[j];

		if (!r->drops || !rs->chains[r->chain].reach)
			continue;
		ndrop++;
		only = r;
		candidate(out, &o, rs, r);
	}
	if (ndrop == 1 && !npol) {
		set_rule(out, rs, only, hook);
		return 0;
	}
	if (ndrop == 0 && npol == 1) {
		set_from_chain(out, pol, hook);
		out->by = DROP_NFT_POLICY;
		out->rule[0] = '\0';
		return 0;
	}
	/* ambiguous: say so, name the first chain there, never blame a
	 * legacy table for it (the candidates list says which they are) */
	set_from_chain(out, pol ? pol : first, hook);
	out->xt = DROP_XT_NONE;
	if (npol && o + 16 < sizeof(out->rule))
		snprintf(out->rule + o, sizeof(out->rule) - o, "%s",
			 o ? ", or a policy drop" : "a policy drop");
	return 0;
}

static bool rs_alloc(struct rs *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->chains = calloc(RS_CHAINS_MAX, sizeof(*rs->chains));
	rs->rules = calloc(RS_RULES_MAX, sizeof(*rs->rules));
	return rs->chains && rs->rules;
}

static void rs_release(struct rs *rs)
{
	free(rs->chains);
	free(rs->rules);
}

int nft_ruleset_decide(const char *text, size_t len, const char *legacy4,
		       size_t len4, const char *legacy6, size_t len6, int l3,
		       const char *hook, const char *family, bool legacy,
		       struct drop_nft *out)
{
	struct rs rs = { 0 };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (rs_alloc(&rs) && hook) {
		if (text)
			rs_parse(&rs, text, len);
		if (legacy && legacy4)
			rs_parse_save(&rs, legacy4, len4, "ip");
		if (legacy && legacy6)
			rs_parse_save(&rs, legacy6, len6, "ip6");
		ret = rs_decide(&rs, l3, hook, family, legacy, out);
	}
	rs_release(&rs);
	return ret;
}

/* Packets counted by rule r of now in the listing before, -1 if unknown. */
static int64_t packets_before(const struct rs *before, const struct rs *now,
			      const struct rs_rule *r)
{
	const struct rs_chain *c = &now->chains[r->chain], *b;
	size_t j;

	for (j = 0; j < before->nrules; j++) {
		const struct rs_rule *x = &before->rules[j];

		b = &before->chains[x->chain];
		if (x->handle == r->handle && x->counted &&
		    !strcmp(b->name, c->name) && !strcmp(b->table, c->table) &&
		    !strcmp(b->family, c->family))
			return (int64_t)(x->packets & INT64_MAX);
	}
	return -1;
}

/*
 * Several rules (or rules and a policy) could have dropped it: the drop
 * rules reachable at the hook whose counters grew between two listings.
 * One grew: that rule.  None grew, every one of them counts, and one
 * policy drops: the policy.  Anything else stays undecided (-1).
 */
static int rs_decide_counters(struct rs *before, struct rs *now, int l3,
			      const char *hook, const char *family,
			      struct drop_nft *out)
{
	const struct rs_rule *grew = NULL;
	const struct rs_chain *pol;
	size_t j, ngrew = 0, npol;
	bool all_counted = true;

	if (!rs_reach(now, l3, hook, family, false, &pol, &npol))
		return -1;
	for (j = 0; j < now->nrules; j++) {
		const struct rs_rule *r = &now->rules[j];
		int64_t b;

		if (!r->drops || !now->chains[r->chain].reach)
			continue;
		b = packets_before(before, now, r);
		if (!r->counted || b < 0) {
			all_counted = false;
			continue;
		}
		if (r->packets > (uint64_t)b) {
			ngrew++;
			grew = r;
		}
	}
	memset(out, 0, sizeof(*out));
	if (ngrew == 1) {
		set_rule(out, now, grew, hook);
	} else if (!ngrew && all_counted && npol == 1) {
		set_from_chain(out, pol, hook);
		out->by = DROP_NFT_POLICY;
	} else {
		return -1;
	}
	out->basis = DROP_NFT_BASIS_COUNTERS;
	return 0;
}

int nft_counters_decide(const char *before, size_t blen, const char *now,
			size_t nlen, int l3, const char *hook,
			const char *family, struct drop_nft *out)
{
	struct rs a = { 0 }, b = { 0 };
	int ret = -1;

	if (rs_alloc(&a) && rs_alloc(&b) && before && now && hook) {
		rs_parse(&a, before, blen);
		rs_parse(&b, now, nlen);
		ret = rs_decide_counters(&a, &b, l3, hook, family, out);
	}
	rs_release(&a);
	rs_release(&b);
	return ret;
}

int nft_ruleset_attribute(const char *text, size_t len, int l3,
			  const char *hook, struct drop_nft *out)
{
	if (!text) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return nft_ruleset_decide(text, len, NULL, 0, NULL, 0, l3, hook, NULL,
				  false, out);
}

int nft_ruleset_position(const char *text, size_t len, const char *family,
			 const char *table, const char *chain, uint64_t handle,
			 uint32_t *pos, uint32_t *count)
{
	struct rs rs = { 0 };
	const struct rs_chain *c;
	size_t j;
	int ret = -1;

	*pos = 0;
	*count = 0;
	if (!text || !rs_alloc(&rs))
		goto cleanup;
	rs_parse(&rs, text, len);
	c = rs_find(&rs, family, table, chain, false);
	if (!c)
		goto cleanup;
	for (j = 0; j < rs.nrules; j++) {
		if (rs.rules[j].chain != (uint32_t)(c - rs.chains))
			continue;
		(*count)++;
		if (handle && rs.rules[j].handle == handle && !*pos)
			*pos = *count;
	}
	ret = 0;
cleanup:
	rs_release(&rs);
	return ret;
}

int nft_xt_save_rule(const char *text, size_t len, const char *table,
		     const char *chain, uint32_t num, char *out, size_t outlen,
		     uint32_t *count)
{
	char w[RS_WORDS_MAX][RS_WORD_MAX];
	bool in_table = false, found = false;
	size_t pos = 0;

	*count = 0;
	if (outlen)
		out[0] = '\0';
	if (!text || !table || !chain)
		return -1;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, k;

		pos += n + 1;
		if (!n || line[0] == '#')
			continue;
		/* only the first words matter: -A CHAIN, :CHAIN, *table */
		k = words(line, n < 4 * RS_WORD_MAX ? n : 4 * RS_WORD_MAX, w);
		if (!k)
			continue;
		if (w[0][0] == '*') {
			in_table = !strcmp(w[0] + 1, table);
			continue;
		}
		if (!in_table)
			continue;
		if (w[0][0] == ':' && !strcmp(w[0] + 1, chain)) {
			found = true;
			continue;
		}
		if (k >= 2 && !strcmp(w[0], "-A") && !strcmp(w[1], chain) &&
		    ++*count == num)
			copy_text(out, outlen, line, 0, n);
	}
	return found ? 0 : -1;
}

/* ---- running the tools, cached ------------------------------------- */

#define RULESET_TTL_MS 2000

/* Whether prog is an executable in PATH (execvp's own search). */
static bool in_path(const char *prog)
{
	const char *p = getenv("PATH");
	char buf[512];

	if (!p || !*p)
		p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*p) {
		size_t n = strcspn(p, ":");

		if (n && n + strlen(prog) + 2 <= sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '/';
			strcpy(buf + n + 1, prog);
			if (!access(buf, X_OK))
				return true;
		}
		p += n + (p[n] == ':');
	}
	return false;
}

/* The output of argv in netns ino, cached RULESET_TTL_MS (a failure too,
 * as text NULL); the number of runs is bounded.  Returns 0 or -1. */
static int tool_text(struct nft_rules *r, uint32_t ino, char *const argv[],
		     const char **text, size_t *len)
{
	struct tool_out *t = NULL;
	char key[TOOL_KEY_MAX], path[512];
	size_t o = 0;
	unsigned int i;

	*text = NULL;
	*len = 0;
	for (i = 0; argv[i] && o + 1 < sizeof(key); i++)
		o += (size_t)snprintf(key + o, sizeof(key) - o, "%s ", argv[i]);
	if (o >= sizeof(key))
		o = sizeof(key) - 1;
	key[o] = '\0';
	for (i = 0; i < r->ntools; i++)
		if (r->tools[i].ino == ino && !strcmp(r->tools[i].key, key))
			t = &r->tools[i];
	if (t && now_ms() - t->at_ms <= RULESET_TTL_MS)
		goto out;
	if (r->runs >= NFT_RULES_RUNS_MAX || netns_path(ino, path, sizeof(path)))
		goto out;	/* an older answer, if any, is all there is */
	r->runs++;
	if (!t) {
		t = &r->tools[r->next_tool];
		r->next_tool = (r->next_tool + 1) % CACHE_MAX;
		if (r->ntools < CACHE_MAX)
			r->ntools++;
	}
	free(t->text);
	t->text = NULL;
	t->len = 0;
	t->ino = ino;
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->at_ms = now_ms();
	if (run_nft(path, argv, &t->text, &t->len)) {
		t->text = NULL;
		t->len = 0;
	}
out:
	if (!t || !t->text)
		return -1;
	*text = t->text;
	*len = t->len;
	return 0;
}

/* The counter listing slot of netns ino, a new one when add. */
static struct nft_counts *counts_of(struct nft_rules *r, uint32_t ino,
				    bool add)
{
	unsigned int i;

	for (i = 0; i < r->ncounts; i++)
		if (r->counts[i].ino == ino)
			return &r->counts[i];
	if (!add || r->ncounts >= CACHE_MAX)
		return NULL;
	r->counts[r->ncounts].ino = ino;
	return &r->counts[r->ncounts++];
}

/* `nft -a list ruleset` with the counters' values, as the new slot text. */
static int counts_read(struct nft_rules *r, struct nft_counts *c)
{
	char *argv[] = { "nft", "-a", "list", "ruleset", NULL };
	char path[512], *text;
	size_t len;

	if (r->runs >= NFT_RULES_RUNS_MAX ||
	    netns_path(c->ino, path, sizeof(path)))
		return -1;
	r->runs++;
	if (run_nft(path, argv, &text, &len))
		return -1;
	free(c->text);
	c->text = text;
	c->len = len;
	return 0;
}

int nft_rules_prime(struct nft_rules *r, uint32_t ino)
{
	struct nft_counts *c = r ? counts_of(r, ino, true) : NULL;

	return c ? counts_read(r, c) : -1;
}

/*
 * An undecided attribution (several candidates), decided by the counters
 * that grew since the last listing of the netns; that listing is then the
 * new reference, for the next drop.
 */
static void counters_refine(struct nft_rules *r, uint32_t ino, int l3,
			    const char *hook, const char *family,
			    struct drop_nft *out)
{
	struct nft_counts *c = counts_of(r, ino, false);
	struct drop_nft d;
	char *before;
	size_t blen;

	if (!c || !c->text)
		return;
	before = c->text;
	blen = c->len;
	c->text = NULL;
	if (counts_read(r, c)) {
		c->text = before;
		c->len = blen;
		return;
	}
	if (!nft_counters_decide(before, blen, c->text, c->len, l3, hook,
				 family, &d))
		*out = d;
	free(before);
}

int nft_rules_attribute(struct nft_rules *r, uint32_t ino, int l3,
			const char *hook, const char *family, bool legacy,
			struct drop_nft *out)
{
	struct nft_ruleset *set = NULL;
	char *argv[] = { "nft", "-s", "-a", "list", "ruleset", NULL };
	char *save4[] = { "iptables-legacy-save", NULL };
	char *save6[] = { "ip6tables-legacy-save", NULL };
	const char *t4 = NULL, *t6 = NULL;
	size_t l4 = 0, l6 = 0;
	char path[512];
	unsigned int i;
	char *text;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!r || !hook)
		return -1;
	if (!family)
		family = "";
	for (i = 0; i < r->nsets; i++)
		if (r->sets[i].ino == ino)
			set = &r->sets[i];
	if (!set || now_ms() - set->at_ms > RULESET_TTL_MS) {
		if (r->runs >= NFT_RULES_RUNS_MAX ||
		    netns_path(ino, path, sizeof(path))) {
			if (!set)
				return -1;
			goto decide;
		}
		r->runs++;
		if (run_nft(path, argv, &text, &len)) {
			/* no nft or no ruleset: an empty one (legacy may
			 * still hold the answer) */
			text = NULL;
			len = 0;
		}
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
decide:
	for (i = 0; i < set->ndec; i++) {
		struct nft_decision *dc = &set->dec[i];

		if (dc->l3 == l3 && dc->legacy == legacy &&
		    !strcmp(dc->hook, hook) && !strcmp(dc->family, family)) {
			*out = dc->nft;
			goto refine;
		}
	}
	/* x_tables: only when the free was not in nft_do_chain, and only
	 * the tables this netns has (the save tools read
	 * /proc/net/ip_tables_names first: they instantiate nothing) */
	if (legacy && (l3 == 4 || l3 == 0) && in_path(save4[0]))
		tool_text(r, ino, save4, &t4, &l4);
	if (legacy && (l3 == 6 || l3 == 0) && in_path(save6[0]))
		tool_text(r, ino, save6, &t6, &l6);
	if (!set->text && !t4 && !t6)
		return -1;
	if (nft_ruleset_decide(set->text, set->len, t4, l4, t6, l6, l3, hook,
			       family, legacy, out))
		return -1;
	if (set->ndec < DECISIONS_MAX) {
		struct nft_decision *dc = &set->dec[set->ndec++];

		dc->l3 = l3;
		dc->legacy = legacy;
		snprintf(dc->hook, sizeof(dc->hook), "%s", hook);
		snprintf(dc->family, sizeof(dc->family), "%s", family);
		dc->nft = *out;
	}
refine:
	if (out->by == DROP_NFT_UNKNOWN && out->xt != DROP_XT_LEGACY)
		counters_refine(r, ino, l3, hook, family, out);
	return 0;
}

/* The tables iptables-nft manages, by name (libxtables' builtin tables). */
static bool xt_table_name(const char *t)
{
	return !strcmp(t, "filter") || !strcmp(t, "nat") ||
	       !strcmp(t, "mangle") || !strcmp(t, "raw") ||
	       !strcmp(t, "security");
}

int nft_rules_iptables(struct nft_rules *r, uint32_t ino, struct drop_nft *n)
{
	bool v6 = n->family[0] && !strcmp(n->family, "ip6");
	char tool[24];
	char *argv[] = { tool, "-t", n->table, NULL };
	char *list[] = { "nft", "-s", "-a", "list", "ruleset", NULL };
	const char *text, *save;
	size_t len, slen;
	uint32_t pos = 0, count = 0, scount = 0;

	if (!r || n->xt != DROP_XT_NONE ||
	    (n->by != DROP_NFT_RULE && n->by != DROP_NFT_POLICY) ||
	    (strcmp(n->family, "ip") && !v6) || !xt_table_name(n->table) ||
	    !name_ok(n->chain))
		return -1;
	if (n->by == DROP_NFT_RULE) {
		if (tool_text(r, ino, list, &text, &len) ||
		    nft_ruleset_position(text, len, n->family, n->table,
					 n->chain, n->handle, &pos, &count) ||
		    !pos)
			return -1;
	}
	snprintf(tool, sizeof(tool), "%s", v6 ? "ip6tables-nft-save" :
						"iptables-nft-save");
	if (!in_path(tool)) {
		/* no iptables here: the names are iptables' all the same */
		n->xt = DROP_XT_NFT;
		n->xt_num = pos;
		return 0;
	}
	if (tool_text(r, ino, argv, &save, &slen) ||
	    nft_xt_save_rule(save, slen, n->table, n->chain, pos, n->xt_rule,
			     sizeof(n->xt_rule), &scount))
		return -1;	/* a table iptables-nft does not take */
	n->xt = DROP_XT_NFT;
	n->xt_num = pos;
	/* matched by position: only when both count the chain the same */
	if (n->by == DROP_NFT_RULE && scount != count)
		n->xt_rule[0] = '\0';
	if (n->by == DROP_NFT_POLICY)
		n->xt_rule[0] = '\0';
	return 0;
}
