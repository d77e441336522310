#include "nft/session.h"
#include "nft/batch.h"
#include "nft/gen.h"
#include "nft/nl_write.h"
#include "nft/sets_nl.h"
#include "rule/rule.h"

#include <errno.h>
#include <malloc.h>

#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sess_open(struct nfsh_session *s, struct nfsh_err *e)
{
	uint32_t gen;
	int rc;

	memset(s, 0, sizeof(*s));
	/* Probe netlink first: libnftables would print its own permission message
	 * to stderr and then fail; nfsh says what to do instead, once. */
	rc = nft_genid(&gen);
	if (rc == -EPERM || rc == -EACCES) {
		err_set(e, NFSH_EKERNEL, NULL, "nfsh needs CAP_NET_ADMIN");
		err_hint(e, "run as root, or try 'nfsh --sandbox'");
		return -1;
	}
	if (rc < 0)
		return err_set(e, NFSH_EKERNEL, NULL, "cannot talk to nf_tables over netlink: %s",
		               strerror(-rc));
	s->debug = getenv("NFSH_DEBUG") && *getenv("NFSH_DEBUG") == '1';
	return 0;
}

/* The libnftables context, made on first use: a few ms that a command read
 * and written over netlink (nl_read.c, nl_write.c) does not need to pay. */
static int need_ctx(struct nfsh_session *s, struct nfsh_err *e)
{
	if (s->nft)
		return 0;
	/* libnftables allocates and frees millions of small blocks for a large
	 * ruleset; glibc's fastbin consolidation was 15-20% of a 50k-rule load
	 * and of a listing (FACTS.md), and without fastbins both ran faster with
	 * no more memory. Only from here on: nfsh's own parsing and the netlink
	 * paths ran ~5% faster with them (50k-rule restore over netlink). */
	mallopt(M_MXFAST, 0);
	s->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!s->nft)
		return err_set(e, NFSH_EKERNEL, NULL, "cannot create a libnftables context");
	/* JSON input is only parsed with JSON output on (libnftables 1.0.6). */
	nft_ctx_output_set_flags(s->nft, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	nft_ctx_buffer_output(s->nft);
	nft_ctx_buffer_error(s->nft);
	return 0;
}

void sess_close(struct nfsh_session *s)
{
	if (s->nft)
		nft_ctx_free(s->nft);
	s->nft = NULL;
}

static const struct {
	const char *text;
	int status;
	const char *hint;
} errno_map[] = {
    {"Operation not permitted", NFSH_EKERNEL, "nfsh needs CAP_NET_ADMIN; try --sandbox"},
    {"Permission denied", NFSH_EKERNEL, "nfsh needs CAP_NET_ADMIN; try --sandbox"},
    {"No such file or directory", NFSH_EOTHER, "no such chain, rule or table"},
    {"File exists", NFSH_EOTHER, "it exists already"},
    {"Device or resource busy", NFSH_EOTHER, "the chain is not empty or is still referenced"},
    {"Too many links", NFSH_EOTHER, "the chain is still referenced"},
    {"Cannot allocate memory", NFSH_EKERNEL, NULL},
    {"Protocol not supported", NFSH_EKERNEL, "the kernel lacks nf_tables support"},
    {"Operation not supported", NFSH_EKERNEL, "this kernel does not support that expression"},
    {"Invalid argument", NFSH_EOTHER, NULL},
};

void sess_error_from_text(const char *text, struct nfsh_err *e)
{
	const char *p = text ? strstr(text, "Error: ") : NULL;
	char line[NFSH_ERR_MSG];
	size_t n;

	if (!p)
		p = text && *text ? text : "libnftables reported an error";
	else
		p += strlen("Error: ");
	n = strcspn(p, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	err_set(e, NFSH_EOTHER, NULL, "%s", line);
	for (size_t i = 0; i < sizeof(errno_map) / sizeof(errno_map[0]); i++)
		if (strstr(line, errno_map[i].text)) {
			e->status = errno_map[i].status;
			if (errno_map[i].hint)
				err_hint(e, "%s", errno_map[i].hint);
			break;
		}
}

static int run(struct nfsh_session *s, const char *buf, struct nfsh_err *e)
{
	int rc;

	if (need_ctx(s, e) < 0)
		return -1;
	if (s->debug)
		fprintf(stderr, "nfsh: batch: %s\n", buf);
	nft_ctx_set_dry_run(s->nft, s->dry_run);
	rc = nft_run_cmd_from_buffer(s->nft, buf);
	nft_ctx_set_dry_run(s->nft, false);
	if (rc != 0) {
		sess_error_from_text(nft_ctx_get_error_buffer(s->nft), e);
		return -1;
	}
	return 0;
}

int sess_apply_text(struct nfsh_session *s, const char *json_text, struct nfsh_err *e)
{
	/* A document that is not JSON would fall back to the nft text parser and
	 * could do nothing while returning 0: check it is JSON before sending. */
	if (json_text[strspn(json_text, " \t\n")] != '{')
		return err_set(e, NFSH_EOTHER, NULL, "internal error: batch is not JSON");
	return run(s, json_text, e);
}

/* The nfsh table an item removes rules from (-D, -R, -F CHAIN, -X), or NULL.
 * A whole "flush table" drops nfsh's own sets in its batch (run.c). */
static json_t *removes_rules(json_t *item)
{
	static const char *const verbs[] = {"delete", "replace", "flush"};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		json_t *what = json_object_get(item, verbs[i]);
		json_t *o = json_object_get(what, "rule") ?: json_object_get(what, "chain");
		const char *t = json_string_value(json_object_get(o, "table"));

		if (t && !strncmp(t, "nfsh-", 5))
			return o;
	}
	return NULL;
}

