/* conntrack top: a live, sorted table of connections with totals per state and
 * protocol, in plain ANSI (no curses). Every refresh is one filtered dump that keeps
 * only the rows on screen (a bounded heap), so memory does not grow with the table.
 * Keys: q quit, b bytes, p packets, a age, e expiry, r reverse, / filter.
 * Without a terminal it prints one snapshot and exits.
 *   conntrack top [--sort bytes|packets|age|expiry] [--rows N] [--delay S] [filters] */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ct/ct.h"
#include "ct/ct_cli.h"

enum sort_key { SORT_BYTES, SORT_PACKETS, SORT_AGE, SORT_EXPIRY };
static const char *const sort_names[] = {"bytes", "packets", "age", "expiry"};

struct row {
	uint64_t key, bytes, packets, start_ns;
	uint32_t timeout;
	uint8_t l3, l4, state;
	bool has_state;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

#define N_STATES 10
struct snap {
	struct row *heap; /* min-heap on key: the best `cap` rows seen */
	size_t n, cap;
	enum sort_key sort;
	bool reverse;
	uint64_t total, proto[256], state[N_STATES + 1], bytes, packets;
	uint64_t now_ns;
};

struct top {
	struct ct_cmd *cmd;
	enum sort_key sort;
	bool reverse;
	size_t rows;
	int delay_ms;
	char filter[256];
	char msg[256];
};

static uint64_t row_key(const struct snap *s, const struct row *r)
{
	uint64_t k;

	switch (s->sort) {
	case SORT_PACKETS:
		k = r->packets;
		break;
	case SORT_AGE:
		k = r->start_ns ? s->now_ns - r->start_ns : 0;
		break;
	case SORT_EXPIRY:
		k = UINT32_MAX - r->timeout; /* soonest first */
		break;
	default:
		k = r->bytes;
	}
	return s->reverse ? UINT64_MAX - k : k;
}

static void heap_down(struct row *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && h[l].key < h[m].key)
			m = l;
		if (l + 1 < n && h[l + 1].key < h[m].key)
			m = l + 1;
		if (m == i)
			return;
		struct row t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_push(struct snap *s, const struct row *r)
{
	size_t i;

