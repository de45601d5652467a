// SPDX-License-Identifier: GPL-2.0
/* module symbols reused for a reload of the same build, moved to its text */
#include <errno.h>

#include "../../user/daemon/symcache.h"
#include "check.h"

/* a module at 0x1000 with init text at 0x9000 */
static void module_table(struct mg_symtab *t)
{
	static const char tab[] =
		"0000000000001000 t m_read\t[m]\n"
		"0000000000001040 t m_timer_fn\t[m]\n"
		"0000000000009000 t m_init\t[m]\n"
		"ffffffff81000000 T _stext\n";
	char path[] = "/tmp/mg-symcache-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, tab, sizeof(tab) - 1) == (ssize_t)(sizeof(tab) - 1));
	close(fd);
	CHECK_INT(mg_symtab_load(t, path, "m"), 0);
	unlink(path);
	CHECK_INT(t->n, 3);
}

static void reload_of_same_build_is_moved(void)
{
	struct mg_symcache c = { 0 };
	struct mg_symtab t = { 0 }, got = { 0 };
	char buf[64];

	module_table(&t);
	CHECK_INT(mg_symcache_put(&c, "m", "build-id:ab", 0x1000, 0x9000, 0x100, &t), 0);
	CHECK_INT(mg_symcache_get(&c, "m", "build-id:ab", 0x5000, &got), 0);
	CHECK(got.loaded);
	CHECK_INT(got.n, 2); /* init text left out */
	CHECK_INT(mg_symtab_format(&got, 0x5044, 0x1000, buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, "m_timer_fn+0x4"));
	CHECK_INT(mg_symtab_format(&got, 0x5000, 0x1000, buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, "m_read+0x0"));
	mg_symtab_free(&t);
	mg_symtab_free(&got);
	mg_symcache_free(&c);
}

static void other_build_or_no_build_misses(void)
{
	struct mg_symcache c = { 0 };
	struct mg_symtab t = { 0 }, got = { 0 };

	module_table(&t);
	CHECK_INT(mg_symcache_put(&c, "m", "srcversion:1", 0x1000, 0, 0, &t), 0);
	CHECK_INT(mg_symcache_get(&c, "m", "srcversion:2", 0x5000, &got), -ENOENT);
	CHECK_INT(mg_symcache_get(&c, "n", "srcversion:1", 0x5000, &got), -ENOENT);
	CHECK_INT(mg_symcache_get(&c, "m", "", 0x5000, &got), -ENOENT);
	/* an unidentified build is never kept: it could be any build */
	CHECK_INT(mg_symcache_put(&c, "m", "", 0x1000, 0, 0, &t), -EINVAL);
	CHECK(!got.loaded);
	mg_symtab_free(&t);
	mg_symcache_free(&c);
}

static void least_recently_used_goes(void)
{
	struct mg_symcache c = { 0 };
	struct mg_symtab t = { 0 }, got = { 0 };
	char build[32];

	module_table(&t);
	for (int i = 0; i <= MG_SYMCACHE_SLOTS; i++) {
		snprintf(build, sizeof(build), "b%d", i);
		if (i == MG_SYMCACHE_SLOTS) /* b0 used again: b1 is the oldest */
			CHECK_INT(mg_symcache_get(&c, "m", "b0", 0x1000, &got), 0);
		CHECK_INT(mg_symcache_put(&c, "m", build, 0x1000, 0, 0, &t), 0);
	}
	CHECK_INT(mg_symcache_get(&c, "m", "b0", 0x1000, &got), 0);
	CHECK_INT(mg_symcache_get(&c, "m", "b1", 0x1000, &got), -ENOENT);
	CHECK_INT(mg_symcache_get(&c, "m", "b8", 0x1000, &got), 0);
	mg_symtab_free(&t);
	mg_symtab_free(&got);
	mg_symcache_free(&c);
}

int main(void)
{
	RUN(reload_of_same_build_is_moved);
	RUN(other_build_or_no_build_misses);
	RUN(least_recently_used_goes);
	return check_done();
}