/* After a commit: the sets of nfsh's own (connlimit's, shared port lists)
 * that the batch's removals left without a rule go (sets_nl.c). */
static void collect_own_sets(json_t *cmds)
{
	json_t *done = json_object(), *item;
	size_t i;

	json_array_foreach(cmds, i, item)
	{
		json_t *o = removes_rules(item);
		const char *fam, *table;
		char key[80];

		if (!o || !done)
			continue;
		fam = json_string_value(json_object_get(o, "family"));
		table = json_string_value(json_object_get(o, "table"));
		if (!fam || (strcmp(fam, "ip") && strcmp(fam, "ip6")))
			continue;
		snprintf(key, sizeof(key), "%s %s", fam, table);
		if (json_object_get(done, key))
			continue;
		json_object_set_new(done, key, json_true());
		nl_gc_own_sets(!strcmp(fam, "ip6") ? NFSH_IPV6 : NFSH_IPV4, table);
	}
	json_decref(done);
}

int sess_apply(struct nfsh_session *s, json_t *cmds, struct nfsh_err *e)
{
	json_t *root;
	char *text;
	int rc;

	/* One command's batch: straight over netlink when nl_write.c knows every
	 * part of it (libnftables would first dump every chain of every table).
	 * A dry run and NFSH_DEBUG (which prints the batch) keep libnftables. */
	if (!s->dry_run && !s->debug) {
		enum nlw_result w = nlw_apply(cmds);

		if (w == NLW_APPLIED) {
			collect_own_sets(cmds);
			return 0;
		}
		if (w == NLW_UNKNOWN)
			return err_set(e, NFSH_EKERNEL, NULL,
			               "no answer from the kernel after the change was sent; "
			               "whether it was applied is not known");
	}
	root = nftb_document(cmds);
	if (!root)
		return err_set(e, NFSH_EOTHER, NULL, "out of memory");
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return err_set(e, NFSH_EOTHER, NULL, "out of memory");
	rc = sess_apply_text(s, text, e);
	free(text);
	if (rc == 0 && !s->dry_run)
		collect_own_sets(cmds);
	return rc;
}

json_t *sess_list(struct nfsh_session *s, const char *what, bool *missing, struct nfsh_err *e)
{
	const char *out;
	json_t *root, *arr;
	json_error_t jerr;

	if (missing)
		*missing = false;
	if (need_ctx(s, e) < 0)
		return NULL;
	nft_ctx_set_dry_run(s->nft, false);
	if (nft_run_cmd_from_buffer(s->nft, what) != 0) {
		const char *et = nft_ctx_get_error_buffer(s->nft);

		if (et && strstr(et, "No such file or directory")) {
			if (missing)
				*missing = true;
			return json_array();
		}
		sess_error_from_text(et, e);
		return NULL;
	}
	out = nft_ctx_get_output_buffer(s->nft);
	root = json_loads(out ? out : "", 0, &jerr);
	if (!root) {
		err_set(e, NFSH_EKERNEL, NULL, "cannot read libnftables listing: %s", jerr.text);
		return NULL;
	}
	arr = json_object_get(root, "nftables");
	if (!json_is_array(arr)) {
		json_decref(root);
		err_set(e, NFSH_EKERNEL, NULL, "libnftables listing has no \"nftables\" array");
		return NULL;
	}
	json_incref(arr);
	json_decref(root);
	return arr;
}
