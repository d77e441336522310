/* Buffered output of entries: one large buffer, written when full, so listing a
 * quarter of a million entries costs a few hundred write calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ct/ct_int.h"

#define CT_OUT_CAP (16 * 1024)

int ct_out_init(struct ct_out *o, FILE *f, unsigned of, const struct ct_labelmap *lm)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->of = of;
	o->lm = lm;
	o->buf = malloc(CT_OUT_CAP);
	if (!o->buf)
		return -1;
	o->cap = CT_OUT_CAP;
	return 0;
}

/* write(2) straight from our buffer: through stdio, glibc split every
 * flush into 4 KiB writes (st_blksize of a pipe or /dev/null). */
static void write_all(FILE *f, const char *p, size_t n)
{
	int fd = fileno(f);

	fflush(f); /* whatever was printf'd before goes first */
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a closed pipe: nothing more to say */
		p += w;
		n -= (size_t)w;
	}
}

void ct_out_flush(struct ct_out *o)
{
	if (o->len) {
		write_all(o->f, o->buf, o->len);
		o->len = 0;
	}
	fflush(o->f);
}

void ct_out_text(struct ct_out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap)
		ct_out_flush(o);
	if (n > o->cap) {
		write_all(o->f, s, n);
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void ct_out_emit(struct ct_out *o, const struct ct_msg *m, enum ct_evtype ev)
{
	ct_out_emit_sfx(o, m, ev, NULL);
}

void ct_out_emit_sfx(struct ct_out *o, const struct ct_msg *m, enum ct_evtype ev, const char *sfx)
{
	struct ct_line *l = &o->line;

	if (o->of & CT_O_JSON) {
		if (ct_format_json(l, m, ev, o->lm) < 0)
			return;
	} else if (o->of & CT_O_XML) {
		/* as conntrack: the document opens with the first entry */
		if (!o->xml_open && !o->xml_bare) {
			static const char hdr[] =
			    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n";
			ct_out_text(o, hdr, sizeof(hdr) - 1);
			o->xml_open = true;
		}
		ct_format_xml(l, m, o->of, ev);
	} else if (o->of & CT_O_SAVE) {
		ct_format_save(l, m, ev);
		if (!l->len)
			return;
	} else {
		if ((o->of & CT_O_TMS) && ev != CT_EV_NONE) {
			struct timeval tv;
			char tmp[48];
			int n;
			gettimeofday(&tv, NULL);
			n = snprintf(tmp, sizeof(tmp), "[%-.8ld.%-.6ld]\t", (long)tv.tv_sec,
			             (long)tv.tv_usec);
			ct_out_text(o, tmp, (size_t)n);
		}
		ct_format_default(l, m, o->of, ev, (o->of & CT_O_LABELS) ? o->lm : o->lm);
	}
	if (sfx && !(o->of & (CT_O_JSON | CT_O_SAVE)))
		ct_line_add(l, sfx);
	ct_line_addn(l, "\n", 1);
	ct_out_text(o, l->buf, l->len);
	o->n++;
}

void ct_out_free(struct ct_out *o)
{
	if (o->xml_open)
		ct_out_text(o, "</conntrack>\n", 13);
	ct_out_flush(o);
	free(o->buf);
	o->buf = NULL;
}
