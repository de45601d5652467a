// SPDX-License-Identifier: GPL-2.0
/* kernel addresses to "symbol+0xoff" (user/daemon/symbolizer.c) */
#include <errno.h>

#include "fixtures/fixtures.h"
#include "symbolizer.h"
#include "check.h"

static struct fx fx;

static void core_and_module_tables(void)
{
	struct mg_symtab core = { 0 }, mod = { 0 };
	char buf[64];

	fx_init(&fx);
	CHECK_INT(mg_symtab_load(&core, fx.kallsyms, NULL), 0);
	CHECK(core.loaded);
	/* text only: some_data is left out */
	CHECK_INT(core.n, 5);
	CHECK_INT(mg_symtab_format(&core, FX_K_VFS_READ + 0xa2, 0x1000, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "vfs_read+0xa2");
	/* a module's address is not the core kernel's */
	CHECK_INT(mg_symtab_load(&mod, fx.kallsyms, "mg_buggy"), 0);
	CHECK_INT(mod.n, 7);
	CHECK_INT(mg_symtab_format(&mod, FX_FN_WORK + 0x8, 0x1000, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "mg_buggy_work_fn+0x8");
	mg_symtab_free(&core);
	mg_symtab_free(&mod);
	CHECK(!core.loaded && core.n == 0 && core.syms == NULL);
	fx_fini(&fx);
}

static void unnamed_addresses(void)
{
	struct mg_symtab core = { 0 };
	char buf[64];

	fx_init(&fx);
	CHECK_INT(mg_symtab_load(&core, fx.kallsyms, NULL), 0);
	CHECK_INT(mg_symtab_format(&core, FX_NOSYM, 0x1000, buf, sizeof(buf)),
		  -ENOENT);
	CHECK_STR(buf, "0xffff888000001000");
	/* past max_off */
	CHECK_INT(mg_symtab_format(&core, FX_K_MSLEEP + 0x1001, 0x1000, buf,
				   sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "0xffffffff81101001");
	CHECK_INT(mg_symtab_format(&core, FX_K_MSLEEP + 0x1000, 0x1000, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "msleep+0x1000");
	mg_symtab_free(&core);
	fx_fini(&fx);
}

static void hidden_addresses_are_refused(void)
{
	struct mg_symtab t = { 0 };
	char missing[FX_PATH_MAX];

	fx_init(&fx);
	fx_write(&fx, "proc/kallsyms", "0000000000000000 T _stext\n"
				       "0000000000000000 T msleep\n"
				       "0000000000000000 t m_fn\t[m]\n");
	CHECK_INT(mg_symtab_load(&t, fx.kallsyms, NULL), -EPERM);
	CHECK(!t.loaded);
	CHECK_INT(mg_symtab_load(&t, fx.kallsyms, "m"), -EPERM);
	CHECK_INT(mg_symtab_load(&t, fx_path(&fx, "proc/none", missing,
					     sizeof(missing)), NULL), -ENOENT);
	/* a module without symbols: an empty table, loaded */
	fx_write(&fx, "proc/kallsyms", "ffffffff81000000 T _stext\n");
	CHECK_INT(mg_symtab_load(&t, fx.kallsyms, "mg_none"), 0);
	CHECK(t.loaded && t.n == 0);
	mg_symtab_free(&t);
	fx_fini(&fx);
}

static void copy_moves_and_skips(void)
{
	struct mg_symtab mod = { 0 }, moved = { 0 };
	char buf[64];

	fx_init(&fx);
	CHECK_INT(mg_symtab_load(&mod, fx.kallsyms, "mg_buggy"), 0);
	/* moved by 0x10000, the rcu callback left out */
	CHECK_INT(mg_symtab_copy(&moved, &mod, 0x10000, FX_FN_RCU, FX_FN_RCU + 1),
		  0);
	CHECK(moved.loaded);
	CHECK_INT(moved.n, 6);
	CHECK_INT(mg_symtab_format(&moved, FX_FN_TIMER + 0x10000, 0x100, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "mg_buggy_timer_fn+0x0");
	CHECK_INT(mg_symtab_format(&moved, FX_FN_RCU + 0x10000, 0x80, buf,
				   sizeof(buf)), -ENOENT);
	mg_symtab_free(&moved);
	mg_symtab_free(&mod);
	fx_fini(&fx);
}

static struct mg_symtab tabs[2];

static struct mg_symtab *find(const char *module, void *ctx)
{
	(void)ctx;
	if (!strcmp(module, "mg_buggy"))
		return &tabs[0];
	if (!strcmp(module, "mg_other"))
		return &tabs[1];
	return NULL;
}

static void many_modules_in_one_pass(void)
{
	char buf[64];

	fx_init(&fx);
	CHECK_INT(mg_symtab_load_modules(fx.kallsyms, find, NULL), 0);
	CHECK(tabs[0].loaded && tabs[1].loaded);
	CHECK_INT(tabs[0].n, 7);
	CHECK_INT(tabs[1].n, 1);
	mg_symtab_sort(&tabs[0]);
	CHECK_INT(mg_symtab_format(&tabs[1], FX_FN2 + 2, 0x100, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "mg_other_fn+0x2");
	mg_symtab_free(&tabs[0]);
	mg_symtab_free(&tabs[1]);

	/*
	 * A second run of a module's symbols (ftrace keeps its freed init
	 * functions, listed after every module) adds to the first
	 */
	fx_write(&fx, "proc/kallsyms",
		 "ffffffffc0000000 t mg_buggy_read\t[mg_buggy]\n"
		 "ffffffffc0000100 t mg_buggy_timer_fn\t[mg_buggy]\n"
		 "ffffffffc0100010 t mg_other_fn\t[mg_other]\n"
		 "ffffffffc0200000 T mg_buggy_init\t[mg_buggy]\n"
		 "ffffffffc0214000 t ftrace_trampoline\t[__builtin__ftrace]\n");
	CHECK_INT(mg_symtab_load_modules(fx.kallsyms, find, NULL), 0);
	CHECK_INT(tabs[0].n, 3);
	mg_symtab_sort(&tabs[0]);
	CHECK_INT(mg_symtab_format(&tabs[0], FX_FN_TIMER + 4, 0x100, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "mg_buggy_timer_fn+0x4");
	mg_symtab_free(&tabs[0]);
	mg_symtab_free(&tabs[1]);
	fx_fini(&fx);
}

int main(void)
{
	RUN(core_and_module_tables);
	RUN(unnamed_addresses);
	RUN(hidden_addresses_are_refused);
	RUN(copy_moves_and_skips);
	RUN(many_modules_in_one_pass);
	return check_done();
}
