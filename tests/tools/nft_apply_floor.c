/* The floor for nfsh restore: one libnftables JSON batch (a file written by
 * `nfsh restore --emit-json`) applied with a single nft_run_cmd_from_buffer,
 * nothing else. Usage: nft_apply_floor BATCH.json */
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct nft_ctx *nft;
	FILE *f;
	char *buf;
	long len;
	int rc;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: nft_apply_floor BATCH.json\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return 1;
	}
	buf[len] = '\0';
	fclose(f);
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	/* JSON input is parsed only with JSON output on (libnftables 1.0.6). */
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);
	rc = nft_run_cmd_from_buffer(nft, buf);
	nft_ctx_free(nft);
	free(buf);
	return rc ? 1 : 0;
}
