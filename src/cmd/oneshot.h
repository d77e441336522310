/* One-shot faces: an iptables command line, or a translation of one. */
#ifndef NFSH_ONESHOT_H
#define NFSH_ONESHOT_H

#include <stdio.h>

/* Parse and run one iptables command (argv without the program name).
 * Errors are printed to stderr prefixed by prog. Returns the exit status. */
int oneshot_iptables(const char *prog, int family, int argc, char **argv);
/* Print the nft commands (or with json the libnftables batch) of one command. */
int oneshot_translate(const char *prog, int family, int argc, char **argv);
/* `iptables -h` */
void oneshot_usage(FILE *out, const char *prog);

#endif
