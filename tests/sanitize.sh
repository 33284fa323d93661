#!/usr/bin/env bash
# The whole test suite again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer, then a short run of each libFuzzer harness
# (clang). Called by the README's test command after the normal suite.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-asan -DJOURNAL_SANITIZE=ON -DJOURNAL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j2
LSAN_OPTIONS=suppressions=$PWD/tests/bad/lsan.supp \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2

if command -v clang >/dev/null 2>&1; then
    cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DJOURNAL_FUZZ=ON >/dev/null
    cmake --build build-fuzz -j2
    ctest --test-dir build-fuzz -R '^fuzz_' --output-on-failure
else
    echo "sanitize.sh: clang not installed, fuzz harnesses not run" >&2
fi
