/* -m hashlimit: a rate limit per flow group, nftables' meter.
 *
 *   -m hashlimit --hashlimit-above 20kb/s --hashlimit-burst 1mb --hashlimit-mode dstip
 *                --hashlimit-dstmask 24 --hashlimit-name https
 *   meter https { ip daddr & 255.255.255.0 timeout 60s limit rate over 20 kbytes/second
 *                 burst 1 mbytes }
 *
 * As iptables-translate writes it, with the rate and burst kept in xt_hashlimit's
 * own units (revision 3: packets as a period in 1/1000000 s, bytes as a "cost"),
 * so that -S prints what iptables-save prints.
 *
 * Semantics, checked against xt_hashlimit.c and nft_dynset.c:
 *  - xt keeps one entry per key (the masked addresses and ports of --hashlimit-mode)
 *    and forgets it after --hashlimit-htable-expire ms without a packet. A meter is
 *    a dynamic set updated by every packet ("dynset update", which re-arms the
 *    element's timeout), so `timeout` is the same idle expiry. nfsh always writes
 *    the timeout: iptables-translate leaves it out when it is 1 s, which makes the
 *    entries live for ever. libnftables' JSON takes whole seconds: another expire
 *    is refused.
 *  - --hashlimit-htable-max N is the meter's size N. When the table is full xt
 *    drops the packet (hotdrop) and nft does not match the rule (the element cannot
 *    be added): XXX: not the same for a full table; both only happen under a flood
 *    of distinct keys. Without the option xt allows 8 x the bucket count (sized from
 *    RAM, at most 65536) and nftables 65535 (its default meter size).
 *  - --hashlimit-htable-size (xt's bucket count) and --hashlimit-htable-gcinterval
 *    (how often xt sweeps expired entries; until then an expired entry is reused
 *    with its old credit, nft's expires exactly) have no nftables counterpart, and
 *    nft could not list them back: refused, with the reason.
 *  - --hashlimit-rate-match / --hashlimit-rate-interval measure a flow's rate over
 *    intervals instead of a token bucket: nft's limit cannot do that, refused.
 *  - srcport/dstport in the mode need -p tcp|udp|sctp|dccp|udplite: xt uses port 0
 *    for protocols without ports, which no payload expression reproduces.
 *  - A meter is an anonymous set bound to its rule: it goes with the rule (-D, -F,
 *    restore), but two rules cannot name the same meter (the kernel refuses with
 *    EBUSY), where xt would share the table between rules of the same name:
 *    nfsh names the clash (cmd/run.c diagnose).
 *  - "replace rule" of a rule with a meter is refused by the kernel for the same
 *    reason, so -R and -Z delete the rule and add the new one in its place in one
 *    batch (cmd/stage.c reseat_at). The meter starts empty then; xt keeps its
 *    table across -Z and -R of a rule with the same --hashlimit-name.
 */
#include "ext/ext.h"
#include "nft/json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HL_SCALE         1000000ull /* XT_HASHLIMIT_SCALE_v2 */
#define HL_BURST_DEFAULT 5u
#define HL_BURST_MAX     1000000u
#define HL_BYTE_SHIFT    4 /* XT_HASHLIMIT_BYTE_SHIFT */
#define HL_BYTE_EXPIRE   15u
#define HL_BYTE_EXPIRE_B 60u
#define HL_NAME_MAX      255   /* XT_HASHLIMIT_NAME_LEN - 1 */
#define HL_METER_SIZE    65535 /* nftables' default meter size */

/* xt_hashlimit's mode bits, in its order (which is iptables-translate's key order). */
enum { HM_DIP = 1, HM_DPT = 2, HM_SIP = 4, HM_SPT = 8 };

enum {
	HO_UPTO,
	HO_ABOVE,
	HO_BURST,
	HO_MODE,
	HO_SRCMASK,
	HO_DSTMASK,
	HO_NAME,
	HO_SIZE,
	HO_MAX,
	HO_EXPIRE,
	HO_GCINT,
	HO_RATEMATCH,
	HO_INTERVAL,
};

struct hashlimit_priv {
	bool init; /* defaults applied */
	bool have_rate, above, bytes;
	uint64_t avg;         /* packets: period in 1/1000000 s; bytes: xt cost */
	uint64_t burst;       /* packets; bytes: in quanta of cost_to_bytes(avg), 0 none */
	uint64_t burst_bytes; /* as given, until check converts it */
	bool burst_set, expire_set;
	unsigned mode;
	int srcmask, dstmask; /* -1: the family's full length */
	uint32_t max;         /* 0: not given */
	uint32_t expire;      /* ms */
	uint32_t unit_secs;   /* unit of the rate as typed (default expire) */
	char name[HL_NAME_MAX + 1];
};

static const char *const mode_names[] = {"srcip", "srcport", "dstip", "dstport", NULL};

