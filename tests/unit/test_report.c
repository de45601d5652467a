// SPDX-License-Identifier: GPL-2.0
/*
 * The evidence as protocol records (user/daemon/report.c): the exact
 * lines, their field order, what is hidden from a reader who may not see
 * kernel addresses, the gone variant, and the report verb's walk.
 */
#include <errno.h>

#include "evidence.h"
#include "fixtures/fixtures.h"
#include "kernel_view.h"
#include "report.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

/* the report of the loaded module name as text */
static const char *encode(const char *name, int show_addrs)
{
	struct mg_evidence ev;
	struct mg_kmod k;
	FILE *out = fx_out_open(&fx);

	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, name, &k), 0);
	CHECK_INT(mg_evidence_of_kmod(&fx.d, &k, &ev), 0);
	CHECK_INT(mg_report_encode(&fx.d, &ev, show_addrs, out), 0);
	mg_evidence_free(&ev);
	return fx_out_close(&fx, out);
}

static char **lines_of(const char *text, size_t *n)
{
	return fx_lines_of(&fx, text, n);
}

#define LINE(i) ((i) < n ? l[i] : "(missing)")

static void exact_lines_with_addresses(void)
{
	size_t n;
	char **l;

	fx_init(&fx);
	fx_everything(&fx);
	l = lines_of(encode("mg_buggy", 1), &n);
	CHECK_INT(n, 18);
	CHECK_STR(LINE(0),
		  "module name=mg_buggy state=live refcnt=4 verdict=busy "
		  "tracking_since=101.000 text_start=0xffffffffc0000000 "
		  "text_size=16384 srcversion=SRC1 build=SRC1");
	CHECK_STR(LINE(1),
		  "ref kind=holder function=0xffff888000001000 "
		  "site=0xffff888000001000 pid=202 tid=202 comm=mystery count=1 "
		  "source=traced since=104.000");
	CHECK_STR(LINE(2),
		  "ref kind=holder function=chrdev_open+0x10 "
		  "site=chrdev_open+0x10 pid=201 tid=201 comm=cat count=2 source=traced "
		  "since=103.000");
	CHECK_STR(LINE(3),
		  "ref kind=file function=mg_buggy_open+0x0 pid=300 tid=300 "
		  "comm=reader device=10:57 since=105.000 "
		  "note=open%20on%20a%20device%20registered%20without%20.owner:"
		  "%20its%20next%20call%20enters%20the%20module "
		  "hint=set%20.owner%20%3D%20THIS_MODULE,%20and%20misc_deregister%28%29,%20cdev_del%28%29%20or%20proc_remove%28%29%20at%20exit");
	CHECK_STR(LINE(4),
		  "ref kind=timer function=mg_buggy_timer_fn+0x0 "
		  "site=init_module+0x3c pid=150 comm=insmod since=101.000 "
		  "expires_jiffies=4295000000 object=0xffff888000100000 "
		  "hint=del_timer_sync%28%29%20%28timer_shutdown_sync%28%29%20since%206.2%29");
	CHECK_STR(LINE(5),
		  "ref kind=hrtimer function=mg_buggy_hrtimer_fn+0x0 "
		  "site=mg_buggy_read+0x8 pid=150 comm=insmod since=102.000 "
		  "expires_ns=5000000000 object=0xffff888000200000 "
		  "hint=hrtimer_cancel%28%29");
	CHECK_STR(LINE(6),
		  "ref kind=work function=mg_buggy_work_fn+0x0 "
		  "site=mg_buggy_read+0x18 pid=150 comm=insmod since=103.000 "
		  "object=0xffff888000300000 "
		  "note=delayed%20work,%20its%20timer%20pending "
		  "hint=cancel_delayed_work_sync%28%29");
	CHECK_STR(LINE(9),
		  "ref kind=kthread function=mg_buggy_thread+0x30 pid=400 "
		  "tid=400 comm=mg_buggy_kt threadfn=mg_buggy_thread+0x0 "
		  "hint=kthread_stop%28%29 "
		  "stack=msleep+0x29%3Bmg_buggy_thread+0x30%3Bkthread+0x100");
	CHECK_STR(LINE(11),
		  "ref kind=task function=mg_buggy_read+0x10 pid=402 tid=402 "
		  "comm=cat note=a%20caller%20inside%20the%20module%27s%20text "
		  "hint=an%20.owner%20%3D%20THIS_MODULE%20on%20the%20ops%20it%20came%20through%20%28or%20try_module_get%28%29/module_put%28%29%20around%20the%20call%29 "
		  "stack=msleep+0x29%3Bmg_buggy_read+0x10%3Bvfs_read+0xa2");
	CHECK_STR(LINE(14),
		  "ref kind=task function=owner-less%20file%20operations "
		  "pid=406 tid=406 comm=reader2 since=106.000 "
		  "note=inside%20an%20owner-less%20fops%20function:%20counted"
		  "%20from%20its%20entry%20until%20the%20thread%20returns%20to"
		  "%20user%20space "
		  "hint=an%20.owner%20%3D%20THIS_MODULE%20on%20the%20ops%20it%20came%20through%20%28or%20try_module_get%28%29/module_put%28%29%20around%20the%20call%29");
	CHECK_STR(LINE(15),
		  "ref kind=task function=owner-less%20file%20operations "
		  "count=2 note=callers%20inside%20an%20owner-less%20fops"
		  "%20function,%20counted%20by%20its%20kprobes "
		  "hint=an%20.owner%20%3D%20THIS_MODULE%20on%20the%20ops%20it%20came%20through%20%28or%20try_module_get%28%29/module_put%28%29%20around%20the%20call%29");
	CHECK_STR(LINE(16),
		  "ref kind=holder function=unattributed count=1 "
		  "note=taken%20where%20modguard%20could%20not%20see%20it");
	CHECK_STR(LINE(17),
		  "ref kind=holder function=dependent%20modules note=mg_dep");
	fx_fini(&fx);
}

