// SPDX-License-Identifier: GPL-2.0
/* text and JSON rendering of report/status/history replies */
#include <errno.h>
#include <sys/socket.h>

/* render.o comes from user/cli, linked into every unit test */
#include "../../user/cli/render.h"
#include "../../user/lib/parse.h"
#include "check.h"

/* turn protocol text into a collected reply, through the real client */
static int reply_from(const char *text, struct mg_reply *r)
{
	struct mg_client c;
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	if (write(sv[1], text, strlen(text)) != (ssize_t)strlen(text))
		return -EIO;
	close(sv[1]);
	mg_client_attach_fd(&c, sv[0], 1000);
	err = mg_client_collect(&c, r);
	mg_client_close(&c);
	return err;
}

static const char sample[] =
	"module name=mg_tidy state=live refcnt=0 verdict=clean "
	"tracking_since=1795914123.456 text_start=0xffffffffc0a00000 "
	"text_size=8192 srcversion=ABC123\n"
	"ref kind=timer function=mg_tidy_timer_fn+0x0 site=mg_tidy_init+0x3c\n"
	"module name=mg_busy state=live refcnt=2 verdict=busy "
	"tracking_since=1795914123 text_start= text_size=4096\n"
	"ref kind=work function=mg_busy_work+0x10 site=mg_busy_init+0x20 "
	"pid=42 comm=kworker%2F0%3A1 count=3 since=1795914125 "
	"note=queued%20twice stack=a+0x1%3Bb+0x2%3Bc+0x3\n"
	"ref kind=holder function=mg_user pid=x%1B\n"
	"note text=kthreads%20started%20before%20tracking%20are%20invisible\n"
	"ok\n";

static char *render_text(void (*fn)(FILE *, const struct mg_reply *),
			 const struct mg_reply *r)
{
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);

	fn(f, r);
	fclose(f);
	return data;
}

static char *render_json(void (*fn)(struct mg_json *, const struct mg_reply *),
			 const struct mg_reply *r, bool pretty, int *err)
{
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);
	struct mg_json *jw = mg_json_new(f, pretty);

	fn(jw, r);
	*err = mg_json_finish(jw);
	mg_json_free(jw);
	fclose(f);
	return data;
}

