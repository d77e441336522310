/* A table's sets read back (nl_read_dump.h): shared sets (nfsh-p-*, port
 * lists named by several rules) listed as libnftables lists them, and the
 * anonymous sets of multiport lists and one-shot port lists, their elements
 * kept for the rules that look them up (intervals as ranges). */
#include "nft/nl_read_dump.h"
#include "rule/rule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

/* ---- anonymous sets (multiport lists, one-shot commands' port lists) ---- */

/* Key types libnftables lists them by: inet_service, ipv4_addr, ipv6_addr. */
#define KT_SERVICE 13
#define KT_IPV4    7
#define KT_IPV6    8

/* An anonymous set of a key type read here: its type noted, elements later. */
static void anon_set(struct dump *d, const struct nftnl_set *s, const char *name)
{
	uint32_t flags =
	    nftnl_set_is_set(s, NFTNL_SET_FLAGS) ? nftnl_set_get_u32(s, NFTNL_SET_FLAGS) : 0;
	uint32_t kt = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
	uint32_t kl = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);

	if (!(flags & NFT_SET_ANONYMOUS) ||
	    (flags & ~(uint32_t)(NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL)) ||
	    nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE) || !(flags & NFT_SET_CONSTANT) ||
	    !((kt == KT_SERVICE && kl == 2) || (kt == KT_IPV4 && kl == 4) ||
	      (kt == KT_IPV6 && kl == 16)) ||
	    json_object_set_new(
	        d->anon_types, name,
	        json_pack("[I,I,I]", (json_int_t)kt, (json_int_t)kl, (json_int_t)flags)))
		d->unsupported = true;
}

static int parse_set(const struct nlmsghdr *nlh, struct dump *d)
{
	struct nftnl_set *s = nftnl_set_alloc();
	const char *name = NULL, *table = NULL;

	if (!s)
		return -1;
	if (nftnl_set_nlmsg_parse(nlh, s) == 0 && (table = nftnl_set_get_str(s, NFTNL_SET_TABLE)) &&
	    !strcmp(table, d->table) && (name = nftnl_set_get_str(s, NFTNL_SET_NAME)) &&
	    !strncmp(name, "__set", 5)) {
		anon_set(d, s, name);
	} else if (table && !strcmp(table, d->table) && name &&
	           !strncmp(name, NFSH_SHARED_SET_PREFIX, strlen(NFSH_SHARED_SET_PREFIX))) {
		/* nfsh shares port lists only (io/sets.c): inet_service (13), 2 bytes,
		 * no intervals, no data. */
		uint32_t flags = nftnl_set_is_set(s, NFTNL_SET_FLAGS)
		                     ? nftnl_set_get_u32(s, NFTNL_SET_FLAGS)
		                     : 0;

		if (nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE) != 13 ||
		    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN) != 2 ||
		    (flags & ~(uint32_t)NFT_SET_CONSTANT) ||
		    nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE))
			d->unsupported = true;
		else
			json_array_append_new(d->sets, json_string(name));
	}
	nftnl_set_free(s);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	json_int_t x = json_integer_value(*(json_t *const *)a);
	json_int_t y = json_integer_value(*(json_t *const *)b);

	return (x > y) - (x < y);
}

static int parse_elems(const struct nlmsghdr *nlh, struct dump *d)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *el;
	json_t *elems = d->elems;

	if (!s)
		return -1;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0 || !elems) {
		nftnl_set_free(s);
		d->unsupported = true;
		return 0;
	}
	it = nftnl_set_elems_iter_create(s);
	while (it && (el = nftnl_set_elems_iter_next(it))) {
		uint32_t len = 0;
		const uint8_t *k = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
		uint16_t port;

		if (!k || len != 2 ||
		    (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS) &&
		     nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS))) {
			d->unsupported = true;
			break;
		}
		memcpy(&port, k, 2);
		json_array_append_new(elems, json_integer(ntohs(port)));
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return 0;
}

struct anon_key {
	uint8_t k[16];
	bool end;
};

struct anon_elems {
	struct anon_key *v;
	size_t n, cap;
	uint32_t klen;
	bool bad;
};

