/* Read-back of arbitrary libnftables listings: any JSON must be either
 * understood or reported as not expressible, never crash. */
#include <stdint.h>
#include <stdlib.h>

#include "xlate/xlate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	json_t *arr, *o;
	size_t i;

	if (!root)
		return 0;
	arr = json_is_object(root) ? json_object_get(root, "nftables") : root;
	if (json_is_array(arr)) {
		json_array_foreach(arr, i, o)
		{
			json_t *body = json_object_get(o, "rule");
			struct rule r;
			char why[256];
			struct strbuf sb;

			if (!body)
				continue;
			xlate_read_rule(body, TBL_FILTER, &r, why, sizeof(why));
			sb_init(&sb);
			print_rule_save(&r, true, &sb);
			sb_free(&sb);
			rule_release(&r);
		}
	}
	json_decref(root);
	return 0;
}