static const struct ext_opt hashlimit_opts[] = {
    {"hashlimit-upto", HO_UPTO, 1, EXT_OPT_INV, VK_WORD, NULL, "RATE",
     "match while the group's rate is at most RATE (N/sec|min|hour|day, or Nb/s, Nkb/s, Nmb/s)"},
    {"hashlimit-above", HO_ABOVE, 1, EXT_OPT_INV, VK_WORD, NULL, "RATE",
     "match when the group's rate is above RATE"},
    {"hashlimit", HO_UPTO, 1, EXT_OPT_INV, VK_WORD, NULL, "RATE", "old name of --hashlimit-upto"},
    {"hashlimit-burst", HO_BURST, 1, 0, VK_WORD, NULL, "N|SIZE",
     "packets (default 5), or bytes with b/kb/mb for a byte rate"},
    {"hashlimit-mode", HO_MODE, 1, 0, VK_LIST, mode_names, "srcip,srcport,dstip,dstport",
     "what makes a group (default: one group for all)"},
    {"hashlimit-srcmask", HO_SRCMASK, 1, 0, VK_NUMBER, NULL, "PREFIXLEN",
     "group source addresses by this prefix"},
    {"hashlimit-dstmask", HO_DSTMASK, 1, 0, VK_NUMBER, NULL, "PREFIXLEN",
     "group destination addresses by this prefix"},
    {"hashlimit-name", HO_NAME, 1, 0, VK_WORD, NULL, "NAME", "the meter's name (mandatory)"},
    {"hashlimit-htable-size", HO_SIZE, 1, 0, VK_NUMBER, NULL, "N",
     "(refused: xt's bucket count has no nftables form)"},
    {"hashlimit-htable-max", HO_MAX, 1, 0, VK_NUMBER, NULL, "N", "at most N groups (meter size)"},
    {"hashlimit-htable-expire", HO_EXPIRE, 1, 0, VK_NUMBER, NULL, "MS",
     "forget a group after MS milliseconds without packets (whole seconds)"},
    {"hashlimit-htable-gcinterval", HO_GCINT, 1, 0, VK_NUMBER, NULL, "MS",
     "(refused: nftables expires entries exactly, it has no sweep interval)"},
    {"hashlimit-rate-match", HO_RATEMATCH, 0, 0, VK_NONE, NULL, NULL,
     "(refused: nft's limit is a token bucket, it cannot measure a rate)"},
    {"hashlimit-rate-interval", HO_INTERVAL, 1, 0, VK_NUMBER, NULL, "SECONDS",
     "(refused, as --hashlimit-rate-match)"},
};

/* xt's byte "cost" (libxt_hashlimit.c): the kernel works in these. */
static uint64_t cost_to_bytes(uint64_t cost)
{
	uint64_t r = cost ? UINT32_MAX / cost : UINT32_MAX;

	return (r - 1) << HL_BYTE_SHIFT;
}

static uint64_t bytes_to_cost(uint64_t bytes)
{
	uint32_t r = (uint32_t)(bytes >> HL_BYTE_SHIFT);

	return UINT32_MAX / ((uint64_t)r + 1);
}

static uint64_t size_factor(char c)
{
	return c == 'm' ? 1024 * 1024 : c == 'k' ? 1024 : 1;
}

static int bad(struct nfsh_err *e, const char *word, const char *what, const char *hint)
{
	err_set(e, NFSH_EPARAM, word, "bad %s \"%s\"", what, word);
	err_hint(e, "%s", hint);
	return -1;
}

/* "Nb/s", "Nkb/s", "Nmb/s": a byte rate, as xt's parse_bytes. 1: parsed, 0: not
 * a byte rate, -1: error. */
static int parse_byte_rate(struct hashlimit_priv *p, const char *arg, struct nfsh_err *e)
{
	size_t n = strlen(arg), digits = strspn(arg, "0123456789");
	unsigned long long v;
	uint64_t f = 1, cost;
	char num[24];

	if (n < 4 || strcmp(arg + n - 3, "b/s"))
		return 0;
	if (digits + 3 != n && !(digits + 4 == n && (arg[digits] == 'k' || arg[digits] == 'm')))
		return bad(e, arg, "byte rate", "Nb/s, Nkb/s or Nmb/s");
	if (digits + 4 == n)
		f = size_factor(arg[digits]);
	if (digits == 0 || digits >= sizeof(num))
		return bad(e, arg, "byte rate", "Nb/s, Nkb/s or Nmb/s");
	memcpy(num, arg, digits);
	num[digits] = '\0';
	if (parse_uint(num, UINT64_MAX / f, &v) < 0 || v == 0)
		return bad(e, arg, "byte rate", "Nb/s, Nkb/s or Nmb/s with N > 0");
	cost = bytes_to_cost(v * f);
	if (cost == 0) {
		err_set(e, NFSH_EPARAM, arg, "rate \"%s\" is too high", arg);
		err_hint(e, "at most %llu bytes/s",
		         (unsigned long long)UINT32_MAX << HL_BYTE_SHIFT);
		return -1;
	}
	p->bytes = true;
	p->avg = cost;
	p->unit_secs = HL_BYTE_EXPIRE;
	return 1;
}