static int parse_anon_elems(const struct nlmsghdr *nlh, struct dump *d)
{
	struct anon_elems *a = d->raw;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *el;

	if (!s)
		return -1;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0 || !(it = nftnl_set_elems_iter_create(s))) {
		nftnl_set_free(s);
		a->bad = true;
		return 0;
	}
	while ((el = nftnl_set_elems_iter_next(it))) {
		uint32_t len = 0, fl = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS)
		                           ? nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS)
		                           : 0;
		const uint8_t *k = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);

		if (!k || len != a->klen || (fl & ~(uint32_t)NFT_SET_ELEM_INTERVAL_END)) {
			a->bad = true;
			break;
		}
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			struct anon_key *v = realloc(a->v, cap * sizeof(*v));

			if (!v) {
				a->bad = true;
				break;
			}
			a->v = v;
			a->cap = cap;
		}
		memset(&a->v[a->n], 0, sizeof(a->v[0]));
		memcpy(a->v[a->n].k, k, len);
		a->v[a->n++].end = fl & NFT_SET_ELEM_INTERVAL_END;
	}
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return 0;
}

/* Keys in network order compare as numbers (all 16 bytes: a shorter key is
 * zero-padded); an interval's end before a start at the same value (the
 * end is exclusive). */
static int cmp_key(const void *x, const void *y)
{
	const struct anon_key *a = x, *b = y;
	int r = memcmp(a->k, b->k, sizeof(a->k));

	return r ? r : (int)b->end - (int)a->end;
}

/* One value as libnftables lists it: a port number or an address. */
static json_t *key_json(uint32_t kt, const uint8_t *k)
{
	char text[INET6_ADDRSTRLEN];
	uint16_t port;

	if (kt == KT_SERVICE) {
		memcpy(&port, k, 2);
		return json_integer(ntohs(port));
	}
	if (!inet_ntop(kt == KT_IPV6 ? AF_INET6 : AF_INET, k, text, sizeof(text)))
		return NULL;
	return json_string(text);
}

/* lo..hi (inclusive): one value, a prefix (addresses whose range is one),
 * or a range, as libnftables' interval decomposition lists it. */
static json_t *interval_json(uint32_t kt, uint32_t klen, const uint8_t *lo, const uint8_t *hi)
{
	uint32_t bits = 0;
	bool aligned = true;

	if (!memcmp(lo, hi, klen))
		return key_json(kt, lo);
	if (kt != KT_SERVICE) {
		/* A prefix: lo and hi agree on the first bits, lo is zeros and
		 * hi ones after them. */
		uint32_t i = 0;

		while (i < klen * 8) {
			uint8_t m = (uint8_t)(0x80 >> (i % 8));

			if ((lo[i / 8] & m) != (hi[i / 8] & m))
				break;
			i++;
		}
		bits = i;
		for (; i < klen * 8 && aligned; i++) {
			uint8_t m = (uint8_t)(0x80 >> (i % 8));

			aligned = !(lo[i / 8] & m) && (hi[i / 8] & m);
		}
		if (aligned)
			return nlr_obj1("prefix", nlr_obj2("addr", key_json(kt, lo), "len",
			                                   json_integer((json_int_t)bits)));
	}
	return nlr_obj1("range", json_pack("[o,o]", key_json(kt, lo), key_json(kt, hi)));
}

/* The key one less than k (k not all zeros), into out. */
static void key_minus_one(const uint8_t *k, uint32_t klen, uint8_t *out)
{
	memcpy(out, k, klen);
	for (uint32_t i = klen; i-- > 0;)
		if (out[i]-- != 0)
			break;
}

/* The elements of an interval set: starts and exclusive ends, sorted. */
static json_t *intervals_json(uint32_t kt, struct anon_elems *a)
{
	json_t *list = json_array();
	const uint8_t *start = NULL;
	uint8_t ones[16], last[16];

	memset(ones, 0xff, sizeof(ones));
	for (size_t i = 0; list && i < a->n; i++) {
		if (!a->v[i].end) {
			if (start)
				a->bad = true; /* two starts in a row */
			start = a->v[i].k;
			continue;
		}
		if (!start)
			continue; /* the end before the first interval */
		key_minus_one(a->v[i].k, a->klen, last);
		json_array_append_new(list, interval_json(kt, a->klen, start, last));
		start = NULL;
	}
	if (list && start) /* open to the largest value */
		json_array_append_new(list, interval_json(kt, a->klen, start, ones));
	return list;
}

