/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel drop events in pcapng files: the one-line packet comment a drop
 * record carries (written by capture and trace, read back by the file
 * readers into the frame's typed event).  Hostile on the way back in: every
 * value bounded, unknown keys ignored.
 */
#ifndef DROPSPOT_DROP_COMMENT_H
#define DROPSPOT_DROP_COMMENT_H

#include <stddef.h>

#include "common/drop_event.h"

/*
 * pcapng comment: "dropspot-drop reason=NETFILTER_DROP reason_id=12
 * location=0xffffffff81f81312 symbol=nf_hook_slow+0x82 ifindex=3
 * netns=4026532 proto=0x0800 pkt_type=0 flags=0x0 dev=up2 devns=host1"
 * (dev and devns only when the device's name was known).  Returns the length
 * written (as snprintf).
 */
int drop_event_comment(const struct drop_event *ev, char *buf, size_t len);
/*
 * With a netfilter attribution the comment gains, space permitting,
 * "nft=inet:filter:input:input:rule:3" (family:table:chain:hook:
 * rule|policy|unknown:handle, names %XX-escaped), "nft_rule=ip%20..."
 * (the rule's text, %XX-escaped; for "unknown" the candidates) and, when
 * inferred from the ruleset, "nft_basis=ruleset"; older readers ignore
 * them.  The iptables view adds "ipt=nft:N" or "ipt=legacy:N" (rule
 * number, 0 = the policy) and "ipt_rule=-A%20FORWARD..." (before nft_rule,
 * which takes the room left); a legacy x_tables drop writes "xt=" (same
 * fields as nft=, handle 0) instead of "nft=", so a reader that predates
 * it blames no nf_tables rule.
 */

/*
 * The reverse, for a frame read back from a file: fills the metadata of ev
 * from the comment and its packet bytes from the SLL2 frame.  Returns 0 or
 * -EINVAL when the comment is not a dropspot drop comment.
 */
int drop_event_from_frame(const struct frame *f, struct drop_event *ev);

#endif /* DROPSPOT_DROP_COMMENT_H */