/* "N[/second|minute|hour|day]" (units may be abbreviated), as xt's parse_rate. */
static int parse_packet_rate(struct hashlimit_priv *p, const char *arg, struct nfsh_err *e)
{
	static const struct {
		const char *name;
		uint32_t secs;
	} in[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
	const char *slash = strchr(arg, '/');
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg), k = 0;
	unsigned long long r;
	char num[24];
	const char *hint = "N/second, N/minute, N/hour or N/day (N > 0; units may be "
	                   "abbreviated), or Nb/s, Nkb/s, Nmb/s";

	if (n == 0 || n >= sizeof(num) || strspn(arg, "0123456789") != n)
		return bad(e, arg, "rate", hint);
	memcpy(num, arg, n);
	num[n] = '\0';
	if (parse_uint(num, UINT32_MAX, &r) < 0 || r == 0)
		return bad(e, arg, "rate", hint);
	if (slash) {
		size_t len = strlen(slash + 1);

		for (k = 0; k < 4; k++)
			if (len && strncasecmp(in[k].name, slash + 1, len) == 0)
				break;
		if (k == 4)
			return bad(e, arg, "rate", hint);
	}
	if (HL_SCALE * in[k].secs / r == 0) {
		err_set(e, NFSH_EPARAM, arg, "rate \"%s\" is too fast", arg);
		err_hint(e, "at most %llu per second", HL_SCALE);
		return -1;
	}
	p->bytes = false;
	p->avg = HL_SCALE * in[k].secs / r;
	p->unit_secs = in[k].secs;
	return 0;
}

static int parse_rate_opt(struct hashlimit_priv *p, bool above, const char *arg, struct nfsh_err *e)
{
	int rc;

	if (p->have_rate) {
		err_set(e, NFSH_EPARAM, arg, "-m hashlimit takes one rate");
		err_hint(e, "give either --hashlimit-upto or --hashlimit-above, once");
		return -1;
	}
	rc = parse_byte_rate(p, arg, e);
	if (rc < 0 || (rc == 0 && parse_packet_rate(p, arg, e) < 0))
		return -1;
	p->have_rate = true;
	p->above = above;
	return 0;
}

/* "N", or "Nb", "Nkb", "Nmb" for a byte rate's burst (xt's parse_burst). */
static int parse_burst(struct hashlimit_priv *p, const char *arg, struct nfsh_err *e)
{
	size_t n = strlen(arg), digits = strspn(arg, "0123456789");
	unsigned long long v;
	uint64_t f = 1;
	char num[24];

	if (digits == 0 || digits >= sizeof(num))
		return bad(e, arg, "--hashlimit-burst", "a number 1-1000000, or a size like 1mb");
	memcpy(num, arg, digits);
	num[digits] = '\0';
	if (digits < n) {
		if (strcmp(arg + digits, "b") && strcmp(arg + digits, "kb") &&
		    strcmp(arg + digits, "mb"))
			return bad(e, arg, "--hashlimit-burst",
			           "a number 1-1000000, or a size like 400kb or 1mb");
		f = size_factor(arg[digits]);
	}
	if (parse_uint(num, UINT32_MAX / f, &v) < 0 || v == 0 || (digits == n && v > HL_BURST_MAX))
		return bad(e, arg, "--hashlimit-burst", "a number 1-1000000, or a size like 1mb");
	p->burst_bytes = v * f;
	p->burst_set = true;
	return 0;
}

static int parse_mode(struct hashlimit_priv *p, const char *arg, struct nfsh_err *e)
{
	static const struct sym modes[] = {{"dstip", HM_DIP},
	                                   {"dstport", HM_DPT},
	                                   {"srcip", HM_SIP},
	                                   {"srcport", HM_SPT},
	                                   {NULL, 0}};
	unsigned mask = 0;

	if (sym_parse_list(modes, arg, &mask, "--hashlimit-mode", e) < 0)
		return -1;
	p->mode |= mask;
	return 0;
}

