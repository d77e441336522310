/* Reading nfsh's own table back from the kernel into chains of rule models. */
#include "util/strbuf.h"
#include "cmd/run.h"
#include "cmd/table_int.h"
#include "nft/json.h"
#include "nft/nl_read.h"
#include "nft/shared_sets.h"
#include "xlate/xlate.h"

#include <stdlib.h>
#include <string.h>

/* Where listed objects go, one at a time. */
struct filler {
	struct table_info *ti;
	struct chain_index ix;
	const char *only_chain;
	json_t *sets;
	bool saw_chain; /* only_chain was listed */
};

/* One listed object into the table: a chain, a shared set, or a rule
 * (after the chains and sets it needs). -1: out of memory. */
static int fill_one(json_t *o, void *ctx)
{
	struct filler *f = ctx;
	json_t *b;
	const char *name;
	struct chain_info *ch;

	if ((b = json_object_get(o, "chain"))) {
		name = json_string_value(json_object_get(b, "name"));
		if (!name || (f->only_chain && strcmp(name, f->only_chain)))
			return 0;
		f->saw_chain = true;
		if (!(ch = tm_get_chain(&f->ix, f->ti, name)))
			return -1;
		ch->builtin = json_object_get(b, "hook") != NULL;
		snprintf(ch->policy, sizeof(ch->policy), "%s",
		         json_string_value(json_object_get(b, "policy")) ?: "accept");
		for (char *p = ch->policy; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	} else if ((b = json_object_get(o, "rule"))) {
		name = json_string_value(json_object_get(b, "chain"));
		if (!name || (f->only_chain && strcmp(name, f->only_chain)))
			return 0;
		if (!(ch = tm_get_chain(&f->ix, f->ti, name)))
			return -1;
		nfsh_rule_resolve_shared_sets(b, f->sets);
		return tm_add_rule(ch, b, f->ti->table);
	} else {
		nfsh_shared_set_collect(o, f->sets);
	}
	return 0;
}

static int fill(struct table_info *ti, json_t *objs, const char *only_chain, json_t *sets)
{
	struct filler f = {.ti = ti, .only_chain = only_chain, .sets = sets};
	size_t i;
	json_t *o;
	int rc = 0;

	nfsh_shared_sets_collect(objs, sets);
	json_array_foreach(objs, i, o)
	{
		if ((rc = fill_one(o, &f)) < 0)
			break;
	}
	tm_index_free(&f.ix);
	return rc;
}

/* Rule objects by handle, for the read check. */
static json_t *rules_by_handle(json_t *objs)
{
	json_t *map = json_object(), *o, *b;
	size_t i;
	char key[32];

	json_array_foreach(objs, i, o)
	{
		if ((b = json_object_get(o, "rule")) || (b = json_object_get(o, "set"))) {
			snprintf(key, sizeof(key), "%s%lld", json_object_get(o, "rule") ? "r" : "s",
			         (long long)json_integer_value(json_object_get(b, "handle")));
			if (json_object_get(o, "set"))
				snprintf(key, sizeof(key), "s:%.28s",
				         json_string_value(json_object_get(b, "name")) ?: "");
			json_object_set(map, key, b);
		}
	}
	return map;
}

/* NFSH_READ_CHECK=1: every rule and shared set the netlink reader read must
 * be the one libnftables lists; differences go to stderr ("nfsh: read check:
 * ..."), for tests/integration/io_fastread.sh. */
static void read_check(json_t *fast, json_t *slow)
{
	json_t *a = rules_by_handle(fast), *b = rules_by_handle(slow), *v, *w;
	const char *key;

	json_object_foreach(a, key, v)
	{
		w = json_object_get(b, key);
		if (!w || (key[0] == 's'
		               ? !json_equal(json_object_get(v, "elem"), json_object_get(w, "elem"))
		               : !json_equal(v, w))) {
			char *x = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			char *y = w ? json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

			fprintf(stderr, "nfsh: read check: %s: netlink %s\n  libnftables %s\n", key,
			        x ? x : "?", y ? y : "(none)");
			free(x);
			free(y);
		}
	}
	json_decref(a);
	json_decref(b);
}

/* The listing of table (or of one chain of it) through libnftables; with
 * NFSH_READ_CHECK=1 also read over netlink and compared. */
static json_t *list_objs(struct nfsh_session *s, int family, const char *table, const char *chain,
                         bool checking, bool *missing, struct nfsh_err *e)
{
	char what[160];
	json_t *objs = NULL, *slow;
	enum nlr_result r = NLR_UNSUPPORTED;
	bool nl_missing;

	if (checking) {
		r = nlr_list_table(family, table, chain, true, &objs, &nl_missing, e);
		if (r == NLR_ERROR)
			return NULL;
	}
	if (chain)
		snprintf(what, sizeof(what), "list chain %s %s %s", family_nft_name(family), table,
		         chain);
	else
		snprintf(what, sizeof(what), "list table %s %s", family_nft_name(family), table);
	slow = sess_list(s, what, missing, e);
	if (r == NLR_OK) {
		if (slow)
			read_check(objs, slow);
		json_decref(objs);
	} else if (checking) {
		fprintf(stderr, "nfsh: read check: %s: libnftables path\n", what);
	}
	return slow;
}

/* The table read straight over netlink (nl_read.c) into ti, streamed: no
 * listing is held whole. NLR_UNSUPPORTED leaves ti empty for the
 * libnftables path. */
static enum nlr_result read_netlink(struct table_info *ti, const char *table, const char *chain,
                                    bool *missing, struct nfsh_err *e)
{
	struct filler f = {.ti = ti, .only_chain = chain, .sets = json_object()};
	enum nlr_result r;
	int family = ti->family, id = ti->table;

	if (!f.sets)
		return err_set(e, NFSH_EOTHER, NULL, "out of memory reading the ruleset"),
		       NLR_ERROR;
	r = nlr_read_table(
	    &(struct nlr_req){
	        .family = family, .table = table, .chain = chain, .emit = fill_one, .ctx = &f},
	    missing, e);
	tm_index_free(&f.ix);
	json_decref(f.sets);
	if (r == NLR_OK && chain && !*missing)
		*missing = !f.saw_chain;
	if (r != NLR_OK) {
		table_info_free(ti);
		ti->family = family;
		ti->table = id;
	}
	return r;
}

static bool has_sets(json_t *objs)
{
	size_t i;
	json_t *o;

	json_array_foreach(objs, i, o)
	{
		if (json_object_get(o, "set"))
			return true;
	}
	return false;
}

/* Chains in iptables' order and jump counts, once every object is in. */
static int finish_read(struct table_info *ti, const char *chain, bool missing, struct nfsh_err *e)
{
	ti->exists = !missing;
	if (!chain && tm_order_chains(ti) < 0) {
		table_info_free(ti);
		return err_set(e, NFSH_EOTHER, NULL, "out of memory reading the ruleset");
	}
	if (!chain)
		tm_count_refs(ti);
	return 0;
}

static int read_libnftables(struct nfsh_session *s, struct table_info *ti, const char *chain,
                            struct nfsh_err *e);

/* The netlink reader first, unless NFSH_READER=nft or the read check
 * (which lists through libnftables and compares) asks otherwise. */
static bool netlink_first(void)
{
	const char *reader = getenv("NFSH_READER"), *check = getenv("NFSH_READ_CHECK");

	return !(check && !strcmp(check, "1")) && !(reader && !strcmp(reader, "nft"));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether a chain of ti lists one rule twice. The kernel resumes a rule
 * dump by index: a rule inserted above the resume point while the dump is
 * between two parts shows the rule at the boundary again, with its handle,
 * and neither NLM_F_DUMP_INTR nor the generation says so (seen under load
 * with a writer inserting at the top; nft -j list shows it too). A position
 * counted in such a listing is one off. */
static bool lists_a_rule_twice(const struct table_info *ti)
{
	for (int c = 0; c < ti->nchains; c++) {
		const struct chain_info *ch = &ti->chains[c];
		uint64_t *h;
		bool twice = false;

		if (ch->nrules < 2)
			continue;
		if (!(h = malloc((size_t)ch->nrules * sizeof(*h))))
			return false; /* cannot tell: as before */
		for (int k = 0; k < ch->nrules; k++)
			h[k] = ch->rules[k].handle;
		qsort(h, (size_t)ch->nrules, sizeof(*h), cmp_u64);
		for (int k = 1; k < ch->nrules && !twice; k++)
			twice = h[k] && h[k] == h[k - 1];
		free(h);
		if (twice)
			return true;
	}
	return false;
}

static int read_once(struct nfsh_session *s, int family, int table, const char *chain,
                     struct table_info *ti, struct nfsh_err *e)
{
	const struct table_desc *t = table_by_id(table);
	bool missing;

	memset(ti, 0, sizeof(*ti));
	ti->family = family;
	ti->table = table;
	if (netlink_first()) {
		enum nlr_result r = read_netlink(ti, t->nftname, chain, &missing, e);

		if (r == NLR_ERROR)
			return -1;
		if (r == NLR_OK)
			return finish_read(ti, chain, missing, e);
	}
	return read_libnftables(s, ti, chain, e);
}

/* A listing that shows a rule twice is read again (see lists_a_rule_twice). */
#define READ_TRIES 20

/* NFSH_READ_FAULT=twice (the first listing) or =always (every listing) gives
 * the second rule of the first chain holding two the first one's handle:
 * what such a listing looks like, for integration/read_twice. */
static void fault_listing(struct table_info *ti, int attempt)
{
	const char *f = getenv("NFSH_READ_FAULT");

	if (!f || !((!strcmp(f, "twice") && attempt == 0) || !strcmp(f, "always")))
		return;
	for (int c = 0; c < ti->nchains; c++)
		if (ti->chains[c].nrules >= 2) {
			ti->chains[c].rules[1].handle = ti->chains[c].rules[0].handle;
			return;
		}
}

int table_read(struct nfsh_session *s, int family, int table, const char *chain,
               struct table_info *ti, struct nfsh_err *e)
{
	if (!s) {
		memset(ti, 0, sizeof(*ti));
		ti->family = family;
		ti->table = table;
		err_set(e, NFSH_EKERNEL, NULL, "this command needs to read the live ruleset");
		err_hint(e, "run it with CAP_NET_ADMIN (as root, or in 'nfsh --sandbox')");
		return -1;
	}
	for (int i = 0; i < READ_TRIES; i++) {
		if (read_once(s, family, table, chain, ti, e) < 0)
			return -1;
		fault_listing(ti, i);
		if (!lists_a_rule_twice(ti))
			return 0;
		table_info_free(ti);
	}
	memset(ti, 0, sizeof(*ti));
	ti->family = family;
	ti->table = table;
	err_set(e, NFSH_EOTHER, NULL,
	        "the ruleset kept changing while it was read (%d listings showed a rule twice); "
	        "nothing was changed",
	        READ_TRIES);
	err_hint(e, "another program is writing to table %s; try again",
	         table_by_id(table)->nftname);
	return -1;
}

/* The table through libnftables (with NFSH_READ_CHECK=1 also over netlink,
 * compared), into ti (family and table set, nothing read). */
static int read_libnftables(struct nfsh_session *s, struct table_info *ti, const char *chain,
                            struct nfsh_err *e)
{
	const struct table_desc *t = table_by_id(ti->table);
	const char *check = getenv("NFSH_READ_CHECK");
	bool checking = check && !strcmp(check, "1"), missing;
	int family = ti->family, rc;
	char what[160];
	json_t *objs, *sets;

	objs = list_objs(s, family, t->nftname, chain, checking, &missing, e);
	if (!objs)
		return -1;
	sets = json_object();
	if (chain && sets && !has_sets(objs)) {
		/* libnftables' chain listing carries no sets: fetch them when a rule
		 * uses one (the netlink listing has them already). */
		size_t i;
		json_t *o, *more = NULL;

		json_array_foreach(objs, i, o)
		{
			if (!more && json_object_get(o, "rule") &&
			    nfsh_rule_uses_shared_set(json_object_get(o, "rule"))) {
				snprintf(what, sizeof(what), "list sets table %s %s",
				         family_nft_name(family), t->nftname);
				more = sess_list(s, what, NULL, e);
				if (!more) {
					json_decref(objs);
					json_decref(sets);
					return -1;
				}
				nfsh_shared_sets_collect(more, sets);
				json_decref(more);
			}
		}
	}
	rc = sets ? fill(ti, objs, chain, sets) : -1;
	json_decref(sets);
	json_decref(objs);
	if (rc < 0) {
		table_info_free(ti);
		return err_set(e, NFSH_EOTHER, NULL, "out of memory reading the ruleset");
	}
	return finish_read(ti, chain, missing, e);
}

/* ---- streamed (save) ---- */

struct streamer {
	struct filler f;
	const struct table_sink *sink;
	bool begun;
	bool lost;               /* a rule of a chain the chain dump did not give: read again */
	struct chain_info *last; /* of the rule before (ti->chains is final once begun) */
	bool sink_failed;
	/* NFSH_READ_CHECK=fast: each rule read without JSON is read from its
	 * JSON too, and both printed forms compared (a check only: the rules
	 * the netlink reader does not know are left out, so that it checks the
	 * others of such a table too). */
	bool checking, have_fast;
	uint64_t fast_handle;
	struct strbuf fast_text;
	int nfast, ndiffer;
};

static int stream_begin(struct streamer *st)
{
	st->begun = true;
	if (tm_order_chains(st->f.ti) < 0 || tm_index_build(&st->f.ix, st->f.ti) < 0)
		return -1;
	if (st->sink->begin(st->f.ti, st->sink->ctx) < 0) {
		st->sink_failed = true;
		return -1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The chains are in: put them in iptables' order, tell the sink, and have
 * the rules dumped in that order: the built-in chains in iptables' order
 * (those not created yet have no rules), then the others by name, as
 * order_chains lays out ti. */
static int stream_order(char **names, size_t n, void *ctx)
{
	struct streamer *st = ctx;
	const struct table_desc *t = table_by_id(st->f.ti->table);
	size_t front = 0;

	if (stream_begin(st) < 0)
		return -1;
	for (int b = 0; b < t->nchains; b++)
		for (size_t i = front; i < n; i++)
			if (!strcmp(names[i], t->chains[b].name)) {
				char *x = names[i];

				memmove(&names[front + 1], &names[front],
				        (i - front) * sizeof(*names));
				names[front++] = x;
				break;
			}
	qsort(names + front, n - front, sizeof(*names), cmp_names);
	return 0;
}

/* A chain, as fill_one takes a listed one. */
static int stream_chain(const char *name, bool base, const char *policy, void *ctx)
{
	struct streamer *st = ctx;
	struct chain_info *ch = tm_get_chain(&st->f.ix, st->f.ti, name);

	if (!ch)
		return -1;
	ch->builtin = base;
	str_copy(ch->policy, sizeof(ch->policy), base ? policy : "accept");
	for (char *p = ch->policy; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	return 0;
}

/* The JSON reading of the rule last read without JSON: the same? */
static void check_fast(struct streamer *st, const struct rule *r, const char *why)
{
	struct strbuf sb;

	st->have_fast = false;
	sb_init(&sb);
	if (why)
		sb_addf(&sb, "(not iptables: %s)", why);
	else
		print_rule_save(r, true, &sb);
	if (strcmp(sb_str(&sb), sb_str(&st->fast_text))) {
		st->ndiffer++;
		fprintf(stderr, "nfsh: read check: fast r%llu: without JSON %s\n  from JSON %s\n",
		        (unsigned long long)r->handle, sb_str(&st->fast_text), sb_str(&sb));
	}
	sb_free(&sb);
}

/* A rule of the common shapes, read without its JSON. */
static int stream_fast(const struct nlr_fast *fr, void *ctx)
{
	struct streamer *st = ctx;
	struct chain_info *ch;
	struct rule r;
	int rc = 1;

	/* Rules come chain by chain: most are of the chain before. */
	if (st->last && !strcmp(st->last->name, fr->chain))
		ch = st->last;
	else if (!st->begun || !(ch = tm_index_find(&st->f.ix, st->f.ti, fr->chain))) {
		st->lost = true;
		return -1;
	}
	st->last = ch;
	if (!xlate_read_fast(fr, st->f.ti->table, &r))
		return 0;
	if (st->checking) {
		st->nfast++;
		st->have_fast = true;
		st->fast_handle = r.handle;
		sb_reset(&st->fast_text);
		print_rule_save(&r, true, &st->fast_text);
		rc = 0; /* and now from its JSON */
	} else if (st->sink->rule(ch, &r, NULL, st->sink->ctx) < 0) {
		st->sink_failed = true;
		rc = -1;
	}
	rule_release(&r);
	return rc;
}

static int stream_one(json_t *o, void *ctx)
{
	struct streamer *st = ctx;
	struct chain_info *ch;
	struct rule r;
	char why[512];
	const char *name;
	json_t *b;
	int rc;

	if (!(b = json_object_get(o, "rule")))
		return fill_one(o, &st->f);
	name = json_string_value(json_object_get(b, "chain"));
	if (!st->begun || !name || !(ch = tm_index_find(&st->f.ix, st->f.ti, name))) {
		st->lost = true;
		return -1;
	}
	nfsh_rule_resolve_shared_sets(b, st->f.sets);
	rc = xlate_read_rule(b, st->f.ti->table, &r, why, sizeof(why));
	if (st->have_fast && st->fast_handle == r.handle)
		check_fast(st, &r, rc != 0 ? why : NULL);
	if (st->sink->rule(ch, &r, rc != 0 ? why : NULL, st->sink->ctx) < 0) {
		st->sink_failed = true;
		rc = -1;
	} else {
		rc = 0;
	}
	rule_release(&r);
	return rc;
}

/* Over netlink: NLR_UNSUPPORTED also when the table changed under the dump. */
static enum nlr_result stream_netlink(struct table_info *ti, const struct nlr_chains *chains,
                                      const struct table_sink *sink, struct nfsh_err *e)
{
	const char *check = getenv("NFSH_READ_CHECK");
	struct streamer st = {.f = {.ti = ti, .sets = json_object()},
	                      .sink = sink,
	                      .checking = check && !strcmp(check, "fast")};
	enum nlr_result r;
	bool missing;

	if (!st.f.sets)
		return err_set(e, NFSH_EOTHER, NULL, "out of memory reading the ruleset"),
		       NLR_ERROR;
	sb_init(&st.fast_text);
	r = nlr_read_table(&(struct nlr_req){.family = ti->family,
	                                     .table = table_by_id(ti->table)->nftname,
	                                     .emit = stream_one,
	                                     .partial = st.checking,
	                                     .order = stream_order,
	                                     .chain_fn = stream_chain,
	                                     .fast = getenv("NFSH_READ_SLOW") ? NULL : stream_fast,
	                                     .ctx = &st,
	                                     .chains = chains},
	                   &missing, e);
	if (r == NLR_OK && !st.begun && stream_begin(&st) < 0)
		r = NLR_ERROR;
	if (st.lost && !st.sink_failed) {
		err_clear(e); /* the stopped dump's error: libnftables reads it again */
		r = NLR_UNSUPPORTED;
	}
	if (r == NLR_ERROR && !e->status)
		err_set(e, NFSH_EOTHER, NULL, "out of memory reading the ruleset");
	tm_index_free(&st.f.ix);
	json_decref(st.f.sets);
	if (st.checking)
		fprintf(stderr,
		        "nfsh: read check: fast %s: %d rules read without JSON, %d differ\n",
		        table_by_id(ti->table)->name, st.nfast, st.ndiffer);
	sb_free(&st.fast_text);
	return r;
}

/* A table read whole (libnftables), given to the sink as if streamed. */
static int replay(const struct table_info *ti, const struct table_sink *sink)
{
	if (sink->begin(ti, sink->ctx) < 0)
		return -1;
	for (int i = 0; i < ti->nchains; i++) {
		const struct chain_info *ch = &ti->chains[i];

		for (int k = 0; k < ch->nrules; k++)
			if (sink->rule(ch, &ch->rules[k], ch->foreign ? ch->foreign[k] : NULL,
			               sink->ctx) < 0)
				return -1;
	}
	return 0;
}

int table_stream(struct nfsh_session *s, int family, int table, const struct nlr_chains *chains,
                 const struct table_sink *sink, struct nfsh_err *e)
{
	struct table_info ti = {.family = family, .table = table};
	int rc;

	if (!s) {
		err_set(e, NFSH_EKERNEL, NULL, "this command needs to read the live ruleset");
		err_hint(e, "run it with CAP_NET_ADMIN (as root, or in 'nfsh --sandbox')");
		return -1;
	}
	if (netlink_first()) {
		enum nlr_result r = stream_netlink(&ti, chains, sink, e);

		table_info_free(&ti);
		if (r == NLR_ERROR)
			return -1;
		if (r == NLR_OK)
			return 0;
		ti.family = family;
		ti.table = table;
	}
	if (read_libnftables(s, &ti, NULL, e) < 0)
		return -1;
	rc = replay(&ti, sink);
	table_info_free(&ti);
	return rc < 0 ? err_set(e, NFSH_EOTHER, NULL, "cannot write the output") : 0;
}