/* The right side of a lookup in the anonymous set name: {"set": [...]}. */
static json_t *anon_right(uint32_t kt, uint32_t flags, struct anon_elems *a)
{
	json_t *list;

	qsort(a->v, a->n, sizeof(a->v[0]), cmp_key);
	if (flags & NFT_SET_INTERVAL) {
		list = intervals_json(kt, a);
	} else {
		list = json_array();
		for (size_t i = 0; list && i < a->n; i++)
			if (a->v[i].end || json_array_append_new(list, key_json(kt, a->v[i].k)) < 0)
				a->bad = true;
	}
	if (a->bad || !list || json_array_size(list) == 0) {
		json_decref(list);
		return NULL;
	}
	return nlr_obj1("set", list);
}

/* Each anonymous set's elements, into d->anon for the rules that look it up. */
static int read_anon_sets(struct mnl_socket *nl, struct dump *d, uint32_t *seq)
{
	char buf[NLR_REQ_SIZE] = {0}; /* zeroed: attribute padding goes out as it is */
	const char *name;
	json_t *t;
	int rc = 0;

	json_object_foreach(d->anon_types, name, t)
	{
		struct anon_elems a = {.klen = (uint32_t)json_integer_value(json_array_get(t, 1))};
		struct nftnl_set *s = nftnl_set_alloc();
		struct nlmsghdr *nlh;
		json_t *right;

		if (!s)
			return -ENOMEM;
		nlh = nlr_hdr(buf, NFT_MSG_GETSETELEM, d->family, NLM_F_DUMP, seq);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, d->table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		d->parse = parse_anon_elems;
		d->raw = &a;
		rc = nlr_talk(nl, nlh, d);
		d->raw = NULL;
		right = rc < 0 ? NULL
		               : anon_right((uint32_t)json_integer_value(json_array_get(t, 0)),
		                            (uint32_t)json_integer_value(json_array_get(t, 2)), &a);
		free(a.v);
		if (rc < 0)
			return rc;
		/* One not read: the rules that look it up go to libnftables. */
		if (right && json_object_set_new(d->anon, name, right) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Shared sets first (rules refer to them), each with its elements. */
int nlr_read_sets(struct mnl_socket *nl, struct dump *d, uint32_t *seq)
{
	char buf[NLR_REQ_SIZE] = {0}; /* zeroed: attribute padding goes out as it is */
	struct nlmsghdr *nlh;
	struct nftnl_set *s;
	size_t i;
	json_t *name;
	int rc;

	if (!(s = nftnl_set_alloc()))
		return -ENOMEM;
	nlh = nlr_hdr(buf, NFT_MSG_GETSET, d->family, NLM_F_DUMP, seq);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, d->table);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	d->parse = parse_set;
	if ((rc = nlr_talk(nl, nlh, d)) < 0 || (rc = read_anon_sets(nl, d, seq)) < 0)
		return rc;
	json_array_foreach(d->sets, i, name)
	{
		json_t *set = json_pack("{s:{s:s,s:s,s:s,s:s,s:[]}}", "set", "family",
		                        d->family == NFSH_IPV6 ? "ip6" : "ip", "name",
		                        json_string_value(name), "table", d->table, "type",
		                        "inet_service", "elem");

		if (!set)
			return -ENOMEM;
		if (!(s = nftnl_set_alloc())) {
			json_decref(set);
			return -ENOMEM;
		}
		nlh = nlr_hdr(buf, NFT_MSG_GETSETELEM, d->family, NLM_F_DUMP, seq);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, d->table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, json_string_value(name));
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		d->parse = parse_elems;
		d->elems = json_object_get(json_object_get(set, "set"), "elem");
		rc = nlr_talk(nl, nlh, d);
		d->elems = NULL;
		if (rc < 0) {
			json_decref(set);
			return rc;
		}
		{
			json_t *el = json_object_get(json_object_get(set, "set"), "elem");
			size_t n = json_array_size(el);
			json_t **v = calloc(n ? n : 1, sizeof(*v));

			/* libnftables lists a hash set's elements sorted. */
			if (!v) {
				json_decref(set);
				return -ENOMEM;
			}
			for (size_t k = 0; k < n; k++)
				v[k] = json_incref(json_array_get(el, k));
			qsort(v, n, sizeof(*v), cmp_int);
			json_array_clear(el);
			for (size_t k = 0; k < n; k++)
				json_array_append_new(el, v[k]);
			free(v);
		}
		if (nlr_dump_emit(d, set) < 0)
			return -ENOMEM;
	}
	return 0;
}
