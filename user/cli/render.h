/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text and JSON rendering of daemon replies. Text goes to a FILE*, JSON
 * through a writer; both take the reply as collected by mg_client_collect().
 */
#ifndef MG_RENDER_H
#define MG_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "json_writer.h"

/*
 * "sec[.frac]" (or integer nanoseconds, told apart by size) as
 * "YYYY-mm-dd HH:MM:SS UTC". 0 or -EINVAL.
 */
int mg_render_time(const char *value, char *buf, size_t size);

/* bytes for people: "512 B", "9.4 MiB" (1024-based, one decimal) */
void mg_render_size(uint64_t bytes, char *buf, size_t size);

/*
 * status reply: the status record as aligned "key: value" lines
 * (bpf_map_bytes as "bpf_maps: 23 maps, 9.4 MiB"), then the attach
 * groups; or one JSON object with a "groups" array and, with
 * bpf_map_bytes, a "bpf_maps" array of the "bpf_map" records
 */
void mg_render_status_text(FILE *out, const struct mg_record *rec,
			   const struct mg_reply *r);
void mg_render_status_json(struct mg_json *jw, const struct mg_record *rec,
			   const struct mg_reply *r);

/*
 * report reply: "module" records, each followed by its "ref" and "note"
 * records. Text: one block per module; JSON: {"modules":[...]}.
 */
void mg_render_report_text(FILE *out, const struct mg_reply *r);
void mg_render_report_json(struct mg_json *jw, const struct mg_reply *r);

/*
 * One module block starting at r->recs[i] (a "module" record); returns the
 * index after its ref/note records. Used by modguard-rmmod as well.
 */
int mg_render_module_text(FILE *out, const struct mg_reply *r, int i);
/* writes the module as a JSON object (a value: callers set the name) */
int mg_render_module_json(struct mg_json *jw, const struct mg_reply *r, int i);
/* the "ref" lines of the module at i as the aligned table only */
void mg_render_refs_text(FILE *out, const struct mg_reply *r, int i);

/* history reply: table of "record" lines, or {"records":[...]} */
void mg_render_history_text(FILE *out, const struct mg_reply *r);
void mg_render_history_json(struct mg_json *jw, const struct mg_reply *r);

#endif /* MG_RENDER_H */
