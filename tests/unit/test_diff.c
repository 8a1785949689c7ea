// SPDX-License-Identifier: GPL-2.0
/*
 * `dropspot diff` below the command line: the JSON parser on valid and
 * hostile documents (every prefix of a report must fail cleanly), the report
 * reader's messages, the threshold syntax, and the comparison of crafted
 * reports that differ in one thing each (drop point, kernel reason, NAT,
 * neighbour, latency), read through diff_json() output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/diff.h"
#include "check.h"
#include "common/json.h"

/* ---- JSON parser ------------------------------------------------------ */

static bool parses(const char *s)
{
	char err[256];
	struct json_doc *d = json_parse(s, strlen(s), err, sizeof(err));

	json_free(d);
	return d != NULL;
}

static void test_json_values(void)
{
	const char *s = "{\"a\":[1,2.5,-3e2,true,false,null,"
			"\"\\u00e9\\ud83d\\ude00\\n\"],\"b\":18446744073709551615,"
			"\"a\":2}";
	const struct json *r, *a, *m;
	struct json_doc *d;
	char err[256];

	d = json_parse(s, strlen(s), err, sizeof(err));
	CHECK(d != NULL);
	if (!d)
		return;
	r = json_root(d);
	a = json_get(r, "a");	/* the first of duplicate keys */
	CHECK(a && a->type == JSON_ARRAY && a->len == 7);
	m = a ? a->child : NULL;
	CHECK(m && m->is_u64 && m->u64 == 1);
	m = m ? m->next : NULL;
	CHECK(m && !m->is_u64 && m->num == 2.5);
	m = m ? m->next : NULL;
	CHECK(m && !m->is_u64 && m->num == -300);
	m = m ? m->next : NULL;
	CHECK(m && m->type == JSON_BOOL && m->boolean);
	while (m && m->next)
		m = m->next;
	CHECK(m && m->type == JSON_STRING &&
	      !strcmp(m->str, "\xc3\xa9\xf0\x9f\x98\x80\n") && m->len == 7);
	m = json_get(r, "b");
	CHECK(m && m->is_u64 && m->u64 == UINT64_MAX);
	CHECK(json_get(r, "nope") == NULL);
	json_free(d);
}

static void test_json_invalid(void)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "{\"a\":1,}", "[1 2]", "[1,]", "{\"a\" 1}",
		"{a:1}", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"\\ud800\\u0041\"", "01", "-", "1.", "1e", "+1", ".5",
		"\"\x01\"", "\"\xc3\x28\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"",
		"\"\\x\"", "\"abc", "tru", "nul", "[] []", "{\"a\":1}x",
		"\"\\u12\"", "NaN",
		("[1e999999999999999999999999999999999999999"
		 "9999999999999999999999]"),
	};
	char deep[200], err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = parses(bad[i]);

		if (ok)
			fprintf(stderr, "parsed but should not: '%s'\n", bad[i]);
		CHECK(!ok);
	}
	CHECK(parses("  [1e5, -0, 0.5e-3, \"\xc3\xa9\", {}]  "));
	CHECK(parses("\xef\xbb\xbf{}"));
	/* nesting: JSON_MAX_DEPTH levels parse, one more does not */
	memset(deep, '[', JSON_MAX_DEPTH);
	memset(deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	deep[2 * JSON_MAX_DEPTH] = 0;
	CHECK(parses(deep));
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	deep[2 * JSON_MAX_DEPTH + 2] = 0;
	CHECK(!parses(deep));
	CHECK(json_parse("{\"a\":", 5, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "unexpected end at byte 5") != NULL);
	CHECK(json_parse("[1,x]", 5, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "at byte 3") != NULL);
}

/* ---- crafted reports ------------------------------------------------ */

#define POINTS                                                               \
	"\"points\":[{\"id\":0,\"name\":\"run.pcapng:tap0\",\"source\":"     \
	"\"run.pcapng\"},{\"id\":1,\"name\":\"run.pcapng:br0\",\"source\":"  \
	"\"run.pcapng\"},{\"id\":2,\"name\":\"run.pcapng:up0\",\"source\":"  \
	"\"run.pcapng\"}]"

