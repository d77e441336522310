/* The printf-free formatters save and restore use on every rule: addresses
 * and prefixes (addr_format, against inet_ntop + snprintf for every IPv4
 * address and prefix length), decimal numbers (sb_add_uint), and sb_addf's
 * one-pass formatting, also for text longer than the room it starts with. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rule/rule.h"
#include "util/strbuf.h"

/* What the formatter printed before it had a fast path. */
static void reference(const struct addr_match *m, bool always, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(m->family == NFSH_IPV6 ? AF_INET6 : AF_INET, m->addr, a, sizeof(a));
	if (m->prefix == (m->family == NFSH_IPV6 ? 128 : 32) && !always)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, m->prefix);
}

static void every_ipv4_octet_and_prefix(void **state)
{
	struct addr_match m = {.family = NFSH_IPV4, .set = true};
	char got[64], want[64];

	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		m.addr[0] = (uint8_t)v;
		m.addr[1] = (uint8_t)(255 - v);
		m.addr[2] = (uint8_t)(v / 10);
		m.addr[3] = (uint8_t)(v % 100);
		m.prefix = (int)(v % 33);
		for (int always = 0; always < 2; always++) {
			addr_format(&m, got, sizeof(got), always);
			reference(&m, always, want, sizeof(want));
			assert_string_equal(got, want);
		}
	}
}

static void ipv6_prefixes_of_three_digits(void **state)
{
	struct addr_match m = {.family = NFSH_IPV6, .set = true};
	char got[64];

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", m.addr), 1);
	m.prefix = 100;
	addr_format(&m, got, sizeof(got), false);
	assert_string_equal(got, "2001:db8::/100");
	m.prefix = 128;
	addr_format(&m, got, sizeof(got), false);
	assert_string_equal(got, "2001:db8::");
	addr_format(&m, got, sizeof(got), true);
	assert_string_equal(got, "2001:db8::/128");
	m.prefix = 0;
	addr_format(&m, got, sizeof(got), false);
	assert_string_equal(got, "2001:db8::/0");
}

static void non_prefix_masks_and_short_buffers(void **state)
{
	struct addr_match m;
	char got[64], tiny[8];

	(void)state;
	assert_int_equal(addr_parse("10.0.0.0/255.0.255.0", NFSH_IPV4, &m), 0);
	addr_format(&m, got, sizeof(got), true);
	assert_string_equal(got, "10.0.0.0/255.0.255.0");
	assert_int_equal(addr_parse("192.168.100.200/24", NFSH_IPV4, &m), 0);
	addr_format(&m, got, sizeof(got), true);
	assert_string_equal(got, "192.168.100.0/24");
	/* Too small for "A/N": cut, never overrun. */
	addr_format(&m, tiny, sizeof(tiny), true);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_memory_equal(tiny, "192.168", 7);
}

static void decimal_numbers(void **state)
{
	static const unsigned long long v[] = {
	    0, 9, 10, 65535, 4294967296ull, 18446744073709551615ull};
	struct strbuf sb;
	char want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sb_init(&sb);
		sb_add(&sb, "x");
		sb_add_uint(&sb, v[i]);
		snprintf(want, sizeof(want), "x%llu", v[i]);
		assert_string_equal(sb_str(&sb), want);
		sb_free(&sb);
	}
}

static void addf_longer_than_its_room(void **state)
{
	struct strbuf sb;
	char *word = malloc(5000);

	(void)state;
	assert_non_null(word);
	memset(word, 'w', 4999);
	word[4999] = '\0';
	sb_init(&sb);
	for (int i = 0; i < 3; i++)
		sb_addf(&sb, "[%d:%s]", i, i == 1 ? word : "short");
	assert_int_equal(sb.len, strlen("[0:short]") + 4999 + 4 + strlen("[2:short]"));
	assert_int_equal(strlen(sb.buf), sb.len);
	assert_memory_equal(sb.buf, "[0:short][1:www", 15);
	assert_string_equal(sb.buf + sb.len - 13, "www][2:short]");
	sb_free(&sb);
	free(word);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_ipv4_octet_and_prefix),
	    cmocka_unit_test(ipv6_prefixes_of_three_digits),
	    cmocka_unit_test(non_prefix_masks_and_short_buffers),
	    cmocka_unit_test(decimal_numbers),
	    cmocka_unit_test(addf_longer_than_its_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
