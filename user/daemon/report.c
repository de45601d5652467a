// SPDX-License-Identifier: GPL-2.0
/* The evidence as protocol records; see report.h and docs/PROTOCOL.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_view.h"
#include "log.h"
#include "module_symbols.h"
#include "proto.h"
#include "report.h"

/* how far past a symbol an address may lie and still be named after it */
#define MG_MAX_SYM_OFF 0x100000

void mg_format_addr(struct mg_daemon *d, uint64_t addr, int show_addrs,
		    char *buf, size_t len)
{
	struct mg_module *m = mg_table_find_text(&d->table, addr);
	struct mg_symtab *t = m ? &m->syms : &d->ksyms;
	char tmp[160];
	int err;

	if (!addr) {
		snprintf(buf, len, "-");
		return;
	}
	if (m && m->syms_pending)
		mg_module_symbols_read_pending(d);
	if (!t->loaded) {
		err = mg_symtab_load(t, d->kallsyms_path, m ? m->name : NULL);
		if (err)
			mg_dbg("symbolizer: cannot read %s symbols from %s: %s",
			       m ? m->name : "kernel", d->kallsyms_path,
			       strerror(-err));
	}
	if (!mg_symtab_format(t, addr, MG_MAX_SYM_OFF, tmp, sizeof(tmp))) {
		snprintf(buf, len, "%s", tmp);
		return;
	}
	if (show_addrs)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else
		snprintf(buf, len, "?");
}

void mg_format_ref_function(struct mg_daemon *d, const struct mg_ref *r,
			    int show_addrs, char *buf, size_t len)
{
	if (r->label)
		snprintf(buf, len, "%s", r->label);
	else
		mg_format_addr(d, r->func, show_addrs, buf, len);
}

void mg_format_ref_site(struct mg_daemon *d, const struct mg_ref *r,
			int show_addrs, char *buf, size_t len)
{
	if (r->has & MG_REF_SITE_INIT)
		/* every module's init function is also called init_module */
		snprintf(buf, len, "init_module+0x%" PRIx64, r->site);
	else if (r->has & MG_REF_SITE)
		mg_format_addr(d, r->site, show_addrs, buf, len);
	else
		buf[0] = '\0';
}

static void emit(FILE *out, struct mg_line *l)
{
	if (mg_line_finish(l)) {
		mg_warn("report: dropped an oversized %s record", "report");
		return;
	}
	fwrite(l->buf, 1, l->len, out);
}

static void add_seconds(struct mg_line *l, const struct mg_daemon *d,
			const char *key, uint64_t mono_ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f",
		 (double)mg_unix_ns(d, mono_ns) / 1e9);
	mg_line_add_str(l, key, buf);
}

/* "sym+0x1;sym+0x2;..." for a task's stack */
static void format_stack(struct mg_daemon *d, const struct mg_ref *r,
			 int show_addrs, char *buf, size_t len)
{
	size_t off = 0;
	char frame[160];

	buf[0] = '\0';
	for (uint32_t i = 0; i < r->nstack; i++) {
		int n;

		mg_format_addr(d, r->stack[i], show_addrs, frame, sizeof(frame));
		n = snprintf(buf + off, len - off, "%s%s", i ? ";" : "", frame);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += n;
	}
}

/*
 * Another user's open file is named only to whoever may read raw
 * addresses (/proc/PID/fd asks ptrace access for the same): device nodes
 * and mount points are public anyway (/dev, /proc/mounts).
 */
static int path_shown(const struct mg_ref *r, int show_addrs)
{
	return show_addrs || strcmp(r->path_key, "path") ||
	       !strncmp(r->path, "/dev/", 5) || !strncmp(r->path, "socket:", 7);
}

