/* Lint over iptables -S text: it reads exactly what the printers show, so it
 * judges the rules the way the admin reads them. Checks: -m state (prefer
 * -m conntrack --ctstate), rules shadowed by an earlier catch-all or an
 * identical earlier rule, established accepts placed after a drop, and a DROP
 * policy on INPUT with nothing admitting established traffic or loopback. */
#include <stdlib.h>
#include <string.h>

#include "cmd/print.h"
#include "cmd/run.h"
#include "shell/shell.h"

#define LINT_MAX_RULES 4096

struct lrule {
	char chain[NFSH_CHAIN_MAX + 1];
	int num;
	const char *cond; /* the part before -j/-g */
	size_t condlen;
	const char *target; /* after "-j " / "-g ", or "" */
	bool go;
};

static bool terminal(const struct lrule *r)
{
	return r->go || !strncmp(r->target, "ACCEPT", 6) || !strncmp(r->target, "DROP", 4) ||
	       !strncmp(r->target, "REJECT", 6) || !strncmp(r->target, "RETURN", 6);
}

static bool drops(const struct lrule *r)
{
	return !strncmp(r->target, "DROP", 4) || !strncmp(r->target, "REJECT", 6);
}

static bool has(const struct lrule *r, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= r->condlen; i++)
		if (!strncmp(r->cond + i, s, n))
			return true;
	return false;
}

static int add(struct lint_msg *out, int n, int max, const struct lrule *r, const char *chain,
               const char *text)
{
	if (n >= max)
		return n;
	snprintf(out[n].chain, sizeof(out[n].chain), "%s", r ? r->chain : chain);
	out[n].rulenum = r ? r->num : 0;
	snprintf(out[n].text, sizeof(out[n].text), "%s", text);
	return n + 1;
}

/* Split "-A CHAIN cond -j TARGET" lines into rules (pointers into spec). */
static int split(const char *spec, struct lrule *rs, int max)
{
	int n = 0;

	for (const char *p = spec; p && *p && n < max;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > 3 && !strncmp(p, "-A ", 3)) {
			struct lrule *r = &rs[n];
			const char *c = p + 3, *sp = memchr(c, ' ', len - 3), *j;
			const char *end = p + len;

			snprintf(r->chain, sizeof(r->chain), "%.*s", (int)((sp ? sp : end) - c), c);
			r->num = 1;
			for (int k = 0; k < n; k++)
				if (!strcmp(rs[k].chain, r->chain))
					r->num++;
			r->cond = sp ? sp + 1 : end;
			r->target = "";
			r->go = false;
			r->condlen = (size_t)(end - r->cond);
			for (j = r->cond; j + 3 <= end; j++)
				if ((j == r->cond || j[-1] == ' ') && j[0] == '-' &&
				    (j[1] == 'j' || j[1] == 'g') && j[2] == ' ') {
					r->condlen = (size_t)(j - r->cond);
					while (r->condlen && r->cond[r->condlen - 1] == ' ')
						r->condlen--;
					r->go = j[1] == 'g';
					r->target = j + 3;
					break;
				}
			n++;
		}
		p = eol ? eol + 1 : NULL;
	}
	return n;
}

static int policy_check(const char *spec, const struct lrule *rs, int nr, struct lint_msg *out,
                        int n, int max)
{
	bool est = false, lo = false;

	if (!strstr(spec, "-P INPUT DROP\n"))
		return n;
	for (int i = 0; i < nr; i++) {
		if (strcmp(rs[i].chain, "INPUT") || strncmp(rs[i].target, "ACCEPT", 6))
			continue;
		est |= has(&rs[i], "ESTABLISHED");
		lo |= has(&rs[i], "-i lo") && rs[i].condlen == 5;
	}
	if (!est)
		n = add(out, n, max, NULL, "INPUT",
		        "INPUT drops by policy and no rule accepts ESTABLISHED traffic: replies to "
		        "this host's own connections will be dropped");
	if (!lo)
		n = add(out, n, max, NULL, "INPUT",
		        "INPUT drops by policy and no rule accepts loopback (-A INPUT -i lo -j "
		        "ACCEPT): local services will break");
	return n;
}

