// SPDX-License-Identifier: GPL-2.0
/*
 * Drop reason names: from the running kernel's BTF (checked against the
 * BTF read independently here), and the subsystem encoding on a BTF built
 * in memory (no openvswitch module needed).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "capture/drop_comment.h"
#include "capture/drop_reason.h"
#include "check.h"

/* The value of an enumerator straight from BTF, bypassing drop_reason.c. */
static int btf_value(const struct btf *btf, const char *ename,
		     const char *name, long long *v)
{
	__s32 id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM);
	const struct btf_type *t;
	unsigned int i;

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;

		if (strcmp(btf__name_by_offset(btf, e->name_off), name) == 0) {
			*v = (unsigned int)e->val;
			return 0;
		}
	}
	return -ENOENT;
}

static void test_running_kernel(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct drop_reasons *r = NULL;
	long long nf = -1, consumed = -1, mask = 0;
	uint32_t v = 0;
	char buf[DROP_REASON_NAME_MAX];

	if (!btf) {
		printf("skip: no kernel BTF\n");
		return;
	}
	CHECK(btf_value(btf, "skb_drop_reason", "SKB_DROP_REASON_NETFILTER_DROP",
			&nf) == 0);
	btf_value(btf, "skb_drop_reason", "SKB_CONSUMED", &consumed);
	btf_value(btf, "skb_drop_reason", "SKB_DROP_REASON_SUBSYS_MASK", &mask);
	CHECK_EQ_INT(drop_reasons_load(&r), 0);
	if (!r)
		goto cleanup;
	printf("kernel: %zu reasons, NETFILTER_DROP=%lld, subsys mask 0x%x\n",
	       drop_reasons_count(r), nf, drop_reasons_subsys_mask(r));
	CHECK_EQ_INT(drop_reasons_note(r)[0], '\0');
	CHECK(drop_reasons_count(r) > 10);
	/* name -> value -> name, both spellings */
	CHECK_EQ_INT(drop_reason_value(r, "NETFILTER_DROP", &v), 0);
	CHECK_EQ_INT(v, nf);
	v = 0;
	CHECK_EQ_INT(drop_reason_value(r, "SKB_DROP_REASON_NETFILTER_DROP", &v),
		     0);
	CHECK_EQ_INT(v, nf);
	CHECK(strcmp(drop_reason_name(r, (uint32_t)nf, buf, sizeof(buf)),
		     "NETFILTER_DROP") == 0);
	CHECK(drop_reason_known(r, (uint32_t)nf));
	CHECK(drop_reason_is_drop(r, (uint32_t)nf));
	CHECK_EQ_INT(drop_reason_value(r, "NO_SUCH_REASON_EVER", &v), -ENOENT);
	if (consumed >= 0) {
		CHECK(strcmp(drop_reason_name(r, (uint32_t)consumed, buf,
					      sizeof(buf)), "CONSUMED") == 0);
		CHECK(!drop_reason_is_drop(r, (uint32_t)consumed));
	}
	/* The markers are no reasons. */
	CHECK_EQ_INT(drop_reason_value(r, "MAX", &v), -ENOENT);
	CHECK_EQ_INT(drop_reason_value(r, "SUBSYS_MASK", &v), -ENOENT);
	CHECK_EQ_INT(drop_reasons_subsys_mask(r), (uint32_t)mask);
	/* A value the kernel does not name gets a number, not garbage. */
	CHECK(strcmp(drop_reason_name(r, 0xfff0, buf, sizeof(buf)),
		     "REASON_65520") == 0);
cleanup:
	drop_reasons_free(r);
	btf__free(btf);
}

/* enum skb_drop_reason / _subsys as a 6.4+ kernel has them. */
static struct btf *fake_base(bool subsys)
{
	struct btf *b = btf__new_empty();