	if (s->n < s->cap) {
		i = s->n++;
		s->heap[i] = *r;
		while (i && s->heap[(i - 1) / 2].key > s->heap[i].key) {
			struct row t = s->heap[i];
			s->heap[i] = s->heap[(i - 1) / 2];
			s->heap[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (s->cap && r->key > s->heap[0].key) {
		s->heap[0] = *r;
		heap_down(s->heap, s->n, 0);
	}
}

/* Every entry counts in the totals; only one that would enter the heap of
 * rows on screen is decoded further (at 262,144 entries and 40 rows, almost
 * none are). */
static bool enters_heap(const struct snap *s, uint64_t key)
{
	return s->n < s->cap || (s->cap && key > s->heap[0].key);
}

static int snap_fn(const struct ct_msg *m, void *data)
{
	struct snap *s = data;
	struct ct_tuple o;
	struct row r;
	uint64_t v;

	r.bytes = r.packets = r.start_ns = 0;
	r.timeout = 0;
	r.l4 = ct_msg_l4(m);
	for (int d = 0; d < 2; d++) {
		if (ct_get_u64(m->cnt[d][CTA_COUNTERS_BYTES], &v))
			r.bytes += v;
		if (ct_get_u64(m->cnt[d][CTA_COUNTERS_PACKETS], &v))
			r.packets += v;
	}
	ct_get_u32(m->tb[CTA_TIMEOUT], &r.timeout);
	ct_get_u64(m->ts[CTA_TIMESTAMP_START], &r.start_ns);
	r.has_state = ct_msg_tcp_state(m, &r.state);
	s->total++;
	s->proto[r.l4]++;
	if (r.l4 == IPPROTO_TCP)
		s->state[r.has_state && r.state < N_STATES ? r.state : N_STATES]++;
	s->bytes += r.bytes;
	s->packets += r.packets;
	r.key = row_key(s, &r);
	if (!enters_heap(s, r.key))
		return MNL_CB_OK;
	ct_tuple_get(&m->orig, m->family, &o);
	r.l3 = o.l3;
	memcpy(r.src, o.src, 16), memcpy(r.dst, o.dst, 16);
	r.sport = o.sport, r.dport = o.dport;
	if (!r.has_state)
		r.state = 0;
	heap_push(s, &r);
	return MNL_CB_OK;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return x->key < y->key ? 1 : x->key > y->key ? -1 : 0;
}

static int take_snapshot(struct top *t, struct snap *s)
{
	struct ct_sock sock;
	struct timespec ts;
	int r;

	memset(s, 0, sizeof(*s));
	s->cap = t->rows;
	s->sort = t->sort;
	s->reverse = t->reverse;
	s->heap = calloc(s->cap ? s->cap : 1, sizeof(*s->heap));
	if (!s->heap)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->now_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if ((r = ct_sock_open(&sock, 0)) < 0)
		return r;
	r = ct_dump(&sock, &t->cmd->f, IPCTNL_MSG_CT_GET, snap_fn, s);
	ct_sock_close(&sock);
	qsort(s->heap, s->n, sizeof(*s->heap), cmp_rows);
	return r;
}

static void human(char *out, size_t n, uint64_t v)
{
	static const char *const u[] = {"", "K", "M", "G", "T"};
	double d = (double)v;
	int i = 0;

	while (d >= 1000 && i < 4)
		d /= 1000, i++;
	if (i == 0)
		snprintf(out, n, "%llu", (unsigned long long)v);
	else
		snprintf(out, n, "%.1f%s", d, u[i]);
}

static void endpoint(char *out, size_t n, const struct row *r, const uint8_t *a, uint16_t port)
{
	struct ct_line l;

	ct_line_reset(&l);
	ct_format_addr(&l, r->l3, a);
	if (r->l4 == IPPROTO_TCP || r->l4 == IPPROTO_UDP || r->l4 == IPPROTO_SCTP)
		snprintf(out, n, r->l3 == AF_INET6 ? "[%.46s]:%u" : "%.46s:%u", l.buf, port);
	else
		snprintf(out, n, "%.46s", l.buf);
}

static void render(FILE *f, const struct top *t, const struct snap *s, size_t rows, bool ansi)
{
	char b1[16], b2[16], src[64], dst[64], age[16];

	if (ansi)
		fputs("\033[H\033[2J", f);
	human(b1, sizeof(b1), s->bytes);
	human(b2, sizeof(b2), s->packets);
	fprintf(f, "nfsh conntrack top - %llu entries, %s bytes, %s packets - sort: %s%s%s%s\n",
	        (unsigned long long)s->total, b1, b2, sort_names[t->sort],
	        t->reverse ? " (reversed)" : "", t->filter[0] ? " - filter: " : "", t->filter);
	fprintf(f, "proto:");
	for (int p = 0; p < 256; p++)
		if (s->proto[p] && strcmp(ct_l4_name((uint8_t)p), "unknown"))
			fprintf(f, " %s=%llu", ct_l4_name((uint8_t)p),
			        (unsigned long long)s->proto[p]);
		else if (s->proto[p])
			fprintf(f, " %d=%llu", p, (unsigned long long)s->proto[p]);
	fprintf(f, "\ntcp:");
	for (int i = 0; i <= N_STATES; i++)
		if (s->state[i])
			fprintf(f, " %s=%llu", i < N_STATES ? ct_tcp_state_name((uint8_t)i) : "?",
			        (unsigned long long)s->state[i]);
	fprintf(f, "\n%s\n", t->msg);
	fprintf(f, "%-46s %-46s %-5s %-11s %8s %8s %7s %6s\n", "Source", "Destination", "Proto",
	        "State", "Bytes", "Packets", "Expires", "Age");
	for (size_t i = 0; i < s->n && i < rows; i++) {
		const struct row *r = &s->heap[i];
		endpoint(src, sizeof(src), r, r->src, r->sport);
		endpoint(dst, sizeof(dst), r, r->dst, r->dport);
		human(b1, sizeof(b1), r->bytes);
		human(b2, sizeof(b2), r->packets);
		if (r->start_ns)
			snprintf(age, sizeof(age), "%llus",
			         (unsigned long long)((s->now_ns - r->start_ns) / 1000000000ULL));
		else
			snprintf(age, sizeof(age), "-");
		fprintf(f, "%-46s %-46s %-5s %-11s %8s %8s %6us %6s\n", src, dst, ct_l4_name(r->l4),
		        r->has_state ? ct_tcp_state_name(r->state) : "", b1, b2, r->timeout, age);
	}
	if (ansi)
		fputs("\033[J", f);
	fflush(f);
}

/* Parse the filter words after "-L"; on error keep the previous filter. */
static int set_filter(struct top *t, int argc, char **argv)
{
	struct ct_cmd *c = calloc(1, sizeof(*c));
	char *av[66];
	struct nfsh_err e;
	int n = 0;

	if (!c)
		return -1;
	av[n++] = (char *)"conntrack";
	av[n++] = (char *)"-L";
	for (int i = 0; i < argc && n < 65; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	err_clear(&e);
	if (ct_cmd_parse(c, n, av, &e) < 0) {
		snprintf(t->msg, sizeof(t->msg), "filter: %.200s", e.msg);
		ct_cmd_free(c);
		free(c);
		return -1;
	}
	if (t->cmd) {
		ct_cmd_free(t->cmd);
		free(t->cmd);
	}
	t->cmd = c;
	return 0;
}

static int parse_top_args(struct top *t, int argc, char **argv, int *rest)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--sort") && i + 1 < argc) {
			int k;
			for (k = 0; k < 4 && strcmp(argv[i + 1], sort_names[k]); k++)
				;
			if (k == 4)
				return ct_fail(NFSH_EPARAM,
				               "top: unknown sort key `%s' "
				               "(bytes, packets, age, expiry)",
				               argv[i + 1]);
			t->sort = (enum sort_key)k;
			i++;
		} else if (!strcmp(a, "--rows") && i + 1 < argc) {
			t->rows = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--delay") && i + 1 < argc) {
			t->delay_ms = (int)(strtod(argv[++i], NULL) * 1000);
		} else if (!strcmp(a, "--reverse")) {
			t->reverse = true;
		} else {
			break;
		}
	}
	*rest = i;
	return 0;
}

static void join_words(char *out, size_t n, int argc, char **argv)
{
	out[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, argv[i], n - strlen(out) - 1);
	}
}

/* '/' : read a new filter line on the bottom row, in cooked mode. */
static void edit_filter(struct top *t, const struct termios *cooked, const struct termios *raw)
{
	char line[256], *words[64], *save = NULL, *tok;
	int n = 0;

	tcsetattr(STDIN_FILENO, TCSANOW, cooked);
	printf("\033[999;1H\033[Kfilter: ");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		char copy[256];
		snprintf(copy, sizeof(copy), "%s", line);
		for (tok = strtok_r(line, " \t", &save); tok && n < 64;
		     tok = strtok_r(NULL, " \t", &save))
			words[n++] = tok;
		t->msg[0] = '\0';
		if (set_filter(t, n, words) == 0)
			snprintf(t->filter, sizeof(t->filter), "%s", copy);
	}
	tcsetattr(STDIN_FILENO, TCSANOW, raw);
}

