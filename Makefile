# modguard: one Makefile for the BPF objects, the skeleton, the three
# programs, the test modules, the tests and the demo.  Everything generated
# lands in $(OUT).  Quiet unless V=1.
OUT ?= build
PREFIX ?= /usr/local
# The kernel the VM tests boot (tools/vm-run --kernel): a version or a
# series such as 6.12 or 6.1-rt; empty: 6.1 generic, the reference.  With
# no KERNEL, make test also runs the in-guest suite and the leftover kinds
# on each of TEST_KERNELS.
KERNEL ?= $(VM_KERNEL)
TEST_KERNELS ?= 6.1-rt 6.12
export VM_KERNEL := $(KERNEL)
EXTRA_KERNELS := $(if $(KERNEL),,$(TEST_KERNELS))
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS and BPF_CFLAGS are the user's (e.g.
# `make CFLAGS=-O0`, which overrides any += here); what the build needs is
# in the MG_* variables, which come first so that the user's flags win.
CFLAGS ?= -O2 -g
MG_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
MG_CPPFLAGS = -Iinclude -Iuser/lib -Iuser/daemon -Iuser/cli -I$(OUT)
MG_LDLIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -lpthread
# -g: the BTF that CO-RE and `bpftool gen` need
# -mcpu=v3: atomic fetch-and-add (bpf/open_files.bpf.c); 6.1 has it since 5.12
BPF_CFLAGS ?= -O2
MG_BPF_CFLAGS = -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(OUT) -Iinclude -Ibpf
# compile and link commands of user space
MG_CC = $(CC) $(MG_CPPFLAGS) $(CPPFLAGS) $(MG_CFLAGS) $(CFLAGS)
MG_LD = $(CC) $(MG_CFLAGS) $(CFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS := $(wildcard bpf/*.h) include/modguard_abi.h

LIB_SRCS := $(wildcard user/lib/*.c)
LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRCS))
LIB := $(OUT)/lib/libmguser.a

DAEMON_SRCS := $(wildcard user/daemon/*.c)
DAEMON_OBJS := $(patsubst %.c,$(OUT)/%.o,$(DAEMON_SRCS))
# the daemon's logic without main(), for the unit tests
DAEMON_LIB_OBJS := $(filter-out $(OUT)/user/daemon/main.o,$(DAEMON_OBJS))

CLI_MAINS := user/cli/modguard.c user/cli/modguard_rmmod.c
CLI_COMMON_SRCS := $(filter-out $(CLI_MAINS),$(wildcard user/cli/*.c))
CLI_COMMON_OBJS := $(patsubst %.c,$(OUT)/%.o,$(CLI_COMMON_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/unit/%,$(UNIT_SRCS))
# unit tests of the daemon's logic that run without a kernel: linked with
# the stubbed BPF layer (tests/unit/stubs/) instead of user/daemon/bpf_*.c
# and task_scan.c (and the other BPF-facing files filtered out below), and
# with the fixture helpers (tests/unit/fixtures/)
UNIT_STUBBED := test_aftermath test_enforcement_refusals test_event_loop \
	test_evidence test_guarded_unload test_intents test_kernel_log \
	test_kernel_view test_module_table test_record_writer test_records \
	test_peer test_report test_requests test_rescan test_server test_status test_symbolizer test_task_class
UNIT_STUB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(wildcard tests/unit/stubs/*.c) \
	$(wildcard tests/unit/fixtures/*.c))
UNIT_STUBBED_BINS := $(filter $(addprefix $(OUT)/tests/unit/,$(UNIT_STUBBED)),$(UNIT_BINS))
UNIT_DAEMON_NOBPF_OBJS := $(filter-out $(OUT)/user/daemon/bpf_%.o \
	$(OUT)/user/daemon/task_scan.o $(OUT)/user/daemon/holder_scan.o \
	$(OUT)/user/daemon/held_refs_scan.o $(OUT)/user/daemon/ksym_iter.o \
	$(OUT)/user/daemon/map_memory.o,$(DAEMON_LIB_OBJS))

PROGS := $(OUT)/modguardd $(OUT)/modguard $(OUT)/modguard-rmmod
# small programs the in-VM tests run
VM_TOOLS := $(patsubst tests/vm/tools/%.c,$(OUT)/tests/vm/%,$(wildcard tests/vm/tools/*.c))
# the host-side verifier test (tests/host/bpf-verifier.sh): its loader, and
# the programs every verifier must reject, for the test of that test
HOST_TOOLS := $(OUT)/tests/host/verify-bpf \
	$(patsubst tests/host/bpf/%.bpf.c,$(OUT)/tests/host/%.bpf.o,$(wildcard tests/host/bpf/*.bpf.c))

.PHONY: all install test unit-test vm-test demo bench stress modules test-modules deps clean \
	fuzz sanitize
all: $(PROGS)

# --- BPF: vmlinux.h -> objects -> one linked object -> skeleton ----------
$(OUT)/vmlinux.h: tools/gen-vmlinux-h | $(OUT)
	$(call msg,GEN,$@)
	$(Q)tools/gen-vmlinux-h $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(MG_BPF_CFLAGS) $(BPF_CFLAGS) -c $< -o $@

# the object that defines the shared maps goes first: libbpf 1.1's linker
# misplaces extern maps of an object that also defines maps of its own
# when it is linked before the definitions
BPF_LINK_ORDER := $(OUT)/bpf/module_lifecycle.bpf.o \
	$(filter-out $(OUT)/bpf/module_lifecycle.bpf.o,$(BPF_OBJS))

$(OUT)/modguard.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $(BPF_LINK_ORDER)

$(OUT)/modguard.skel.h: $(OUT)/modguard.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name modguard_bpf > $@

# --- user space ------------------------------------------------------------
$(OUT)/%.o: %.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(MG_CC) -MMD -MP -c $< -o $@

# the daemon embeds the BPF object through the skeleton
$(DAEMON_OBJS): $(OUT)/modguard.skel.h

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUT)/modguardd: $(DAEMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(MG_LD) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

$(OUT)/modguard: $(OUT)/user/cli/modguard.o $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(MG_LD) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

$(OUT)/modguard-rmmod: $(OUT)/user/cli/modguard_rmmod.o $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(MG_LD) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

# they open the skeleton: to check the group table against it, to walk
# its maps
$(OUT)/tests/unit/test_bpf_groups.o $(OUT)/tests/unit/test_map_memory.o: \
		$(OUT)/modguard.skel.h

$(OUT)/tests/unit/%: $(OUT)/tests/unit/%.o $(DAEMON_LIB_OBJS) $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(MG_LD) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

$(UNIT_STUBBED_BINS): $(OUT)/tests/unit/%: $(OUT)/tests/unit/%.o \
		$(UNIT_DAEMON_NOBPF_OBJS) $(UNIT_STUB_OBJS) $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(MG_LD) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

$(OUT)/tests/host/verify-bpf: tests/host/verify_bpf.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(MG_CC) $< -o $@ $(LDFLAGS) $(MG_LDLIBS) $(LDLIBS)

$(OUT)/tests/host/%.bpf.o: tests/host/bpf/%.bpf.c $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(MG_BPF_CFLAGS) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/tests/vm/%: tests/vm/tools/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(MG_LD) $< -o $@

$(OUT):
	$(Q)mkdir -p $(OUT)

# --- set-up, test modules, tests, demo -----------------------------------
# tools/install-deps does nothing when everything is installed already
deps:
	$(Q)tools/install-deps

# one folder per kernel: $(OUT)/modules/VERSION
modules:
	$(call msg,KBUILD,$(OUT)/modules/$(or $(KERNEL),6.1))
	$(Q)+tests/modules/build.sh $(OUT)/modules

test-modules: modules
	$(Q)+for k in $(EXTRA_KERNELS); do \
		echo "  KBUILD   $(OUT)/modules/$$k"; \
		VM_KERNEL=$$k tests/modules/build.sh $(OUT)/modules || exit; \
	done

# --- install, uninstall, the Debian package -------------------------------
# make install [DESTDIR=D] [PREFIX=/usr/local] [BINDIR=...] ...: every
# directory below can be set on its own.  modguardd and modguard-rmmod go
# to sbin (root's), modguard to bin (anyone may read reports).  The unit
# and the zsh completion go where systemd and Debian's zsh look for them:
# under PREFIX=/usr, /lib/systemd/system (Debian 12's packages) and
# vendor-completions; under any other PREFIX, PREFIX/lib/systemd/system
# (in systemd's search path for /usr/local) and site-functions (in zsh's
# fpath for /usr/local).  The modprobe.d file is an example and must not
# take effect by itself: it goes with the docs, not to /etc/modprobe.d.
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
EXAMPLEDIR ?= $(PREFIX)/share/doc/modguard/examples
ifeq ($(patsubst %/,%,$(PREFIX)),/usr)
UNITDIR ?= /lib/systemd/system
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
else
UNITDIR ?= $(PREFIX)/lib/systemd/system
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
endif
MAN_PAGES := docs/man/modguardd.8 docs/man/modguard.8 docs/man/modguard-rmmod.8
INSTALL_SRCS := $(MAN_PAGES) dist/completion/modguard.bash \
	dist/completion/modguard-rmmod.bash dist/completion/_modguard \
	dist/modguardd.service.in dist/modprobe.d/modguard.conf.example
# what make install writes, and all that make uninstall removes
INSTALLED := $(SBINDIR)/modguardd $(SBINDIR)/modguard-rmmod $(BINDIR)/modguard \
	$(addprefix $(MANDIR)/man8/,$(notdir $(MAN_PAGES))) \
	$(BASHCOMPDIR)/modguard $(BASHCOMPDIR)/modguard-rmmod $(ZSHCOMPDIR)/_modguard \
	$(UNITDIR)/modguardd.service $(EXAMPLEDIR)/modguard.conf.example
# @SBINDIR@ in the unit and the example, replaced at install time
MG_SUBST = sed 's|@SBINDIR@|$(SBINDIR)|g'

install: $(PROGS) $(INSTALL_SRCS)
	$(Q)case '$(SBINDIR)' in /*) ;; *) \
		echo "install: SBINDIR='$(SBINDIR)' is not an absolute path (the unit's ExecStart needs one)" >&2; \
		exit 2 ;; \
	esac; \
	if printf '%s' '$(SBINDIR)' | grep -q '[[:space:]|&%\\]'; then \
		echo "install: SBINDIR='$(SBINDIR)': the unit's ExecStart cannot hold a blank, |, &, % or \\" >&2; \
		exit 2; \
	fi
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR))
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	$(Q)install -m 0755 $(OUT)/modguardd $(OUT)/modguard-rmmod $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0755 $(OUT)/modguard $(DESTDIR)$(BINDIR)/
	$(call msg,INSTALL,$(DESTDIR)$(MANDIR)/man8)
	$(Q)install -d $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(call msg,INSTALL,$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR))
	$(Q)install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(Q)install -m 0644 dist/completion/modguard.bash $(DESTDIR)$(BASHCOMPDIR)/modguard
	$(Q)install -m 0644 dist/completion/modguard-rmmod.bash $(DESTDIR)$(BASHCOMPDIR)/modguard-rmmod
	$(Q)install -m 0644 dist/completion/_modguard $(DESTDIR)$(ZSHCOMPDIR)/_modguard
	$(call msg,INSTALL,$(DESTDIR)$(UNITDIR)/modguardd.service)
	$(Q)install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(EXAMPLEDIR)
	$(Q)$(MG_SUBST) dist/modguardd.service.in > $(DESTDIR)$(UNITDIR)/modguardd.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/modguardd.service
	$(call msg,INSTALL,$(DESTDIR)$(EXAMPLEDIR)/modguard.conf.example)
	$(Q)$(MG_SUBST) dist/modprobe.d/modguard.conf.example > \
		$(DESTDIR)$(EXAMPLEDIR)/modguard.conf.example
	$(Q)chmod 0644 $(DESTDIR)$(EXAMPLEDIR)/modguard.conf.example

# exactly what install wrote (the directories stay: they are shared), but
# modguard's own example folder when it is left empty
uninstall:
	$(call msg,RM,$(addprefix $(DESTDIR),$(INSTALLED)))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)case '$(EXAMPLEDIR)' in */modguard/examples) \
		rmdir $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(dir $(EXAMPLEDIR)) 2>/dev/null || true ;; \
	esac

# make deb: the .deb (debian/) in $(OUT)/deb, built by dpkg-buildpackage
# in a copy of the tree in a temporary folder (removed afterwards; not in
# $(OUT), whose *.d files the Makefile includes), so that neither the tree
# nor the rest of $(OUT) is touched, and in an environment of its own:
# none of this make's variables (OUT, PREFIX...: debian/rules sets its
# own), only PATH, HOME, TMPDIR, VMLINUX_BTF and DEB_BUILD_OPTIONS.  The
# build dependencies come from tools/install-deps --deb.  No tests run in
# the package build (they boot kernels under QEMU: make test).
DEB_OUT := $(OUT)/deb
deb:
	$(Q)tools/install-deps --deb
	$(Q)v=$$(sed -n 's/^#define MG_VERSION "\(.*\)"$$/\1/p' user/lib/version.h); \
	c=$$(dpkg-parsechangelog -SVersion); \
	if [ -z "$$v" ] || [ "$$v" != "$$c" ]; then \
		echo "deb: debian/changelog is at $$c, but user/lib/version.h's MG_VERSION is $${v:-missing}: add a changelog entry for it" >&2; \
		exit 1; \
	fi
	$(Q)rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)
	$(call msg,DPKG,$(DEB_OUT))
	$(Q)set -e; out=$$(cd $(DEB_OUT) && pwd); \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/modguard-deb.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	mkdir "$$tmp/src"; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -xf - -C "$$tmp/src"; \
	else \
		tar --exclude=./.git --exclude=./build --exclude='./build-*' \
			--exclude=./$(OUT) -cf - . | tar -xf - -C "$$tmp/src"; \
	fi; \
	if ! (cd "$$tmp/src" && env -i PATH="$$PATH" HOME="$$HOME" \
		$${TMPDIR:+TMPDIR="$$TMPDIR"} $${VMLINUX_BTF:+VMLINUX_BTF="$$VMLINUX_BTF"} \
		$${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$$DEB_BUILD_OPTIONS"} \
		dpkg-buildpackage -b -us -uc -J$$(nproc)) > "$$out/build.log" 2>&1; then \
		tail -n 40 "$$out/build.log" >&2; \
		echo "deb: dpkg-buildpackage failed; whole log: $(DEB_OUT)/build.log" >&2; \
		exit 1; \
	fi; \
	mv "$$tmp"/*.deb "$$tmp"/*.buildinfo "$$tmp"/*.changes "$$out/"
	$(Q)ls $(DEB_OUT)/*.deb

.PHONY: uninstall deb

unit-test: $(UNIT_BINS)
	$(Q)tests/unit/run-unit.sh $(OUT)

test: deps
	$(Q)$(MAKE) --no-print-directory all test-modules $(UNIT_BINS) $(VM_TOOLS) $(HOST_TOOLS)
	$(Q)MG_EXTRA_KERNELS="$(EXTRA_KERNELS)" tests/run-all.sh $(OUT)

vm-test: all test-modules $(VM_TOOLS)
	$(Q)MG_EXTRA_KERNELS="$(EXTRA_KERNELS)" tests/run-all.sh --vm-only $(OUT)

demo: deps
	$(Q)$(MAKE) --no-print-directory all modules
	$(Q)tools/demo $(OUT)

bench: deps
	$(Q)$(MAKE) --no-print-directory all modules
	$(Q)tools/bench $(OUT)

# the long stress (not in CI: about half an hour): 1,000 cycles, up to six
# readers of 20-260 ms each, task scans all along, guarded unloads
STRESS_CYCLES ?= 1000
stress: deps
	$(Q)$(MAKE) --no-print-directory all modules
	$(Q)STRESS_CYCLES=$(STRESS_CYCLES) STRESS_READERS=6 STRESS_VARY_MS=200 \
		tests/vm/host/stress.sh $(OUT)

# --- fuzzing and sanitizers --------------------------------------------------
# make fuzz [FUZZ_SECONDS=N]: a libFuzzer harness (tests/fuzz/fuzz_*.c) for
# each parser of untrusted bytes, built with clang against the user/lib
# objects only (no libbpf), each run N seconds from its seed corpus
# (tests/fuzz/corpus/<harness>/) by tests/fuzz/run-fuzz.sh.  FUZZ_CFLAGS is
# the user's (-O/-g); the sanitizers are always on.  Needs clang's runtime
# (Debian: libclang-rt-14-dev).
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS ?= -O1 -g
FUZZ_OUT := $(OUT)/fuzz
MG_FUZZ_CFLAGS := $(MG_CFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/%.o,$(LIB_SRCS))

$(FUZZ_OUT)/%.o: %.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(MG_CPPFLAGS) $(CPPFLAGS) $(MG_FUZZ_CFLAGS) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CLANG) $(MG_FUZZ_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) \
		$(FUZZ_LDFLAGS) $^ -o $@

# fuzz_reply feeds the client's recv() and poll() itself
$(FUZZ_OUT)/fuzz_reply: private FUZZ_LDFLAGS := -Wl,--wrap=recv,--wrap=poll

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run-fuzz.sh $(FUZZ_OUT) $(FUZZ_SECONDS)

# make sanitize: every unit test (same link rules as unit-test) built with
# ASan and UBSan into $(OUT)/sanitize and run by tests/unit/run-unit.sh;
# ends with "N passed, M failed".  A test binary that exits non-zero without
# a "not ok" line (a sanitizer report outside a case, a leak) is a failure.
SAN_OUT := $(OUT)/sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1
san = $(patsubst $(OUT)/%,$(SAN_OUT)/%,$(1))
SAN_LIB := $(call san,$(LIB))
SAN_UNIT_BINS := $(call san,$(UNIT_BINS))
SAN_STUBBED_BINS := $(call san,$(UNIT_STUBBED_BINS))

# the daemon's headers and test_bpf_groups.c include the skeleton
$(SAN_OUT)/%.o: %.c | $(OUT)/modguard.skel.h
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(MG_CC) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(SAN_LIB): $(call san,$(LIB_OBJS))
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(SAN_OUT)/tests/unit/%: $(SAN_OUT)/tests/unit/%.o $(call san,$(DAEMON_LIB_OBJS) \
		$(CLI_COMMON_OBJS)) $(SAN_LIB)
	$(call msg,LD-SAN,$@)
	$(Q)$(MG_LD) $(SAN_FLAGS) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

$(SAN_STUBBED_BINS): $(SAN_OUT)/tests/unit/%: $(SAN_OUT)/tests/unit/%.o \
		$(call san,$(UNIT_DAEMON_NOBPF_OBJS) $(UNIT_STUB_OBJS) \
		$(CLI_COMMON_OBJS)) $(SAN_LIB)
	$(call msg,LD-SAN,$@)
	$(Q)$(MG_LD) $(SAN_FLAGS) $^ $(MG_LDLIBS) $(LDLIBS) -o $@

# the summary: passes run-unit.sh's output through, counts its lines
define SAN_SUMMARY
/^# test_[^ ]*$$/ { cur = $$2; bad[cur] = 0 }
/^ok - / { ok++ }
/^not ok - / { nok++; bad[cur]++ }
/^run-unit-status / { rc = $$2; next }
{ print; fflush() }
/^# test_[^ ]* exited with status / && !bad[$$2] {
	nok++; print "not ok - " $$2 " exited with status " $$NF
}
END { print ok + 0 " passed, " nok + 0 " failed"; exit (nok || rc) ? 1 : 0 }
endef
sanitize: private export SAN_SUMMARY_AWK := $(SAN_SUMMARY)

sanitize: $(SAN_UNIT_BINS)
	$(Q){ $(SAN_ENV) tests/unit/run-unit.sh $(SAN_OUT) 2>&1; \
		echo "run-unit-status $$?"; } | awk "$$SAN_SUMMARY_AWK"

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(shell find $(OUT) -type f -name '*.d' 2>/dev/null)

.DELETE_ON_ERROR:
.SECONDARY:
