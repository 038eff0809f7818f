# SPDX-License-Identifier: Apache-2.0
# `make fuzz`: build the libFuzzer targets in tests/fuzz/ with clang and
# ASan+UBSan into build-fuzz/, then run fuzz-config for FUZZ_SECONDS.
# Included from the Makefile (-include tests/fuzz/fuzz.mk); uses its
# CPPFLAGS and WARN.
#
#   make fuzz                      30 s, seeded with tests/data/config-{good,bad}
#   make fuzz FUZZ_SECONDS=600     longer
#   make fuzz FUZZ_ARGS=-jobs=8    anything else for libFuzzer
#   build-fuzz/fuzz-config build-fuzz/crash-<sha1>    replay a finding
#
# The seeds are copied into build-fuzz/corpus-config/ (which keeps growing
# across runs), so the files in tests/data are never modified.  Findings are
# written to build-fuzz/ (crash-*, leak-*, timeout-*, oom-*) and make fails.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_ARGS ?=
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIBS ?= -lyajl
# The library sources are compiled in directly (not build/libberth.a): the
# whole of them needs the sanitizer and coverage instrumentation.
FUZZ_SRCS = $(wildcard lib/*.c bundle/*.c)
FUZZ_HDRS = $(wildcard lib/*.h bundle/*.h)
FUZZ_CORPUS := $(FUZZ_BUILD)/corpus-config

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_SRCS) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(FUZZ_LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BUILD)/fuzz-config

fuzz: $(FUZZ_BUILD)/fuzz-config
	@mkdir -p $(FUZZ_CORPUS)
	@for f in tests/data/config-good/*.json; do cp "$$f" "$(FUZZ_CORPUS)/good-$${f##*/}"; done
	@for f in tests/data/config-bad/*.json; do cp "$$f" "$(FUZZ_CORPUS)/bad-$${f##*/}"; done
	$(FUZZ_BUILD)/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=200000 \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-dict=tests/fuzz/config.dict -artifact_prefix=$(FUZZ_BUILD)/ \
		$(FUZZ_ARGS) $(FUZZ_CORPUS)