static int live(struct top *t)
{
	struct termios cooked, raw;
	bool tty_in = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &cooked) == 0;
	int status = 0;

	if (tty_in) {
		raw = cooked;
		raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	fputs("\033[?25l", stdout);
	for (;;) {
		struct winsize ws = {0};
		struct snap s;
		struct pollfd p = {STDIN_FILENO, POLLIN, 0};
		char c;
		size_t rows;
		int r;

		ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
		rows = ws.ws_row > 7 ? ws.ws_row - 6 : 10;
		t->rows = rows;
		r = take_snapshot(t, &s);
		if (r < 0)
			snprintf(t->msg, sizeof(t->msg), "dump failed: %s", strerror(-r));
		render(stdout, t, &s, rows, true);
		free(s.heap);
		if (!tty_in) {
			usleep((useconds_t)t->delay_ms * 1000);
			continue;
		}
		if (poll(&p, 1, t->delay_ms) <= 0 || read(STDIN_FILENO, &c, 1) != 1)
			continue;
		if (c == 'q' || c == 'Q')
			break;
		else if (c == 'b')
			t->sort = SORT_BYTES;
		else if (c == 'p')
			t->sort = SORT_PACKETS;
		else if (c == 'a')
			t->sort = SORT_AGE;
		else if (c == 'e')
			t->sort = SORT_EXPIRY;
		else if (c == 'r')
			t->reverse = !t->reverse;
		else if (c == '/')
			edit_filter(t, &cooked, &raw);
	}
	fputs("\033[?25h\n", stdout);
	if (tty_in)
		tcsetattr(STDIN_FILENO, TCSANOW, &cooked);
	return status;
}

int ct_top_main(int argc, char **argv)
{
	struct top t;
	struct snap s;
	int rest = 0, r;

	memset(&t, 0, sizeof(t));
	t.rows = 40;
	t.delay_ms = 1000;
	if (parse_top_args(&t, argc, argv, &rest) != 0)
		return NFSH_EPARAM;
	if (set_filter(&t, argc - rest, argv + rest) < 0)
		return ct_fail(NFSH_EPARAM, "%s", t.msg);
	join_words(t.filter, sizeof(t.filter), argc - rest, argv + rest);
	if (isatty(STDOUT_FILENO)) {
		r = live(&t);
	} else {
		/* No terminal: one bounded snapshot, never a stream of screens. */
		r = take_snapshot(&t, &s);
		/* top is nfsh's own: a missing capability is nfsh's exit 4 */
		t.cmd->nfsh_face = true;
		if (r < 0)
			r = ct_fail_kernel(t.cmd, -r);
		else
			render(stdout, &t, &s, t.rows, false);
		free(s.heap);
	}
	ct_cmd_free(t.cmd);
	free(t.cmd);
	return r;
}
