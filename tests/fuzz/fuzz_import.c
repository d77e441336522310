/* The JSON batch reader of nfsh import (io_import_read): validation and
 * translation of arbitrary documents, never applied. It must never crash, and
 * every failure must come with an error record. */
#include <stdint.h>
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
	json_error_t jerr;
	struct nfsh_err e;
	char ptr[160];
	json_t *root;
	int rc;

	if (!r.s.nft) {
		memset(&r, 0, sizeof(r));
		if (sess_open(&r.s, &e) < 0)
			abort();
	}
	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return 0;
	r.family = NFSH_IPV4;
	r.only_table = -1;
	r.table = -1;
	r.line = 0;
	memset(r.started, 0, sizeof(r.started));
	r.skipping = false;
	r.noflush = false;
	io_batch_init(&r.b);
	io_cs_init(&r.cs);
	err_clear(&e);
	rc = io_import_read(&r, root, ptr, sizeof(ptr), &e);
	if (rc < 0 && (!e.status || !e.msg[0]))
		abort();
	if (rc == 0) {
		char *doc = io_batch_doc(&r.b, r.b.n);

		if (io_jumps_find_loop(&r.jumps) == -2 || !doc)
			abort();
		free(doc);
	}
	json_decref(root);
	io_ctx_release(&r); /* r is reused by the next input */
	return 0;
}
