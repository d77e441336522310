#include "nft/text.h"
#include "nft/json.h"

#include <stdlib.h>
#include <string.h>

static void raw_json(json_t *v, struct strbuf *sb)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	sb_add(sb, s ? s : "?");
	free(s);
}

static void value(json_t *v, struct strbuf *sb)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		/* Interface names and other strings nft would not take bare. */
		if (strpbrk(s, " *\"") || !*s)
			sb_addf(sb, "\"%s\"", s);
		else
			sb_add(sb, s);
	} else if (json_is_integer(v)) {
		sb_addf(sb, "%lld", (long long)json_integer_value(v));
	} else if (json_is_array(v)) {
		size_t i;
		json_t *el;

		json_array_foreach(v, i, el)
		{
			if (i)
				sb_addc(sb, ',');
			value(el, sb);
		}
	} else if (json_is_boolean(v)) {
		/* The presence test of tcp option and exthdr expressions. */
		sb_add(sb, json_is_true(v) ? "exists" : "missing");
	} else if (json_is_object(v)) {
		nftt_expr(v, sb);
	} else {
		raw_json(v, sb);
	}
}

/* A flag list as the operand of & | ^: nft wants (fin|ack), not fin,ack. */
static void operand(json_t *v, struct strbuf *sb)
{
	size_t i;
	json_t *el;

	if (!json_is_array(v)) {
		nftt_expr(v, sb);
		return;
	}
	sb_addc(sb, '(');
	json_array_foreach(v, i, el)
	{
		if (i)
			sb_addc(sb, '|');
		value(el, sb);
	}
	sb_addc(sb, ')');
}

/* "fib saddr . iif type": the flags joined by " . ", then the result. */
static void fib_text(json_t *b, struct strbuf *sb)
{
	json_t *flags = json_object_get(b, "flags"), *f;
	size_t i;

	sb_add(sb, "fib ");
	if (json_is_string(flags))
		sb_add(sb, json_string_value(flags));
	json_array_foreach(json_is_array(flags) ? flags : NULL, i, f)
	{
		sb_add(sb, i ? " . " : "");
		sb_add(sb, json_string_value(f) ?: "?");
	}
	sb_addf(sb, " %s", json_string_value(json_object_get(b, "result")) ?: "?");
}

