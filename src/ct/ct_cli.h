/* Shared by the command implementations (ct_cli.c, ct_create.c, ct_event.c, ...). */
#ifndef NFSH_CT_CLI_H
#define NFSH_CT_CLI_H

#include "ct/ct_cmd.h"

int ct_cli_run(int argc, char **argv, bool in_load);
int ct_fail(int status, const char *fmt, const char *arg);
const char *ct_strerror(int err, enum ct_command cmd);
/* Kernel errors in the face's words: conntrack(8)'s message and status 1, or
 * under `nfsh conntrack` exit 4 with nfsh's hint when privileges are missing. */
int ct_fail_kernel(const struct ct_cmd *c, int err);
/* Open a socket; 0, or the exit status after saying why not. */
int ct_open(const struct ct_cmd *c, struct ct_sock *s, unsigned groups);
uint16_t ct_type(uint8_t msg);
int ct_dump(struct ct_sock *s, const struct ct_filter *f, uint8_t msgtype,
            int (*fn)(const struct ct_msg *, void *), void *data);

int ct_cmd_create(struct ct_cmd *c);
int ct_cmd_update(struct ct_cmd *c);
int ct_cmd_get(struct ct_cmd *c);
int ct_cmd_load(struct ct_cmd *c);
int ct_cmd_event(struct ct_cmd *c);
int ct_expect_list(struct ct_cmd *c);
int ct_expect_count(struct ct_cmd *c);
int ct_expect_flush(struct ct_cmd *c);
int ct_expect_get(struct ct_cmd *c);
int ct_expect_delete(struct ct_cmd *c);
int ct_expect_create(struct ct_cmd *c);
int ct_expect_event(struct ct_cmd *c);
/* One expectation message (IPCTNL_MSG_EXP_*) as -L/-E expect print it, text or
 * -o xml; -1 when an attribute fails validation. */
int ct_exp_format(struct ct_line *l, const struct nlmsghdr *nlh, bool xml, enum ct_evtype ev);

#endif
