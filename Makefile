# SPDX-License-Identifier: Apache-2.0
# berth: plain GNU make.  `make` builds build/berth; `make check` runs every
# test; `make SAN=1 check` runs them under ASan+UBSan (in build-san/).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
ifeq ($(origin CC),default)
CC = cc
endif
PKG_CONFIG ?= pkg-config

VERSION := 0.1.0
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1 -g
else
BUILD ?= build
SANFLAGS :=
OPT ?= -O2 -g
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
        -Wswitch-enum -Wimplicit-fallthrough -Wno-format-nonliteral
CPPFLAGS += -I. -D_GNU_SOURCE -DBERTH_VERSION='"$(VERSION)"' -DBERTH_COMMIT='"$(COMMIT)"'
CFLAGS ?= $(OPT)
CFLAGS += -std=gnu11 $(WARN) $(SANFLAGS) -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS += $(SANFLAGS) -pie -Wl,-z,relro,-z,now

RUNTIME_LIBS := $(shell $(PKG_CONFIG) --libs yajl libseccomp libcap 2>/dev/null || echo -lyajl -lseccomp -lcap)
IMAGE_LIBS := $(shell $(PKG_CONFIG) --libs libarchive libcrypto 2>/dev/null || echo -larchive -lcrypto)

LIB_SRCS := $(wildcard lib/*.c)
BUNDLE_SRCS := $(wildcard bundle/*.c)
SECCOMP_SRCS := $(wildcard seccomp/*.c)
RUNTIME_SRCS := $(wildcard runtime/*.c)
CLI_SRCS := $(wildcard runtime/cli/*.c)
IMAGE_SRCS := $(wildcard image/*.c)
IMAGE_CLI_SRCS := $(wildcard image/cli/*.c)
UNIT_SRCS := $(wildcard tests/unit/*.c)
HELPER_SRCS := $(wildcard tests/helpers/*.c)

CORE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS) $(BUNDLE_SRCS) $(SECCOMP_SRCS) $(RUNTIME_SRCS))
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))
IMAGE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(IMAGE_SRCS))
IMAGE_CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(IMAGE_CLI_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))
MAN_PAGES := $(wildcard man/*.8)
MAN7_PAGES := $(wildcard man/*.7)

.PHONY: all check unit bats vm-check engines install uninstall deps format format-check fuzz bench \
        clean san-unit check-san quickstart
.DELETE_ON_ERROR:
# Keep the unit tests' objects: they are intermediate, but rebuilding them
# on every run is pointless.
.SECONDARY:

all: $(BUILD)/berth $(BUILD)/berth-image

$(BUILD)/libberth.a: $(CORE_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/berth: $(CLI_OBJS) $(BUILD)/libberth.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libberth.a $(RUNTIME_LIBS)

# berth-image: image/ over lib/ and bundle/ (libberth.a); only it links
# libarchive and libcrypto.
$(BUILD)/libberth-image.a: $(IMAGE_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/berth-image: $(IMAGE_CLI_OBJS) $(BUILD)/libberth-image.a $(BUILD)/libberth.a
	$(CC) $(LDFLAGS) -o $@ $(IMAGE_CLI_OBJS) $(BUILD)/libberth-image.a $(BUILD)/libberth.a \
	    $(IMAGE_LIBS) $(RUNTIME_LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The default seccomp profile is a data file compiled in as a C array, which
# seccomp/sfilter-default.c includes as "seccomp/default-profile.json.h".
$(BUILD)/seccomp/default-profile.json.h: seccomp/default-profile.json
	@mkdir -p $(@D)
	{ echo '/* Generated from $< by the Makefile. */'; \
	  echo 'static const char default_profile_json[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00};'; } >$@
$(BUILD)/seccomp/sfilter-default.o: $(BUILD)/seccomp/default-profile.json.h
$(BUILD)/seccomp/sfilter-default.o: CPPFLAGS += -I$(BUILD)

# The default profile's BPF, compiled while building (seccomp/sfilter-builtin.c
# says why) by a tool linked from the same objects as berth but the one that
# includes its output.
SFILTER_EMBED_OBJS := $(filter $(BUILD)/lib/% $(BUILD)/bundle/% $(BUILD)/seccomp/%,\
    $(filter-out $(BUILD)/seccomp/sfilter-builtin.o,$(CORE_OBJS)))
$(BUILD)/seccomp/gen/sfilter-embed: $(BUILD)/seccomp/gen/sfilter-embed.o $(SFILTER_EMBED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUNTIME_LIBS)
$(BUILD)/seccomp/default-profile.bpf.h: $(BUILD)/seccomp/gen/sfilter-embed
	$< >$@
$(BUILD)/seccomp/sfilter-builtin.o: $(BUILD)/seccomp/default-profile.bpf.h
$(BUILD)/seccomp/sfilter-builtin.o: CPPFLAGS += -I$(BUILD)

# The objects that print the commit are rebuilt when it changes.
$(BUILD)/commit.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' >$@
$(BUILD)/runtime/features.o $(BUILD)/runtime/cli/features.o $(BUILD)/image/cli/main.o: $(BUILD)/commit.stamp
.PHONY: FORCE
FORCE:

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libberth.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libberth.a $(RUNTIME_LIBS)

# The image module's unit tests (tests/unit/image-*.c) link it too.
$(BUILD)/tests/unit/image-%: $(BUILD)/tests/unit/image-%.o $(BUILD)/libberth-image.a $(BUILD)/libberth.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libberth-image.a $(BUILD)/libberth.a $(IMAGE_LIBS) $(RUNTIME_LIBS)

# Test programs run alone in a container's empty rootfs: static, so without
# LDFLAGS (its -pie undoes -static-pie) and never sanitized (the sanitizer
# runtimes do not link statically).
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -g -static-pie -o $@ $< 2>/dev/null || \
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -g -static -o $@ $<

unit: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

bats: $(BUILD)/berth $(BUILD)/berth-image $(HELPER_BINS)
	BERTH=$(abspath $(BUILD)/berth) BERTH_IMAGE=$(abspath $(BUILD)/berth-image) BERTH_BUILD=$(abspath $(BUILD)) tests/run-bats

# Every test, in this order (`make -k check` runs the later ones when an
# earlier one failed).  Each runner ends with its own closing line
# ("unit: N passed, N failed, N skipped", then bats:, vm:, engines:), or one
# line saying why it skipped.
check: unit bats vm-check engines

# The cgroup suites in a qemu guest with a pure cgroup v2 kernel
# (tests/vm/README.md): tests/vm/run skips, saying so in one line, without
# qemu-system-x86_64 or a Debian kernel in /boot, and with BERTH_VM=0.
vm-check: $(BUILD)/berth $(HELPER_BINS)
	BERTH=$(abspath $(BUILD)/berth) BERTH_BUILD=$(abspath $(BUILD)) tests/vm/run

# podman and containerd driving berth (tests/engines/run, which skips what
# is not installed); skipped, saying so, with BERTH_ENGINES=0 or while there
# is no runner.
engines: $(BUILD)/berth $(BUILD)/berth-image $(HELPER_BINS)
	@if [ "$${BERTH_ENGINES:-1}" = 0 ]; then \
	    echo "engines: skipped: BERTH_ENGINES=0"; \
	elif [ ! -e tests/engines/run ]; then \
	    echo "engines: skipped: there is no tests/engines/run"; \
	else \
	    BERTH=$(abspath $(BUILD)/berth) BERTH_IMAGE=$(abspath $(BUILD)/berth-image) \
	        BERTH_BUILD=$(abspath $(BUILD)) tests/engines/run; \
	fi

install: $(BUILD)/berth $(BUILD)/berth-image
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/berth $(DESTDIR)$(BINDIR)/berth
	install -m 0755 $(BUILD)/berth-image $(DESTDIR)$(BINDIR)/berth-image
	$(if $(MAN_PAGES),install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(MAN7_PAGES),install -d $(DESTDIR)$(MANDIR)/man7 && install -m 0644 $(MAN7_PAGES) $(DESTDIR)$(MANDIR)/man7/)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/berth $(DESTDIR)$(BINDIR)/berth-image $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN_PAGES))) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7_PAGES)))

deps:
	tests/install-deps

# Every C file git knows or would add (tracked, or untracked and not ignored).
FORMAT_SRCS = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null)
format:
	$(if $(FORMAT_SRCS),clang-format -i $(FORMAT_SRCS),@echo "format: no C files found (is this a git checkout?)")

format-check:
	$(if $(FORMAT_SRCS),clang-format --dry-run --Werror $(FORMAT_SRCS),@echo "format-check: no C files found (is this a git checkout?)"; exit 1)

# The tests under ASan+UBSan (in build-san/), leaks included.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
san-unit:
	$(SAN_ENV) $(MAKE) SAN=1 unit

# Without the VM and engine suites: the guest is emulated and the engines
# drive berth through paths the bats suites take already.
check-san:
	$(SAN_ENV) BERTH_VM=0 BERTH_ENGINES=0 $(MAKE) SAN=1 check

# Install the packages, build, and show berth at work (tests/demo.sh).
quickstart:
	tests/demo.sh

clean:
	rm -rf build build-san build-fuzz build-clang

-include tests/fuzz/fuzz.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