void nftt_expr(json_t *e, struct strbuf *sb)
{
	json_t *b, *a;
	const char *name = nftj_stmt_name(e, &b);
	const char *k, *f, *dir;
	int len;

	if (!json_is_object(e)) {
		value(e, sb);
		return;
	}
	if (!name) {
		raw_json(e, sb); /* never back to value(): that recursed without end */
		return;
	}
	if (nftj_is_payload(e, &k, &f)) {
		sb_addf(sb, "%s %s", k, f);
	} else if (nftj_is_meta(e, &k)) {
		sb_addf(sb, "meta %s", k);
	} else if (nftj_is_ct(e, &k, &dir)) {
		sb_addf(sb, "ct %s%s%s", dir ? dir : "", dir ? " " : "", k);
	} else if (strcmp(name, "fib") == 0 && json_is_object(b)) {
		fib_text(b, sb);
	} else if (strcmp(name, "tcp option") == 0 && json_is_object(b)) {
		/* Presence of an option: by name, or by kind number as listings show it. */
		if (json_is_string(json_object_get(b, "name")))
			sb_addf(sb, "tcp option %s", json_string_value(json_object_get(b, "name")));
		else
			sb_addf(sb, "tcp option %lld",
			        (long long)json_integer_value(json_object_get(b, "base")));
		if (json_is_string(json_object_get(b, "field")))
			sb_addf(sb, " %s", json_string_value(json_object_get(b, "field")));
	} else if ((strcmp(name, "exthdr") == 0 || strcmp(name, "sctp chunk") == 0) &&
	           json_is_object(b)) {
		/* exthdr NAME (presence) or NAME FIELD; sctp chunk NAME [FIELD]. */
		const char *n = json_string_value(json_object_get(b, "name")) ?: "?";

		f = json_string_value(json_object_get(b, "field"));
		if (name[0] == 's')
			sb_addf(sb, "sctp chunk %s%s%s", n, f ? " " : "", f ? f : "");
		else if (f)
			sb_addf(sb, "%s %s", n, f);
		else
			sb_addf(sb, "exthdr %s", n);
	} else if (strcmp(name, "numgen") == 0 && json_is_object(b)) {
		sb_addf(sb, "numgen %s mod %lld",
		        json_string_value(json_object_get(b, "mode")) ?: "?",
		        (long long)json_integer_value(json_object_get(b, "mod")));
		if (json_integer_value(json_object_get(b, "offset")))
			sb_addf(sb, " offset %lld",
			        (long long)json_integer_value(json_object_get(b, "offset")));
	} else if ((strcmp(name, "socket") == 0 || strcmp(name, "rt") == 0) && json_is_object(b) &&
	           json_is_string(json_object_get(b, "key"))) {
		sb_addf(sb, "%s %s", name, json_string_value(json_object_get(b, "key")));
	} else if (strcmp(name, "concat") == 0 && json_is_array(b)) {
		size_t i;
		json_t *el;

		json_array_foreach(b, i, el)
		{
			if (i)
				sb_add(sb, " . ");
			value(el, sb);
		}
	} else if (nftj_get_prefix(e, &k, &len)) {
		sb_addf(sb, "%s/%d", k, len);
	} else if (nftj_get_range(e, &a, &b)) {
		value(a, sb);
		sb_addc(sb, '-');
		value(b, sb);
	} else if ((a = nftj_get_set(e))) {
		size_t i;
		json_t *el;

		sb_add(sb, "{ ");
		json_array_foreach(a, i, el)
		{
			if (i)
				sb_add(sb, ", ");
			value(el, sb);
		}
		sb_add(sb, " }");
	} else if (json_is_array(b) && json_array_size(b) == 2 && strlen(name) <= 2) {
		nftt_expr(json_array_get(b, 0), sb);
		sb_addf(sb, " %s ", name);
		operand(json_array_get(b, 1), sb);
	} else {
		raw_json(e, sb);
	}
}

/* meta hour and meta time values carry ':' and ' ': nft wants them quoted. */
static void quoted(json_t *v, struct strbuf *sb)
{
	json_t *a, *b;

	if (json_is_string(v))
		sb_addf(sb, "\"%s\"", json_string_value(v));
	else if (nftj_get_range(v, &a, &b)) {
		quoted(a, sb);
		sb_addc(sb, '-');
		quoted(b, sb);
	} else
		value(v, sb);
}

static void match(json_t *body, struct strbuf *sb)
{
	const char *op = json_string_value(json_object_get(body, "op"));
	const char *k;

	json_t *left = json_object_get(body, "left");

	if (nftj_is_meta(left, &k) && (strcmp(k, "hour") == 0 || strcmp(k, "time") == 0)) {
		nftt_expr(left, sb);
		if (op && strcmp(op, "=="))
			sb_addf(sb, " %s", op);
		sb_addc(sb, ' ');
		quoted(json_object_get(body, "right"), sb);
		return;
	}

	nftt_expr(left, sb);
	if (op && strcmp(op, "==") && strcmp(op, "in"))
		sb_addf(sb, " %s", op);
	else if (op && strcmp(op, "==") == 0 && json_object_get(left, "&"))
		sb_add(sb, " ==");
	sb_addc(sb, ' ');
	value(json_object_get(body, "right"), sb);
}

/* Generic statement: "name key value ..." with strings quoted where nft wants. */
static void generic(const char *name, json_t *body, struct strbuf *sb)
{
	const char *key;
	json_t *v;

	sb_add(sb, name);
	if (json_is_null(body))
		return;
	if (!json_is_object(body)) {
		sb_addc(sb, ' ');
		value(body, sb);
		return;
	}
	json_object_foreach(body, key, v)
	{
		sb_addf(sb, " %s ", key);
		if (json_is_string(v) &&
		    (strcmp(key, "prefix") == 0 || strcmp(key, "comment") == 0))
			sb_addf(sb, "\"%s\"", json_string_value(v));
		else
			value(v, sb);
	}
}

