/* nfsh --sandbox: re-execute nfsh in a fresh network namespace (and, without
 * root, a user namespace mapping the caller to root in it), with loopback up,
 * so everything can be tried without touching the host. Snapshots go to a
 * private state directory so a host `rollback` never sees sandbox state.
 * A veth pair joins it to a peer namespace (10.99.0.1/24 here, 10.99.0.2/24
 * there), kept by a small process that ends when the sandbox's shell does. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

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

/* Send one rtnetlink request and wait for its acknowledgement. */
static int rtnl_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int rc = -1;
	ssize_t n;

	if (!nl)
		return -1;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0 &&
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL,
		                NULL) < 0
		         ? -1
		         : 0;
	mnl_socket_close(nl);
	return rc;
}

/* RTM_NEWLINK with IFF_UP on an interface. */
static int link_up(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)if_nametoindex(name);
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return ifm->ifi_index > 0 ? rtnl_talk(nlh) : -1;
}

static int add_addr(const char *name, const char *addr, int plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct in_addr a;

	if (inet_pton(AF_INET, addr, &a) != 1)
		return -1;
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_index = if_nametoindex(name);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	return ifa->ifa_index ? rtnl_talk(nlh) : -1;
}

/* veth0 here, its peer veth1 created in the namespace of nsfd. */
static int add_veth(int nsfd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm, *peer;
	struct nlattr *info, *data, *pa;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pa = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth1");
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	mnl_attr_nest_end(nlh, pa);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(nlh);
}

/* The peer: a namespace of its own with lo up, alive until the pipe's write
 * end (held by the sandbox's shell across exec) closes. Returns its pid. */
static pid_t start_peer(int *keep_fd)
{
	int ready[2], keep[2];
	pid_t pid;
	char c;

	if (pipe(ready) < 0)
		return -1;
	if (pipe(keep) < 0) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(keep[1]);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		c = unshare(CLONE_NEWNET) == 0 && link_up("lo") == 0 ? '1' : '0';
		if (write(ready[1], &c, 1) < 0)
			_exit(1);
		close(ready[1]);
		while (read(keep[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(keep[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1 || c != '1') {
		close(ready[0]);
		close(keep[1]);
		return -1;
	}
	close(ready[0]);
	*keep_fd = keep[1];
	return pid;
}

/* veth0 10.99.0.1/24 here, veth1 10.99.0.2/24 in the peer. 0 or -1. */
static int setup_peer(pid_t *peer_pid)
{
	char path[64];
	int keep = -1, peerns, selfns, rc = -1;
	pid_t pid = start_peer(&keep);

	if (pid < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	peerns = open(path, O_RDONLY | O_CLOEXEC);
	selfns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (peerns >= 0 && selfns >= 0 && add_veth(peerns) == 0 &&
	    add_addr("veth0", "10.99.0.1", 24) == 0 && link_up("veth0") == 0 &&
	    setns(peerns, CLONE_NEWNET) == 0) {
		rc = add_addr("veth1", "10.99.0.2", 24) == 0 && link_up("veth1") == 0 ? 0 : -1;
		if (setns(selfns, CLONE_NEWNET) < 0)
			rc = -1;
	}
	if (peerns >= 0)
		close(peerns);
	if (selfns >= 0)
		close(selfns);
	if (rc < 0) {
		close(keep);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*peer_pid = pid; /* keep stays open (not CLOEXEC): the shell holds it */
	return 0;
}

int sandbox_main(int argc, char **argv)
{
	char **nargv = calloc((size_t)argc + 1, sizeof(*nargv));
	char dir[] = "/tmp/nfsh-sandbox-XXXXXX";
	pid_t peer = -1;
	bool have_peer;

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
	if (link_up("lo") < 0)
		fprintf(stderr, "nfsh --sandbox: warning: cannot bring lo up: %s\n",
		        strerror(errno));
	if (!getenv("NFSH_STATE_DIR") && mkdtemp(dir))
		setenv("NFSH_STATE_DIR", dir, 1);
	have_peer = setup_peer(&peer) == 0;
	setenv("NFSH_SANDBOX", "1", 1);
	fprintf(stderr,
	        "nfsh sandbox: a private network namespace (lo up); nothing here touches the "
	        "host's firewall. quit leaves it.\n");
	if (have_peer)
		fprintf(stderr,
		        "  veth0 10.99.0.1/24 <-> veth1 10.99.0.2/24 in a peer namespace "
		        "(nsenter -t %d -n to reach it)\n",
		        (int)peer);
	nargv[0] = "nfsh";
	for (int i = 1; i < argc; i++)
		nargv[i] = argv[i];
	execv("/proc/self/exe", nargv);
	fprintf(stderr, "nfsh --sandbox: cannot re-execute nfsh: %s\n", strerror(errno));
	free(nargv);
	return 4;
}