/* every line's keys: the one field order, each kind its subset */
static void field_order(void)
{
	size_t n;
	char **l;

	fx_init(&fx);
	fx_everything(&fx);
	l = lines_of(encode("mg_buggy", 1), &n);
	CHECK_STR(fx_keys(&fx, LINE(7)),
		  "ref kind function site pid comm since object note hint");
	CHECK_STR(fx_keys(&fx, LINE(8)),
		  "ref kind function site pid comm since object note hint");
	CHECK_STR(fx_field(&fx, LINE(7), "site"), "init_module+0x50");
	CHECK_STR(fx_field(&fx, LINE(8), "kind"), "rcu");
	CHECK_STR(fx_keys(&fx, LINE(10)), "ref kind function pid tid comm note hint stack");
	CHECK_STR(fx_field(&fx, LINE(10), "function"), "mg_buggy_work_fn+0x8");
	CHECK_STR(fx_field(&fx, LINE(10), "stack"), "mg_buggy_work_fn+0x8");
	CHECK_STR(fx_keys(&fx, LINE(12)), "ref kind function pid tid comm note stack");
	/* the unread task: no frame, no stack */
	CHECK_STR(fx_keys(&fx, LINE(13)), "ref kind function pid tid comm note stack");
	CHECK_STR(fx_field(&fx, LINE(13), "function"), "-");
	CHECK_STR(fx_field(&fx, LINE(13), "stack"), "");
	fx_fini(&fx);
}