static int parse_mask(int *out, int family, const char *arg, struct nfsh_err *e)
{
	unsigned long long v;
	int full = family == NFSH_IPV6 ? 128 : 32;

	if (parse_uint(arg, (unsigned long long)full, &v) < 0) {
		err_set(e, NFSH_EPARAM, arg, "bad prefix length \"%s\"", arg);
		err_hint(e, "a number 0-%d", full);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Meter names end up in nft's text listing: keep them to what its parser reads. */
static int parse_name(struct hashlimit_priv *p, const char *arg, struct nfsh_err *e)
{
	size_t n = strlen(arg);

	if (n == 0 || n > HL_NAME_MAX ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != n ||
	    arg[0] == '-' || arg[0] == '.') {
		err_set(e, NFSH_EPARAM, arg, "bad --hashlimit-name \"%s\"", arg);
		err_hint(e, "1-%d letters, digits, '_', '-' or '.', not starting with '-' or '.'",
		         HL_NAME_MAX);
		return -1;
	}
	memcpy(p->name, arg, n + 1);
	return 0;
}

static int refuse_opt(const char *word, const char *why, const char *alt, struct nfsh_err *e)
{
	err_set(e, NFSH_EPARAM, word, "-m hashlimit %s has no native nftables form: %s", word, why);
	err_hint(e, "%s", alt);
	return -1;
}

static int hashlimit_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                           bool invert, const char *const *args, struct nfsh_err *e)
{
	struct hashlimit_priv *p = priv;
	unsigned long long v;

	if (!p->init) {
		p->init = true;
		p->srcmask = p->dstmask = -1;
	}
	switch (opt->id) {
	case HO_UPTO:
		return parse_rate_opt(p, invert, args[0], e);
	case HO_ABOVE:
		return parse_rate_opt(p, !invert, args[0], e);
	case HO_BURST:
		return parse_burst(p, args[0], e);
	case HO_MODE:
		return parse_mode(p, args[0], e);
	case HO_SRCMASK:
		return parse_mask(&p->srcmask, c->family, args[0], e);
	case HO_DSTMASK:
		return parse_mask(&p->dstmask, c->family, args[0], e);
	case HO_NAME:
		return parse_name(p, args[0], e);
	case HO_MAX:
		if (parse_uint(args[0], UINT32_MAX, &v) < 0)
			return bad(e, args[0], "--hashlimit-htable-max", "a number 0-4294967295");
		p->max = (uint32_t)v;
		return 0;
	case HO_EXPIRE:
		if (parse_uint(args[0], UINT32_MAX, &v) < 0 || v == 0)
			return bad(e, args[0], "--hashlimit-htable-expire",
			           "milliseconds, a multiple of 1000 above 0");
		if (v % 1000) {
			err_set(
			    e, NFSH_EPARAM, args[0],
			    "--hashlimit-htable-expire %s is not whole seconds: libnftables' JSON "
			    "sets a meter timeout in seconds",
			    args[0]);
			if (v < 1000)
				err_hint(e, "give 1000 (one second)");
			else
				err_hint(e, "round it to %llu or %llu", v / 1000 * 1000,
				         (v / 1000 + 1) * 1000);
			return -1;
		}
		p->expire = (uint32_t)v;
		p->expire_set = true;
		return 0;
	case HO_SIZE:
		return refuse_opt("--hashlimit-htable-size",
		                  "it is xt's bucket count; nftables sizes a meter's hash itself "
		                  "and keeps no such number",
		                  "leave it out (matching does not depend on it); without "
		                  "--hashlimit-htable-max xt holds at most 8 x size entries: give "
		                  "--hashlimit-htable-max N to keep that cap",
		                  e);
	case HO_GCINT:
		return refuse_opt(
		    "--hashlimit-htable-gcinterval",
		    "nftables forgets a meter entry exactly at its timeout and has no "
		    "sweep interval to set",
		    "leave it out; --hashlimit-htable-expire sets the idle timeout", e);
	case HO_RATEMATCH:
	case HO_INTERVAL:
		return refuse_opt(
		    opt->id == HO_RATEMATCH ? "--hashlimit-rate-match"
		                            : "--hashlimit-rate-interval",
		    "it measures a flow's rate per interval without limiting it; nft's "
		    "limit is a token bucket",
		    "use --hashlimit-upto/--hashlimit-above without it (a meter with "
		    "limit rate)",
		    e);
	default:
		return -1;
	}
}

static const char *port_proto(int proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 33:
		return "dccp";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	default:
		return NULL;
	}
}

static int full_len(int family)
{
	return family == NFSH_IPV6 ? 128 : 32;
}

/* Byte sizes, largest first. */
static const struct {
	const char *save, *nft;
	uint64_t mult;
} sizes[] = {{"m", "mbytes", 1024 * 1024}, {"k", "kbytes", 1024}, {"", "bytes", 1}};

/* A byte rate in the largest unit that stands for the same xt cost, as
 * iptables prints it (print_bytes) and iptables-translate writes it: 10mb/s is
 * a cost whose bytes are 10486704, and 10 MiB gives that cost again. */
static size_t rate_size_unit(uint64_t r, uint64_t avg)
{
	size_t i;

	for (i = 0; i + 1 < 3; i++)
		if (r >= sizes[i].mult && bytes_to_cost(r & ~(sizes[i].mult - 1)) == avg)
			break;
	return i;
}

