# SPDX-License-Identifier: Apache-2.0
# Sourced by tests/bench/podman.sh and docker.sh: the side-by-side run and
# its table, once the script has filled the arrays names (one label a
# runtime, "runc" for the reference) and cmds (the command line to time
# for each).
#
# Usage: engine_bench RUNS JSON_FILE ENGINE_VERSION
engine_bench() {
    local runs=$1 json=$2 version=$3 i runc_median
    local hf=()

    [ "${#names[@]}" -gt 0 ] || {
        note "no runtime could run the image"
        exit 1
    }
    note "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $version"
    for i in "${!names[@]}"; do
        hf+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    hyperfine -N -w 3 -r "$runs" --export-json "$json" "${hf[@]}" >&2

    runc_median=$(jq -r '.results[] | select(.command == "runc") | .median' "$json")
    echo "| runtime | median (ms) | mean ± σ (ms) | ÷ runc |"
    echo "|---|---:|---:|---:|"
    jq -r --arg r "${runc_median:-}" '.results[] |
        [.command, (.median * 1000 | . * 10 | round / 10),
         "\(.mean * 1000 | . * 10 | round / 10) ± \(.stddev * 1000 | . * 10 | round / 10)",
         (if $r == "" then "-" else (.median / ($r | tonumber) * 100 | round / 100) end)] |
        "| \(.[0]) | \(.[1]) | \(.[2]) | \(.[3]) |"' "$json"
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
