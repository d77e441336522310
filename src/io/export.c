/* nfsh export: nfsh's ruleset as a JSON batch (schemas/batch.schema.json)
 * that nfsh import turns back into the same ruleset. Rules are written as
 * iptables command strings, or with --json as structured rule objects built
 * from the words of the canonical iptables-save form, so every extension's
 * options come out without an exporter of their own. */
#include "cmd/run.h"
#include "io/io.h"
#include "xlate/xlate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *fam_name(int family)
{
	return family == NFSH_IPV6 ? "ipv6" : "ipv4";
}

static json_t *value(const char *v, bool inv)
{
	return inv ? json_pack("{s:s,s:b}", "value", v, "invert", 1) : json_string(v);
}

static json_t *flag(bool inv)
{
	return inv ? json_pack("{s:b,s:b}", "value", 1, "invert", 1) : json_true();
}

static bool is_word_start(const char *w)
{
	return !strcmp(w, "-m") || !strcmp(w, "-j") || !strcmp(w, "-g") || !strcmp(w, "!") ||
	       !strncmp(w, "--", 2);
}

/* Options "--name [value]" up to the next -m/-j/-g; NULL when one takes
 * several words or repeats (the caller then keeps the command string). */
static json_t *options(struct io_words *w, int *i)
{
	json_t *o = json_object();

	while (*i < w->n && strcmp(w->w[*i], "-m") && strcmp(w->w[*i], "-j") &&
	       strcmp(w->w[*i], "-g")) {
		bool inv = !strcmp(w->w[*i], "!");
		const char *name;

		if (inv)
			(*i)++;
		if (*i >= w->n || strncmp(w->w[*i], "--", 2) || json_object_get(o, w->w[*i] + 2))
			goto fail;
		name = w->w[(*i)++] + 2;
		if (*i < w->n && !is_word_start(w->w[*i])) {
			json_object_set_new(o, name, value(w->w[(*i)++], inv));
			if (*i < w->n && !is_word_start(w->w[*i]))
				goto fail;
		} else {
			json_object_set_new(o, name, flag(inv));
		}
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *structured(int family, int table, const char *save)
{
	static const struct {
		const char *opt, *key;
	} fields[] = {{"-s", "source"},
	              {"-d", "destination"},
	              {"-i", "in_interface"},
	              {"-o", "out_interface"},
	              {"-p", "protocol"}};
	struct io_words *w = malloc(sizeof(*w));
	json_t *r = NULL, *ms = json_array();
	struct nfsh_err e;
	int i = 2;

	if (!w || io_split_line(save, w, &e) < 2)
		goto fail;
	r = json_pack("{s:s,s:s,s:s}", "family", fam_name(family), "table",
	              table_by_id(table)->name, "chain", w->w[1]);
	while (i < w->n) {
		bool inv = !strcmp(w->w[i], "!"), done = false;

		if (inv && ++i >= w->n)
			goto fail;
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]) && !done; f++)
			if (!strcmp(w->w[i], fields[f].opt) && i + 1 < w->n) {
				json_object_set_new(r, fields[f].key, value(w->w[i + 1], inv));
				i += 2;
				done = true;
			}
		if (done)
			continue;
		if (!strcmp(w->w[i], "-f")) {
			json_object_set_new(r, "fragment", flag(inv));
			i++;
		} else if (!inv && !strcmp(w->w[i], "-m") && i + 1 < w->n) {
			json_t *m = json_pack("{s:s}", "name", w->w[i + 1]), *o;

			i += 2;
			if (!(o = options(w, &i))) {
				json_decref(m);
				goto fail;
			}
			if (json_object_size(o))
				json_object_set_new(m, "options", o);
			else
				json_decref(o);
			json_array_append_new(ms, m);
		} else if (!inv && (!strcmp(w->w[i], "-j") || !strcmp(w->w[i], "-g")) &&
		           i + 1 < w->n) {
			json_t *t = json_pack("{s:s}", "name", w->w[i + 1]), *o;

			if (w->w[i][1] == 'g')
				json_object_set_new(t, "goto", json_true());
			i += 2;
			if (!(o = options(w, &i))) {
				json_decref(t);
				goto fail;
			}
			if (json_object_size(o))
				json_object_set_new(t, "options", o);
			else
				json_decref(o);
			json_object_set_new(r, "target", t);
		} else {
			goto fail;
		}
	}
	if (json_array_size(ms))
		json_object_set(r, "matches", ms);
	json_decref(ms);
	free(w);
	return json_pack("{s:o}", "rule", r);
