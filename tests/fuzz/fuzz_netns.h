/* The fuzzers that may ask the kernel (a restore line -D 3 resolves the rule
 * against the live ruleset) run in a network namespace of their own, so they
 * never read or touch the host's ruleset. */
#ifndef NFSH_FUZZ_NETNS_H
#define NFSH_FUZZ_NETNS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static void fuzz_private_netns(void)
{
	if (unshare(CLONE_NEWNET) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)
		return;
	perror("fuzz: no private network namespace (unshare)");
	exit(1);
}

#endif
