/* The iptables-restore reader (io_restore_read) on arbitrary files: every
 * line parsed and translated into the batch, never applied. It must never
 * crash, and every failure must come with an error record and a line. */
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
	fuzz_private_netns();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct io_ctx r;
	struct nfsh_err e;
	FILE *in;
	int rc;

	if (!r.s.nft) {
		memset(&r, 0, sizeof(r));
		if (sess_open(&r.s, &e) < 0)
			abort();
	}
	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	/* A first line "#6" reads the file as ip6tables-restore would. */
	r.family = size > 1 && data[0] == '#' && data[1] == '6' ? NFSH_IPV6 : NFSH_IPV4;
	r.only_table = -1;
	r.table = -1;
	r.line = 0;
	memset(r.started, 0, sizeof(r.started));
	r.skipping = false;
	r.noflush = false;
	io_batch_init(&r.b);
	io_cs_init(&r.cs);
	err_clear(&e);
	rc = io_restore_read(&r, in, &e);
	fclose(in);
	if (rc < 0 && (!e.status || !e.msg[0]))
		abort();
	if (rc == 0) {
		char *doc = io_batch_doc(&r.b, r.b.n);

		if (io_jumps_find_loop(&r.jumps) == -2 || !doc)
			abort();
		free(doc);
	}
	io_ctx_release(&r); /* r is reused by the next input */
	return 0;
}
