/* conntrack top: placeholder until the live view lands; prints one snapshot. */
#include "ct/ct.h"
#include "ct/ct_cli.h"

int ct_top_main(int argc, char **argv)
{
	char *av[64];
	int n = 0;

	av[n++] = (char *)"conntrack";
	av[n++] = (char *)"-L";
	for (int i = 0; i < argc && n < 63; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	return ct_cli_run(n, av, false);
}
