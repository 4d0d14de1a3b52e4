#!/bin/sh
# Every figure of docs/PERFORMANCE.md from one run. Output: artifacts/perf/*.md and *.log.
# Takes about 10 minutes on 2 cores. Usage: bench/run-all.sh [--smoke]
set -eu
cd "$(dirname "$0")/.."
out=artifacts/perf
mkdir -p "$out"
smoke=""
bdn_job=""
if [ "${1:-}" = "--smoke" ]; then smoke="--smoke"; bdn_job="--job Dry"; fi

dotnet build src/Tianmu.LocalHost -c Debug -v q -nologo
dotnet build src/Tianmu.LocalHost -c Release -v q -nologo
dotnet publish src/Tianmu.LocalHost -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/localhost-r2r -v q -nologo
dotnet build bench/Tianmu.Benchmarks -c Release -v q -nologo
dotnet build bench/Tianmu.LoadTest -c Release -v q -nologo

{ lscpu | grep -E 'Model name|^CPU\(s\)'; free -h | grep Mem; dotnet --version; uptime; } > "$out/machine.txt"

# shellcheck disable=SC2086
dotnet bench/Tianmu.Benchmarks/bin/Release/net10.0/Tianmu.Benchmarks.dll --filter '*' $bdn_job 2>&1 | tee "$out/micro.log"
cp BenchmarkDotNet.Artifacts/results/*-report-github.md "$out/" 2>/dev/null || true

# shellcheck disable=SC2086
dotnet bench/Tianmu.LoadTest/bin/Release/net10.0/Tianmu.LoadTest.dll all $smoke --out "$out/load-buckets1.md" 2>&1 | tee "$out/load-buckets1.log"
# shellcheck disable=SC2086
dotnet bench/Tianmu.LoadTest/bin/Release/net10.0/Tianmu.LoadTest.dll load $smoke --buckets 8 --concurrency 16 --out "$out/load-buckets8.md" 2>&1 | tee "$out/load-buckets8.log"