/* A byte burst as iptables prints it (print_bytes) and iptables-translate
 * writes it: in the largest unit it reaches, rounded down (52 x 20 KiB is
 * "1mb"). Read-back rounds up to whole quanta again, which gives the same
 * burst as long as the rounding lost less than one quantum (checked in check). */
static size_t burst_unit(uint64_t v)
{
	size_t i = 0;

	while (i + 1 < 3 && v < sizes[i].mult)
		i++;
	return i;
}

/* Does a burst of n quanta of q bytes survive the rounding of burst_unit? */
static bool burst_keeps(uint64_t q, uint64_t n)
{
	uint64_t bb = q * n, u = sizes[burst_unit(bb)].mult, written = bb / u * u;

	return (written + q - 1) / q == n;
}

static int hashlimit_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	struct hashlimit_priv *p = priv;

	if (!p->have_rate) {
		err_set(e, NFSH_EPARAM, "hashlimit", "-m hashlimit needs a rate");
		err_hint(e, "--hashlimit-upto RATE or --hashlimit-above RATE");
		return -1;
	}
	if (!p->name[0]) {
		err_set(e, NFSH_EPARAM, "hashlimit", "-m hashlimit needs --hashlimit-name");
		err_hint(e, "--hashlimit-name NAME names the meter");
		return -1;
	}
	if (p->srcmask < 0)
		p->srcmask = full_len(c->family);
	if (p->dstmask < 0)
		p->dstmask = full_len(c->family);
	if ((p->mode & (HM_SPT | HM_DPT)) &&
	    (!c->rule->proto_set || c->rule->proto_invert || !port_proto(c->rule->proto))) {
		err_set(
		    e, NFSH_EPARAM, "--hashlimit-mode",
		    "-m hashlimit --hashlimit-mode srcport/dstport needs -p tcp, udp, sctp, dccp "
		    "or udplite: xt_hashlimit uses port 0 for other protocols, which no nftables "
		    "expression reproduces");
		err_hint(e, "add -p tcp (or udp...), or one rule per protocol");
		return -1;
	}
	if (!p->expire_set)
		p->expire = p->unit_secs * 1000;
	if (p->bytes) {
		uint64_t q = cost_to_bytes(p->avg);

		/* xt keeps a byte rate as a cost; the smallest rates all become the
		 * largest cost, which reads back as 0 bytes a second. */
		if (q == 0) {
			const char *opt = p->above ? "--hashlimit-above" : "--hashlimit-upto";

			err_set(e, NFSH_EPARAM, opt,
			        "%s: a byte rate this small is below what xt_hashlimit can count "
			        "(its cost reads back as 0 bytes a second)",
			        opt);
			err_hint(e, "give a larger byte rate, e.g. 1kb/s");
			return -1;
		}
		p->burst = 0;
		if (p->burst_set) {
			if (p->burst_bytes < q) {
				err_set(e, NFSH_EPARAM, "--hashlimit-burst",
				        "--hashlimit-burst cannot be smaller than %llub",
				        (unsigned long long)q);
				return -1;
			}
			p->burst = (p->burst_bytes + q - 1) / q;
			if (!burst_keeps(q, p->burst)) {
				err_set(e, NFSH_EPARAM, "--hashlimit-burst",
				        "--hashlimit-burst of %llu x %llu bytes is written rounded "
				        "down to "
				        "its largest unit, which reads back as another burst",
				        (unsigned long long)p->burst, (unsigned long long)q);
				err_hint(
				    e, "give a burst of whole kb or mb that is a multiple of %llub",
				    (unsigned long long)q);
				return -1;
			}
			if (!p->expire_set)
				p->expire = HL_BYTE_EXPIRE_B * 1000;
		}
	} else if (p->burst_set) {
		if (p->burst_bytes > HL_BURST_MAX) {
			err_set(e, NFSH_EPARAM, "--hashlimit-burst",
			        "a packet rate's --hashlimit-burst counts packets (1-1000000)");
			err_hint(e, "give a number, or a byte rate (Nkb/s) for a size");
			return -1;
		}
		p->burst = p->burst_bytes;
	} else {
		p->burst = HL_BURST_DEFAULT;
	}
	return 0;
}

