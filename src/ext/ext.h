/* The extension registry: one descriptor per iptables match or target, each in
 * its own file in src/ext/, registered with EXT_REGISTER(). The descriptor's
 * option table is the single source of truth for an option: the parser, the
 * printers, help, and tab completion all read it.
 *
 * Life of an extension instance:
 *   parse   once per option on the command line (after `!` handling and argument
 *           collection by the grammar),
 *   check   once after the whole command was read (mandatory options, conflicts),
 *   emit    appends native nftables statements to the rule being built,
 *   recognise  (read-back) claims statements of a listed rule and fills priv,
 *   save    prints the options in iptables-save canonical form,
 *   list    prints the `iptables -L` form.
 */
#ifndef NFSH_EXT_H
#define NFSH_EXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "rule/rule.h"
#include "util/err.h"
#include "util/strbuf.h"

enum ext_type {
	EXT_MATCH,
	EXT_TARGET,
};

/* What the words after an option are, for completion and help. */
enum ext_value_kind {
	VK_NONE,   /* no argument */
	VK_WORD,   /* free text (a prefix, a comment) */
	VK_ENUM,   /* one of opt->values */
	VK_LIST,   /* comma-separated list of opt->values */
	VK_NUMBER, /* number or number range */
	VK_PORT,   /* port, port range or service name */
	VK_ADDR,   /* address[/mask] */
	VK_IFACE,  /* interface name */
	VK_CHAIN,  /* chain name */
};

#define EXT_OPT_INV   0x01 /* accepts `!` */
#define EXT_OPT_MULTI 0x02 /* may be given more than once */

struct ext_opt {
	const char *name;          /* long option without "--" */
	int id;                    /* the extension's own number for it */
	int nargs;                 /* words it takes: 0, 1 or 2 */
	unsigned flags;            /* EXT_OPT_* */
	enum ext_value_kind vkind; /* for completion */
	const char *const *values; /* NULL-terminated names, for VK_ENUM/VK_LIST */
	const char *metavar;       /* e.g. "STATE[,STATE...]" */
	const char *help;          /* one line */
};

/* What an extension may know about the rule around it while parsing. */
struct ext_parse_ctx {
	int family;
	int table;
	const char *chain;
	const struct rule *rule; /* the rule so far: protocol, addresses, earlier matches */
};

/* Table-level objects (named sets) that the rules of one batch need, added to
 * the batch before the rule that needs them (connlimit's per-rule set). The
 * batch builder owns it; nsets counts the sets declared in this batch so far,
 * so that two declarations in one batch get names apart. */
struct ext_decls {
	json_t *cmds; /* the batch's command array */
	unsigned nsets;
};

/* Emission: extensions append statements with ext_emit(). */
struct emit_ctx {
	int family;
	int table;
	const struct rule *rule;
	json_t *exprs;                  /* the rule's statement array */
	char comment[NFSH_COMMENT_MAX]; /* the rule's nftables comment (set by `comment`) */
	struct nfsh_err *err;
	/* Set by a match whose statements read back as something else (tcp
	 * without options is "meta l4proto tcp", which reads as -p tcp; a one-port
	 * multiport is tcp dport): the form tag then names it (i=NAME:K), so -S
	 * still shows it. An implicit match is re-created with zeroed private data,
	 * which must mean "no options"; others ask read_tag_names(). Reset before
	 * each match. */
	bool keep_name;
	/* Set by a target that must be told apart from another one listing the
	 * same statements (TOS's "ip dscp set" is DSCP's too), or whose options
	 * leave no trace in them (AUDIT --type): the form tag gets "j=NAME" ("")
	 * or "j=NAME:FORM", which read_tag_target() gives back. NULL: no tag. */
	const char *target_form;
	/* Where a match declares a table-level set; NULL when the caller builds
	 * no batch (such a match then refuses: it cannot work without the set). */
	struct ext_decls *decls;
};

/* Read-back: a cursor over the statements of one listed rule. */
struct read_ctx {
	int family;
	int table;
	json_t *exprs;
	size_t pos;
	struct rule *rule;   /* the rule being rebuilt (protocol may be set by a match) */
	const char *comment; /* the rule's comment, nfsh's form tag removed; NULL if none */
	bool comment_taken;
	const char *tag; /* nfsh's form tag ("m=state i=tcp:0"), or NULL */
};

