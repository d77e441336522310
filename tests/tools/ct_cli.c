/* Test driver: `ct_cli ARGS` is `conntrack ARGS` through nfsh's ct_cli_main;
 * `ct_cli top ARGS` is the live view. */
#include <string.h>

#include "ct/ct.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "top") == 0)
		return ct_top_main(argc - 2, argv + 2);
	argv[0] = (char *)"conntrack";
	return ct_cli_main(argc, argv);
}
