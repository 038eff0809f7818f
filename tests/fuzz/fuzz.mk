# SPDX-License-Identifier: Apache-2.0
# `make fuzz`: build the libFuzzer targets in tests/fuzz/ with clang and
# ASan+UBSan into build-fuzz/, then run each of them for FUZZ_SECONDS.
# Included from the Makefile (-include tests/fuzz/fuzz.mk); uses its
# CPPFLAGS, WARN and IMAGE_LIBS.
#
#   fuzz-config        config.json -> spec_load, and back through spec_write
#   fuzz-json          lib/json.c's fast reader against yajl (differential)
#   fuzz-image-config  image config, manifest, index, docker manifest.json
#   fuzz-layer         a layer (tar, gzip or zstd) applied to a scratch root
#
#   make fuzz                          each target 30 s, then fail on findings
#   make fuzz FUZZ_SECONDS=600         longer
#   make fuzz FUZZ_TARGETS=layer       only some of them
#   make fuzz FUZZ_ARGS=-jobs=8        anything else for libFuzzer
#   make fuzz FUZZ_BUILD=build-x-fuzz  another build directory
#   build-fuzz/fuzz-layer build-fuzz/layer-crash-<sha1>    replay a finding
#
# fuzz-layer takes a tmpfs of its own when run as root (see its header);
# the extractor's paths for an unprivileged caller (read-only directories
# made writable for a while) need a run as another user, with a corpus and
# an artifact directory that user can write, e.g.
#   setpriv --reuid=65534 --regid=65534 --clear-groups \
#       build-fuzz/fuzz-layer -artifact_prefix=/tmp/x/ /tmp/x/corpus
#
# The seeds (tests/data for the JSON targets, tests/fuzz/seeds-*) are copied
# into build-fuzz/corpus-<target>/, which keeps growing across runs, so the
# files in the tree are never modified.  Findings are written to build-fuzz/
# as <target>-crash-*, -leak-*, -timeout-*, -oom-*; every target runs even
# when an earlier one found something, and make fails at the end.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_ARGS ?=
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS ?= config json image-config layer
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_YAJL_LIBS ?= -lyajl
FUZZ_IMAGE_LIBS ?= $(IMAGE_LIBS) -lyajl

# The library sources are compiled here (not build/libberth.a): all of them
# need the sanitizer and coverage instrumentation.  Each target links only
# what it uses.  fuzz-json #includes lib/json.c to reach its two readers.
FUZZ_LIB := $(filter-out lib/json.c,$(wildcard lib/*.c))
FUZZ_SRCS_config := lib/json.c $(FUZZ_LIB) $(wildcard bundle/*.c)
FUZZ_SRCS_json := $(FUZZ_LIB)
FUZZ_SRCS_image-config := lib/json.c $(FUZZ_LIB) bundle/strv.c image/manifest.c \
                          image/platform.c image/digest.c image/ref.c
FUZZ_SRCS_layer := lib/json.c $(FUZZ_LIB) image/archive.c image/extract.c image/remove.c \
                   image/digest.c
FUZZ_LIBS_config := $(FUZZ_YAJL_LIBS)
FUZZ_LIBS_json := $(FUZZ_YAJL_LIBS)
FUZZ_LIBS_image-config := $(FUZZ_IMAGE_LIBS)
FUZZ_LIBS_layer := $(FUZZ_IMAGE_LIBS)

# libFuzzer's options per target: input size and dictionary.
FUZZ_OPTS_config := -max_len=200000 -dict=tests/fuzz/config.dict
FUZZ_OPTS_json := -max_len=65536 -dict=tests/fuzz/json.dict
FUZZ_OPTS_image-config := -max_len=65536 -dict=tests/fuzz/image-config.dict
FUZZ_OPTS_layer := -max_len=65536 -dict=tests/fuzz/layer.dict

# Seeds: the JSON targets share the config.json test data.
FUZZ_SEEDS_config := $(wildcard tests/data/config-good/*.json tests/data/config-bad/*.json)
FUZZ_SEEDS_json := $(FUZZ_SEEDS_config) $(wildcard tests/fuzz/seeds-json/*)
FUZZ_SEEDS_image-config := $(wildcard tests/fuzz/seeds-image-config/*)
FUZZ_SEEDS_layer := $(wildcard tests/fuzz/seeds-layer/*)

FUZZ_ALL := config json image-config layer
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz-%,$(FUZZ_TARGETS))

# Objects: coverage without libFuzzer's main, which only the link adds.
$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

define FUZZ_TARGET_RULE
$(FUZZ_BUILD)/fuzz-$(1): $(FUZZ_BUILD)/obj/tests/fuzz/fuzz-$(1).o \
                         $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_SRCS_$(1)))
	$$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$^ $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_TARGET_RULE,$(t))))

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# One target's run, as shell text ending in ';': copy its seeds into its
# corpus, run it, and note a failure in $rc.  FUZZ_ARGS comes last, so that
# it can override any option.
define FUZZ_RUN
mkdir -p $(FUZZ_BUILD)/corpus-$(1); \
for f in $(FUZZ_SEEDS_$(1)); do \
    d=$${f%/*}; cp "$$f" "$(FUZZ_BUILD)/corpus-$(1)/seed-$${d##*/}-$${f##*/}"; \
done; \
echo "fuzz: fuzz-$(1) for $(FUZZ_SECONDS) s"; \
$(FUZZ_BUILD)/fuzz-$(1) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 $(FUZZ_OPTS_$(1)) -artifact_prefix=$(FUZZ_BUILD)/$(1)- \
    $(FUZZ_ARGS) $(FUZZ_BUILD)/corpus-$(1) \
    || { echo "fuzz: fuzz-$(1) FAILED: findings in $(FUZZ_BUILD)/$(1)-*"; rc=1; };
endef

# Every target runs even if one before it found something; then make fails.
fuzz: $(FUZZ_BINS)
	@rc=0; $(foreach t,$(FUZZ_TARGETS),$(call FUZZ_RUN,$(t))) exit $$rc
