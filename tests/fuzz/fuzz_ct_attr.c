/* The ctnetlink attribute parser (src/ct/ct_attr.c) on raw netlink bytes, as
 * a dump reply or an event arrives, then every printer on what it accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ct_msg m;
	static struct ct_line l;
	struct nlmsghdr *nlh;
	struct ct_tuple t;
	uint8_t labels[16], st;
	void *buf;

	/* The receive path hands ct_msg_parse only messages that mnl_nlmsg_ok
	 * accepted: a length that covers the header and fits the buffer. */
	if (size < sizeof(struct nlmsghdr) || size > 65536)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	nlh = buf;
	if (!mnl_nlmsg_ok(nlh, (int)size)) {
		free(buf);
		return 0;
	}
	if (ct_msg_parse(nlh, &m) == MNL_CB_OK) {
		enum ct_evtype ev = ct_msg_evtype(&m);

		ct_tuple_get(&m.orig, m.family, &t);
		ct_tuple_get(&m.reply, m.family, &t);
		ct_tuple_get(&m.master, m.family, &t);
		(void)ct_msg_l4(&m);
		(void)ct_msg_tcp_state(&m, &st);
		(void)ct_msg_labels(&m, labels);
		ct_format_default(&l, &m, 0, ev, NULL);
		ct_format_default(&l, &m, ~0u & ~CT_O_JSON, CT_EV_NONE, NULL);
		ct_format_save(&l, &m, ev);
		ct_format_json(&l, &m, ev, NULL);
	}
	free(buf);
	return 0;
}
