/* Connection label names from connlabel.conf ("BIT NAME" per line), as xtables. */
#include <stdlib.h>
#include <string.h>

#include "ct/ct_int.h"

static const char *const label_paths[] = {"/etc/xtables/connlabel.conf", "/etc/connlabel.conf"};

void ct_labelmap_load(struct ct_labelmap *lm)
{
	char line[256];
	FILE *f = NULL;

	if (lm->loaded)
		return;
	for (size_t i = 0; !f && i < sizeof(label_paths) / sizeof(label_paths[0]); i++)
		f = fopen(label_paths[i], "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *end, *name;
		unsigned long bit = strtoul(line, &end, 0);
		if (end == line || bit > 127)
			continue;
		name = end + strspn(end, " \t");
		name[strcspn(name, " \t\r\n#")] = '\0';
		if (!*name || lm->name[bit])
			continue;
		lm->name[bit] = strdup(name);
	}
	fclose(f);
	lm->loaded = true;
}

void ct_labelmap_free(struct ct_labelmap *lm)
{
	for (int i = 0; i < 128; i++)
		free(lm->name[i]);
	memset(lm, 0, sizeof(*lm));
}

/* A name from the map, or a plain bit number 0..127. */
int ct_labelmap_bit(const struct ct_labelmap *lm, const char *name)
{
	char *end;
	unsigned long v;

	for (int i = 0; i < 128; i++)
		if (lm->name[i] && strcmp(lm->name[i], name) == 0)
			return i;
	v = strtoul(name, &end, 10);
	if (end != name && !*end && v < 128)
		return (int)v;
	return -1;
}
