/* -m time: time of day, weekdays and a date range, as nft's meta hour,
 * meta day and meta time (the order iptables-translate writes them in).
 *   --timestart/--timestop hh:mm[:ss]  meta hour "START"-"STOP" (missing end:
 *                                      00:00:00 or 23:59:59)
 *   [!] --weekdays Mon,...             meta day { 1, ... } (! = the other days)
 *   --datestart/--datestop YYYY[-MM[-DD[Thh[:mm[:ss]]]]]
 *                                      meta time "START"-"STOP" (UTC; missing
 *                                      end: 1970-01-01 00:00:00 or 2038-01-19 03:14:07)
 * xt_time counts in UTC; nft converts these strings with the local time zone
 * of the process loading the rule, so nfsh refuses them unless that zone is
 * UTC now. Refused as having no native form: --monthdays (nft has no day of
 * month), --kerneltz (the kernel's zone, which the listing cannot show),
 * --contiguous, and a time range across midnight (write two rules). */
#include "ext/ext.h"
#include "nft/json.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DAY_MAX  86399u
#define DATE_MAX 2147483647ll

enum { T_TSTART, T_TSTOP, T_WDAYS, T_MDAYS, T_DSTART, T_DSTOP, T_KTZ, T_UTC, T_LOCALTZ, T_CONT };

struct time_priv {
	bool tstart_set, tstop_set, dstart_set, dstop_set, wdays_set, wdays_inv;
	uint32_t tstart, tstop;  /* seconds of the day */
	long long dstart, dstop; /* seconds since the epoch */
	unsigned wdays;          /* bit d for iptables' day d: 1 = Monday ... 7 = Sunday */
};

static const char *const day_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", NULL};
static const char *const nft_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};

static const struct ext_opt time_opts[] = {
    {"timestart", T_TSTART, 1, 0, VK_WORD, NULL, "hh:mm[:ss]", "start of the time of day (UTC)"},
    {"timestop", T_TSTOP, 1, 0, VK_WORD, NULL, "hh:mm[:ss]", "end of the time of day (UTC)"},
    {"weekdays", T_WDAYS, 1, EXT_OPT_INV, VK_LIST, day_names, "DAY[,DAY...]",
     "days of the week (Mon ... Sun, or 1-7)"},
    {"monthdays", T_MDAYS, 1, EXT_OPT_INV, VK_WORD, NULL, "N[,N...]",
     "days of the month (refused: no native form)"},
    {"datestart", T_DSTART, 1, 0, VK_WORD, NULL, "YYYY[-MM[-DD[Thh[:mm[:ss]]]]]",
     "start date (UTC)"},
    {"datestop", T_DSTOP, 1, 0, VK_WORD, NULL, "YYYY[-MM[-DD[Thh[:mm[:ss]]]]]", "end date (UTC)"},
    {"kerneltz", T_KTZ, 0, 0, VK_NONE, NULL, NULL, "the kernel's time zone (refused)"},
    {"utc", T_UTC, 0, 0, VK_NONE, NULL, NULL, "times are UTC (the default)"},
    {"localtz", T_LOCALTZ, 0, 0, VK_NONE, NULL, NULL, "same as --kerneltz (refused)"},
    {"contiguous", T_CONT, 0, 0, VK_NONE, NULL, NULL, "range across midnight (refused)"},
};

static int parse_daytime(const char *s, uint32_t *out, struct nfsh_err *e)
{
	unsigned h, m, sec = 0;
	int n = 0;

	if ((sscanf(s, "%2u:%2u%n", &h, &m, &n) == 2 && !s[n]) ||
	    (sscanf(s, "%2u:%2u:%2u%n", &h, &m, &sec, &n) == 3 && !s[n])) {
		if (h < 24 && m < 60 && sec < 60) {
			*out = h * 3600 + m * 60 + sec;
			return 0;
		}
	}
	err_set(e, NFSH_EPARAM, s, "invalid time of day \"%s\"", s);
	err_hint(e, "hh:mm or hh:mm:ss, 00:00:00 to 23:59:59");
	return -1;
}