/* One flow guest > host: probes, answered, lost, rtt median ms. */
static int flow_json(char *buf, size_t n, int probes, int answered,
		     double rtt_med)
{
	return snprintf(buf, n,
		"{\"id\":0,\"family\":4,\"src\":\"10.0.0.2\",\"dst\":\"10.0.0.1\","
		"\"probes\":%d,\"answered\":%d,\"lost\":%d,\"unfinished\":0,"
		"\"path\":[0,1],\"latency\":{\"rtt\":{\"n\":%d,\"median_ms\":%g,"
		"\"p99_ms\":%g},\"hops\":[{\"from\":0,\"to\":1,\"direction\":"
		"\"request\",\"n\":%d,\"median_ms\":0.001,\"p99_ms\":0.002},"
		"{\"from\":1,\"to\":1,\"direction\":\"turnaround\",\"n\":%d,"
		"\"median_ms\":%g,\"p99_ms\":%g}]}}",
		probes, answered, probes - answered, answered, rtt_med,
		rtt_med * 1.5, answered, answered, rtt_med * 0.9, rtt_med * 1.4);
}

#define DROP(reason)                                                         \
	"{\"kind\":\"drop\",\"severity\":\"error\",\"summary\":\"lost at br0\"," \
	"\"cause\":\"firewall\",\"count\":4,\"location\":{\"after\":1,"       \
	"\"after_name\":\"br0\",\"before\":null,\"before_name\":null,"        \
	"\"direction\":\"request\"},\"details\":{\"flow\":\"10.0.0.2 > "     \
	"10.0.0.1\",\"kernel_reason\":\"" reason "\"},\"evidence\":[]}"

#define NAT(src_after, id)                                                   \
	"{\"kind\":\"nat_rewrite\",\"severity\":\"info\",\"summary\":\"nat\"," \
	"\"cause\":\"\",\"count\":4,\"location\":{\"after\":1,\"before\":2,"  \
	"\"direction\":\"request\"},\"details\":{\"src_before\":\"10.0.0.2\"," \
	"\"dst_before\":\"10.0.0.1\",\"src_after\":\"" src_after "\","       \
	"\"dst_after\":\"10.0.0.1\",\"id_before\":" id ",\"id_after\":7}}"

#define ARP(at)                                                              \
	"{\"kind\":\"arp_unanswered\",\"severity\":\"warning\",\"summary\":"  \
	"\"nobody owns 10.0.0.9\",\"cause\":\"\",\"count\":3,\"location\":"   \
	"{\"after\":" at ",\"before\":null,\"direction\":null},\"details\":"  \
	"{\"target\":\"10.0.0.9\",\"requests\":" at "}}"

#define GRAT                                                                 \
	"{\"kind\":\"gratuitous_arp\",\"severity\":\"info\",\"summary\":"     \
	"\"announce\",\"cause\":\"\",\"count\":1,\"location\":{\"after\":0,"  \
	"\"before\":null,\"direction\":null},\"details\":{\"address\":"       \
	"\"10.0.0.2\",\"mac\":\"02:00:00:00:00:02\"}}"

static char *report(int probes, int answered, double rtt, const char *findings)
{
	char flow[1024];
	size_t n = 4096 + strlen(findings);
	char *buf = malloc(n);

	if (!buf)
		abort();
	flow_json(flow, sizeof(flow), probes, answered, rtt);
	snprintf(buf, n,
		 "{\"schema\":\"dropspot.report\",\"version\":1,\"verdict\":\"v\","
		 "\"summary\":{\"packets\":9,\"probes\":%d,\"answered\":%d,"
		 "\"lost\":%d,\"unfinished\":0},%s,\"flows\":[%s],\"probes\":[],"
		 "\"findings\":[%s],\"future_key\":{\"x\":[1]}}",
		 probes, answered, probes - answered, POINTS, flow, findings);
	return buf;
}

static struct diff_summary *load(const char *s)
{
	char err[256];
	struct diff_summary *sum = diff_summary_from_json(s, strlen(s), err,
							  sizeof(err));

	if (!sum)
		fprintf(stderr, "load failed: %s\n", err);
	return sum;
}

struct outcome {
	struct json_doc *doc;
	const struct json *changes;
	bool regression;
	size_t n;
};

/* diff A B with a threshold ("" = default), its JSON output parsed. */
static void compare(const char *ja, const char *jb, const char *thr,
		    struct outcome *out)
{
	struct diff_summary *a = load(ja), *b = load(jb);
	struct diff_side sa = { "a.json", "report", a };
	struct diff_side sb = { "b.json", "report", b };
	struct diff_result *r = NULL;
	struct diff_opts o;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *fp;