	btf__add_enum(b, "skb_drop_reason", 4);
	btf__add_enum_value(b, "SKB_NOT_DROPPED_YET", 0);
	btf__add_enum_value(b, "SKB_CONSUMED", 1);
	btf__add_enum_value(b, "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	btf__add_enum_value(b, "SKB_DROP_REASON_FOO", 3);
	btf__add_enum_value(b, "SKB_DROP_REASON_MAX", 4);
	if (!subsys)
		return b;
	btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_MASK", 0xffff0000LL);
	btf__add_enum(b, "skb_drop_reason_subsys", 4);
	btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_CORE", 0);
	btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE", 1);
	btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_OPENVSWITCH", 2);
	btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_NUM", 3);
	return b;
}

static void test_subsystems(void)
{
	struct btf *base = fake_base(true), *mod = btf__new_empty_split(base);
	const struct btf *mods[1] = { mod };
	struct drop_reasons *r = NULL;
	char buf[DROP_REASON_NAME_MAX];

	/* What the openvswitch and mac80211 modules carry. */
	btf__add_enum(mod, "ovs_drop_reason", 4);
	btf__add_enum_value(mod, "OVS_DROP_LAST_ACTION", 0x20000);
	btf__add_enum_value(mod, "OVS_DROP_ACTION_ERROR", 0x20001);
	btf__add_enum(mod, "mac80211_drop_reason", 4);
	btf__add_enum_value(mod, "RX_CONTINUE", 1);
	btf__add_enum_value(mod, "RX_DROP_U_MIC_FAIL", 0x10001);
	/* Some other enum with subsystem-looking values is not a reason. */
	btf__add_enum(mod, "unrelated_flags", 4);
	btf__add_enum_value(mod, "UNRELATED", 0x20002);

	CHECK_EQ_INT(drop_reasons_from_btf(base, mods, 1, &r), 0);
	if (!r)
		goto cleanup;
	CHECK_EQ_INT(drop_reasons_subsys_mask(r), 0xffff0000u);
	CHECK(strcmp(drop_reason_name(r, 3, buf, sizeof(buf)), "FOO") == 0);
	CHECK(strcmp(drop_reason_name(r, 1, buf, sizeof(buf)), "CONSUMED") == 0);
	CHECK(strcmp(drop_reason_name(r, 0x20001, buf, sizeof(buf)),
		     "OVS_DROP_ACTION_ERROR") == 0);
	CHECK(strcmp(drop_reason_name(r, 0x10001, buf, sizeof(buf)),
		     "RX_DROP_U_MIC_FAIL") == 0);
	/* Subsystem known, code not: "<SUBSYS>:<code>". */
	CHECK(strcmp(drop_reason_name(r, 0x20002, buf, sizeof(buf)),
		     "OPENVSWITCH:2") == 0);
	CHECK(strcmp(drop_reason_name(r, 0x50007, buf, sizeof(buf)),
		     "SUBSYS_5:7") == 0);
	CHECK(strcmp(drop_reason_name(r, 77, buf, sizeof(buf)),
		     "REASON_77") == 0);
	CHECK(!drop_reason_is_drop(r, 0));
	CHECK(!drop_reason_is_drop(r, 1));
	CHECK(drop_reason_is_drop(r, 0x20001));
	{
		uint32_t v = 0;

		CHECK_EQ_INT(drop_reason_value(r, "OVS_DROP_LAST_ACTION", &v), 0);
		CHECK_EQ_INT(v, 0x20000);
	}
	/* A tiny buffer still gets a terminated (truncated) name. */
	CHECK(strlen(drop_reason_name(r, 0x50007, buf, 4)) == 3);
cleanup:
	drop_reasons_free(r);
	btf__free(mod);
	btf__free(base);
}

static void test_degraded(void)
{
	struct btf *old = fake_base(false), *empty = btf__new_empty();
	struct drop_reasons *r = NULL;
	char buf[DROP_REASON_NAME_MAX];

	/* Pre-6.4: no subsystem mask, so no decoding of high bits. */
	CHECK_EQ_INT(drop_reasons_from_btf(old, NULL, 0, &r), 0);
	CHECK_EQ_INT(drop_reasons_subsys_mask(r), 0);
	CHECK(strcmp(drop_reason_name(r, 0x20001, buf, sizeof(buf)),
		     "REASON_131073") == 0);
	drop_reasons_free(r);
	/* BTF without the enum (< 5.17), and no BTF at all: a note. */
	CHECK_EQ_INT(drop_reasons_from_btf(empty, NULL, 0, &r), 0);
	CHECK(drop_reasons_note(r)[0] != '\0');
	CHECK(strcmp(drop_reason_name(r, 12, buf, sizeof(buf)), "REASON_12") == 0);
	CHECK(drop_reason_is_drop(r, 1));
	drop_reasons_free(r);
	CHECK_EQ_INT(drop_reasons_from_btf(NULL, NULL, 0, &r), 0);
	CHECK(strstr(drop_reasons_note(r), "no kernel BTF") != NULL);
	drop_reasons_free(r);
	btf__free(old);
	btf__free(empty);
}

/* The pcapng comment round trip that carries drops through a file. */
static void test_comment_roundtrip(void)
{
	struct drop_event ev, back;
	uint8_t bytes[DROP_FRAME_MAX];
	char comment[512];
	struct frame f;
	int n;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = 1700000000123456789ULL;
	ev.location = 0xffffffff81f81312ULL;
	ev.reason = 12;
	ev.ifindex = 7;
	ev.netns_ino = 4026532000u;
	ev.protocol = 0x0800;
	ev.pkt_type = 0;
	ev.wire_len = 84;
	ev.cap_len = 4;
	memcpy(ev.data, "\x45\x00\x00\x54", 4);
	snprintf(ev.reason_name, sizeof(ev.reason_name), "NETFILTER_DROP");
	snprintf(ev.symbol, sizeof(ev.symbol), "nf_hook_slow+0x82");

	drop_event_frame(&ev, 3, bytes, &f);
	CHECK_EQ_INT(f.linktype, LINKTYPE_LINUX_SLL2);
	CHECK_EQ_INT(f.caplen, DROP_SLL2_HLEN + 4);
	CHECK_EQ_INT(f.wirelen, DROP_SLL2_HLEN + 84);
	CHECK_EQ_INT(f.point, 3);
	CHECK(f.flags & FRAME_F_KERNEL_DROP);
	CHECK_EQ_INT(bytes[0] << 8 | bytes[1], 0x0800);
	CHECK_EQ_INT(bytes[7], 7);

	n = drop_event_comment(&ev, comment, sizeof(comment));
	CHECK(n > 0 && (size_t)n < sizeof(comment));
	f.comment = comment;
	f.comment_len = (uint32_t)n;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
	CHECK_EQ_INT(back.reason, 12);
	CHECK(back.location == ev.location);
	CHECK_EQ_INT(back.ifindex, 7);
	CHECK_EQ_INT(back.netns_ino, 4026532000u);
	CHECK_EQ_INT(back.protocol, 0x0800);
	CHECK_EQ_INT(back.cap_len, 4);
	CHECK_EQ_INT(back.wire_len, 84);
	CHECK(back.ts_ns == ev.ts_ns);
	CHECK(memcmp(back.data, ev.data, 4) == 0);
	CHECK(strcmp(back.reason_name, "NETFILTER_DROP") == 0);
	CHECK(strcmp(back.symbol, "nf_hook_slow+0x82") == 0);
	{
		char fn[64];

		CHECK(strcmp(drop_event_function(&back, fn, sizeof(fn)),
			     "nf_hook_slow") == 0);
	}
	/* without a device name, no dev= key: older files read the same */
	CHECK(!back.dev[0] && !back.dev_netns[0]);
	CHECK(!strstr(comment, "dev="));
	/* the device's name round-trips; a name with a space stays one token */
	snprintf(ev.dev, sizeof(ev.dev), "up2");
	snprintf(ev.dev_netns, sizeof(ev.dev_netns), "lab host");
	n = drop_event_comment(&ev, comment, sizeof(comment));
	CHECK(n > 0 && (size_t)n < sizeof(comment));
	f.comment = comment;
	f.comment_len = (uint32_t)n;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
	CHECK(!strcmp(back.dev, "up2"));
	CHECK(!strcmp(back.dev_netns, "lab_host"));
	CHECK_EQ_INT(back.ifindex, 7);
	/* Not ours / malformed: rejected, never half-parsed. */
	f.comment = "hello world";
	f.comment_len = 11;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), -EINVAL);
	f.comment = "dropspot-drop reason_id=zz";
	f.comment_len = (uint32_t)strlen(f.comment);
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), -EINVAL);
	f.comment = NULL;
	f.comment_len = 0;
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), -EINVAL);
	/* The comment length bounds the read (no NUL needed). */
	f.comment = "dropspot-drop ifindex=5XXXX";
	f.comment_len = (uint32_t)strlen("dropspot-drop ifindex=5");
	CHECK_EQ_INT(drop_event_from_frame(&f, &back), 0);
	CHECK_EQ_INT(back.ifindex, 5);
}

int main(void)
{
	test_running_kernel();
	test_subsystems();
	test_degraded();
	test_comment_roundtrip();
	return check_done();
}