/* dnat/snat/masquerade/redirect as nft writes them: "dnat to ADDR:PORT flags",
 * IPv6 addresses in brackets when a port follows, "prefix to" for netmap. */
static void nat_text(const char *name, json_t *body, struct strbuf *sb)
{
	json_t *addr = json_object_get(body, "addr"), *port = json_object_get(body, "port");
	json_t *flags = json_object_get(body, "flags"), *lo, *hi;
	struct strbuf a;
	bool v6, netmap = false;
	size_t i;
	json_t *f;

	sb_add(sb, name);
	if (!json_is_object(body))
		return;
	json_array_foreach(json_is_array(flags) ? flags : NULL, i, f) netmap |=
	    json_is_string(f) && strcmp(json_string_value(f), "netmap") == 0;
	netmap |= json_is_string(flags) && strcmp(json_string_value(flags), "netmap") == 0;
	if (addr || port)
		sb_add(sb, netmap ? " prefix to " : " to ");
	sb_init(&a);
	if (addr)
		value(addr, &a);
	v6 = strchr(sb_str(&a), ':') != NULL;
	if (v6 && port && nftj_get_range(addr, &lo, &hi)) {
		/* libnftables 1.0.6 reads "[A]-[B]:PORT" (newer nft also "[A-B]:PORT"). */
		sb_addc(sb, '[');
		value(lo, sb);
		sb_add(sb, "]-[");
		value(hi, sb);
		sb_addc(sb, ']');
	} else if (v6 && port) {
		sb_addf(sb, "[%s]", sb_str(&a));
	} else {
		sb_add(sb, sb_str(&a));
	}
	sb_free(&a);
	if (port) {
		sb_addc(sb, ':');
		value(port, sb);
	}
	if (flags && !netmap) {
		sb_addc(sb, ' ');
		value(flags, sb);
	}
}

/* A mangle value: binary operations in parentheses where nft's precedence
 * (& before ^ before |) would regroup them. */
static void mangle_value(json_t *v, struct strbuf *sb)
{
	static const char *const ops[] = {"&", "^", "|", "<<", ">>"};

	for (int i = 0; i < 5; i++) {
		json_t *args = json_object_get(v, ops[i]), *l;
		const char *lop = NULL;

		if (!json_is_array(args) || json_array_size(args) != 2)
			continue;
		l = json_array_get(args, 0);
		for (int k = 0; k < 5; k++)
			if (json_object_get(l, ops[k]))
				lop = ops[k];
		if (lop && strcmp(lop, ops[i]) &&
		    (i > 2 || lop[0] == '|' || (i == 0 && lop[0] == '^')))
			sb_addc(sb, '('), mangle_value(l, sb), sb_addc(sb, ')');
		else
			mangle_value(l, sb);
		sb_addf(sb, " %s ", ops[i]);
		value(json_array_get(args, 1), sb);
		return;
	}
	value(v, sb);
}

/* "log prefix "P" level L flags tcp sequence,options flags ip options ...":
 * nft groups the flags by the word before them. */
static void log_text(json_t *body, struct strbuf *sb)
{
	json_t *flags = json_object_get(body, "flags"), *f;
	const char *prefix = json_string_value(json_object_get(body, "prefix"));
	const char *level = json_string_value(json_object_get(body, "level"));
	bool tcp = false;
	size_t i;

	sb_add(sb, "log");
	if (prefix)
		sb_addf(sb, " prefix \"%s\"", prefix);
	if (level)
		sb_addf(sb, " level %s", level);
	/* NFLOG's fields, in the order nft prints them. */
	if (json_object_get(body, "snaplen"))
		sb_addf(sb, " snaplen %lld",
		        (long long)json_integer_value(json_object_get(body, "snaplen")));
	if (json_object_get(body, "queue-threshold"))
		sb_addf(sb, " queue-threshold %lld",
		        (long long)json_integer_value(json_object_get(body, "queue-threshold")));
	if (json_object_get(body, "group"))
		sb_addf(sb, " group %lld",
		        (long long)json_integer_value(json_object_get(body, "group")));
	if (json_is_string(flags))
		sb_addf(sb, " flags %s", json_string_value(flags));
	json_array_foreach(json_is_array(flags) ? flags : NULL, i, f)
	{
		const char *n = json_string_value(f) ?: "?";

		if (strncmp(n, "tcp ", 4) == 0 && tcp) {
			sb_addf(sb, ",%s", n + 4);
			continue;
		}
		tcp = strncmp(n, "tcp ", 4) == 0;
		sb_addf(sb, " flags %s", n);
	}
}