static void addresses_hidden(void)
{
	const char *text;
	size_t n;
	char **l;

	fx_init(&fx);
	fx_everything(&fx);
	text = encode("mg_buggy", 0);
	CHECK_NOT_CONTAINS(text, "object=");
	CHECK_NOT_CONTAINS(text, "0xffff");
	l = lines_of(text, &n);
	CHECK_INT(n, 18);
	CHECK_STR(LINE(0),
		  "module name=mg_buggy state=live refcnt=4 verdict=busy "
		  "tracking_since=101.000 text_start= text_size=16384 "
		  "srcversion=SRC1 build=SRC1");
	/* no symbol: "?" (escaped) */
	CHECK_STR(LINE(1),
		  "ref kind=holder function=%3F site=%3F pid=202 tid=202 "
		  "comm=mystery count=1 source=traced since=104.000");
	CHECK_STR(LINE(4),
		  "ref kind=timer function=mg_buggy_timer_fn+0x0 "
		  "site=init_module+0x3c pid=150 comm=insmod since=101.000 "
		  "expires_jiffies=4295000000 "
		  "hint=del_timer_sync%28%29%20%28timer_shutdown_sync%28%29%20since%206.2%29");
	CHECK_STR(fx_keys(&fx, LINE(6)),
		  "ref kind function site pid comm since note hint");
	/* symbols are shown to everyone */
	CHECK_STR(fx_field(&fx, LINE(11), "function"), "mg_buggy_read+0x10");
	fx_fini(&fx);
}

static void notes_are_records_of_their_own(void)
{
	size_t n;
	char **l;

	fx_init(&fx);
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	fx_load(&fx, "mg_buggy", FX_MOD, FX_TEXT, FX_TEXT_SIZE, 1);
	mg_stub.scan_err = -EIO;
	mg_daemon_rescan(&fx.d);
	l = lines_of(encode("mg_buggy", 0), &n);
	CHECK_INT(n, 3);
	CHECK_STR(fx_field(&fx, LINE(0), "verdict"), "busy");
	CHECK_STR(fx_field(&fx, LINE(0), "srcversion"), "");
	CHECK_STR(LINE(1),
		  "note text=the%20task%20scan%20failed:%20tasks%20inside%20the"
		  "%20module%20are%20unknown");
	CHECK_STR(LINE(2),
		  "note text=loaded%20before%20modguardd%20started:%20callbacks"
		  "%20it%20armed%20before%20tracking_since%20are%20invisible");
	fx_fini(&fx);
}

/* the report of a gone module, through mg_report_module() */
static const char *report_module(const char *name, int show_addrs, int *err)
{
	FILE *out = fx_out_open(&fx);

	*err = mg_report_module(&fx.d, name, show_addrs, out);
	return fx_out_close(&fx, out);
}

static void gone_module(void)
{
	const char *text;
	size_t n;
	char **l;
	int err;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	mg_stub_mark_left(FX_MOD);
	fx_set_modules(&fx, "");
	fx_module_free(&fx, FX_MOD, 1, "rmmod");
	text = report_module("mg_buggy", 1, &err);
	CHECK_INT(err, 0);
	l = lines_of(text, &n);
	CHECK_INT(n, 2);
	CHECK_STR(LINE(0),
		  "module name=mg_buggy state=gone refcnt=0 verdict=stale "
		  "tracking_since=101.000 text_start=0xffffffffc0000000 "
		  "text_size=16384 gone_since=160.000");
	CHECK_STR(LINE(1),
		  "ref kind=timer function=mg_buggy_timer_fn+0x0 "
		  "site=init_module+0x3c pid=150 comm=insmod since=101.000 "
		  "expires_jiffies=4295000000 object=0xffff888000100000 "
		  "hint=del_timer_sync%28%29%20%28timer_shutdown_sync%28%29%20since%206.2%29");
	/* its symbols outlive it */
	l = lines_of(report_module("mg_buggy", 0, &err), &n);
	CHECK_STR(fx_field(&fx, LINE(1), "function"), "mg_buggy_timer_fn+0x0");
	CHECK_STR(fx_field(&fx, LINE(0), "text_start"), "");
	fx_fini(&fx);
}

static void report_module_errors(void)
{
	const char *text;
	int err;

	fx_init(&fx);
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	text = report_module("mg_nope", 1, &err);
	CHECK_INT(err, -ENOENT);
	CHECK_STR(text, "");
	fx_write(&fx, "sys/module/ext4/parameters/x", "1\n");
	report_module("ext4", 1, &err);
	CHECK_INT(err, -EEXIST);
	/* loaded, but unknown to the table: still reported */
	text = report_module("mg_buggy", 1, &err);
	CHECK_INT(err, 0);
	CHECK_CONTAINS(text, "module name=mg_buggy state=live refcnt=0 verdict=clean "
			     "tracking_since=100.000 text_start= text_size=0 ");
	fx_fini(&fx);
}

