// SPDX-License-Identifier: GPL-2.0
/*
 * task_scan_probe: run modguard's task scan (user/daemon/task_scan.c) in the
 * VM and print what it found, symbolised from /proc/kallsyms, and how long
 * it took.  Not part of the build: tests/vm/bench_task_scan.sh compiles it
 * against the build/ objects.
 *
 * usage: task_scan_probe [-r REPS] [-s SPAWN] [-q]
 *   -r REPS   scans to time (default 1); records of the last one are printed
 *   -s SPAWN  first fork SPAWN children that sleep in pause(), to scale the
 *             task count; they are killed at exit
 *   -q        print timings only
 * Output: "REC ..." per record, "  FRAME addr sym" per stack entry, then
 * "TASKS n" (threads in /proc) and
 * "SCAN reps=.. records=.. best_ms=.. mean_ms=..".
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "log.h"
#include "modguard.skel.h"
#include "symbolizer.h"
#include "task_scan.h"

static void on_event(const struct mg_event *e, void *ctx)
{
	(void)e;
	(void)ctx;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* threads in the system: every /proc/PID/task entry */
static long count_tasks(void)
{
	struct dirent *d, *t;
	char path[300];
	DIR *p, *td;
	long n = 0;

	p = opendir("/proc");
	if (!p)
		return -1;
	while ((d = readdir(p))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", d->d_name);
		td = opendir(path);
		if (!td)
			continue;
		while ((t = readdir(td)))
			if (t->d_name[0] != '.')
				n++;
		closedir(td);
	}
	closedir(p);
	return n;
}

static void print_sym(struct mg_bpf *b, struct mg_symtab *core, uint64_t addr,
		      uint64_t mod)
{
	struct mg_module_info info;
	struct mg_symtab t = { 0 };
	char buf[256];
	int fd = bpf_map__fd(mg_bpf_skel(b)->maps.mg_modules);

	if (mod && !bpf_map_lookup_elem(fd, &mod, &info) &&
	    !mg_symtab_load(&t, "/proc/kallsyms", info.name)) {
		mg_symtab_format(&t, addr, 1 << 20, buf, sizeof(buf));
		printf("%s [%s]", buf, info.name);
		mg_symtab_free(&t);
		return;
	}
	mg_symtab_format(core, addr, 1 << 20, buf, sizeof(buf));
	printf("%s", buf);
}

static void print_records(struct mg_bpf *b, struct mg_task_record *recs,
			  size_t n)
{
	struct mg_symtab core = { 0 };
	int fd = bpf_map__fd(mg_bpf_skel(b)->maps.mg_text_pages);

	mg_symtab_load(&core, "/proc/kallsyms", NULL);
	for (size_t i = 0; i < n; i++) {
		struct mg_task_record *r = &recs[i];

		printf("REC pid=%u tgid=%u comm=%.16s flags=%s%s%s mod=%#llx frame=%#llx threadfn=",
		       r->pid, r->tgid, r->comm,
		       r->flags & MG_TASKF_KTHREAD ? "K" : "-",
		       r->flags & MG_TASKF_RUNNING ? "R" : "-",
		       r->flags & MG_TASKF_OWN_FN ? "F" : "-",
		       (unsigned long long)r->mod, (unsigned long long)r->frame);
		print_sym(b, &core, r->threadfn, r->threadfn_mod);
		printf(" nstack=%u\n", r->nstack);
		for (uint32_t j = 0; j < r->nstack && j < MG_STACK_DEPTH; j++) {
			uint64_t page = (r->stack[j] - 1) >> MG_PAGE_SHIFT, mod = 0;

			bpf_map_lookup_elem(fd, &page, &mod);
			printf("  FRAME %#llx ", (unsigned long long)r->stack[j]);
			print_sym(b, &core, r->stack[j], mod);
			printf("\n");
		}
	}
	mg_symtab_free(&core);
}

int main(int argc, char **argv)
{
	int reps = 1, spawn = 0, quiet = 0, opt, err;
	double t0, dt, best = 1e9, sum = 0;
	struct mg_task_record *recs = NULL;
	pid_t *kids = NULL;
	struct mg_bpf *b;
	size_t n = 0;

	while ((opt = getopt(argc, argv, "r:s:q")) != -1) {
		switch (opt) {
		case 'r': reps = atoi(optarg); break;
		case 's': spawn = atoi(optarg); break;
		case 'q': quiet = 1; break;
		default:
			fprintf(stderr, "usage: %s [-r REPS] [-s SPAWN] [-q]\n",
				argv[0]);
			return 2;
		}
	}
	if (reps < 1)
		reps = 1;
	mg_log_init("task_scan_probe", 0, getenv("MG_VERBOSE") != NULL);
	libbpf_set_print(mg_libbpf_print);

	if (spawn > 0) {
		kids = calloc(spawn, sizeof(*kids));
		if (!kids)
			return 1;
		t0 = now_s();
		for (int i = 0; i < spawn; i++) {
			kids[i] = fork();
			if (kids[i] == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			if (kids[i] < 0) {
				fprintf(stderr, "fork %d: %s\n", i, strerror(errno));
				spawn = i;
				break;
			}
		}
		printf("SPAWN %d children in %.2f s\n", spawn, now_s() - t0);
	}

	t0 = now_s();
	err = mg_bpf_start(&b, "/proc/kallsyms", on_event, NULL);
	if (!err)
		err = mg_bpf_scan_modules(b);
	if (err)
		goto out_kids;
	mg_bpf_consume(b);
	printf("LOAD %.3f s\n", now_s() - t0);

	for (int r = 0; r < reps; r++) {
		free(recs);
		t0 = now_s();
		err = mg_task_scan(b, &recs, &n);
		dt = now_s() - t0;
		if (err)
			break;
		sum += dt;
		if (dt < best)
			best = dt;
		if (!quiet && r == 0)
			printf("FIRST_SCAN %.3f ms\n", dt * 1e3);
	}
	if (!err) {
		if (!quiet)
			print_records(b, recs, n);
		printf("TASKS %ld\n", count_tasks());
		printf("SCAN reps=%d records=%zu best_ms=%.3f mean_ms=%.3f\n",
		       reps, n, best * 1e3, sum / reps * 1e3);
	}
	free(recs);
	mg_bpf_stop(b);
out_kids:
	for (int i = 0; i < spawn; i++)
		kill(kids[i], SIGKILL);
	while (spawn > 0 && wait(NULL) > 0)
		;
	free(kids);
	return err ? 1 : 0;
}
