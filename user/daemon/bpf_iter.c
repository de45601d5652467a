// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "log.h"

/* read fd to its end: whole records go to on_recs, a split one waits */
static int drain(int fd, const char *what, size_t rec_size,
		 int (*on_recs)(const void *recs, size_t n, void *ctx),
		 void *ctx)
{
	size_t cap = (16384 / rec_size ? 16384 / rec_size : 1) * rec_size;
	size_t have = 0, whole;
	char *buf = malloc(cap);
	int err = 0;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	while (!err && (r = read(fd, buf + have, cap - have))) {
		if (r < 0) {
			/* EAGAIN: too many objects in one read, the next goes on */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err = -errno;
			mg_err("bpf: reading the %s iterator: %s", what,
			       strerror(-err));
			break;
		}
		have += r;
		whole = have / rec_size * rec_size;
		if (on_recs && whole)
			err = on_recs(buf, whole / rec_size, ctx);
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
	if (!err && have) {
		mg_err("bpf: the %s iterator ended inside a record (%zu bytes "
		       "of %zu; mismatched BPF object?)", what, have, rec_size);
		err = -EPROTO;
	}
	free(buf);
	return err;
}

int mg_bpf_iter_read(struct bpf_program *prog,
		     const struct bpf_iter_attach_opts *opts, const char *what,
		     size_t rec_size,
		     int (*on_recs)(const void *recs, size_t n, void *ctx),
		     void *ctx)
{
	struct bpf_link *link;
	int fd, err;

	link = bpf_program__attach_iter(prog, opts);
	if (!link) {
		err = -errno;
		mg_err("bpf: cannot create the %s iterator: %s", what,
		       strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		mg_err("bpf: cannot start the %s iterator: %s", what,
		       strerror(-err));
	} else {
		err = drain(fd, what, rec_size ? rec_size : 1, on_recs, ctx);
		close(fd);
	}
	bpf_link__destroy(link);
	return err;
}