int lint_spec(const char *spec, struct lint_msg *out, int max)
{
	struct lrule *rs = calloc(LINT_MAX_RULES, sizeof(*rs));
	int nr, n = 0;
	char text[256];

	if (!rs)
		return 0;
	nr = split(spec, rs, LINT_MAX_RULES);
	for (int j = 0; j < nr; j++) {
		const struct lrule *r = &rs[j];

		if (has(r, "-m state "))
			n = add(out, n, max, r, NULL,
			        "-m state --state is the old spelling of -m conntrack --ctstate "
			        "(the same kernel expression): prefer the latter");
		for (int i = 0; i < j; i++) {
			const struct lrule *q = &rs[i];

			if (strcmp(q->chain, r->chain) || !terminal(q))
				continue;
			if (q->condlen &&
			    (q->condlen != r->condlen || strncmp(q->cond, r->cond, q->condlen)))
				continue;
			if (drops(q) && has(r, "ESTABLISHED") && !strncmp(r->target, "ACCEPT", 6))
				snprintf(
				    text, sizeof(text),
				    "the ESTABLISHED accept (rule %d of %s) comes after rule %d "
				    "that %s everything: move it up (-I %s 1)",
				    r->num, r->chain, q->num,
				    q->target[0] == 'D' ? "drops" : "rejects", r->chain);
			else
				snprintf(text, sizeof(text),
				         "rule %d of %s can never match: rule %d before it %s",
				         r->num, r->chain, q->num,
				         q->condlen ? "matches the same packets"
				                    : "matches every packet");
			n = add(out, n, max, r, NULL, text);
			break;
		}
	}
	n = policy_check(spec, rs, nr, out, n, max);
	free(rs);
	return n;
}

int lint_live(struct shell *sh, FILE *out)
{
	static const int fams[] = {NFSH_IPV4, NFSH_IPV6};
	int total = 0;

	for (int f = 0; f < 2; f++) {
		struct table_info ti;
		struct nfsh_err e;
		struct lint_msg msgs[64];
		char *buf = NULL;
		size_t len = 0;
		FILE *m;
		int n;

		if (table_read(&sh->sess, fams[f], TBL_FILTER, NULL, &ti, &e) < 0)
			continue;
		if (!ti.exists) {
			table_info_free(&ti);
			continue;
		}
		m = open_memstream(&buf, &len);
		if (m) {
			print_spec(&ti, NULL, 0, false, m);
			fclose(m);
			n = lint_spec(buf, msgs, 64);
			for (int i = 0; i < n; i++)
				fprintf(out, "lint: %s%s: %s\n", fams[f] == NFSH_IPV6 ? "ip6 " : "",
				        msgs[i].chain, msgs[i].text);
			total += n;
			free(buf);
		}
		table_info_free(&ti);
	}
	if (!total)
		fprintf(out, "lint: no findings\n");
	return total;
}

/* Before a ruleset is applied: the findings that would cut this host off from
 * the network it is managed over, as warnings. spec is the -S text of the
 * filter table as it would be. */
int lint_lockout_warn(struct shell *sh, const char *spec)
{
	struct lint_msg msgs[32];
	int n = lint_spec(spec, msgs, 32), hits = 0;

	for (int i = 0; i < n; i++) {
		if (!strstr(msgs[i].text, "drops by policy") ||
		    !strstr(msgs[i].text, "ESTABLISHED"))
			continue;
		shell_warn(sh, "%s", msgs[i].text);
		hits++;
	}
	if (hits && getenv("SSH_CONNECTION"))
		shell_warn(sh,
		           "this session runs over SSH (%s): it will stop answering; add "
		           "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT first, "
		           "or use commit confirmed",
		           getenv("SSH_CONNECTION"));
	return hits;
}