static void report_all_loaded_then_gone(void)
{
	size_t n;
	FILE *out;
	char **l;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	mg_stub_mark_left(FX_MOD);
	fx_module_free(&fx, FX_MOD, 1, "rmmod");
	fx_set_modules(&fx, "mg_other 8192 0 - Live 0xffffffffc0100000\n"
			    "mg_third 8192 1 - Live 0xffffffffc0600000\n");
	fx_load(&fx, "mg_other", FX_MOD2, FX_TEXT2, FX_TEXT2_SIZE, 0);
	out = fx_out_open(&fx);
	CHECK_INT(mg_report_all(&fx.d, 0, out), 0);
	l = lines_of(fx_out_close(&fx, out), &n);
	CHECK_INT(n, 6);
	CHECK_STR(fx_field(&fx, LINE(0), "name"), "mg_other");
	CHECK_STR(fx_field(&fx, LINE(1), "name"), "mg_third");
	/* not seen loaded: what it holds was taken before we started */
	CHECK_STR(LINE(2), "ref kind=holder function=unattributed count=1 "
			   "note=taken%20before%20modguardd%20started");
	CHECK_CONTAINS(LINE(3), "note text=loaded%20before%20modguardd");
	CHECK_STR(fx_field(&fx, LINE(4), "name"), "mg_buggy");
	CHECK_STR(fx_field(&fx, LINE(4), "state"), "gone");
	CHECK_STR(fx_field(&fx, LINE(5), "kind"), "timer");
	/* no /proc/modules */
	fx.d.proc_modules = "/nonexistent/modules";
	out = fx_out_open(&fx);
	CHECK_INT(mg_report_all(&fx.d, 0, out), -ENOENT);
	fx_out_close(&fx, out);
	fx_fini(&fx);
}

static void format_helpers(void)
{
	struct mg_ref r = { .type = MG_ITEM_REF, .kind = "timer" };
	char buf[160];

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	mg_format_addr(&fx.d, 0, 1, buf, sizeof(buf));
	CHECK_STR(buf, "-");
	mg_format_addr(&fx.d, FX_FN_RCU + 4, 0, buf, sizeof(buf));
	CHECK_STR(buf, "mg_buggy_rcu_cb+0x4");
	mg_format_addr(&fx.d, FX_K_VFS_READ + 0xa2, 0, buf, sizeof(buf));
	CHECK_STR(buf, "vfs_read+0xa2");
	/* too far past the last symbol to be named after it */
	mg_format_addr(&fx.d, 0xffffffff82000000ull, 1, buf, sizeof(buf));
	CHECK_STR(buf, "0xffffffff82000000");
	mg_format_addr(&fx.d, 0xffffffff82000000ull, 0, buf, sizeof(buf));
	CHECK_STR(buf, "?");
	r.func = FX_FN_TIMER;
	r.site = 0x3c;
	r.has = MG_REF_SITE_INIT;
	mg_format_ref_function(&fx.d, &r, 0, buf, sizeof(buf));
	CHECK_STR(buf, "mg_buggy_timer_fn+0x0");
	mg_format_ref_site(&fx.d, &r, 0, buf, sizeof(buf));
	CHECK_STR(buf, "init_module+0x3c");
	r.has = 0;
	mg_format_ref_site(&fx.d, &r, 0, buf, sizeof(buf));
	CHECK_STR(buf, "");
	r.label = "unattributed";
	mg_format_ref_function(&fx.d, &r, 0, buf, sizeof(buf));
	CHECK_STR(buf, "unattributed");
	fx_fini(&fx);
}

