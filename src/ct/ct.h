/* Connection tracking through ctnetlink: the entry points the shell and main.c call. */
#ifndef NFSH_CT_H
#define NFSH_CT_H

/* conntrack(8) compatible command: argv[0] is "conntrack", the rest is conntrack
 * syntax. Returns the exit status conntrack(8) would (0, 1 other, 2 parameter). */
int ct_cli_main(int argc, char **argv);

/* Live view (`conntrack top`): argv holds the words after "top"; filters as -L. */
int ct_top_main(int argc, char **argv);

#endif
