/* A parsed conntrack(8) command line: command, table, filter, and the template
 * used by -I/-A/-U/-G. */
#ifndef NFSH_CT_CMD_H
#define NFSH_CT_CMD_H

#include "cmd/cmd.h"
#include "ct/ct_int.h"

enum ct_command {
	CT_CMD_NONE,
	CT_CMD_LIST,
	CT_CMD_CREATE,
	CT_CMD_ADD,
	CT_CMD_UPDATE,
	CT_CMD_DELETE,
	CT_CMD_GET,
	CT_CMD_EVENT,
	CT_CMD_FLUSH,
	CT_CMD_COUNT,
	CT_CMD_STATS,
	CT_CMD_LOAD,
	CT_CMD_HELP,
	CT_CMD_VERSION,
};

enum ct_table { CT_TAB_CONNTRACK, CT_TAB_EXPECT, CT_TAB_DYING, CT_TAB_UNCONFIRMED };

enum { CT_EVF_NEW = 1, CT_EVF_UPDATE = 2, CT_EVF_DESTROY = 4, CT_EVF_ALL = 7 };

/* The -e flag an event type answers to (an entry's or an expectation's). */
static inline unsigned ct_evtype_flag(enum ct_evtype t)
{
	return t == CT_EV_DESTROY ? CT_EVF_DESTROY : t == CT_EV_NEW ? CT_EVF_NEW : CT_EVF_UPDATE;
}

struct ct_cmd {
	enum ct_command command;
	enum ct_table table;
	struct ct_filter f;
	/* template */
	uint8_t family;
	int l4;
	struct ct_tuple orig, reply;
	bool orig_src, orig_dst, reply_src, reply_dst;
	bool has_timeout, has_status, has_mark, has_id;
	uint32_t timeout, status, mark, mark_mask, id;
	int tcp_state;
	int zone;
	struct ct_addr_match snat, dnat;
	int snat_port, dnat_port;
	bool set_labels;
	uint8_t labels[16], labels_add[16], labels_del[16];
	bool has_label_add, has_label_del;
	bool mask_src, mask_dst;
	unsigned of;     /* CT_O_* */
	unsigned events; /* CT_EVF_* */
	unsigned long bufsize;
	const char *load_file;
	bool in_load;                           /* run from -R: zero matches is not an error */
	bool nfsh_face;                         /* `nfsh conntrack`, not the `conntrack` drop-in */
	uint8_t mask_src_v[16], mask_dst_v[16]; /* --mask-src/--mask-dst, applied last */
	int mask_src_len, mask_dst_len;
	struct ct_labelmap lm;
	/* Expectations: --tuple-src/--tuple-dst (a CIDR sets the mask too),
	 * --tuple-port-*, --mask-port-*, and --master-src/--master-dst (the master
	 * named apart from -s/-d; for -L/-D expect they filter on it). */
	struct ct_addr_match exp_src, exp_dst, master_src, master_dst;
	uint16_t exp_sport, exp_dport, exp_mask_sport, exp_mask_dport;
	bool has_exp_sport, has_exp_dport, has_exp_mask_sport, has_exp_mask_dport;
};

/* Parse argv (argv[0] is the program name). Fills e and returns -1 on error. */
int ct_cmd_parse(struct ct_cmd *c, int argc, char **argv, struct nfsh_err *e);
void ct_cmd_free(struct ct_cmd *c);
void ct_usage(FILE *f); /* from the option table */

/* The option table in the shell's cmd_option shape (for completion and help). */
extern const struct cmd_option ct_cli_options[];
extern const int ct_cli_noptions;

#endif
