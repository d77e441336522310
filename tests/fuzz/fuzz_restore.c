/* The iptables-restore reader (io_restore_read) on arbitrary files: every
 * line parsed and translated into the batch, never applied. It must never
 * crash, and every failure must come with an error record and a line. The
 * same input is read a second time the way a restore reads it first (a lazy
 * batch: netlink messages only, rules of the common shapes without JSON,
 * each checked against its JSON form by NFSH_WRITE_CHECK=fast): unless it
 * gives up for the reading with text, it must agree with the first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_netns.h"
#include "cmd/stage.h"
#include "io/io.h"
#include "rule/rule.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("NFSH_WRITE_CHECK", "fast", 1);
	fuzz_private_netns();
	return 0;
}

/* One reading of data into r's batch (lazy or with text): its status, the
 * error in e, the number of items in *items. */
static int read_once(struct io_ctx *r, const uint8_t *data, size_t size, bool lazy,
                     struct nfsh_err *e, int *items)
{
	FILE *in = fmemopen((void *)data, size, "r");
	int rc;

	if (!in)
		abort();
	/* A first line "#6" reads the file as ip6tables-restore would. */
	r->family = size > 1 && data[0] == '#' && data[1] == '6' ? NFSH_IPV6 : NFSH_IPV4;
	r->only_table = -1;
	r->noflush = false;
	io_ctx_begin(r, lazy, false);
	if (r->b.lazy != lazy)
		abort();
	err_clear(e);
	rc = io_restore_read(r, in, e);
	fclose(in);
	*items = r->b.n;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct io_ctx r;
	struct nfsh_err e, lazy_e;
	int rc, lazy_rc, items, lazy_items;
	bool gave_up;

	if (!r.s.nft) {
		memset(&r, 0, sizeof(r));
		if (sess_open(&r.s, &e) < 0)
			abort();
	}
	if (!size)
		return 0;
	rc = read_once(&r, data, size, false, &e, &items);
	if (rc < 0 && (!e.status || !e.msg[0]))
		abort();
	if (rc == 0) {
		char *doc = io_batch_doc(&r.b, r.b.n);

		if (io_jumps_find_loop(&r.jumps) == -2 || !doc)
			abort();
		free(doc);
	}
	io_ctx_release(&r); /* r is reused by the next reading */

	lazy_rc = read_once(&r, data, size, true, &lazy_e, &lazy_items);
	gave_up = r.b.need_text;
	io_ctx_release(&r);
	/* A rule built without JSON that differs from its JSON form. */
	if (lazy_rc < 0 && strstr(lazy_e.msg, "write check"))
		abort();
	if (gave_up)
		return 0;
	/* Without giving up, the same outcome, error and items. */
	if ((lazy_rc < 0) != (rc < 0) || (rc == 0 && lazy_items != items) ||
	    (rc < 0 && strcmp(lazy_e.msg, e.msg)))
		abort();
	return 0;
}