	memset(out, 0, sizeof(*out));
	diff_opts_default(&o);
	if (thr[0])
		CHECK(diff_parse_threshold(thr, &o) == 0);
	CHECK(a && b);
	if (!a || !b)
		goto cleanup;
	r = diff_compare(&sa, &sb, &o);
	CHECK(r != NULL);
	if (!r)
		goto cleanup;
	out->regression = diff_regression(r);
	out->n = diff_changes(r);
	fp = open_memstream(&buf, &len);
	CHECK(fp && diff_json(r, fp) == 0);
	if (fp)
		fclose(fp);
	out->doc = json_parse(buf, len, err, sizeof(err));
	CHECK(out->doc != NULL);
	if (out->doc)
		out->changes = json_get(json_root(out->doc), "changes");
cleanup:
	free(buf);
	diff_result_free(r);
	diff_summary_free(a);
	diff_summary_free(b);
}

static const char *str_at(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->str : "";
}

/* The i-th change has this category, change and regression flag. */
static bool change_is(const struct outcome *o, size_t i, const char *cat,
		      const char *change, bool regression)
{
	const struct json *c = o->changes ? o->changes->child : NULL;
	const struct json *reg;

	while (c && i--)
		c = c->next;
	if (!c)
		return false;
	reg = json_get(c, "regression");
	if (strcmp(str_at(c, "category"), cat) ||
	    strcmp(str_at(c, "change"), change) || !reg ||
	    reg->boolean != regression) {
		fprintf(stderr, "change: %s %s %d: %s\n",
			str_at(c, "category"), str_at(c, "change"),
			reg ? reg->boolean : -1, str_at(c, "summary"));
		return false;
	}
	return true;
}

static void done(struct outcome *o)
{
	json_free(o->doc);
}

static void test_diff_reports(void)
{
	char *healthy = report(4, 4, 0.05, "");
	char *dropped = report(4, 0, 0.05, DROP("NETFILTER_DROP"));
	char *other_reason = report(4, 0, 0.05, DROP("IP_INNOROUTES"));
	char *nat1 = report(4, 4, 0.05, NAT("203.0.113.1", "100"));
	char *nat1_id = report(4, 4, 0.05, NAT("203.0.113.1", "200"));
	char *nat2 = report(4, 4, 0.05, NAT("203.0.113.5", "100"));
	char *arp_a = report(4, 4, 0.05, ARP("0") "," GRAT);
	char *arp_b = report(4, 4, 0.05, ARP("2"));
	char *slow = report(4, 4, 5.0, "");
	char *slightly = report(4, 4, 0.3, "");
	char *more = report(8, 8, 0.05, "");
	struct outcome o;
	const struct json *c, *loc;

	compare(healthy, healthy, "", &o);
	CHECK(!o.regression && o.n == 0);
	done(&o);
	compare(healthy, more, "", &o);
	CHECK(!o.regression && o.n == 0);	/* shares, not counts */
	done(&o);

	compare(healthy, dropped, "", &o);
	CHECK(o.regression);
	CHECK(change_is(&o, 0, "loss", "appeared", true));
	c = o.changes ? o.changes->child : NULL;
	loc = json_get(c, "location");
	CHECK(!strcmp(str_at(loc, "after_name"), "br0"));	/* normalized */
	CHECK(!strcmp(str_at(loc, "direction"), "request"));
	CHECK(!strcmp(str_at(c, "flow"), "10.0.0.2 > 10.0.0.1"));
	CHECK(strstr(str_at(c, "summary"), "new drop after br0") != NULL);
	done(&o);
	compare(dropped, healthy, "", &o);
	CHECK(!o.regression && o.n == 1);
	CHECK(change_is(&o, 0, "loss", "disappeared", false));
	done(&o);

	compare(dropped, other_reason, "", &o);
	CHECK(o.regression && o.n == 1);
	CHECK(change_is(&o, 0, "kernel_reason", "changed", true));
	done(&o);

	compare(nat1, nat1_id, "", &o);		/* ICMP ids differ per run */
	CHECK(!o.regression && o.n == 0);
	done(&o);
	compare(nat1, nat2, "", &o);
	CHECK(o.regression && o.n == 1);
	CHECK(change_is(&o, 0, "nat", "changed", true));
	done(&o);
	compare(healthy, nat1, "", &o);
	CHECK(change_is(&o, 0, "nat", "appeared", true));
	done(&o);

	/* the same unanswered address seen elsewhere is the same finding */
	compare(arp_a, arp_b, "", &o);
	CHECK(!o.regression && o.n == 1);
	CHECK(change_is(&o, 0, "neighbour", "disappeared", false));
	done(&o);
	compare(healthy, arp_b, "", &o);
	CHECK(o.regression && o.n == 1);
	CHECK(change_is(&o, 0, "neighbour", "appeared", true));
	done(&o);

	compare(healthy, slow, "", &o);
	CHECK(o.regression && o.n == 2);	/* round trip + turnaround */
	CHECK(change_is(&o, 0, "latency", "slower", true));
	CHECK(change_is(&o, 1, "latency", "slower", true));
	done(&o);
	compare(healthy, slow, "10ms", &o);
	CHECK(!o.regression && o.n == 0);
	done(&o);
	compare(slow, healthy, "", &o);
	CHECK(!o.regression && o.n == 2);
	CHECK(change_is(&o, 0, "latency", "faster", false));
	done(&o);
	compare(healthy, slightly, "", &o);	/* +0.25 ms < 1 ms */
	CHECK(!o.regression && o.n == 0);
	done(&o);
	compare(healthy, slightly, "50%", &o);
	CHECK(o.regression);
	done(&o);

	/* regressions sort first, a new drop before latency */
	{
		char *both = report(4, 0, 5.0, DROP("NETFILTER_DROP"));

		compare(arp_a, both, "", &o);
		CHECK(change_is(&o, 0, "loss", "appeared", true));
		done(&o);
		free(both);
	}
	free(healthy);
	free(dropped);
	free(other_reason);
	free(nat1);
	free(nat1_id);
	free(nat2);
	free(arp_a);
	free(arp_b);
	free(slow);
	free(slightly);
	free(more);
}

