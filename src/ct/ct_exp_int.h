/* What the expectation commands (ct_expect.c) and the expectation message
 * (ct_exp_msg.c) share. Private to src/ct. */
#ifndef NFSH_CT_EXP_INT_H
#define NFSH_CT_EXP_INT_H

#include "ct/ct_cli.h"

/* A ctnetlink expectation message, parsed without copying. */
struct exp_msg {
	uint8_t family;
	uint8_t msgtype;
	uint16_t nlflags;
	const struct nlattr *tb[CTA_EXPECT_MAX + 1];
	struct ct_tuple_tb tuple, mask, master;
	const struct nlattr *nat[CTA_EXPECT_NAT_MAX + 1];
	struct ct_tuple_tb nat_tuple;
};

/* The three tuples in host order; the mask carries no protocol of its own that
 * matters for printing, so it is read with the expected tuple's. */
struct exp_tuples {
	struct ct_tuple t, mask, master;
};

/* nlh into x (pointers into nlh); MNL_CB_OK or MNL_CB_ERROR. */
int ct_exp_parse(const struct nlmsghdr *nlh, struct exp_msg *x);
void ct_exp_tuples_get(const struct exp_msg *x, struct exp_tuples *e);
/* What a message says happened: new, update or destroy. */
enum ct_evtype ct_exp_evtype(const struct exp_msg *x);
/* Whether l4's tuples have ports (tcp, udp, udplite, sctp, dccp). */
bool ct_exp_has_ports(uint8_t l4);
void ct_exp_format_text(struct ct_line *l, const struct exp_msg *x, enum ct_evtype ev);
/* when: with a <when> element (-o timestamp). */
void ct_exp_format_xml(struct ct_line *l, const struct exp_msg *x, enum ct_evtype ev, bool when);

#endif