static int parse_date(const char *s, long long *out, struct nfsh_err *e)
{
	struct tm tm = {.tm_mday = 1};
	unsigned y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0;
	int n = 0;
	long long t;

	/* Longest form first; each shorter one must end the string. */
	if (!((sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
	       !s[n]) ||
	      (sscanf(s, "%4u-%2u-%2uT%2u:%2u%n", &y, &mo, &d, &h, &mi, &n) == 5 && !s[n]) ||
	      (sscanf(s, "%4u-%2u-%2uT%2u%n", &y, &mo, &d, &h, &n) == 4 && !s[n]) ||
	      (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &n) == 3 && !s[n]) ||
	      (sscanf(s, "%4u-%2u%n", &y, &mo, &n) == 2 && !s[n]) ||
	      (sscanf(s, "%4u%n", &y, &n) == 1 && !s[n])))
		goto bad;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		goto bad;
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)sec;
	t = (long long)timegm(&tm);
	if (t < 0 || t > DATE_MAX)
		goto bad;
	*out = t;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, s, "invalid date \"%s\"", s);
	err_hint(e, "YYYY[-MM[-DD[Thh[:mm[:ss]]]]], 1970-01-01 to 2038-01-19T03:14:07 (UTC)");
	return -1;
}

static int parse_wdays(const char *arg, unsigned *out, struct nfsh_err *e)
{
	static const char *const two[] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
	char buf[128], *save = NULL;

	if (strlen(arg) >= sizeof(buf))
		return err_set(e, NFSH_EPARAM, arg, "--weekdays list too long");
	snprintf(buf, sizeof(buf), "%s", arg);
	*out = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int d = -1;

		for (int i = 0; i < 7 && d < 0; i++)
			if (!strcasecmp(t, day_names[i]) || !strcasecmp(t, two[i]) ||
			    (t[0] == '1' + i && !t[1]))
				d = i + 1;
		if (d < 0) {
			err_set(e, NFSH_EPARAM, t, "unknown weekday \"%s\"", t);
			err_hint(e, "Mon, Tue, Wed, Thu, Fri, Sat, Sun (or 1-7)");
			return -1;
		}
		*out |= 1u << d;
	}
	return 0;
}

static int refuse(const char *word, const char *why, const char *hint, struct nfsh_err *e)
{
	err_set(e, NFSH_EPARAM, word, "-m time %s has no native nftables form: %s", word, why);
	err_hint(e, "%s", hint);
	return -1;
}

static int time_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct time_priv *p = priv;

	(void)c;
	switch (opt->id) {
	case T_TSTART:
		p->tstart_set = true;
		return parse_daytime(args[0], &p->tstart, e);
	case T_TSTOP:
		p->tstop_set = true;
		return parse_daytime(args[0], &p->tstop, e);
	case T_WDAYS:
		p->wdays_set = true;
		p->wdays_inv = invert;
		return parse_wdays(args[0], &p->wdays, e);
	case T_DSTART:
		p->dstart_set = true;
		return parse_date(args[0], &p->dstart, e);
	case T_DSTOP:
		p->dstop_set = true;
		return parse_date(args[0], &p->dstop, e);
	case T_UTC:
		return 0;
	case T_MDAYS:
		return refuse(
		    "--monthdays", "nft has meta day (weekday) but no day of the month",
		    "match weekdays with --weekdays, or dates with --datestart/--datestop", e);
	case T_CONT:
		return refuse("--contiguous",
		              "a time range across midnight is not one meta hour range",
		              "write two rules: --timestart X (to midnight) and --timestop Y", e);
	default:
		return refuse(
		    opt->id == T_KTZ ? "--kerneltz" : "--localtz",
		    "nft applies the zone of the process loading the rule, and the listing "
		    "does not say which zone was meant",
		    "give the times in UTC", e);
	}
}

