// SPDX-License-Identifier: GPL-2.0
/* the one kallsyms reader, and the symbol tables built on it */
#include <errno.h>

#include "../../user/daemon/kallsyms.h"
#include "../../user/daemon/symbolizer.h"
#include "check.h"

static const char fixture[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81000100 t delayed_work_timer_fn\n"
	"ffffffff82000000 d rcu_state\n"
	"not a symbol line\n"
	"ffffffff81000200 t delayed_work_timer_fn\n" /* a second one: ignored */
	"ffffffffc0001000 t m_read\t[m]\n"
	"ffffffffc0001040 t m_timer_fn\t[m]\n"
	"ffffffffc0002000 d m_data\t[m]\n"
	"ffffffffc0003000 T n_open\t[n]\n"
	"ffffffffc0004000 t rcu_state\t[n]\n";

static void write_fixture(char *path, const char *text)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

struct seen {
	int n, modules, stop_at;
	char last[64];
	char type;
};

static int count(const struct mg_ksym *s, void *ctx)
{
	struct seen *c = ctx;

	c->n++;
	c->modules += s->module != NULL;
	snprintf(c->last, sizeof(c->last), "%s%s%s", s->name,
		 s->module ? "@" : "", s->module ? s->module : "");
	c->type = s->type;
	return c->n == c->stop_at ? 7 : 0;
}

static void each_line_is_split(void)
{
	char path[] = "/tmp/mg-kallsyms-XXXXXX";
	struct seen c = { 0 };

	write_fixture(path, fixture);
	CHECK_INT(mg_kallsyms_each(path, count, &c), 0);
	CHECK_INT(c.n, 9); /* the line that is not a symbol is skipped */
	CHECK_INT(c.modules, 5);
	CHECK(!strcmp(c.last, "rcu_state@n"));
	CHECK_INT(c.type, 't');
	/* fn's value stops the walk and is returned */
	memset(&c, 0, sizeof(c));
	c.stop_at = 3;
	CHECK_INT(mg_kallsyms_each(path, count, &c), 7);
	CHECK(!strcmp(c.last, "rcu_state"));
	CHECK_INT(c.type, 'd');
	unlink(path);
	CHECK_INT(mg_kallsyms_each(path, count, &c), -ENOENT);
}

static void lookup_finds_core_symbols_only(void)
{
	static const char *const names[] = { "rcu_state", "delayed_work_timer_fn",
					      "m_read", "absent" };
	char path[] = "/tmp/mg-kallsyms-XXXXXX";
	uint64_t addr[4] = { 1, 1, 1, 1 };

	write_fixture(path, fixture);
	CHECK_INT(mg_kallsyms_lookup(path, names, addr, 4), 0);
	CHECK(addr[0] == 0xffffffff82000000ull);
	CHECK(addr[1] == 0xffffffff81000100ull); /* the first of two */
	CHECK(addr[2] == 0);                      /* a module's, not core */
	CHECK(addr[3] == 0);
	unlink(path);
	CHECK_INT(mg_kallsyms_lookup(path, names, addr, 4), -ENOENT);
}

/* a function's end is the next core symbol's address */
static void ranges_end_at_the_next_symbol(void)
{
	char path[] = "/tmp/mg-kallsyms-XXXXXX";
	const char *names[] = { "_stext", "delayed_work_timer_fn", "m_read",
				"rcu_state" };
	uint64_t addr[4], end[4];

	write_fixture(path, fixture);
	CHECK_INT(mg_kallsyms_lookup_ranges(path, names, addr, end, 4), 0);
	CHECK(addr[0] == 0xffffffff81000000ull);
	CHECK(end[0] == 0xffffffff81000100ull);
	CHECK(end[1] == 0xffffffff82000000ull); /* the next line above it */
	CHECK(addr[2] == 0 && end[2] == 0); /* a module's: not looked up */
	CHECK(end[3] == 0); /* nothing in the core kernel after it */
	unlink(path);
}

static void long_lines_are_whole(void)
{
	char path[] = "/tmp/mg-kallsyms-XXXXXX";
	char text[4096], name[2001];
	struct seen c = { 0 };

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text), "ffffffffc0001000 t %s\t[m]\n"
		 "ffffffffc0002000 t after\t[m]\n", name);
	write_fixture(path, text);
	CHECK_INT(mg_kallsyms_each(path, count, &c), 0);
	CHECK_INT(c.n, 2);
	CHECK(!strcmp(c.last, "after@m"));
	unlink(path);
}

static struct mg_symtab tab_n;

static struct mg_symtab *only_n(const char *module, void *ctx)
{
	(void)ctx;
	return strcmp(module, "n") ? NULL : &tab_n;
}

static void symtabs_take_text_symbols(void)
{
	char path[] = "/tmp/mg-kallsyms-XXXXXX", buf[64];
	struct mg_symtab core = { 0 }, m = { 0 };

	write_fixture(path, fixture);
	/* core: text only, modules left out; both copies of a name kept */
	CHECK_INT(mg_symtab_load(&core, path, NULL), 0);
	CHECK_INT(core.n, 3);
	CHECK_INT(mg_symtab_load(&m, path, "m"), 0);
	CHECK_INT(m.n, 2); /* m_data is not text */
	CHECK_INT(mg_symtab_format(&m, 0xffffffffc0001044ull, 0x1000, buf,
				   sizeof(buf)), 0);
	CHECK(!strcmp(buf, "m_timer_fn+0x4"));
	CHECK_INT(mg_symtab_load_modules(path, only_n, NULL), 0);
	mg_symtab_sort(&tab_n);
	CHECK(tab_n.loaded);
	CHECK_INT(tab_n.n, 2);
	CHECK(tab_n.syms[0].addr == 0xffffffffc0003000ull);
	mg_symtab_free(&core);
	mg_symtab_free(&m);
	mg_symtab_free(&tab_n);
	unlink(path);
}

static void hidden_addresses_are_eperm(void)
{
	char path[] = "/tmp/mg-kallsyms-XXXXXX";
	struct mg_symtab t = { 0 };

	write_fixture(path, "0000000000000000 T _stext\n"
			    "0000000000000000 t other\n");
	CHECK_INT(mg_symtab_load(&t, path, NULL), -EPERM);
	CHECK(!t.loaded);
	unlink(path);
}

int main(void)
{
	RUN(each_line_is_split);
	RUN(lookup_finds_core_symbols_only);
	RUN(long_lines_are_whole);
	RUN(ranges_end_at_the_next_symbol);
	RUN(symtabs_take_text_symbols);
	RUN(hidden_addresses_are_eperm);
	return check_done();
}
