#!/usr/bin/env bash
# Builds vepoll (normal configuration, build/normal) and runs the demo:
# producer threads writing into in-memory pipes, one event loop draining them
# through vepoll_wait.  Arguments go to the demo, e.g.
#   bash tools/demo.sh --seconds 5 --producers 8 --et
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash tools/deps.sh

cmake -S . -B build/normal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVEPOLL_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/normal -j"${VEPOLL_JOBS:-2}" --target vepoll-demo
exec build/normal/vepoll-demo "$@"
