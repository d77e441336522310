/* Shared by conntrack.c and its alias state.c: the private data and the
 * symbol tables of connection states and statuses. */
#ifndef NFSH_EXT_CONNTRACK_H
#define NFSH_EXT_CONNTRACK_H

#include "ext/ext.h"

/* --ctstate bits as nftables' ct state values, plus two virtual bits for
 * iptables' SNAT/DNAT "states", which are ct status bits in the kernel. */
enum {
	CTS_INVALID = 1,
	CTS_ESTABLISHED = 2,
	CTS_RELATED = 4,
	CTS_NEW = 8,
	CTS_UNTRACKED = 64,
	CTS_SNAT = 1u << 16,
	CTS_DNAT = 1u << 17,
};
#define CTS_REAL (CTS_INVALID | CTS_ESTABLISHED | CTS_RELATED | CTS_NEW | CTS_UNTRACKED)
#define CTS_NAT  (CTS_SNAT | CTS_DNAT)

/* ct status bits (IPS_*), as nftables names them. */
enum {
	CTST_EXPECTED = 1,
	CTST_SEEN_REPLY = 2,
	CTST_ASSURED = 4,
	CTST_CONFIRMED = 8,
	CTST_SNAT = 16,
	CTST_DNAT = 32,
};

enum ct_opt_id {
	CT_STATE,
	CT_PROTO,
	CT_ORIGSRC,
	CT_ORIGDST,
	CT_REPLSRC,
	CT_REPLDST,
	CT_ORIGSRCPORT,
	CT_ORIGDSTPORT,
	CT_REPLSRCPORT,
	CT_REPLDSTPORT,
	CT_STATUS,
	CT_EXPIRE,
	CT_DIR,
	CT_NOPTS
};

struct ct_priv {
	unsigned given;  /* bit per enum ct_opt_id */
	unsigned invert; /* bit per enum ct_opt_id */
	unsigned state, status;
	int proto;
	struct addr_match addr[4]; /* origsrc, origdst, replsrc, repldst */
	unsigned port_lo[4], port_hi[4];
	unsigned long long expire_lo, expire_hi;
	bool reply_dir; /* --ctdir REPLY */
};

extern const struct sym ct_state_syms[];  /* INVALID, NEW, ... in iptables' print order */
extern const struct sym ct_status_syms[]; /* NONE, EXPECTED, ... */

int ct_parse_state(struct ct_priv *p, bool invert, const char *arg, struct nfsh_err *e);
int ct_emit(struct emit_ctx *x, const void *priv);
void ct_save_state(const struct ct_priv *p, const char *opt, struct strbuf *sb);

#endif
