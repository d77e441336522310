/* nfsh-conntrack: the conntrack personality as a small program of its own,
 * linked with libmnl only. nfsh execs it for `nfsh conntrack` and the
 * `conntrack` name, so listing a large table costs no more memory than
 * conntrack-tools does: the libnftables stack nfsh links is never mapped.
 *
 * argv[0] says which face answers: the name `conntrack` is the drop-in and
 * keeps conntrack(8)'s messages and exit statuses; any other name (nfsh execs
 * it as `nfsh-conntrack` for `nfsh conntrack ...`) follows nfsh's conventions,
 * e.g. exit 4 and a hint at --sandbox when CAP_NET_ADMIN is missing. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ct/ct.h"

int main(int argc, char **argv)
{
	/* As nfsh itself (src/main.c): never with borrowed privileges, and out
	 * with _exit before anything runs. */
	if (getuid() != geteuid() || getgid() != getegid()) {
		fputs("nfsh: refusing to run setuid or setgid\n", stderr);
		_exit(111);
	}
	if (argc > 1 && strcmp(argv[1], "top") == 0)
		return ct_top_main(argc - 2, argv + 2);
	return ct_cli_main(argc, argv);
}
