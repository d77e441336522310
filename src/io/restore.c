/* nfsh restore: iptables-restore input -> one transaction.
 *
 * Every line is parsed by the iptables grammar (cmd_parse) and translated
 * here, item by item, into a batch: first into netlink messages alone (most
 * rules without JSON), and when that batch must go to libnftables after
 * all, once more into JSON text (the input is held in memory). The chains
 * each line names are checked against a set of known chains as the batch is
 * built, so a jump to a missing chain is reported against its own line and
 * word before the kernel sees anything. An error the kernel still raises is mapped back
 * to the line through the batch's item -> line map (io_batch_apply). */
#include "cmd/cmd.h"
#include "cmd/run.h"
#include "cmd/stage.h"
#include "io/io.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "xlate/xlate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int begin_table(struct io_ctx *r, const char *name, struct nfsh_err *e)
{
	int id = table_lookup(name);

	if (r->table >= 0)
		return err_set(e, NFSH_EPARAM, name,
		               "table \"%s\" starts before COMMIT of table %s", name,
		               table_by_id(r->table)->name);
	if (id < 0) {
		static const char *const names[] = {"filter", "nat",      "mangle",
		                                    "raw",    "security", NULL};
		const char *close = err_closest(name, names, -1);

		err_set(e, NFSH_EPARAM, name, "unknown table \"%s\"", name);
		if (close)
			err_hint(e, "did you mean \"%s\"?", close);
		else
			err_hint(e, "tables are filter, nat, mangle, raw and security");
		return -1;
	}
	r->table = id;
	r->table_line = r->line;
	r->skipping = r->only_table >= 0 && r->only_table != id;
	return r->skipping ? 0 : io_ctx_table(r, e);
}

/* "-t" or "--table"? Asked of every word of every rule line: most do not
 * start with '-', and those that do seldom go on with 't' or '-'. */
static bool table_option(const char *w)
{
	return w[0] == '-' && ((w[1] == 't' && !w[2]) || (w[1] == '-' && !strcmp(w + 2, "table")));
}

static int command_line(struct io_ctx *r, struct io_words *w, struct nfsh_err *e)
{
	char *argv[IO_MAX_WORDS + 2];
	int argc = 0, first = 0, rc;
	bool have_ctr = false;
	uint64_t p = 0, b = 0;
	struct cmd c;

	if (w->w[0][0] == '[') {
		if (io_parse_counters(w->w[0], &p, &b) < 0)
			return err_set(e, NFSH_EPARAM, w->w[0], "bad counters \"%s\"", w->w[0]);
		have_ctr = r->counters;
		first = 1;
	}
	for (int i = first; i < w->n; i++)
		if (table_option(w->w[i]))
			return err_set(e, NFSH_EPARAM, w->w[i],
			               "\"%s\" cannot be used in a restore file; the table is the "
			               "*TABLE line's",
			               w->w[i]);
	argv[argc++] = (char *)"-t";
	argv[argc++] = (char *)table_by_id(r->table)->name;
	for (int i = first; i < w->n; i++)
		argv[argc++] = w->w[i];
	if (cmd_parse(argc, argv, r->family, &c, e) < 0)
		return -1;
	if (c.family != r->family) {
		/* "-6 ..." in an IPv4 file: iptables-restore skips the line. */
		cmd_release(&c);
		return 0;
	}
	stage_set_words(r->stage, r->family, argc, argv);
	rc = io_ctx_cmd(r, &c, have_ctr, p, b, e);
	stage_set_words(r->stage, r->family, 0, NULL);
	cmd_release(&c);
	return rc;
}

static int one_line(struct io_ctx *r, char *line, struct io_words *w, struct nfsh_err *e)
{
	int n;

	r->b.cur_line = r->line;
	line[strcspn(line, "\r\n")] = '\0';
	line += strspn(line, " \t");
	if (!line[0] || line[0] == '#')
		return 0;
	n = io_split_line(line, w, e);
	if (n <= 0)
		return n;
	if (w->w[0][0] == '*' && r->table < 0)
		return begin_table(r, w->w[0] + 1, e);
	if (r->table < 0)
		return err_set(e, NFSH_EPARAM, w->w[0], "\"%s\" outside a table", w->w[0]);
	if (!strcmp(w->w[0], "COMMIT")) {
		r->table = -1;
		return 0;
	}
	if (w->w[0][0] == '*')
		return begin_table(r, w->w[0] + 1, e);
	if (r->skipping)
		return 0;
	if (w->w[0][0] == ':')
		return io_ctx_chain_line(r, w, e);
	return command_line(r, w, e);
}

int io_restore_read(struct io_ctx *r, FILE *in, struct nfsh_err *e)
{
	struct io_words *w = malloc(sizeof(*w));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	if (!w)
		return err_set(e, NFSH_EKERNEL, NULL, "out of memory");
	while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
		r->line++;
		/* A NUL would end the line early and the rest would vanish unseen. */
		if (memchr(line, '\0', (size_t)len))
			rc = err_set(e, NFSH_EPARAM, NULL, "line %d contains a NUL byte", r->line);
		else
			rc = one_line(r, line, w, e);
	}
	free(line);
	free(w);
	if (rc == 0 && r->table >= 0) {
		r->line = r->table_line;
		rc = err_set(e, NFSH_EPARAM, table_by_id(r->table)->name, "table %s has no COMMIT",
		             table_by_id(r->table)->name);
	}
	return rc;
}