fail:
	json_decref(r);
	json_decref(ms);
	free(w);
	return NULL;
}

static int export_table(json_t *ops, const struct table_info *ti, bool json)
{
	const char *tn = table_by_id(ti->table)->name, *fn = fam_name(ti->family);
	struct strbuf sb;

	for (int i = 0; i < ti->nchains; i++) {
		const struct chain_info *ch = &ti->chains[i];

		if (ch->builtin)
			json_array_append_new(ops, json_pack("{s:{s:s,s:s,s:s,s:s}}", "policy",
			                                     "family", fn, "table", tn, "chain",
			                                     ch->name, "policy", ch->policy));
		else
			json_array_append_new(ops, json_pack("{s:{s:s,s:s,s:s,s:s}}", "chain",
			                                     "family", fn, "table", tn, "name",
			                                     ch->name, "action", "create"));
	}
	sb_init(&sb);
	for (int i = 0; i < ti->nchains; i++) {
		const struct chain_info *ch = &ti->chains[i];

		for (int k = 0; k < ch->nrules; k++) {
			json_t *op = NULL;

			if (ch->foreign && ch->foreign[k]) {
				fprintf(stderr, "nfsh export: %s %s: rule %d of %s left out: %s\n",
				        fn, tn, k + 1, ch->name, ch->foreign[k]);
				continue;
			}
			sb_reset(&sb);
			print_rule_save(&ch->rules[k], false, &sb);
			if (json)
				op = structured(ti->family, ti->table, sb_str(&sb));
			if (!op) {
				char *cmd;

				if (asprintf(&cmd, "%s -t %s %s",
				             ti->family == NFSH_IPV6 ? "-6" : "-4", tn,
				             sb_str(&sb)) < 0)
					break;
				op = json_string(cmd);
				free(cmd);
			}
			json_array_append_new(ops, op);
		}
	}
	sb_free(&sb);
	return 0;
}

int io_export_main(int argc, char **argv)
{
	bool json = false, fams[3] = {false, true, true};
	struct nfsh_session s;
	struct nfsh_err e;
	json_t *root, *ops = json_array();
	int rc = 0;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-4") || !strcmp(argv[i], "-6")) {
			fams[NFSH_IPV4] = argv[i][1] == '4';
			fams[NFSH_IPV6] = argv[i][1] == '6';
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			fprintf(stderr, "Usage: nfsh export [-4|-6] [--json]\n");
			json_decref(ops);
			return NFSH_EPARAM;
		}
	}
	if (sess_open(&s, &e) < 0) {
		io_report("nfsh export", 0, &e);
		json_decref(ops);
		return e.status;
	}
	for (int f = NFSH_IPV4; f <= NFSH_IPV6 && rc == 0; f++) {
		struct table_info tis[TBL_COUNT];
		int n;

		if (!fams[f])
			continue;
		n = io_read_family(&s, f, tis, &e);
		rc = n < 0 ? -1 : 0;
		for (int i = 0; i < n; i++) {
			export_table(ops, &tis[i], json);
			table_info_free(&tis[i]);
		}
	}
	sess_close(&s);
	if (rc < 0) {
		io_report("nfsh export", 0, &e);
		json_decref(ops);
		return e.status ? e.status : NFSH_EOTHER;
	}
	/* flush: importing replaces the exported tables, so the result is identical. */
	root = json_pack("{s:s,s:{s:i,s:s,s:b},s:o}", "$schema",
	                 "https://nfsh.invalid/schemas/batch.schema.json", "nfsh_batch", "version",
	                 1, "generator", "nfsh export v0.1.0", "flush", 1, "operations", ops);
	rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : NFSH_EOTHER;
	fputc('\n', stdout);
	json_decref(root);
	return rc;
}