struct ext {
	const char *name; /* as after -m / -j */
	enum ext_type type;
	const char *help;  /* one line for `help` and completion */
	unsigned families; /* NFSH_F_* */
	unsigned tables;   /* TBL_BIT()s allowed; 0 = every table */
	unsigned hooks;    /* HOOK_BIT()s allowed (targets like DNAT); 0 = every hook */
	const struct ext_opt *opts;
	size_t nopts;
	size_t priv_size;
	/* Set for an extension that is another one under a second name (state is
	 * conntrack --ctstate): same priv layout, recognised as the other one and
	 * shown under its own name only when the rule's form tag says so. */
	const char *alias_of;
	/* Protocol this match is loaded for implicitly after -p (tcp, udp, icmp...), or 0. */
	int implicit_proto;
	/* Families (NFSH_F_*) in which -m NAME stands without -p and does not give
	 * the rule its protocol (ip6tables' -m ah: the header may sit anywhere in
	 * the extension-header chain). 0 for most. */
	unsigned proto_optional;

	int (*parse)(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
	             bool invert, const char *const *args, struct nfsh_err *e);
	int (*check)(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e);
	int (*emit)(struct emit_ctx *x, const void *priv);
	/* For a read-back rule that goes (-D, -R): append to x->decls->cmds what
	 * removes the table-level objects emit declared for it alone (connlimit's
	 * set). NULL for most. */
	int (*release)(struct emit_ctx *x, const void *priv);
	/* Return 1 when statements at r->pos were claimed (and r->pos advanced), 0 when
	 * they are not this extension's, -1 when they are but cannot be shown. */
	int (*recognise)(struct read_ctx *r, void *priv);
	void (*save)(const void *priv, int family, struct strbuf *sb);
	void (*list)(const void *priv, int family, bool numeric, struct strbuf *sb);
};

/* Registration through a linker section: no central list to edit. */
#define EXT_REGISTER(desc)                                                                         \
	static const struct ext *const ext_reg_##desc                                              \
	    __attribute__((used, section("nfsh_ext"), aligned(sizeof(void *)))) = &desc

/* Registry queries. */
const struct ext *ext_find(const char *name, enum ext_type type);
/* Iterate: for (const struct ext *const *p = ext_begin(); p < ext_end(); p++). */
const struct ext *const *ext_begin(void);
const struct ext *const *ext_end(void);
/* The extension loaded implicitly for protocol number proto, or NULL. */
const struct ext *ext_for_proto(int proto);
/* Option of ext by exact name or unique prefix. *ambiguous is set when a prefix
 * matches several. */
const struct ext_opt *ext_opt_find(const struct ext *x, const char *name, bool *ambiguous);

/* Emission helper: append a statement (stolen); a NULL statement (a builder
 * failure) records an error. Returns 0 or -1. */
int ext_emit(struct emit_ctx *x, json_t *stmt);

/* Read-back helpers. */
json_t *read_peek(const struct read_ctx *r, size_t k);
void read_take(struct read_ctx *r, size_t k);
/* For a transport match that claimed statements (tcp dport, icmp type): set
 * the rule's protocol when the listing did not show it. nftables hides the
 * protocol test in front of such a payload match as a redundant dependency. */
void read_claim_proto(struct read_ctx *r, int proto);
/* Does the form tag say a match NAME was written in this rule (i=NAME:K)? For a
 * match whose statements another one would also claim (one-port multiport). */
bool read_tag_names(const struct read_ctx *r, const char *name);
/* Does the form tag name target NAME (j=NAME or j=NAME:FORM)? Then form gets
 * FORM ("" when none). */
bool read_tag_target(const struct read_ctx *r, const char *name, char *form, size_t len);

/* Shared value tables (one symbol table per enum, used by parse and print). */
struct sym {
	const char *name;
	unsigned value;
};
/* Parse a comma-separated list of symbol names (case-insensitive) into a bitmask
 * of their values; on error names the bad element. */
int sym_parse_list(const struct sym *tab, const char *text, unsigned *mask, const char *what,
                   struct nfsh_err *e);
/* Print the names of the set bits of mask in table order, comma-separated. */
void sym_print_list(const struct sym *tab, unsigned mask, const char *sep, struct strbuf *sb);
const struct sym *sym_by_name(const struct sym *tab, const char *name);
const struct sym *sym_by_value(const struct sym *tab, unsigned value);

/* Numbers: parse an unsigned decimal/hex number in [0, max]; 0 or -1. */
int parse_uint(const char *s, unsigned long long max, unsigned long long *out);
/* "A", "A:B", ":B", "A:" (iptables' port/range syntax) into lo..hi; 0 or -1. */
int parse_range(const char *s, unsigned long long max, unsigned long long *lo,
                unsigned long long *hi);
/* Port or service name (from a fixed table, no /etc/services dependency). */
int parse_port(const char *s, unsigned *port);
int parse_port_range(const char *s, unsigned *lo, unsigned *hi);

/* A free-text value (--comment, --log-prefix) as iptables-save prints it
 * (xtables_save_string): bare when only [A-Za-z0-9_-], else in double quotes
 * with " \ ' escaped. Appends " VALUE" (with the leading blank). */
void ext_save_string(struct strbuf *sb, const char *s);

#endif
