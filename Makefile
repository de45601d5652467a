# modguard: one Makefile for the BPF objects, the skeleton, the three
# programs, the test modules, the tests and the demo.  Everything generated
# lands in $(OUT).  Quiet unless V=1.
OUT ?= build
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
CPPFLAGS += -Iinclude -Iuser/lib -Iuser/daemon -Iuser/cli -I$(OUT)
LDLIBS += $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -lpthread
# -mcpu=v3: atomic fetch-and-add (bpf/open_files.bpf.c); 6.1 has it since 5.12
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(OUT) -Iinclude -Ibpf

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
# and task_scan.c, and with the fixture helpers (tests/unit/fixtures/)
UNIT_STUBBED := test_aftermath test_enforcement_refusals test_event_loop \
	test_evidence test_guarded_unload test_intents test_kernel_log \
	test_kernel_view test_module_table test_record_writer test_records \
	test_report test_rescan test_server test_status test_symbolizer test_task_class
UNIT_STUB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(wildcard tests/unit/stubs/*.c) \
	$(wildcard tests/unit/fixtures/*.c))
UNIT_STUBBED_BINS := $(filter $(addprefix $(OUT)/tests/unit/,$(UNIT_STUBBED)),$(UNIT_BINS))
UNIT_DAEMON_NOBPF_OBJS := $(filter-out $(OUT)/user/daemon/bpf_%.o \
	$(OUT)/user/daemon/task_scan.o,$(DAEMON_LIB_OBJS))

PROGS := $(OUT)/modguardd $(OUT)/modguard $(OUT)/modguard-rmmod
# small programs the in-VM tests run
VM_TOOLS := $(patsubst tests/vm/tools/%.c,$(OUT)/tests/vm/%,$(wildcard tests/vm/tools/*.c))

.PHONY: all install test unit-test vm-test demo bench stress modules deps clean
all: $(PROGS)

# --- BPF: vmlinux.h -> objects -> one linked object -> skeleton ----------
$(OUT)/vmlinux.h: tools/gen-vmlinux-h | $(OUT)
	$(call msg,GEN,$@)
	$(Q)tools/gen-vmlinux-h $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

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
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# the daemon embeds the BPF object through the skeleton
$(DAEMON_OBJS): $(OUT)/modguard.skel.h

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUT)/modguardd: $(DAEMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/modguard: $(OUT)/user/cli/modguard.o $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/modguard-rmmod: $(OUT)/user/cli/modguard_rmmod.o $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/unit/%: $(OUT)/tests/unit/%.o $(DAEMON_LIB_OBJS) $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(UNIT_STUBBED_BINS): $(OUT)/tests/unit/%: $(OUT)/tests/unit/%.o \
		$(UNIT_DAEMON_NOBPF_OBJS) $(UNIT_STUB_OBJS) $(CLI_COMMON_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/vm/%: tests/vm/tools/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -o $@

$(OUT):
	$(Q)mkdir -p $(OUT)

# --- set-up, test modules, tests, demo -----------------------------------
# tools/install-deps does nothing when everything is installed already
deps:
	$(Q)tools/install-deps

modules:
	$(call msg,KBUILD,$(OUT)/modules)
	$(Q)tests/modules/build.sh $(OUT)/modules

install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/sbin
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/sbin/

unit-test: $(UNIT_BINS)
	$(Q)tests/unit/run-unit.sh $(OUT)

test: deps
	$(Q)$(MAKE) --no-print-directory all modules $(UNIT_BINS) $(VM_TOOLS)
	$(Q)tests/run-all.sh $(OUT)

vm-test: all modules $(VM_TOOLS)
	$(Q)tests/run-all.sh --vm-only $(OUT)

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

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

.DELETE_ON_ERROR:
.SECONDARY:
