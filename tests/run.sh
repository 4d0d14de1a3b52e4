#!/usr/bin/env bash
# Runs every test suite of the repository and ends with the total: "N passed, N failed".
#   .NET: the WeChat library, the functions (unit + integration on Azurite with a WeChat stand-in),
#         the local host end to end, the Bicep templates.
#   Node: the client SDK against a real local host, and the README's token-verification examples (examples/).
# Needs the .NET 10 SDK and Node.js 20+; installs the npm packages it needs (Azurite, ip2region, the SDK's).
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
passed=0
failed=0
skipped=0
status=0

echo "==> npm tools (Azurite, ip2region)"
npm ci --no-audit --no-fund --prefix tools >"$results/npm-tools.log" 2>&1 || { cat "$results/npm-tools.log"; echo "npm ci in tools/ failed"; exit 1; }

echo "==> dotnet build"
dotnet build Functions.sln -c Release 2>&1 | tee "$results/build.log" | grep -E "error|warn|Elapsed" || true
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

echo "==> dotnet test"
dotnet test --solution Functions.sln -c Release --no-build 2>&1 | tee "$results/dotnet-test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# The closing summary of Microsoft.Testing.Platform: "total: N / failed: N / succeeded: N / skipped: N".
summary=$(awk '/Test run summary/{found=1} found' "$results/dotnet-test.log")
n=$(echo "$summary" | awk '/^ *succeeded:/{print $2}' | tail -1); passed=$((passed + ${n:-0}))
n=$(echo "$summary" | awk '/^ *failed:/{print $2}' | tail -1); failed=$((failed + ${n:-0}))
n=$(echo "$summary" | awk '/^ *skipped:/{print $2}' | tail -1); skipped=$((skipped + ${n:-0}))
if [ -z "$summary" ]; then echo "dotnet test printed no summary"; failed=$((failed + 1)); status=1; fi

if [ -f sdk/package.json ]; then
  echo "==> client SDK (node --test)"
  npm ci --no-audit --no-fund --prefix sdk >"$results/npm-sdk.log" 2>&1 || { cat "$results/npm-sdk.log"; status=1; }
  # The Node verification example installs jose from the npm registry through its lockfile.
  npm ci --no-audit --no-fund --prefix examples/verify-node >"$results/npm-verify-node.log" 2>&1 || { cat "$results/npm-verify-node.log"; status=1; }
  TIANMU_TEST_CONFIGURATION=Release npm test --prefix sdk 2>&1 | tee "$results/sdk-test.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  n=$(awk '/^# pass /{print $3}' "$results/sdk-test.log" | tail -1); passed=$((passed + ${n:-0}))
  n=$(awk '/^# fail /{print $3}' "$results/sdk-test.log" | tail -1); failed=$((failed + ${n:-0}))
  n=$(awk '/^# skipped /{print $3}' "$results/sdk-test.log" | tail -1); skipped=$((skipped + ${n:-0}))
  if ! grep -q '^# pass ' "$results/sdk-test.log"; then echo "the SDK tests printed no totals"; failed=$((failed + 1)); status=1; fi
fi

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