/* a filesystem type or an interrupt handler gives its own name */
static void registrations_name_themselves(void)
{
	struct mg_armed_info *a;
	size_t n;
	char **l;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	a = mg_stub_arm(0xffff888000500000ull, FX_MOD, MG_KIND_FILESYSTEM,
			FX_FN_OPEN);
	a->pid = a->tgid = 150;
	snprintf(mg_stub.reg_names[mg_stub.narmed - 1], MG_REG_NAME_LEN,
		 "mg_buggyfs");
	mg_stub_arm(0xffff888000600000ull, FX_MOD, MG_KIND_IRQ, FX_FN_READ);
	l = lines_of(encode("mg_buggy", 1), &n);
	CHECK_STR(fx_field(&fx, LINE(1), "kind"), "filesystem");
	CHECK_STR(fx_field(&fx, LINE(1), "name"), "mg_buggyfs");
	CHECK_STR(fx_field(&fx, LINE(1), "hint"), "unregister_filesystem()");
	CHECK_STR(fx_keys(&fx, LINE(1)),
		  "ref kind function name site pid comm since object hint");
	/* no name recorded: none said */
	CHECK_STR(fx_field(&fx, LINE(2), "kind"), "irq");
	CHECK(fx_field(&fx, LINE(2), "name") == NULL);
	fx_fini(&fx);
}

static struct mg_scan_holder *scan_holder(uint32_t via, uint32_t tgid,
					   const char *path)
{
	struct mg_scan_holder *h = &mg_stub.holders[mg_stub.nholders++];

	memset(h, 0, sizeof(*h));
	h->mod = FX_MOD;
	h->object = 0xffff888000700000ull + mg_stub.nholders * 0x100;
	h->via = via;
	h->count = 1;
	h->pid = h->tgid = tgid;
	h->fd = tgid ? 4 : -1;
	snprintf(h->comm, sizeof(h->comm), "%s", tgid ? "holder" : "");
	snprintf(h->path, sizeof(h->path), "%s", path);
	return h;
}

/*
 * the holder scan fills what the traced holders leave of the refcount,
 * not the traced taker's own file again; a file's path outside /dev only
 * for who may see addresses
 */
static void scan_holders_fill_the_count(void)
{
	const char *text;
	size_t n;
	char **l;

	fx_init(&fx);
	fx_load_buggy(&fx, 3, "-");
	fx_ref_get(&fx, FX_MOD, FX_K_CHRDEV_OPEN + 0x10, 200, "cat", 1, 2);
	scan_holder(MG_SCAN_FILE, 200, "/dev/mg_buggy"); /* the traced one */
	scan_holder(MG_SCAN_FILE, 300, "/home/u/private.txt");
	scan_holder(MG_SCAN_MOUNT, 0, "/mnt/x")->dev = MG_MKDEV(7, 0);
	text = encode("mg_buggy", 1);
	CHECK_CONTAINS(text, "pid=300 tid=300 comm=holder count=1 source=scan "
			     "fd=4 path=/home/u/private.txt");
	CHECK_CONTAINS(text, "function=mount count=1 source=scan "
			     "mount_point=/mnt/x device=7:0");
	CHECK_NOT_CONTAINS(text, "path=/dev/mg_buggy");
	CHECK_NOT_CONTAINS(text, "unattributed");
	l = lines_of(encode("mg_buggy", 0), &n);
	CHECK_INT(n, 4);
	CHECK_STR(fx_field(&fx, LINE(2), "path"), "?");
	CHECK_STR(fx_field(&fx, LINE(3), "mount_point"), "/mnt/x");
	/* the scan failing: said, and the count is unattributed again */
	mg_daemon_rescan(&fx.d);
	mg_stub.holder_scan_err = -ENOMEM;
	text = encode("mg_buggy", 1);
	CHECK_CONTAINS(text, "the%20holder%20scan%20failed");
	CHECK_CONTAINS(text, "function=unattributed count=2");
	mg_stub.holder_scan_err = 0;
	fx_fini(&fx);
}

int main(void)
{
	RUN(exact_lines_with_addresses);
	RUN(scan_holders_fill_the_count);
	RUN(field_order);
	RUN(addresses_hidden);
	RUN(notes_are_records_of_their_own);
	RUN(registrations_name_themselves);
	RUN(gone_module);
	RUN(report_module_errors);
	RUN(report_all_loaded_then_gone);
	RUN(format_helpers);
	return check_done();
}
