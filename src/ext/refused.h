/* Extensions nfsh knows and refuses: an iptables match or target with no
 * exact native nftables form, registered under its name with its options so
 * that using it is refused with the reason and the nearest native
 * alternative instead of "unknown match" (DESIGN.md: never xt compat, never
 * an approximation). refused.c holds the table of most of them; a target
 * with a story of its own (NFQUEUE, TCPMSS) keeps its file and uses the
 * same macro. */
#ifndef NFSH_EXT_REFUSED_H
#define NFSH_EXT_REFUSED_H

#include "ext/ext.h"

struct refusal {
	const char *verb, *why, *alt;
};

/* "-m NAME VERB: WHY" with ALT as the hint; always -1. */
int ext_refuse(const struct ext *x, const struct refusal *r, struct nfsh_err *e);

/* One descriptor, its refusal and its option table. NAME_ is the C name;
 * HELP the line shown in help and completion. */
#define REFUSED(NAME_, NAME, TYPE, WHY, ALT, ...)                                                  \
	REFUSED_AS(NAME_, NAME, TYPE, "has no native nftables form", WHY, "(refused: " WHY ")",    \
	           ALT, __VA_ARGS__)
#define REFUSED_AS(NAME_, NAME, TYPE, VERB, WHY, HELP, ALT, ...)                                   \
	static const struct refusal NAME_##_why = {VERB, WHY, ALT};                                \
	static const struct ext_opt NAME_##_opts[] = {__VA_ARGS__};                                \
	extern const struct ext ext_refused_##NAME_;                                               \
	static int NAME_##_parse(const struct ext_parse_ctx *c, void *priv,                        \
	                         const struct ext_opt *opt, bool invert, const char *const *args,  \
	                         struct nfsh_err *e)                                               \
	{                                                                                          \
		(void)c, (void)priv, (void)opt, (void)invert, (void)args;                          \
		return ext_refuse(&ext_refused_##NAME_, &NAME_##_why, e);                          \
	}                                                                                          \
	static int NAME_##_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)    \
	{                                                                                          \
		(void)c, (void)priv;                                                               \
		return ext_refuse(&ext_refused_##NAME_, &NAME_##_why, e);                          \
	}                                                                                          \
	const struct ext ext_refused_##NAME_ = {                                                   \
	    .name = NAME,                                                                          \
	    .type = TYPE,                                                                          \
	    .help = HELP,                                                                          \
	    .families = NFSH_F_ANY,                                                                \
	    .opts = NAME_##_opts,                                                                  \
	    .nopts = sizeof(NAME_##_opts) / sizeof(NAME_##_opts[0]),                               \
	    .priv_size = 1,                                                                        \
	    .parse = NAME_##_parse,                                                                \
	    .check = NAME_##_check,                                                                \
	};                                                                                         \
	EXT_REGISTER(ext_refused_##NAME_)

#endif