/* "reject", "reject with tcp reset", "reject with icmp type net-unreachable". */
static void reject_text(json_t *body, struct strbuf *sb)
{
	const char *type = json_string_value(json_object_get(body, "type"));
	json_t *code = json_object_get(body, "expr");

	sb_add(sb, "reject");
	if (!type)
		return;
	sb_addf(sb, " with %s", type);
	if (code) {
		sb_add(sb, " type ");
		value(code, sb);
	}
}

/* ct event names that are also nft keywords must be quoted ("mark"). */
static void event_list(json_t *v, struct strbuf *sb)
{
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < n; i++) {
		const char *e = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);

		if (!e)
			e = "?";
		if (i)
			sb_addc(sb, ',');
		if (strcmp(e, "mark") == 0 || strcmp(e, "helper") == 0 || strcmp(e, "label") == 0)
			sb_addf(sb, "\"%s\"", e);
		else
			sb_add(sb, e);
	}
}

/* "dup to ADDR [device DEV]", "tproxy to [ADDR][:PORT]" (IPv6 in brackets). */
static void to_text(const char *name, json_t *body, struct strbuf *sb)
{
	const char *addr = json_string_value(json_object_get(body, "addr"));
	json_t *port = json_object_get(body, "port");
	const char *dev = json_string_value(json_object_get(body, "dev"));
	bool v6 = addr && strchr(addr, ':');

	sb_addf(sb, "%s to ", name);
	if (addr)
		sb_addf(sb, v6 && port ? "[%s]" : "%s", addr);
	if (port)
		sb_addf(sb, ":%lld", (long long)json_integer_value(port));
	if (dev)
		sb_addf(sb, " device %s", dev);
}

static void synproxy_text(json_t *body, struct strbuf *sb)
{
	json_t *flags = json_object_get(body, "flags"), *f;
	size_t i;

	sb_add(sb, "synproxy");
	if (json_object_get(body, "mss"))
		sb_addf(sb, " mss %lld",
		        (long long)json_integer_value(json_object_get(body, "mss")));
	if (json_object_get(body, "wscale"))
		sb_addf(sb, " wscale %lld",
		        (long long)json_integer_value(json_object_get(body, "wscale")));
	if (json_is_string(flags))
		sb_addf(sb, " %s", json_string_value(flags));
	json_array_foreach(json_is_array(flags) ? flags : NULL, i, f)
	    sb_addf(sb, " %s", json_string_value(f) ?: "?");
}

/* limit rate [over] N/UNIT [burst N packets], or in bytes: N kbytes/second
 * burst N mbytes (hashlimit's byte rates). */
static void limit_text(json_t *b, struct strbuf *sb)
{
	json_t *burst = json_object_get(b, "burst");
	const char *unit = json_string_value(json_object_get(b, "rate_unit"));
	const char *per = json_string_value(json_object_get(b, "per")) ?: "second";
	bool bytes = unit && strcmp(unit, "packets");

	sb_addf(sb, "limit rate %s%lld", json_is_true(json_object_get(b, "inv")) ? "over " : "",
	        (long long)json_integer_value(json_object_get(b, "rate")));
	if (bytes)
		sb_addf(sb, " %s/%s", unit, per);
	else
		sb_addf(sb, "/%s", per);
	if (burst)
		sb_addf(sb, " burst %lld %s", (long long)json_integer_value(burst),
		        bytes ? json_string_value(json_object_get(b, "burst_unit")) ?: "bytes"
		              : "packets");
}

/* A set name as nft text takes it: nfsh declares connlimit's sets as
 * "connlimit%d" for the kernel to number; the text names the first number,
 * as iptables-translate writes connlimit0. */
