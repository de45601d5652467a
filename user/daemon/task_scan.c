// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "log.h"
#include "modguard.skel.h"
#include "task_scan.h"

/* read the whole iterator output into one growing array of records */
static int read_records(int fd, struct mg_task_record **recs, size_t *n)
{
	size_t cap = 64 * sizeof(**recs), len = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t r;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - len < sizeof(**recs)) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
			cap *= 2;
		}
		/* a record may be split across reads: we only count bytes */
		r = read(fd, buf + len, cap - len);
		if (r == 0)
			break;
		if (r < 0) {
			/* EAGAIN: too many objects in one read, the next goes on */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err = -errno;
			mg_err("task scan: reading the task iterator: %s",
			       strerror(-err));
			goto fail;
		}
		len += r;
	}
	if (len % sizeof(**recs)) {
		mg_err("task scan: %zu bytes is not a whole number of records "
		       "(record is %zu bytes; mismatched BPF object?)",
		       len, sizeof(**recs));
		err = -EPROTO;
		goto fail;
	}
	*n = len / sizeof(**recs);
	if (!*n) {
		free(buf);
		buf = NULL;
	}
	*recs = (struct mg_task_record *)buf;
	return 0;
fail:
	free(buf);
	return err;
}

int mg_task_scan(struct mg_bpf *b, struct mg_task_record **recs, size_t *n)
{
	struct bpf_link *link;
	int fd, err;

	*recs = NULL;
	*n = 0;
	link = bpf_program__attach_iter(mg_bpf_skel(b)->progs.mg_scan_tasks,
					NULL);
	if (!link) {
		err = -errno;
		mg_err("task scan: cannot create the task iterator: %s",
		       strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		mg_err("task scan: cannot start the task iterator: %s",
		       strerror(-err));
		goto out;
	}
	err = read_records(fd, recs, n);
	close(fd);
	if (!err)
		mg_dbg("task scan: %zu task(s) in module text or running", *n);
out:
	bpf_link__destroy(link);
	return err;
}
