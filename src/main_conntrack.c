/* nfsh-conntrack: the conntrack personality as a small program of its own,
 * linked with libmnl and jansson only. nfsh execs it for `nfsh conntrack` and
 * the `conntrack` name, so listing a large table costs no more memory than
 * conntrack-tools does: the libnftables stack nfsh links is never mapped. */
#include <string.h>

#include "ct/ct.h"

int main(int argc, char **argv)
{
	argv[0] = (char *)"conntrack";
	if (argc > 1 && strcmp(argv[1], "top") == 0)
		return ct_top_main(argc - 2, argv + 2);
	return ct_cli_main(argc, argv);
}