static void expect_error(const char *doc, const char *msg)
{
	char err[256];
	struct diff_summary *s = diff_summary_from_json(doc, strlen(doc), err,
							sizeof(err));

	CHECK(s == NULL);
	diff_summary_free(s);
	if (!strstr(err, msg))
		fprintf(stderr, "error '%s' lacks '%s'\n", err, msg);
	CHECK(strstr(err, msg) != NULL);
	CHECK(strchr(err, '\n') == NULL);
}

static void test_reader_errors(void)
{
	char *good = report(4, 4, 0.05, DROP("X"));
	size_t i, len = strlen(good);
	char err[256];

	expect_error("[]", "the document is a array");
	expect_error("{\"schema\":\"x\\ny\",\"version\":1}",
		     "schema is \"x?y\"");
	expect_error("{\"schema\":\"dropspot.report\",\"version\":3}",
		     "version 3 is not supported");
	expect_error("{\"schema\":\"dropspot.report\",\"version\":1}",
		     "report.summary is missing");
	expect_error("{\"schema\":\"dropspot.report\",\"version\":1,"
		     "\"summary\":{\"probes\":\"4\"}}",
		     "summary.probes is a string, not a number");
	expect_error("{\"schema\":\"dropspot.report\",\"version\":1,"
		     "\"summary\":{\"probes\":1,\"answered\":1,\"lost\":0,"
		     "\"unfinished\":0},\"points\":[],\"flows\":[{\"src\":\"a\","
		     "\"dst\":\"b\",\"probes\":1,\"answered\":1,\"lost\":0,"
		     "\"unfinished\":0,\"path\":[5]}],\"findings\":[]}",
		     "names point 5, which points[] lacks");
	/* every proper prefix of a report is an error, never a crash */
	for (i = 0; i < len; i++) {
		struct diff_summary *s = diff_summary_from_json(good, i, err,
								sizeof(err));

		CHECK(s == NULL && err[0]);
		diff_summary_free(s);
	}
	free(good);
}

static void test_threshold(void)
{
	struct diff_opts o;

	diff_opts_default(&o);
	CHECK(o.rtt_rel == 0.5 && o.rtt_abs_ms == 1.0);
	CHECK(diff_parse_threshold("20%", &o) == 0 && o.rtt_rel == 0.2 &&
	      o.rtt_abs_ms < 0);
	CHECK(diff_parse_threshold("2ms", &o) == 0 && o.rtt_rel < 0 &&
	      o.rtt_abs_ms == 2);
	CHECK(diff_parse_threshold("3", &o) == 0 && o.rtt_abs_ms == 3);
	CHECK(diff_parse_threshold("10%,0.5ms", &o) == 0 && o.rtt_rel == 0.1 &&
	      o.rtt_abs_ms == 0.5);
	CHECK(diff_parse_threshold("", &o) < 0);
	CHECK(diff_parse_threshold("fast", &o) < 0);
	CHECK(diff_parse_threshold("-1", &o) < 0);
	CHECK(diff_parse_threshold("5%%", &o) < 0);
	CHECK(diff_parse_threshold("5%,", &o) < 0);
	CHECK(diff_parse_threshold("nan", &o) < 0);
	CHECK(diff_parse_threshold("5s", &o) < 0);
}

int main(void)
{
	test_json_values();
	test_json_invalid();
	test_threshold();
	test_reader_errors();
	test_diff_reports();
	return check_done();
}