/* Packet rates: units largest first, as xt's print_rate walks them. */
static const struct {
	const char *save, *nft;
	uint64_t mult;
} units[] = {
    {"day", "day", HL_SCALE * 86400},
    {"hour", "hour", HL_SCALE * 3600},
    {"min", "minute", HL_SCALE * 60},
    {"sec", "second", HL_SCALE},
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

static size_t rate_unit(uint64_t period)
{
	size_t i;

	for (i = 1; i < NUNITS; i++)
		if (period > units[i].mult || units[i].mult / period < units[i].mult % period)
			break;
	return i - 1;
}

static json_t *addr_key(int family, const char *field, int len)
{
	json_t *pl = nftj_payload(family == NFSH_IPV6 ? "ip6" : "ip", field);
	uint8_t m[16] = {0};
	char text[64];

	if (len == full_len(family))
		return pl;
	for (int b = 0; b < len; b++)
		m[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	addr_ntop(family, m, text, sizeof(text));
	return nftj_binop("&", pl, nftj_str(text));
}

/* Without a mode xt keeps one entry for every packet (its key is all zero). A
 * meter needs a key: the IP version is the same for every packet a table of one
 * family sees (meta nfproto, libnftables allows only in inet tables), so it
 * makes the one group, with the same idle expiry. */
static json_t *meter_key(const struct hashlimit_priv *p, int family, int proto)
{
	json_t *parts;
	json_t *k;

	if (!p->mode)
		return nftj_payload(family == NFSH_IPV6 ? "ip6" : "ip", "version");
	parts = nftj_array();
	if (p->mode & HM_DIP)
		nftj_push(parts, addr_key(family, "daddr", p->dstmask));
	if (p->mode & HM_DPT)
		nftj_push(parts, nftj_payload(port_proto(proto), "dport"));
	if (p->mode & HM_SIP)
		nftj_push(parts, addr_key(family, "saddr", p->srcmask));
	if (p->mode & HM_SPT)
		nftj_push(parts, nftj_payload(port_proto(proto), "sport"));
	if (json_array_size(parts) == 1) {
		k = json_incref(json_array_get(parts, 0));
		json_decref(parts);
		return k;
	}
	return nftj_stmt("concat", parts);
}

static json_t *limit_body(const struct hashlimit_priv *p)
{
	json_t *b = nftj_object();

	if (p->bytes) {
		uint64_t r = cost_to_bytes(p->avg);
		size_t u = rate_size_unit(r, p->avg);

		nftj_put_int(b, "rate", (long long)(r / sizes[u].mult));
		nftj_put_str(b, "rate_unit", sizes[u].nft);
		nftj_put_str(b, "per", "second");
		if (p->burst) {
			uint64_t bb = r * p->burst;
			size_t v = burst_unit(bb);

			nftj_put_int(b, "burst", (long long)(bb / sizes[v].mult));
			nftj_put_str(b, "burst_unit", sizes[v].nft);
		}
	} else {
		size_t u = rate_unit(p->avg);

		nftj_put_int(b, "rate", (long long)(units[u].mult / p->avg));
		nftj_put_str(b, "per", units[u].nft);
		nftj_put_int(b, "burst", (long long)p->burst);
	}
	if (p->above)
		nftj_put(b, "inv", nftj_bool(true));
	return b;
}

static int hashlimit_emit(struct emit_ctx *x, const void *priv)
{
	const struct hashlimit_priv *p = priv;
	json_t *m, *elem;

	if (!p->avg || !p->name[0]) {
		err_set(x->err, NFSH_EPARAM, "hashlimit", "-m hashlimit without a rate or a name");
		return -1;
	}
	elem = nftj_object();
	nftj_put(elem, "val", meter_key(p, x->family, x->rule->proto));
	nftj_put_int(elem, "timeout", p->expire / 1000);
	m = nftj_object();
	nftj_put_str(m, "name", p->name);
	nftj_put(m, "key", nftj_stmt("elem", elem));
	nftj_put_int(m, "size", p->max ? p->max : HL_METER_SIZE);
	nftj_put(m, "stmt", nftj_stmt("limit", limit_body(p)));
	return ext_emit(x, nftj_stmt("meter", m));
}

/* ---- read-back ---- */

static int mask_len(int family, const char *text)
{
	uint8_t a[16] = {0};
	int n = 0, bytes = family == NFSH_IPV6 ? 16 : 4;

	if (inet_pton(family == NFSH_IPV6 ? AF_INET6 : AF_INET, text, a) != 1)
		return -1;
	while (n < bytes * 8 && (a[n / 8] & (0x80 >> (n % 8))))
		n++;
	for (int b = n; b < bytes * 8; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return -1;
	return n;
}

/* One key component back into mode bits and masks; false when not ours. */
static bool read_part(struct hashlimit_priv *p, int family, json_t *part, int *proto)
{
	json_t *bin = json_object_get(part, "&"), *inner = part;
	const char *pr, *field;
	int len = full_len(family);
	unsigned bit;

	if (bin) {
		if (!json_is_array(bin) || json_array_size(bin) != 2 ||
		    !json_is_string(json_array_get(bin, 1)))
			return false;
		inner = json_array_get(bin, 0);
		len = mask_len(family, json_string_value(json_array_get(bin, 1)));
		if (len < 0)
			return false;
	}
	if (!nftj_is_payload(inner, &pr, &field))
		return false;
	if (strcmp(pr, family == NFSH_IPV6 ? "ip6" : "ip") == 0) {
		bit = strcmp(field, "saddr") == 0   ? HM_SIP
		      : strcmp(field, "daddr") == 0 ? HM_DIP
		                                    : 0;
		if (bit == HM_SIP)
			p->srcmask = len;
		else if (bit == HM_DIP)
			p->dstmask = len;
	} else {
		int k = 0;

		if (bin || !(k = proto_lookup(pr)) || !port_proto(k) || (*proto && *proto != k))
			return false;
		*proto = k;
		bit = strcmp(field, "sport") == 0   ? HM_SPT
		      : strcmp(field, "dport") == 0 ? HM_DPT
		                                    : 0;
	}
	if (!bit || (p->mode & bit))
		return false;
	p->mode |= bit;
	return true;
}

/* The no-mode key as emitted, or as libnftables lists it (version >> 4). */
static bool is_version(json_t *val, int family)
{
	json_t *sh = json_object_get(val, ">>");
	const char *pr, *field;
	long long n;

	if (sh) {
		if (!json_is_array(sh) || json_array_size(sh) != 2 ||
		    !nftj_get_int(json_array_get(sh, 1), &n) || n != 4)
			return false;
		val = json_array_get(sh, 0);
	}
	return nftj_is_payload(val, &pr, &field) &&
	       strcmp(pr, family == NFSH_IPV6 ? "ip6" : "ip") == 0 && strcmp(field, "version") == 0;
}

/* The key back into mode and masks; *proto gets the ports' protocol (0 none). */
static bool read_key(struct hashlimit_priv *p, int family, json_t *val, int *proto)
{
	json_t *parts = json_object_get(val, "concat"), *v;
	size_t i;

	if (is_version(val, family))
		return true;
	if (!parts)
		return read_part(p, family, val, proto);
	if (!json_is_array(parts) || json_array_size(parts) < 2)
		return false;
	json_array_foreach(parts, i, v)
	{
		if (!read_part(p, family, v, proto))
			return false;
	}
	return true;
}

static uint64_t size_mult(json_t *unit)
{
	const char *u = json_is_string(unit) ? json_string_value(unit) : "bytes";

	for (size_t i = 0; i < 3; i++)
		if (strcmp(u, sizes[i].nft) == 0)
			return sizes[i].mult;
	return 0;
}

static bool read_limit(struct hashlimit_priv *p, json_t *b)
{
	const char *unit = json_string_value(json_object_get(b, "rate_unit"));
	const char *per = json_string_value(json_object_get(b, "per"));
	long long rate, burst = 0;

	if (!json_is_object(b) || !nftj_get_int(json_object_get(b, "rate"), &rate) || rate <= 0)
		return false;
	if (json_object_get(b, "burst") &&
	    (!nftj_get_int(json_object_get(b, "burst"), &burst) || burst < 0))
		return false;
	p->above = json_is_true(json_object_get(b, "inv"));
	if (unit && strcmp(unit, "packets")) {
		uint64_t rm = size_mult(json_object_get(b, "rate_unit")), q;
		uint64_t bm = size_mult(json_object_get(b, "burst_unit"));

		if (!rm || !bm || !per || strcmp(per, "second"))
			return false;
		p->bytes = true;
		p->avg = bytes_to_cost((uint64_t)rate * rm);
		q = cost_to_bytes(p->avg);
		if (!p->avg || !q)
			return false;
		p->burst = ((uint64_t)burst * bm + q - 1) / q;
		return true;
	}
	for (size_t u = 0; u < NUNITS; u++)
		if (per && strcmp(per, units[u].nft) == 0) {
			if ((uint64_t)rate > units[u].mult || burst < 1 || burst > HL_BURST_MAX)
				return false;
			p->avg = units[u].mult / (uint64_t)rate;
			p->burst = (uint64_t)burst;
			return true;
		}
	return false;
}

static int hashlimit_recognise(struct read_ctx *r, void *priv)
{
	struct hashlimit_priv *p = priv, t = {0};
	json_t *body, *stmt = read_peek(r, 0), *key, *elem;
	const char *name = stmt ? nftj_stmt_name(stmt, &body) : NULL, *mname;
	long long timeout, size = HL_METER_SIZE;
	int proto = 0;
	json_t *lim;

	if (!name || strcmp(name, "meter") || !json_is_object(body))
		return 0;
	mname = json_string_value(json_object_get(body, "name"));
	key = json_object_get(body, "key");
	elem = key ? json_object_get(key, "elem") : NULL;
	lim = json_object_get(json_object_get(body, "stmt"), "limit");
	/* Without a timeout the entries never expire: no hashlimit does that. */
	if (!mname || strlen(mname) > HL_NAME_MAX || !elem ||
	    !nftj_get_int(json_object_get(elem, "timeout"), &timeout) || timeout <= 0 ||
	    timeout > UINT32_MAX / 1000 || !lim)
		return 0;
	if (json_object_get(body, "size") &&
	    (!nftj_get_int(json_object_get(body, "size"), &size) || size <= 0 || size > UINT32_MAX))
		return 0;
	t.init = true;
	t.srcmask = t.dstmask = full_len(r->family);
	if (!read_key(&t, r->family, json_object_get(elem, "val"), &proto) || !read_limit(&t, lim))
		return 0;
	/* nft hides "meta l4proto tcp" in front of a key with tcp ports. */
	if (proto)
		read_claim_proto(r, proto);
	t.have_rate = t.expire_set = true;
	t.expire = (uint32_t)timeout * 1000;
	t.max = size == HL_METER_SIZE ? 0 : (uint32_t)size;
	snprintf(t.name, sizeof(t.name), "%s", mname);
	*p = t;
	read_take(r, 1);
	return 1;
}

/* ---- printers, as libxt_hashlimit's save and print ---- */

/* The rate as iptables prints it; returns xt's "quantum" (ms): an expire equal to
 * it is the default and not printed. */
static uint32_t print_rate(const struct hashlimit_priv *p, const char *burst_word,
                           struct strbuf *sb)
{
	if (p->bytes) {
		uint64_t r = cost_to_bytes(p->avg), bb;
		size_t u = rate_size_unit(r, p->avg);

		sb_addf(sb, " %llu%sb/s", (unsigned long long)(r / sizes[u].mult), sizes[u].save);
		if (!p->burst)
			return HL_BYTE_EXPIRE * 1000;
		bb = r * p->burst;
		u = burst_unit(bb);
		sb_addf(sb, " %sburst %llu%sb", burst_word,
		        (unsigned long long)(bb / sizes[u].mult), sizes[u].save);
		return HL_BYTE_EXPIRE_B * 1000;
	}
	{
		size_t u = rate_unit(p->avg);

		sb_addf(sb, " %llu/%s", (unsigned long long)(units[u].mult / p->avg),
		        units[u].save);
		sb_addf(sb, " %sburst %llu", burst_word, (unsigned long long)p->burst);
		return (uint32_t)(units[u].mult / HL_SCALE * 1000);
	}
}

static void print_mode(unsigned mode, char sep, struct strbuf *sb)
{
	static const struct {
		unsigned bit;
		const char *name;
	} order[] = {
	    {HM_SIP, "srcip"}, {HM_SPT, "srcport"}, {HM_DIP, "dstip"}, {HM_DPT, "dstport"}};
	bool first = true;

	sb_add(sb, " ");
	for (size_t i = 0; i < 4; i++)
		if (mode & order[i].bit) {
			if (!first)
				sb_addf(sb, "%c", sep);
			sb_add(sb, order[i].name);
			first = false;
		}
}

static void hashlimit_save(const void *priv, int family, struct strbuf *sb)
{
	const struct hashlimit_priv *p = priv;
	uint32_t quantum;

	sb_add(sb, p->above ? " --hashlimit-above" : " --hashlimit-upto");
	quantum = print_rate(p, "--hashlimit-", sb);
	if (p->mode) {
		sb_add(sb, " --hashlimit-mode");
		print_mode(p->mode, ',', sb);
	}
	sb_addf(sb, " --hashlimit-name %s", p->name);
	if (p->max)
		sb_addf(sb, " --hashlimit-htable-max %u", p->max);
	if (p->expire != quantum)
		sb_addf(sb, " --hashlimit-htable-expire %u", p->expire);
	if (p->srcmask != full_len(family))
		sb_addf(sb, " --hashlimit-srcmask %d", p->srcmask);
	if (p->dstmask != full_len(family))
		sb_addf(sb, " --hashlimit-dstmask %d", p->dstmask);
}

static void hashlimit_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct hashlimit_priv *p = priv;
	uint32_t quantum;

	(void)numeric;
	sb_add(sb, p->above ? "limit: above" : "limit: up to");
	quantum = print_rate(p, "", sb);
	if (p->mode) {
		sb_add(sb, " mode");
		print_mode(p->mode, '-', sb);
	}
	if (p->max)
		sb_addf(sb, " htable-max %u", p->max);
	if (p->expire != quantum)
		sb_addf(sb, " htable-expire %u", p->expire);
	if (p->srcmask != full_len(family))
		sb_addf(sb, " srcmask %d", p->srcmask);
	if (p->dstmask != full_len(family))
		sb_addf(sb, " dstmask %d", p->dstmask);
}

const struct ext ext_hashlimit = {
    .name = "hashlimit",
    .type = EXT_MATCH,
    .help = "rate limit per address/port group (nft meter with limit)",
    .families = NFSH_F_ANY,
    .opts = hashlimit_opts,
    .nopts = sizeof(hashlimit_opts) / sizeof(hashlimit_opts[0]),
    .priv_size = sizeof(struct hashlimit_priv),
    .parse = hashlimit_parse,
    .check = hashlimit_check,
    .emit = hashlimit_emit,
    .recognise = hashlimit_recognise,
    .save = hashlimit_save,
    .list = hashlimit_list,
};
EXT_REGISTER(ext_hashlimit);
