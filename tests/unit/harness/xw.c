/* See xw.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"
#include "harness/xw.h"

#define MAXW 64

/* Split at blanks; '_' stands for a blank inside a word. */
static int split(const char *line, char *buf, size_t len, char **argv)
{
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (char *t = strtok(buf, " "); t && n < MAXW; t = strtok(NULL, " ")) {
		for (char *q = t; *q; q++)
			if (*q == '_')
				*q = ' ';
		argv[n++] = t;
	}
	return n;
}

static char *canon(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void expect_json(json_t *got, const char *want, const char *line)
{
	json_t *w = json_loads(want, 0, NULL);
	char *a, *b;

	if (!w)
		fail_msg("bad expected JSON for \"%s\": %s", line, want);
	a = canon(got);
	b = canon(w);
	if (strcmp(a, b))
		fail_msg("\"%s\"\n  emitted  %s\n  expected %s", line, a, b);
	free(a);
	free(b);
	json_decref(w);
}

/* The save text of the rule read back from a listed rule object. */
static void expect_read(json_t *listed, int family, const char *want, const char *line)
{
	struct rule r;
	char why[512];
	struct strbuf sb;
	int rc;

	(void)family;
	rc = xlate_read_rule(listed, TBL_FILTER, &r, why, sizeof(why));
	if (rc != 0) {
		rule_release(&r);
		fail_msg("\"%s\": read-back refused (%d): %s", line, rc, why);
	}
	sb_init(&sb);
	print_rule_save(&r, false, &sb);
	if (strcmp(sb_str(&sb), want))
		fail_msg("\"%s\"\n  read back %s\n  expected  %s", line, sb_str(&sb), want);
	sb_free(&sb);
	rule_release(&r);
}

/* Parse line, check the emitted statements (counter included) and the save text
 * of the parsed rule and of its read-back. want_save NULL: "-A " + the rule words. */
void xw_check(int family, const char *line, const char *want_expr, const char *want_save)
{
	char buf[2048], *argv[MAXW], save[2048];
	int n = split(line, buf, sizeof(buf), argv);
	struct cmd c;
	struct nfsh_err e;
	json_t *o;
	struct strbuf sb;

	if (cmd_parse(n, argv, family, &c, &e) < 0)
		fail_msg("\"%s\" refused: %s [word \"%s\"]", line, e.msg, e.word);
	assert_int_equal(c.nrules, 1);
	o = xlate_rule(&c.rules[0], &e);
	if (!o)
		fail_msg("\"%s\": no translation: %s", line, e.msg);
	expect_json(json_object_get(o, "expr"), want_expr, line);
	if (!want_save) {
		/* "-A CHAIN rest" from "-A CHAIN rest" with '_' as blanks kept as typed. */
		snprintf(save, sizeof(save), "%s", line);
		want_save = save;
	}
	sb_init(&sb);
	print_rule_save(&c.rules[0], false, &sb);
	if (strcmp(sb_str(&sb), want_save))
		fail_msg("\"%s\"\n  saved    %s\n  expected %s", line, sb_str(&sb), want_save);
	sb_free(&sb);
	expect_read(o, family, want_save, line);
	json_decref(o);
	cmd_release(&c);
}

void xw_refuse(int family, const char *line, const char *word)
{
	char buf[2048], *argv[MAXW];
	int n = split(line, buf, sizeof(buf), argv);
	struct cmd c;
	struct nfsh_err e;

	if (cmd_parse(n, argv, family, &c, &e) == 0) {
		cmd_release(&c);
		fail_msg("\"%s\" accepted", line);
	}
	assert_int_equal(e.status, NFSH_EPARAM);
	if (word && strcmp(e.word, word))
		fail_msg("\"%s\": offending word \"%s\", expected \"%s\"", line, e.word, word);
}

/* A kernel-style listed rule: {"family", "table", "chain", "expr", "comment"?}. */
void xw_listed(int family, const char *expr, const char *comment, const char *want)
{
	json_t *o =
	    json_pack("{s:s,s:s,s:s,s:o}", "family", family == NFSH_IPV6 ? "ip6" : "ip", "table",
	              "nfsh-filter", "chain", "INPUT", "expr", json_loads(expr, 0, NULL));

	assert_non_null(o);
	if (comment)
		json_object_set_new(o, "comment", json_string(comment));
	expect_read(o, family, want, expr);
	json_decref(o);
}