/* one "ref" record; the fields in one order for every kind */
static void encode_ref(struct mg_daemon *d, const struct mg_ref *r,
		       int show_addrs, struct mg_line *l)
{
	char buf[160], stack[MG_STACK_DEPTH * 64];

	mg_line_reset(l, "ref");
	mg_line_add_str(l, "kind", r->kind);
	mg_format_ref_function(d, r, show_addrs, buf, sizeof(buf));
	mg_line_add_str(l, "function", buf);
	if (r->name[0])
		mg_line_add_str(l, "name", r->name);
	if (r->has & (MG_REF_SITE | MG_REF_SITE_INIT)) {
		mg_format_ref_site(d, r, show_addrs, buf, sizeof(buf));
		mg_line_add_str(l, "site", buf);
	}
	if (r->has & MG_REF_PID)
		mg_line_add_u64(l, "pid", r->pid);
	if (r->has & MG_REF_TID)
		mg_line_add_u64(l, "tid", r->tid);
	if (r->has & MG_REF_PID)
		mg_line_add_str(l, "comm", r->comm);
	if (r->has & MG_REF_COUNT)
		mg_line_add_u64(l, "count", r->count);
	if (r->source)
		mg_line_add_str(l, "source", r->source);
	if (r->has & MG_REF_FD)
		mg_line_add_s64(l, "fd", r->fd);
	if (r->path_key)
		mg_line_add_str(l, r->path_key,
				path_shown(r, show_addrs) ? r->path : "?");
	if (r->has & MG_REF_DEVICE) {
		snprintf(buf, sizeof(buf), "%u:%u", MG_DEV_MAJOR(r->dev),
			 MG_DEV_MINOR(r->dev));
		mg_line_add_str(l, "device", buf);
	}
	if (r->has & MG_REF_SINCE)
		add_seconds(l, d, "since", r->since_ns);
	if (r->expires_unit == MG_EXPIRES_JIFFIES)
		mg_line_add_u64(l, "expires_jiffies", r->expires);
	else if (r->expires_unit == MG_EXPIRES_NS)
		mg_line_add_u64(l, "expires_ns", r->expires);
	if ((r->has & MG_REF_OBJECT) && show_addrs)
		mg_line_add_hex(l, "object", r->object);
	if (r->has & MG_REF_THREADFN) {
		mg_format_addr(d, r->threadfn, show_addrs, buf, sizeof(buf));
		mg_line_add_str(l, "threadfn", buf);
	}
	if (r->note)
		mg_line_add_str(l, "note", r->note);
	if (r->hint)
		mg_line_add_str(l, "hint", r->hint);
	if (r->has & MG_REF_STACK) {
		format_stack(d, r, show_addrs, stack, sizeof(stack));
		mg_line_add_str(l, "stack", stack);
	}
}

static void encode_module(struct mg_daemon *d, const struct mg_evidence *ev,
			  int show_addrs, struct mg_line *l)
{
	mg_line_reset(l, "module");
	mg_line_add_str(l, "name", ev->name);
	mg_line_add_str(l, "state", ev->state);
	mg_line_add_s64(l, "refcnt", ev->refcnt);
	mg_line_add_str(l, "verdict", mg_verdict_name(ev->verdict));
	add_seconds(l, d, "tracking_since", ev->tracking_since_ns);
	if (ev->have_text && show_addrs)
		mg_line_add_hex(l, "text_start", ev->text_start);
	else
		mg_line_add_str(l, "text_start", "");
	mg_line_add_u64(l, "text_size", ev->text_size);
	if (ev->gone) {
		add_seconds(l, d, "gone_since", ev->gone_ns);
	} else {
		mg_line_add_str(l, "srcversion", ev->srcversion);
		mg_line_add_str(l, "build", ev->build);
	}
}

int mg_report_encode(struct mg_daemon *d, const struct mg_evidence *ev,
		     int show_addrs, FILE *out)
{
	struct mg_line l = { 0 };
	int err = mg_line_init(&l, "module");

	if (err)
		return err;
	encode_module(d, ev, show_addrs, &l);
	emit(out, &l);
	for (size_t i = 0; i < ev->nitems; i++) {
		const struct mg_ref *r = &ev->items[i];

		if (r->type == MG_ITEM_NOTE) {
			mg_line_reset(&l, "note");
			mg_line_add_str(&l, "text", r->note ? r->note : "");
		} else {
			encode_ref(d, r, show_addrs, &l);
		}
		emit(out, &l);
	}
	mg_line_free(&l);
	return ferror(out) ? -EIO : 0;
}

int mg_report_module(struct mg_daemon *d, const char *name, int show_addrs,
		     FILE *out)
{
	struct mg_evidence ev;
	struct mg_module *m;
	struct mg_kmod k;
	int err = mg_kmod_read(d->proc_modules, d->sys_module, name, &k);

	/* gone, but something still points into it: that is the report */
	if (err == -ENOENT) {
		m = mg_table_find_name(&d->table, name);
		if (m && m->state == MG_MOD_GONE) {
			err = mg_evidence_of_gone(d, m, &ev);
			goto encode;
		}
	}
	if (err)
		return err;
	err = mg_evidence_of_kmod(d, &k, &ev);
encode:
	if (err)
		return err;
	err = mg_report_encode(d, &ev, show_addrs, out);
	mg_evidence_free(&ev);
	return err;
}

_Static_assert(MG_MODULE_NAME_LEN == 56, "the %55s below");

int mg_report_all(struct mg_daemon *d, int show_addrs, FILE *out)
{
	char line[1024], name[MG_MODULE_NAME_LEN];
	FILE *f = fopen(d->proc_modules, "re");
	int err = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%55s", name) != 1)
			continue;
		err = mg_report_module(d, name, show_addrs, out);
		if (err == -ENOENT)
			err = 0; /* unloaded meanwhile */
		if (err)
			break;
	}
	fclose(f);
	for (size_t i = 0; !err && i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];
		struct mg_evidence ev;

		if (m->state != MG_MOD_GONE)
			continue;
		err = mg_evidence_of_gone(d, m, &ev);
		if (err)
			break;
		err = mg_report_encode(d, &ev, show_addrs, out);
		mg_evidence_free(&ev);
	}
	return err;
}
