// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the protocol parsers (not built by default):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iuser/lib \
 *	tests/unit/fuzz_proto.c user/lib/proto.c -o fuzz_proto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_record rec;
	char *verb, *args[MG_MAX_ARGS];
	struct mg_line l;
	char *buf;
	int nargs;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* a parsed record must rebuild into a line that parses again */
	if (!mg_record_parse(buf, size, &rec) && !mg_line_init(&l, rec.tag)) {
		struct mg_record again;

		for (int i = 0; i < rec.nfields; i++)
			mg_line_add_str(&l, rec.f[i].key, rec.f[i].value);
		if (!mg_line_finish(&l) &&
		    (mg_record_parse(l.buf, l.len, &again) ||
		     again.nfields != rec.nfields))
			abort();
		mg_line_free(&l);
	}
	memcpy(buf, data, size);
	mg_request_parse_n(buf, size, &verb, args, MG_MAX_ARGS, &nargs);
	free(buf);
	return 0;
}
