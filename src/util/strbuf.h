/* Growable string buffer: the one way nfsh builds text output. */
#ifndef NFSH_STRBUF_H
#define NFSH_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	int oom; /* set once an allocation failed; further appends are dropped */
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_addc(struct strbuf *sb, char c);
/* v in decimal, without printf (hot in save and restore). */
void sb_add_uint(struct strbuf *sb, unsigned long long v);
/* Append s as one iptables-save word: quoted with "..." when it holds blanks or quotes. */
void sb_add_word(struct strbuf *sb, const char *s);
const char *sb_str(const struct strbuf *sb);

/* src into dst[n], cut to fit and always terminated (n > 0), as
 * snprintf(dst, n, "%s", src) without the printf machinery: names and
 * words are copied a few times for every line of a bulk restore. */
void str_copy(char *dst, size_t n, const char *src);
/* FNV-1a of s, for the string sets of a restore (chains, jump graph). */
unsigned long long str_hash(const char *s);
/* The offset of the first byte of text that is not valid UTF-8 (overlong
 * forms, surrogates and code points above U+10FFFF count as invalid), or -1:
 * jansson, and so libnftables, refuses such a string. */
long str_utf8_bad(const char *text);

#endif