static void set_name(const char *name, struct strbuf *sb)
{
	const char *pct = name ? strstr(name, "%d") : NULL;

	if (pct)
		sb_addf(sb, "%.*s0%s", (int)(pct - name), name, pct + 2);
	else
		sb_add(sb, name ? name : "?");
}

/* A set element key with its options: KEY [timeout Ns]. */
static void elem_text(json_t *k, struct strbuf *sb)
{
	json_t *e = json_object_get(k, "elem");

	if (!json_is_object(e)) {
		nftt_expr(k, sb);
		return;
	}
	nftt_expr(json_object_get(e, "val"), sb);
	if (json_object_get(e, "timeout"))
		sb_addf(sb, " timeout %llds",
		        (long long)json_integer_value(json_object_get(e, "timeout")));
}

/* meter NAME size N { KEY timeout Ns STMT } (hashlimit). */
static void meter_text(json_t *b, struct strbuf *sb)
{
	sb_addf(sb, "meter %s", json_string_value(json_object_get(b, "name")) ?: "?");
	if (json_object_get(b, "size"))
		sb_addf(sb, " size %lld",
		        (long long)json_integer_value(json_object_get(b, "size")));
	sb_add(sb, " { ");
	elem_text(json_object_get(b, "key"), sb);
	sb_addc(sb, ' ');
	nftt_stmt(json_object_get(b, "stmt"), sb);
	sb_add(sb, " }");
}

/* add|update @SET { KEY STMT... } (connlimit's ct count). */
static void set_stmt_text(json_t *b, struct strbuf *sb)
{
	const char *set = json_string_value(json_object_get(b, "set"));
	json_t *stmts = json_object_get(b, "stmt"), *st;
	size_t i;

	sb_addf(sb, "%s @", json_string_value(json_object_get(b, "op")) ?: "?");
	set_name(set && set[0] == '@' ? set + 1 : set, sb);
	sb_add(sb, " { ");
	elem_text(json_object_get(b, "elem"), sb);
	json_array_foreach(json_is_array(stmts) ? stmts : NULL, i, st)
	{
		sb_addc(sb, ' ');
		nftt_stmt(st, sb);
	}
	sb_add(sb, " }");
}

void nftt_stmt(json_t *stmt, struct strbuf *sb)
{
	json_t *body;
	const char *name = nftj_stmt_name(stmt, &body);

	if (!name) {
		raw_json(stmt, sb);
		return;
	}
	if (strcmp(name, "match") == 0)
		match(body, sb);
	else if (strcmp(name, "counter") == 0 && json_is_object(body))
		sb_addf(sb, "counter packets %lld bytes %lld",
		        (long long)json_integer_value(json_object_get(body, "packets")),
		        (long long)json_integer_value(json_object_get(body, "bytes")));
	else if (strcmp(name, "mangle") == 0 && json_is_object(body)) {
		const char *k, *dir = NULL;

		nftt_expr(json_object_get(body, "key"), sb);
		sb_add(sb, " set ");
		if (nftj_is_ct(json_object_get(body, "key"), &k, &dir) && strcmp(k, "event") == 0)
			event_list(json_object_get(body, "value"), sb);
		else
			mangle_value(json_object_get(body, "value"), sb);
	} else if (strcmp(name, "dnat") == 0 || strcmp(name, "snat") == 0 ||
	           strcmp(name, "masquerade") == 0 || strcmp(name, "redirect") == 0)
		nat_text(name, body, sb);
	else if ((strcmp(name, "jump") == 0 || strcmp(name, "goto") == 0) && json_is_object(body))
		sb_addf(sb, "%s %s", name, json_string_value(json_object_get(body, "target")));
	else if (strcmp(name, "limit") == 0 && json_is_object(body))
		limit_text(body, sb);
	else if (strcmp(name, "meter") == 0 && json_is_object(body))
		meter_text(body, sb);
	else if (strcmp(name, "set") == 0 && json_is_object(body))
		set_stmt_text(body, sb);
	else if (strcmp(name, "ct count") == 0 && json_is_object(body))
		sb_addf(sb, "ct count %s%lld",
		        json_is_true(json_object_get(body, "inv")) ? "over " : "",
		        (long long)json_integer_value(json_object_get(body, "val")));
	else if (strcmp(name, "log") == 0)
		log_text(body, sb);
	else if (strcmp(name, "quota") == 0 && json_is_object(body))
		sb_addf(sb, "quota %s%lld %s",
		        json_is_true(json_object_get(body, "inv")) ? "over " : "",
		        (long long)json_integer_value(json_object_get(body, "val")),
		        json_string_value(json_object_get(body, "val_unit")) ?: "bytes");
	else if ((strcmp(name, "dup") == 0 || strcmp(name, "tproxy") == 0) && json_is_object(body))
		to_text(name, body, sb);
	else if (strcmp(name, "synproxy") == 0 && json_is_object(body))
		synproxy_text(body, sb);
	else if (strcmp(name, "reject") == 0)
		reject_text(body, sb);
	else
		generic(name, body, sb);
}

