/* Loop detection over the jumps of a restore: a depth-first search over the
 * chain graph (O(V+E)), and a binary search over prefixes of the jumps in
 * input order to name the one that closes the loop. */
#include "io/io.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int io_jumps_add(struct io_jumps *j, int family, int table, const char *from, const char *to,
                 int line)
{
	struct io_jump *x;

	if (j->n == j->cap) {
		int cap = j->cap ? j->cap * 2 : 1024;
		struct io_jump *v = realloc(j->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		j->v = v;
		j->cap = cap;
	}
	x = &j->v[j->n++];
	io_chain_key(x->from, sizeof(x->from), family, table, from);
	io_chain_key(x->to, sizeof(x->to), family, table, to);
	x->line = line;
	x->dead = false;
	return 0;
}

void io_jumps_drop(struct io_jumps *j, int family, int table, const char *from)
{
	char key[40], prefix[16];
	size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "%d %d ", family, table);

	io_chain_key(key, sizeof(key), family, table, from ? from : "");
	for (int i = 0; i < j->n; i++)
		if (from ? !strcmp(j->v[i].from, key) : !strncmp(j->v[i].from, prefix, pl))
			j->v[i].dead = true;
}

void io_jumps_free(struct io_jumps *j)
{
	free(j->v);
	memset(j, 0, sizeof(*j));
}

struct graph {
	const char **names; /* node names, by id */
	int nn;
	int *ids;         /* hash of names: id + 1, 0 for a free slot */
	size_t cap;       /* of ids, a power of two */
	int *from, *to;   /* node ids per jump */
	int *head, *next; /* adjacency lists over jump indices */
	unsigned char *color;
	int *stack, *iter;
};

/* The id of node name, made when it is new. A hash rather than sorting the
 * names: the sort and its searches were 3% of a bulk restore. */
static int node_id(struct graph *g, const char *name)
{
	size_t k = str_hash(name) & (g->cap - 1);

	for (; g->ids[k]; k = (k + 1) & (g->cap - 1))
		if (!strcmp(g->names[g->ids[k] - 1], name))
			return g->ids[k] - 1;
	g->names[g->nn] = name;
	g->ids[k] = ++g->nn;
	return g->nn - 1;
}

static void graph_free(struct graph *g)
{
	free(g->names);
	free(g->ids);
	free(g->from);
	free(g->to);
	free(g->head);
	free(g->next);
	free(g->color);
	free(g->stack);
	free(g->iter);
}

static int graph_build(struct graph *g, const struct io_jumps *j)
{
	size_t n = (size_t)j->n;

	memset(g, 0, sizeof(*g));
	for (g->cap = 16; g->cap < 4 * n; g->cap *= 2)
		;
	g->names = malloc(2 * n * sizeof(*g->names) + 1);
	g->ids = calloc(g->cap, sizeof(*g->ids));
	g->from = malloc(n * sizeof(int) + 1);
	g->to = malloc(n * sizeof(int) + 1);
	g->next = malloc(n * sizeof(int) + 1);
	if (!g->names || !g->ids || !g->from || !g->to || !g->next)
		return -1;
	for (int i = 0; i < j->n; i++) {
		g->from[i] = node_id(g, j->v[i].from);
		g->to[i] = node_id(g, j->v[i].to);
	}
	g->head = malloc((size_t)g->nn * sizeof(int) + 1);
	g->color = malloc((size_t)g->nn + 1);
	g->stack = malloc((size_t)g->nn * sizeof(int) + 1);
	g->iter = malloc((size_t)g->nn * sizeof(int) + 1);
	return g->head && g->color && g->stack && g->iter ? 0 : -1;
}

/* Is there a cycle among the live jumps 0..limit-1? Iterative DFS. */
static bool has_cycle(struct graph *g, const struct io_jumps *j, int limit)
{
	for (int v = 0; v < g->nn; v++) {
		g->head[v] = -1;
		g->color[v] = 0;
	}
	for (int i = limit - 1; i >= 0; i--) {
		if (j->v[i].dead)
			continue;
		g->next[i] = g->head[g->from[i]];
		g->head[g->from[i]] = i;
	}
	for (int s = 0; s < g->nn; s++) {
		int sp = 0;

		if (g->color[s])
			continue;
		g->stack[sp++] = s;
		g->iter[s] = g->head[s];
		g->color[s] = 1;
		while (sp) {
			int v = g->stack[sp - 1], e = g->iter[v];

			if (e < 0) {
				g->color[v] = 2;
				sp--;
				continue;
			}
			g->iter[v] = g->next[e];
			if (g->color[g->to[e]] == 1)
				return true;
			if (!g->color[g->to[e]]) {
				g->color[g->to[e]] = 1;
				g->iter[g->to[e]] = g->head[g->to[e]];
				g->stack[sp++] = g->to[e];
			}
		}
	}
	return false;
}

int io_jumps_find_loop(const struct io_jumps *j)
{
	struct graph g;
	int lo = 1, hi = j->n, rc = -1;

	if (!j->n)
		return -1;
	if (graph_build(&g, j) < 0) {
		graph_free(&g);
		return -2;
	}
	if (has_cycle(&g, j, j->n)) {
		/* Smallest prefix with a cycle: its last jump closes the loop. */
		while (lo < hi) {
			int mid = lo + (hi - lo) / 2;

			if (has_cycle(&g, j, mid))
				hi = mid;
			else
				lo = mid + 1;
		}
		rc = hi - 1;
	}
	graph_free(&g);
	return rc;
}
