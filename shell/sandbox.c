/* nfsh --sandbox: re-execute nfsh in a fresh network namespace (and, without
 * root, a user namespace mapping the caller to root in it), with loopback up,
 * so everything can be tried without touching the host. Snapshots go to a
 * private state directory so a host `rollback` never sees sandbox state.
 * XXX: no veth pair to a peer namespace yet. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int enter_namespace(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (uid == 0 && unshare(CLONE_NEWNET) == 0)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	return write_file("/proc/self/gid_map", map);
}

/* RTM_NEWLINK on lo with IFF_UP, acknowledged. */
static int loopback_up(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned seq = (unsigned)time(NULL);
	int rc = -1;
	ssize_t n;

	if (!nl)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)if_nametoindex("lo");
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	if (ifm->ifi_index <= 0 || mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n > 0)
		rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL) < 0 ? -1
		                                                                                : 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int sandbox_main(int argc, char **argv)
{
	char **nargv = calloc((size_t)argc + 1, sizeof(*nargv));
	char dir[] = "/tmp/nfsh-sandbox-XXXXXX";

	if (!nargv)
		return 4;
	if (enter_namespace() < 0) {
		fprintf(stderr, "nfsh --sandbox: cannot create a private network namespace: %s\n",
		        strerror(errno));
		fprintf(stderr, "  hint: run as root, or allow unprivileged user namespaces "
		                "(kernel.unprivileged_userns_clone=1)\n");
		free(nargv);
		return 4;
	}
	if (loopback_up() < 0)
		fprintf(stderr, "nfsh --sandbox: warning: cannot bring lo up: %s\n",
		        strerror(errno));
	if (!getenv("NFSH_STATE_DIR") && mkdtemp(dir))
		setenv("NFSH_STATE_DIR", dir, 1);
	setenv("NFSH_SANDBOX", "1", 1);
	fprintf(stderr,
	        "nfsh sandbox: a private network namespace (lo up); nothing here touches the "
	        "host's firewall. quit leaves it.\n");
	nargv[0] = "nfsh";
	for (int i = 1; i < argc; i++)
		nargv[i] = argv[i];
	execv("/proc/self/exe", nargv);
	fprintf(stderr, "nfsh --sandbox: cannot re-execute nfsh: %s\n", strerror(errno));
	free(nargv);
	return 4;
}