static int usage(const char *prog)
{
	fprintf(stderr, "Usage: %s [-4|-6] [--noflush] [--test] [-c] [-T TABLE] [-v] [FILE]\n",
	        prog);
	return NFSH_EPARAM;
}

static int parse_opts(struct io_ctx *r, int argc, char **argv, const char **file)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-4") || !strcmp(a, "-6"))
			r->family = a[1] == '6' ? NFSH_IPV6 : NFSH_IPV4;
		else if (!strcmp(a, "-n") || !strcmp(a, "--noflush"))
			r->noflush = true;
		else if (!strcmp(a, "-t") || !strcmp(a, "--test"))
			r->test = true;
		else if (!strcmp(a, "-c") || !strcmp(a, "--counters"))
			r->counters = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			r->verbose = true;
		else if (!strcmp(a, "--emit-json")) /* hidden: print the batch, apply nothing */
			r->emit_json = true;
		else if ((!strcmp(a, "-T") || !strcmp(a, "--table")) && i + 1 < argc) {
			r->only_table = table_lookup(argv[++i]);
			if (r->only_table < 0) {
				fprintf(stderr, "nfsh restore: unknown table \"%s\"\n", argv[i]);
				return -1;
			}
		} else if (!strcmp(a, "-w") || !strcmp(a, "--wait")) {
			/* iptables' lock: nfsh is atomic without it. */
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "nfsh restore: unknown option \"%s\"\n", a);
			return -1;
		} else if (*file) {
			fprintf(stderr, "nfsh restore: more than one file (\"%s\")\n", a);
			return -1;
		} else {
			*file = a;
		}
	}
	return 0;
}

/* All of in, for a second reading (stdin cannot be read twice). NULL with
 * errno set on failure. */
static char *slurp(FILE *in, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap), *p;

	while (buf && (got = fread(buf + n, 1, cap - n, in)) > 0) {
		n += got;
		if (n < cap)
			continue;
		p = realloc(buf, cap *= 2);
		if (!p)
			free(buf);
		buf = p;
	}
	if (buf && ferror(in)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* One reading of the input into r's batch (io_ctx_begin'ed), then the
 * apply. */
static int read_and_apply(struct io_ctx *r, const char *data, size_t len, struct nfsh_err *e)
{
	/* fmemopen of 0 bytes is refused by some libcs: read /dev/null instead. */
	FILE *in = len ? fmemopen((void *)data, len, "r") : fopen("/dev/null", "r");
	int rc;

	if (!in)
		return err_set(e, NFSH_EOTHER, NULL, "cannot read the input again: %s",
		               strerror(errno));
	rc = io_restore_read(r, in, e);
	fclose(in);
	if (rc == 0)
		rc = io_ctx_apply(r, e);
	return rc;
}

/* The first reading makes only the netlink batch (no JSON text, and most
 * rules without JSON at all). When an item or the kernel leaves the batch to
 * libnftables, the input is read again with text: nothing was applied. */
static int restore_input(struct io_ctx *r, const char *data, size_t len, struct nfsh_err *e)
{
	int rc;

	io_ctx_begin(r, true, false);
	rc = read_and_apply(r, data, len, e);
	if (rc < 0 && io_ctx_read_again(r, e))
		rc = read_and_apply(r, data, len, e);
	return rc;
}

int io_restore_main(int family, int argc, char **argv)
{
	struct io_ctx r = {.family = family, .only_table = -1, .table = -1};
	const char *file = NULL;
	struct nfsh_err e;
	FILE *in = stdin;
	char *data;
	size_t len = 0;
	int rc;

	err_clear(&e);
	if (parse_opts(&r, argc, argv, &file) < 0)
		return usage("nfsh restore");
	r.where = file && strcmp(file, "-") ? file : "stdin";
	if (file && strcmp(file, "-") && !(in = fopen(file, "r"))) {
		fprintf(stderr, "nfsh restore: cannot open %s: %m\n", file);
		return NFSH_EOTHER;
	}
	data = slurp(in, &len);
	if (in != stdin)
		fclose(in);
	if (!data) {
		fprintf(stderr, "nfsh restore: cannot read %s: %m\n", r.where);
		return NFSH_EOTHER;
	}
	if (sess_open(&r.s, &e) < 0) {
		io_report("nfsh restore", 0, &e);
		free(data);
		return e.status;
	}
	rc = restore_input(&r, data, len, &e);
	free(data);
	if (rc < 0) {
		/* A parse error is exit 2 as iptables-restore; so is a refused batch:
		 * nothing was applied either way. A batch whose answer was lost
		 * may have been: exit 4. */
		io_report(r.where, r.line, &e);
		rc = r.b.unknown ? NFSH_EKERNEL : NFSH_EPARAM;
	}
	io_ctx_release(&r);
	sess_close(&r.s);
	return rc;
}