static int time_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct time_priv *p = priv;
	time_t now = time(NULL);
	struct tm lt;

	(void)c;
	if (p->tstart_set && p->tstop_set && p->tstart > p->tstop)
		return refuse("--timestart",
		              "a time range across midnight is not one meta hour range",
		              "write two rules: --timestart X (to midnight) and --timestop Y", e);
	if (p->dstart_set && p->dstop_set && p->dstart > p->dstop)
		return err_set(e, NFSH_EPARAM, "--datestart", "--datestart is after --datestop");
	if (!localtime_r(&now, &lt) || lt.tm_gmtoff != 0) {
		err_set(
		    e, NFSH_EPARAM, "time",
		    "-m time: nft reads meta hour/day/time in the local time zone of the loader, "
		    "here UTC%+ld s, but iptables' times are UTC",
		    (long)lt.tm_gmtoff);
		err_hint(e, "run nfsh with TZ=UTC");
		return -1;
	}
	return 0;
}

static json_t *hms(uint32_t s)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%02u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	return nftj_str(buf);
}

static json_t *ymd(long long t, bool iso)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
	return nftj_str(buf);
}

static int time_emit(struct emit_ctx *x, const void *priv)
{
	const struct time_priv *p = priv;
	int rc = 0;

	if (p->dstart_set || p->dstop_set)
		rc |= ext_emit(
		    x, nftj_match("==", nftj_meta("time"),
		                  nftj_range(ymd(p->dstart_set ? p->dstart : 0, false),
		                             ymd(p->dstop_set ? p->dstop : DATE_MAX, false))));
	if (p->tstart_set || p->tstop_set)
		rc |= ext_emit(x, nftj_match("==", nftj_meta("hour"),
		                             nftj_range(hms(p->tstart_set ? p->tstart : 0),
		                                        hms(p->tstop_set ? p->tstop : DAY_MAX))));
	if (p->wdays_set) {
		unsigned days = p->wdays_inv ? ~p->wdays & 0xfe : p->wdays;
		json_t *set = nftj_array();
		int n = 0, last = 0;

		for (int d = 1; d <= 7; d++)
			if (days & (1u << d)) {
				nftj_push(set, nftj_int(d % 7));
				n++;
				last = d % 7;
			}
		if (!n) {
			json_decref(set);
			return err_set(x->err, NFSH_EPARAM, "--weekdays",
			               "! --weekdays of every day never matches");
		}
		if (n == 1) {
			json_decref(set);
			rc |= ext_emit(x, nftj_match("==", nftj_meta("day"), nftj_int(last)));
		} else {
			rc |= ext_emit(x, nftj_match("==", nftj_meta("day"), nftj_set(set)));
		}
	}
	return rc ? -1 : 0;
}

/* A range of two strings on meta KEY. */
static bool read_range(json_t *s, const char *key, const char **a, const char **b)
{
	const char *op, *k;
	json_t *left, *right, *lo, *hi;

	if (!nftj_get_match(s, &op, &left, &right) || strcmp(op, "==") || !nftj_is_meta(left, &k) ||
	    strcmp(k, key) || !nftj_get_range(right, &lo, &hi))
		return false;
	*a = json_string_value(lo);
	*b = json_string_value(hi);
	return *a && *b;
}

static bool read_date(const char *s, long long *t)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);

	if (!end || *end)
		return false;
	*t = (long long)timegm(&tm);
	return *t >= 0 && *t <= DATE_MAX;
}

static int day_value(json_t *v)
{
	long long n;
	const char *s = json_string_value(v);

	if (s) {
		for (int i = 0; i < 7; i++)
			if (!strcmp(s, nft_days[i]))
				return i;
		return -1;
	}
	return nftj_get_int(v, &n) && n >= 0 && n < 7 ? (int)n : -1;
}

static bool read_days(json_t *s, struct time_priv *p)
{
	const char *op, *k;
	json_t *left, *right, *els, *v;
	size_t i;
	int d;

	if (!nftj_get_match(s, &op, &left, &right) || strcmp(op, "==") || !nftj_is_meta(left, &k) ||
	    strcmp(k, "day"))
		return false;
	els = nftj_get_set(right);
	p->wdays = 0;
	if (els) {
		json_array_foreach(els, i, v)
		{
			if ((d = day_value(v)) < 0)
				return false;
			p->wdays |= 1u << (d ? d : 7);
		}
	} else {
		if ((d = day_value(right)) < 0)
			return false;
		p->wdays = 1u << (d ? d : 7);
	}
	p->wdays_set = true;
	return true;
}

