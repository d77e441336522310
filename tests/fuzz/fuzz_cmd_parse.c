/* The iptables argument grammar on arbitrary words: it must never crash,
 * leak or exit, and every failure must come with an error record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *words[MAX_WORDS], *save = NULL, *w;
	int n = 0;
	struct cmd c;
	struct nfsh_err e;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* Words are separated by newlines, so they may contain blanks. */
	for (w = strtok_r(buf, "\n", &save); w && n < MAX_WORDS; w = strtok_r(NULL, "\n", &save))
		words[n++] = w;
	if (cmd_parse(n, words, NFSH_IPV4, &c, &e) == 0) {
		/* Whatever parses must also translate or fail cleanly, and print. */
		for (int k = 0; k < c.nrules; k++) {
			struct strbuf sb;
			struct nfsh_err e2;
			json_t *o;

			err_clear(&e2);
			o = xlate_rule(&c.rules[k], &e2);
			json_decref(o);
			sb_init(&sb);
			print_rule_save(&c.rules[k], true, &sb);
			sb_free(&sb);
		}
		cmd_release(&c);
	} else if (!e.status || !e.msg[0]) {
		abort(); /* a failure without an error record */
	}
	free(buf);
	return 0;
}
