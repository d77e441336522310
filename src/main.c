/* nfsh: one binary, many personalities (argv[0] or the first word):
 *   nfsh [-4|-6] IPTABLES-ARGS...      iptables / ip6tables
 *   nfsh translate [--json] ARGS...    iptables-translate / ip6tables-translate
 *   nfsh conntrack ARGS...             conntrack
 *   nfsh save | restore | import | export
 *   nfsh                               the interactive shell */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/oneshot.h"
#include "rule/rule.h"

/* Faces that live in other rooms; weak so a partial build still links. */
int ct_cli_main(int argc, char **argv) __attribute__((weak));
int ct_top_main(int argc, char **argv) __attribute__((weak));
int io_save_main(int family, int argc, char **argv) __attribute__((weak));
int io_restore_main(int family, int argc, char **argv) __attribute__((weak));
int io_import_main(int argc, char **argv) __attribute__((weak));
int io_export_main(int argc, char **argv) __attribute__((weak));
int shell_main(int argc, char **argv) __attribute__((weak));
int shell_complete_main(int argc, char **argv) __attribute__((weak));
int shell_help_main(int argc, char **argv) __attribute__((weak));
int sandbox_main(int argc, char **argv) __attribute__((weak));
int confirm_restore_main(int family, int argc, char **argv) __attribute__((weak));
int confirm_main(int argc, char **argv) __attribute__((weak));

/* Run the conntrack personality: exec the small nfsh-conntrack beside this
 * binary when it is there (NFSH_CT_INPROCESS=1 keeps it in this process).
 * face is its argv[0]: "conntrack" for the drop-in, "nfsh-conntrack" for
 * `nfsh conntrack` (nfsh's messages and exit statuses). */
static int conntrack(const char *face, int argc, char **argv)
{
	char self[4096], path[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *inproc = getenv("NFSH_CT_INPROCESS");

	if (n > 0 && !(inproc && *inproc == '1')) {
		self[n] = '\0';
		snprintf(path, sizeof(path), "%s/nfsh-conntrack", dirname(self));
		if (access(path, X_OK) == 0) {
			argv[0] = (char *)face;
			execv(path, argv);
			/* On failure carry on in this process. */
		}
	}
	if (!ct_cli_main) {
		fprintf(stderr, "nfsh: conntrack is not part of this build\n");
		return 1;
	}
	argv[0] = (char *)face;
	return ct_cli_main(argc, argv);
}

static int missing(const char *what)
{
	fprintf(stderr, "nfsh: %s is not part of this build\n", what);
	return 1;
}

/* restore --confirm SECONDS: the shell's reverter around the restore. */
static int restore(int family, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--confirm") == 0)
			return confirm_restore_main ? confirm_restore_main(family, argc, argv)
			                            : missing("restore --confirm");
	return io_restore_main ? io_restore_main(family, argc, argv) : missing("restore");
}

/* Personalities by program name. */
static int by_name(const char *name, int argc, char **argv, int *rc)
{
	static const struct {
		const char *name;
		int family;
		int kind; /* 0 iptables, 1 translate, 2 save, 3 restore */
	} names[] = {
	    {"iptables", NFSH_IPV4, 0},           {"ip6tables", NFSH_IPV6, 0},
	    {"iptables-translate", NFSH_IPV4, 1}, {"ip6tables-translate", NFSH_IPV6, 1},
	    {"iptables-save", NFSH_IPV4, 2},      {"ip6tables-save", NFSH_IPV6, 2},
	    {"iptables-restore", NFSH_IPV4, 3},   {"ip6tables-restore", NFSH_IPV6, 3},
	};

	if (strcmp(name, "conntrack") == 0) {
		*rc = conntrack("conntrack", argc, argv);
		return 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name))
			continue;
		switch (names[i].kind) {
		case 0:
			*rc = oneshot_iptables(name, names[i].family, argc - 1, argv + 1);
			break;
		case 1:
			*rc = oneshot_translate(name, names[i].family, argc - 1, argv + 1);
			break;
		case 2:
			*rc = io_save_main ? io_save_main(names[i].family, argc - 1, argv + 1)
			                   : missing("save");
			break;
		default:
			*rc = restore(names[i].family, argc - 1, argv + 1);
		}
		return 1;
	}
	return 0;
}

/* nfsh SUBCOMMAND ... */
static int by_subcommand(int argc, char **argv, int family, int *rc)
{
	const char *w = argv[1];

	if (strcmp(w, "translate") == 0)
		*rc = oneshot_translate("nfsh", family, argc - 2, argv + 2);
	else if (strcmp(w, "conntrack") == 0)
		*rc = conntrack("nfsh-conntrack", argc - 1, argv + 1);
	else if (strcmp(w, "save") == 0)
		*rc = io_save_main ? io_save_main(family, argc - 2, argv + 2) : missing("save");
	else if (strcmp(w, "restore") == 0)
		*rc = restore(family, argc - 2, argv + 2);
	else if (strcmp(w, "confirm") == 0)
		*rc = confirm_main ? confirm_main(argc - 1, argv + 1) : missing("confirm");
	else if (strcmp(w, "import") == 0)
		*rc = io_import_main ? io_import_main(argc - 1, argv + 1) : missing("import");
	else if (strcmp(w, "export") == 0)
		*rc = io_export_main ? io_export_main(argc - 1, argv + 1) : missing("export");
	else if (strcmp(w, "shell") == 0)
		*rc = shell_main ? shell_main(argc - 1, argv + 1) : missing("the shell");
	else if (strcmp(w, "--keep-going") == 0) /* nfsh --keep-going < script */
		*rc = shell_main ? shell_main(argc, argv) : missing("the shell");
	else if (strcmp(w, "--complete") == 0)
		*rc = shell_complete_main ? shell_complete_main(argc - 1, argv + 1)
		                          : missing("completion");
	else if (strcmp(w, "help") == 0 && shell_help_main)
		*rc = shell_help_main(argc - 1, argv + 1);
	else if (strcmp(w, "--sandbox") == 0)
		*rc = sandbox_main ? sandbox_main(argc - 1, argv + 1) : missing("the sandbox");
	else
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	char prog[256];
	int rc = 0, family = NFSH_IPV4;

	/* A firewall tool must not run with borrowed privileges (iptables: 111).
	 * _exit, not return: no atexit handler runs with those privileges
	 * either (under ASan, LeakSanitizer's would die on the unreadable
	 * /proc/self of a setuid process and replace 111 with 1). */
	if (getuid() != geteuid() || getgid() != getegid()) {
		fputs("nfsh: refusing to run setuid or setgid\n", stderr);
		_exit(111);
	}
	snprintf(prog, sizeof(prog), "%s", argv[0]);
	if (strcmp(basename(prog), "nfsh") != 0 && by_name(basename(prog), argc, argv, &rc))
		return rc;
	if (argc == 1)
		return shell_main ? shell_main(argc, argv) : (oneshot_usage(stderr, "nfsh"), 2);
	if (argc > 2 && (strcmp(argv[1], "-4") == 0 || strcmp(argv[1], "-6") == 0) &&
	    (strcmp(argv[2], "translate") == 0 || strcmp(argv[2], "save") == 0 ||
	     strcmp(argv[2], "restore") == 0)) {
		family = argv[1][1] == '6' ? NFSH_IPV6 : NFSH_IPV4;
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (by_subcommand(argc, argv, family, &rc))
		return rc;
	return oneshot_iptables("nfsh", family, argc - 1, argv + 1);
}