static int time_recognise(struct read_ctx *r, void *priv)
{
	struct time_priv *p = priv;
	const char *a, *b;
	uint32_t x, y;
	long long s, t;
	int n = 0;
	struct nfsh_err e = {0};

	if (read_range(read_peek(r, 0), "time", &a, &b) && read_date(a, &s) && read_date(b, &t)) {
		p->dstart_set = s != 0;
		p->dstart = s;
		p->dstop_set = t != DATE_MAX;
		p->dstop = t;
		read_take(r, 1);
		n++;
	}
	if (read_range(read_peek(r, 0), "hour", &a, &b) && parse_daytime(a, &x, &e) == 0 &&
	    parse_daytime(b, &y, &e) == 0) {
		p->tstart_set = p->tstop_set = true;
		p->tstart = x;
		p->tstop = y;
		read_take(r, 1);
		n++;
	}
	if (read_peek(r, 0) && read_days(read_peek(r, 0), p)) {
		read_take(r, 1);
		n++;
	}
	err_clear(&e);
	return n > 0;
}

static void print_days(unsigned days, struct strbuf *sb)
{
	bool first = true;

	for (int d = 1; d <= 7; d++)
		if (days & (1u << d)) {
			sb_addf(sb, "%s%s", first ? "" : ",", day_names[d - 1]);
			first = false;
		}
}

static void time_save(const void *priv, int family, struct strbuf *sb)
{
	const struct time_priv *p = priv;
	uint32_t a = p->tstart_set ? p->tstart : 0, b = p->tstop_set ? p->tstop : DAY_MAX;
	json_t *j;

	(void)family;
	if (a != 0 || b != DAY_MAX) {
		sb_addf(sb, " --timestart %02u:%02u:%02u", a / 3600, a / 60 % 60, a % 60);
		sb_addf(sb, " --timestop %02u:%02u:%02u", b / 3600, b / 60 % 60, b % 60);
	}
	if (p->wdays_set) {
		sb_add(sb, p->wdays_inv ? " ! --weekdays " : " --weekdays ");
		print_days(p->wdays, sb);
	}
	if (p->dstart_set && p->dstart != 0) {
		j = ymd(p->dstart, true);
		sb_addf(sb, " --datestart %s", json_string_value(j));
		json_decref(j);
	}
	if (p->dstop_set && p->dstop != DATE_MAX) {
		j = ymd(p->dstop, true);
		sb_addf(sb, " --datestop %s", json_string_value(j));
		json_decref(j);
	}
}

static void time_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct time_priv *p = priv;
	uint32_t a = p->tstart_set ? p->tstart : 0, b = p->tstop_set ? p->tstop : DAY_MAX;

	(void)family;
	(void)numeric;
	sb_add(sb, "TIME");
	if (a != 0 || b != DAY_MAX)
		sb_addf(sb, " from %02u:%02u:%02u to %02u:%02u:%02u", a / 3600, a / 60 % 60, a % 60,
		        b / 3600, b / 60 % 60, b % 60);
	if (p->wdays_set) {
		sb_add(sb, p->wdays_inv ? " on !" : " on ");
		print_days(p->wdays, sb);
	}
	if (p->dstart_set || p->dstop_set)
		sb_add(sb, " (date range)");
	sb_add(sb, " UTC");
}

const struct ext ext_time = {
    .name = "time",
    .type = EXT_MATCH,
    .help = "time of day, weekdays, date range, UTC (meta hour, day, time)",
    .families = NFSH_F_ANY,
    .opts = time_opts,
    .nopts = sizeof(time_opts) / sizeof(time_opts[0]),
    .priv_size = sizeof(struct time_priv),
    .parse = time_parse,
    .check = time_check,
    .emit = time_emit,
    .recognise = time_recognise,
    .save = time_save,
    .list = time_list,
};
EXT_REGISTER(ext_time);
