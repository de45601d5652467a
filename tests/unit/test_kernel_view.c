// SPDX-License-Identifier: GPL-2.0
/* the kernel's view of a module (user/daemon/kernel_view.c), from fixtures */
#include <errno.h>

#include "fixtures/fixtures.h"
#include "kernel_view.h"
#include "check.h"

static struct fx fx;

static const char modules[] =
	"mg_buggy 16384 2 mg_dep,mg_dep2, Live 0xffffffffc0000000\n"
	"mg_coming 8192 0 - Loading 0xffffffffc0200000\n"
	"mg_going 8192 1 - Unloading 0xffffffffc0300000\n"
	"mg_dash_name 8192 0 - Live 0xffffffffc0400000\n"
	"garbage\n";

static void live_module_with_holders(void)
{
	struct mg_kmod k;

	fx_init(&fx);
	fx_set_modules(&fx, modules);
	fx_sysfs_module(&fx, "mg_buggy", "ABCDEF0123456789");
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_buggy", &k), 0);
	CHECK_STR(k.name, "mg_buggy");
	CHECK_STR(k.state, "live");
	CHECK_INT(k.refcnt, 2);
	/* the kernel's trailing comma goes */
	CHECK_STR(k.holders, "mg_dep,mg_dep2");
	CHECK_STR(k.srcversion, "ABCDEF0123456789");
	CHECK_STR(k.build, "ABCDEF0123456789");
	fx_fini(&fx);
}

static void states_and_names(void)
{
	struct mg_kmod k;

	fx_init(&fx);
	fx_set_modules(&fx, modules);
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_coming", &k), 0);
	CHECK_STR(k.state, "coming");
	CHECK_STR(k.holders, "");
	CHECK_STR(k.srcversion, "");
	CHECK_STR(k.build, "");
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_going", &k), 0);
	CHECK_STR(k.state, "going");
	CHECK_INT(k.refcnt, 1);
	/* '-' and '_' are one character; the kernel's spelling is kept */
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg-dash-name",
			       &k), 0);
	CHECK_STR(k.name, "mg_dash_name");
	fx_fini(&fx);
}

static void not_loaded_and_built_in(void)
{
	struct mg_kmod k;
	char missing[FX_PATH_MAX];

	fx_init(&fx);
	fx_set_modules(&fx, modules);
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_none", &k),
		  -ENOENT);
	/* a prefix is not the module */
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_bug", &k),
		  -ENOENT);
	/* built in: /sys/module/NAME without initstate */
	fx_write(&fx, "sys/module/ext4/parameters/x", "1\n");
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "ext4", &k),
		  -EEXIST);
	/* unloaded, its /sys/module entry not yet gone: not loaded */
	fx_sysfs_module(&fx, "mg_left", NULL);
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_left", &k),
		  -ENOENT);
	/* no /proc/modules: no module support */
	fx_path(&fx, "proc/none", missing, sizeof(missing));
	CHECK_INT(mg_kmod_read(missing, fx.sys_module, "mg_buggy", &k), -ENOENT);
	fx_fini(&fx);
}

/* an ELF note: namesz, descsz, type, "GNU\0", desc */
static size_t build_id_note(unsigned char *buf, uint32_t type)
{
	uint32_t hdr[3] = { 4, 4, type };
	static const unsigned char id[4] = { 0xde, 0xad, 0x0b, 0x1d };

	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + 12, "GNU", 4);
	memcpy(buf + 16, id, sizeof(id));
	return 20;
}

static void build_id_when_no_srcversion(void)
{
	unsigned char note[32];
	char buf[96];
	struct mg_kmod k;
	size_t n;

	fx_init(&fx);
	fx_set_modules(&fx, modules);
	fx_sysfs_module(&fx, "mg_coming", NULL);
	n = build_id_note(note, 3 /* NT_GNU_BUILD_ID */);
	fx_write_mem(&fx, "sys/module/mg_coming/notes/.note.gnu.build-id", note, n);
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_coming", &k), 0);
	CHECK_STR(k.srcversion, "");
	CHECK_STR(k.build, "build-id:dead0b1d");
	/* srcversion wins over the build id */
	fx_sysfs_module(&fx, "mg_coming", "SRCV");
	mg_kmod_build_id(fx.sys_module, "mg_coming", buf, sizeof(buf));
	CHECK_STR(buf, "SRCV");
	/* a note of another type, or cut short, is no build id */
	fx_sysfs_module(&fx, "mg_going", NULL);
	n = build_id_note(note, 1);
	fx_write_mem(&fx, "sys/module/mg_going/notes/.note.gnu.build-id", note, n);
	mg_kmod_build_id(fx.sys_module, "mg_going", buf, sizeof(buf));
	CHECK_STR(buf, "");
	n = build_id_note(note, 3);
	fx_write_mem(&fx, "sys/module/mg_going/notes/.note.gnu.build-id", note, 18);
	mg_kmod_build_id(fx.sys_module, "mg_going", buf, sizeof(buf));
	CHECK_STR(buf, "");
	/* too small a buffer: nothing rather than a cut id */
	fx_write_mem(&fx, "sys/module/mg_going/notes/.note.gnu.build-id", note, n);
	mg_kmod_build_id(fx.sys_module, "mg_going", buf, 12);
	CHECK_STR(buf, "");
	mg_kmod_build_id(fx.sys_module, "mg_going", buf, sizeof(buf));
	CHECK_STR(buf, "build-id:dead0b1d");
	fx_fini(&fx);
}

int main(void)
{
	RUN(live_module_with_holders);
	RUN(states_and_names);
	RUN(not_loaded_and_built_in);
	RUN(build_id_when_no_srcversion);
	return check_done();
}
