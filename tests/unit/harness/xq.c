/* See xq.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"
#include "harness/xq.h"

json_t *xq_load(const char *sq)
{
	char buf[4096];
	json_error_t je;
	json_t *j;
	size_t i;

	for (i = 0; sq[i] && i + 1 < sizeof(buf); i++)
		buf[i] = sq[i] == '\'' ? '"' : sq[i];
	buf[i] = '\0';
	j = json_loads(buf, 0, &je);
	if (!j)
		fail_msg("bad JSON literal at %d: %s: %s", je.position, je.text, buf);
	return j;
}

static int split(const char *line, char *buf, size_t len, char **argv, int max)
{
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (char *t = strtok(buf, " "); t && n < max; t = strtok(NULL, " "))
		argv[n++] = t;
	return n;
}

static void expect_json(const char *what, json_t *got, json_t *want)
{
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);

		print_error("%s\n  got:  %s\n  want: %s\n", what, g, w);
		free(g);
		free(w);
		fail();
	}
}

static void save_of(const struct rule *r, struct strbuf *sb)
{
	sb_init(sb);
	print_rule_save(r, false, sb);
}

/* Parse LINE, compare the whole "expr" with EXPR, then read the emitted object
 * back as if listed and compare -S with SAVE. */
void xq_check(int family, const char *line, const char *expr, const char *save)
{
	char buf[1024], *argv[64], why[256] = "";
	int n = split(line, buf, sizeof(buf), argv, 64);
	struct cmd c;
	struct nfsh_err e;
	struct rule r;
	struct strbuf sb;
	json_t *o, *want = xq_load(expr);

	if (cmd_parse(n, argv, family, &c, &e) < 0)
		fail_msg("\"%s\" refused: %s (%s)", line, e.msg, e.hint);
	assert_int_equal(c.nrules, 1);
	o = xlate_rule(&c.rules[0], &e);
	if (!o)
		fail_msg("\"%s\": xlate_rule failed: %s", line, e.msg);
	expect_json(line, json_object_get(o, "expr"), want);
	if (xlate_read_rule(o, c.rules[0].table, &r, why, sizeof(why)) != 0)
		fail_msg("\"%s\": read-back failed: %s", line, why);
	save_of(&r, &sb);
	assert_string_equal(sb_str(&sb), save);
	sb_free(&sb);
	rule_release(&r);
	json_decref(o);
	json_decref(want);
	cmd_release(&c);
}

/* A rule as the kernel lists it (nft -j list ruleset) reads back to SAVE. */
void xq_check_listed(int table, const char *listed, const char *save)
{
	json_t *o = xq_load(listed);
	struct rule r;
	struct strbuf sb;
	char why[256] = "";

	if (xlate_read_rule(o, table, &r, why, sizeof(why)) != 0)
		fail_msg("read-back of %s failed: %s", listed, why);
	save_of(&r, &sb);
	assert_string_equal(sb_str(&sb), save);
	sb_free(&sb);
	rule_release(&r);
	json_decref(o);
}

/* LINE is refused as a parameter problem whose message contains WHY. */
void xq_check_refused(int family, const char *line, const char *why)
{
	char buf[1024], *argv[64];
	int n = split(line, buf, sizeof(buf), argv, 64);
	struct cmd c;
	struct nfsh_err e;

	memset(&e, 0, sizeof(e));
	if (cmd_parse(n, argv, family, &c, &e) == 0) {
		cmd_release(&c);
		fail_msg("\"%s\" was accepted", line);
	}
	assert_int_equal(e.status, NFSH_EPARAM);
	if (!strstr(e.msg, why))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, e.msg, why);
}