static void rule_text(json_t *r, struct strbuf *sb, const char *verb)
{
	json_t *exprs = json_object_get(r, "expr"), *h = json_object_get(r, "handle");
	const char *comment = json_string_value(json_object_get(r, "comment"));
	size_t i;
	json_t *s;

	sb_addf(sb, "%s rule %s %s %s", verb, json_string_value(json_object_get(r, "family")),
	        json_string_value(json_object_get(r, "table")),
	        json_string_value(json_object_get(r, "chain")));
	if (h && (strcmp(verb, "delete") == 0 || strcmp(verb, "replace") == 0))
		sb_addf(sb, " handle %lld", (long long)json_integer_value(h));
	else if (h)
		sb_addf(sb, " position %lld", (long long)json_integer_value(h));
	else if (json_object_get(r, "index"))
		sb_addf(sb, " index %lld",
		        (long long)json_integer_value(json_object_get(r, "index")));
	json_array_foreach(exprs, i, s)
	{
		sb_addc(sb, ' ');
		nftt_stmt(s, sb);
	}
	if (comment)
		sb_addf(sb, " comment \"%s\"", comment);
}

static void chain_text(json_t *c, struct strbuf *sb, const char *verb)
{
	const char *type = json_string_value(json_object_get(c, "type"));
	const char *policy = json_string_value(json_object_get(c, "policy"));

	sb_addf(sb, "%s chain %s %s %s", verb, json_string_value(json_object_get(c, "family")),
	        json_string_value(json_object_get(c, "table")),
	        json_string_value(json_object_get(c, "name")));
	if (json_object_get(c, "newname"))
		sb_addf(sb, " %s", json_string_value(json_object_get(c, "newname")));
	if (type)
		sb_addf(sb, " { type %s hook %s priority %lld;%s%s%s }", type,
		        json_string_value(json_object_get(c, "hook")),
		        (long long)json_integer_value(json_object_get(c, "prio")),
		        policy ? " policy " : "", policy ? policy : "", policy ? ";" : "");
}

void nftt_command(json_t *cmd, struct strbuf *sb)
{
	json_t *inner, *obj;
	const char *verb = nftj_stmt_name(cmd, &inner);
	const char *what = inner ? nftj_stmt_name(inner, &obj) : NULL;

	if (!verb || !what) {
		raw_json(cmd, sb);
		return;
	}
	if (strcmp(what, "rule") == 0)
		rule_text(obj, sb, verb);
	else if (strcmp(what, "chain") == 0)
		chain_text(obj, sb, verb);
	else if (strcmp(what, "table") == 0)
		sb_addf(sb, "%s table %s %s", verb,
		        json_string_value(json_object_get(obj, "family")),
		        json_string_value(json_object_get(obj, "name")));
	else if (strcmp(what, "set") == 0 && json_is_object(obj)) {
		/* A rule's own set (connlimit): dynamic, as libnftables makes it. */
		sb_addf(sb, "%s set %s %s ", verb,
		        json_string_value(json_object_get(obj, "family")),
		        json_string_value(json_object_get(obj, "table")));
		set_name(json_string_value(json_object_get(obj, "name")), sb);
		if (json_is_string(json_object_get(obj, "type")))
			sb_addf(sb, " { type %s; flags dynamic; }",
			        json_string_value(json_object_get(obj, "type")));
	} else
		raw_json(cmd, sb);
}