static void t_time(void)
{
	char buf[64];

	CHECK_INT(mg_render_time("1795914123.456", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "2026-11-29 01:02:03 UTC");
	CHECK_INT(mg_render_time("1795914123", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "2026-11-29 01:02:03 UTC");
	/* integer nanoseconds, as status may send them */
	CHECK_INT(mg_render_time("1795914123456789012", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "2026-11-29 01:02:03 UTC");
	CHECK_INT(mg_render_time("", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(mg_render_time("0x10", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(mg_render_time("12.x", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(mg_render_time(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(mg_render_time("1795914123", buf, 5), -EINVAL);
}

static void t_report_text(void)
{
	struct mg_reply r;
	char *out;

	CHECK_INT(reply_from(sample, &r), 0);
	out = render_text(mg_render_report_text, &r);
	CHECK_STR(out,
"mg_tidy  live  refcnt 0  verdict clean\n"
"  text      0xffffffffc0a00000 +8192\n"
"  tracking  since 2026-11-29 01:02:03 UTC (callbacks armed before this are invisible)\n"
"  KIND      FUNCTION                     SITE                     PID   COMM\n"
"  timer     mg_tidy_timer_fn+0x0         mg_tidy_init+0x3c        -     -\n"
"\n"
"mg_busy  live  refcnt 2  verdict busy\n"
"  text      (hidden) +4096\n"
"  tracking  since 2026-11-29 01:02:03 UTC (callbacks armed before this are invisible)\n"
"  KIND      FUNCTION                     SITE                     PID   COMM\n"
"  work      mg_busy_work+0x10            mg_busy_init+0x20        42    kworker/0:1\n"
"            count    3\n"
"            since    2026-11-29 01:02:05 UTC\n"
"            note     queued twice\n"
"            stack    a+0x1\n"
"                     b+0x2\n"
"                     c+0x3\n"
"  holder    mg_user                      -                        x?    -\n"
"  note      kthreads started before tracking are invisible\n");
	free(out);
	mg_reply_free(&r);
}

static void t_report_json(void)
{
	struct mg_reply r;
	char *out;
	int err;

	CHECK_INT(reply_from(sample, &r), 0);
	out = render_json(mg_render_report_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out,
"{\"modules\":["
"{\"name\":\"mg_tidy\",\"state\":\"live\",\"refcnt\":0,\"verdict\":\"clean\","
"\"tracking_since\":1795914123.456,"
"\"text\":{\"start\":\"0xffffffffc0a00000\",\"size\":8192},"
"\"srcversion\":\"ABC123\","
"\"references\":[{\"kind\":\"timer\",\"function\":\"mg_tidy_timer_fn+0x0\","
"\"site\":\"mg_tidy_init+0x3c\"}],\"notes\":[]},"
"{\"name\":\"mg_busy\",\"state\":\"live\",\"refcnt\":2,\"verdict\":\"busy\","
"\"tracking_since\":1795914123,\"text\":{\"start\":null,\"size\":4096},"
"\"references\":["
"{\"kind\":\"work\",\"function\":\"mg_busy_work+0x10\","
"\"site\":\"mg_busy_init+0x20\",\"pid\":42,\"comm\":\"kworker/0:1\","
"\"count\":3,\"since\":1795914125,\"note\":\"queued twice\","
"\"stack\":[\"a+0x1\",\"b+0x2\",\"c+0x3\"]},"
"{\"kind\":\"holder\",\"function\":\"mg_user\",\"pid\":\"x\\u001b\"}],"
"\"notes\":[\"kthreads started before tracking are invisible\"]}"
"]}\n");
	free(out);
	mg_reply_free(&r);
}

static void t_report_empty(void)
{
	struct mg_reply r;
	char *out;
	int err;

	CHECK_INT(reply_from("ok\n", &r), 0);
	out = render_json(mg_render_report_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"modules\":[]}\n");
	free(out);
	out = render_text(mg_render_report_text, &r);
	CHECK_STR(out, "");
	free(out);
	mg_reply_free(&r);

	/* a module record with nothing but a name still renders */
	CHECK_INT(reply_from("module name=m\nok\n", &r), 0);
	out = render_json(mg_render_report_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"modules\":[{\"name\":\"m\",\"state\":null,"
		       "\"refcnt\":null,\"verdict\":null,"
		       "\"tracking_since\":null,"
		       "\"text\":{\"start\":null,\"size\":null},"
		       "\"references\":[],\"notes\":[]}]}\n");
	free(out);
	out = render_text(mg_render_report_text, &r);
	CHECK_STR(out, "m  ?  refcnt ?  verdict unknown\n"
		       "  text      (hidden) +?\n"
		       "  tracking  unknown (callbacks armed before the daemon "
		       "started are invisible)\n");
	free(out);
	mg_reply_free(&r);
}

static void status_text(FILE *f, const struct mg_reply *r)
{
	mg_render_status_text(f, &r->recs[0].rec, r);
}

static void status_json(struct mg_json *jw, const struct mg_reply *r)
{
	mg_render_status_json(jw, &r->recs[0].rec, r);
}

static void t_status(void)
{
	struct mg_reply r;
	char *out;
	int err;

	CHECK_INT(reply_from("status version=0.1.0 pid=123 attached=1 "
			     "tracking_since=1795914123 modules=7 events=100 "
			     "lost=0 mode=advisory reason=\nok\n",
			     &r),
		  0);
	out = render_text(status_text, &r);
	CHECK_STR(out, "version:        0.1.0\n"
		       "pid:            123\n"
		       "attached:       yes\n"
		       "tracking_since: 1795914123 (2026-11-29 01:02:03 UTC)\n"
		       "modules:        7\n"
		       "events:         100\n"
		       "lost:           0\n"
		       "mode:           advisory\n"
		       "reason:         -\n");
	free(out);
	out = render_json(status_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"version\":\"0.1.0\",\"pid\":123,\"attached\":true,"
		       "\"tracking_since\":1795914123,\"modules\":7,"
		       "\"events\":100,\"lost\":0,\"mode\":\"advisory\","
		       "\"reason\":\"\",\"groups\":[],\"damaged\":[]}\n");
	free(out);
	out = render_json(status_json, &r, true, &err);
	CHECK_INT(err, 0);
	CHECK(!strncmp(out, "{\n    \"version\": \"0.1.0\",\n    \"pid\": 123,\n",
		       40));
	free(out);
	mg_reply_free(&r);
}

static void t_status_groups(void)
{
	struct mg_reply r;
	char *out;
	int err;

	CHECK_INT(reply_from("status attached=1\n"
			     "group name=lifecycle state=active required=1 "
			     "what=module%20loads reason=\n"
			     "group name=open_files state=inactive required=0 "
			     "what=open%20files reason=no%20BPF%20LSM\nok\n",
			     &r),
		  0);
	out = render_text(status_text, &r);
	CHECK_STR(out, "attached: yes\n"
		       "groups:\n"
		       "  lifecycle  active\n"
		       "  open_files inactive: no BPF LSM\n");
	free(out);
	out = render_json(status_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"attached\":true,\"groups\":["
		       "{\"name\":\"lifecycle\",\"state\":\"active\","
		       "\"required\":true,\"what\":\"module loads\","
		       "\"reason\":\"\"},"
		       "{\"name\":\"open_files\",\"state\":\"inactive\","
		       "\"required\":false,\"what\":\"open files\","
		       "\"reason\":\"no BPF LSM\"}],\"damaged\":[]}\n");
	free(out);
	mg_reply_free(&r);
}

/*
 * The BPF maps: bpf_map_bytes is shown as "bpf_maps: N maps, size" in its
 * place; in JSON the number stays and the bpf_map records become a
 * "bpf_maps" array (only with bpf_map_bytes: t_status has neither).
 */
static void t_status_maps(void)
{
	struct mg_reply r;
	char *out;
	int err;

	CHECK_INT(reply_from("status attached=1 overflow=0 "
			     "bpf_map_bytes=9856614 mode=advisory\n"
			     "group name=lifecycle state=active required=1 "
			     "what=module%20loads reason=\n"
			     "bpf_map name=mg_events type=ringbuf "
			     "max_entries=1048576 bytes=1048576\n"
			     "bpf_map name=mg_armed type=hash max_entries=65536 "
			     "bytes=8808038\n"
			     "bpf_map name=mg_x type=array max_entries=1 bytes=\n"
			     "ok\n",
			     &r),
		  0);
	out = render_text(status_text, &r);
	CHECK_STR(out, "attached: yes\n"
		       "overflow: 0\n"
		       "bpf_maps: 3 maps, 9.4 MiB\n"
		       "mode:     advisory\n"
		       "groups:\n"
		       "  lifecycle active\n");
	free(out);
	out = render_json(status_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"attached\":true,\"overflow\":0,"
		       "\"bpf_map_bytes\":9856614,\"mode\":\"advisory\","
		       "\"groups\":[{\"name\":\"lifecycle\",\"state\":\"active\","
		       "\"required\":true,\"what\":\"module loads\","
		       "\"reason\":\"\"}],\"damaged\":[],\"bpf_maps\":["
		       "{\"name\":\"mg_events\",\"type\":\"ringbuf\","
		       "\"max_entries\":1048576,\"bytes\":1048576},"
		       "{\"name\":\"mg_armed\",\"type\":\"hash\","
		       "\"max_entries\":65536,\"bytes\":8808038},"
		       "{\"name\":\"mg_x\",\"type\":\"array\","
		       "\"max_entries\":1,\"bytes\":null}]}\n");
	free(out);
	mg_reply_free(&r);

	/* one map, a sum that is no number */
	CHECK_INT(reply_from("status bpf_map_bytes=lots\n"
			     "bpf_map name=a type=hash max_entries=1 bytes=1\nok\n",
			     &r),
		  0);
	out = render_text(status_text, &r);
	CHECK_STR(out, "bpf_maps: lots\n");
	free(out);
	out = render_json(status_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK(strstr(out, "\"bpf_map_bytes\":\"lots\"") != NULL);
	free(out);
	mg_reply_free(&r);
	CHECK_INT(reply_from("status bpf_map_bytes=512\n"
			     "bpf_map name=a type=hash max_entries=1 bytes=512\nok\n",
			     &r),
		  0);
	out = render_text(status_text, &r);
	CHECK_STR(out, "bpf_maps: 1 map, 512 B\n");
	free(out);
	mg_reply_free(&r);
}

static void t_size(void)
{
	char buf[32];

	mg_render_size(0, buf, sizeof(buf));
	CHECK_STR(buf, "0 B");
	mg_render_size(1023, buf, sizeof(buf));
	CHECK_STR(buf, "1023 B");
	mg_render_size(1024, buf, sizeof(buf));
	CHECK_STR(buf, "1.0 KiB");
	mg_render_size(1536, buf, sizeof(buf));
	CHECK_STR(buf, "1.5 KiB");
	mg_render_size(9856614, buf, sizeof(buf));
	CHECK_STR(buf, "9.4 MiB");
	mg_render_size(3ull << 30, buf, sizeof(buf));
	CHECK_STR(buf, "3.0 GiB");
	mg_render_size(UINT64_MAX, buf, sizeof(buf));
	CHECK_STR(buf, "16777216.0 TiB");
}

static void t_history(void)
{
	struct mg_reply r;
	char *out;
	int err;

	CHECK_INT(reply_from("record module=a result=unloaded\n"
			     "record module=bb verdict=busy\nok\n",
			     &r),
		  0);
	out = render_text(mg_render_history_text, &r);
	CHECK_STR(out, "MODULE  RESULT    VERDICT\n"
		       "a       unloaded  -\n"
		       "bb      -         busy\n");
	free(out);
	out = render_json(mg_render_history_json, &r, false, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"records\":[{\"module\":\"a\",\"result\":\"unloaded\"},"
		       "{\"module\":\"bb\",\"verdict\":\"busy\"}]}\n");
	free(out);
	mg_reply_free(&r);

	CHECK_INT(reply_from("ok\n", &r), 0);
	out = render_text(mg_render_history_text, &r);
	CHECK_STR(out, "no records\n");
	free(out);
	mg_reply_free(&r);
}

int main(void)
{
	RUN(t_time);
	RUN(t_report_text);
	RUN(t_report_json);
	RUN(t_report_empty);
	RUN(t_status);
	RUN(t_status_groups);
	RUN(t_status_maps);
	RUN(t_size);
	RUN(t_history);
	return check_done();
}
