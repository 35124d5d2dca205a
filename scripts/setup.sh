#!/usr/bin/env bash
# Everything a fresh machine needs for `npm test` to pass and for the engine's fast CPU path:
# the system packages (Debian/Ubuntu, through apt, when root or sudo can install them), then
# the npm dependencies. `npm run setup` runs this; so does CI (.ci/run).
#
#   chromium, fonts-*           the browser tests (test/browser) drive Chromium
#   libopenblas-dev, g++, make, python3
#                               `npm ci` builds the 'blas' backend's addon (native/) with them;
#                               without it the engine trains on wasm, about ten times slower
#   python3-torch               PyTorch, the reference `gmvae bench` compares with (its test checks
#                               that the reference builds the same networks as the engine)
#   libvulkan1                  the Vulkan loader Dawn (the `webgpu` package) needs; with
#                               chromium's SwiftShader driver the WebGPU tests run on the CPU
#   slurm-wlm, munge (CI only)  the Slurm executor's tests (test/sweeps/slurm.test.ts) need a
#                               cluster: under CI scripts/slurm-local.sh installs them and starts
#                               a one-node one (as root). Elsewhere run it yourself when you want
#                               that test or to try `gmvae sweep run --executor slurm`.
#
# GMVAE_SETUP_NO_APT=1 skips the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium fonts-liberation fonts-dejavu-core libopenblas-dev g++ make python3 python3-torch libvulkan1)

say() { printf 'setup: %s\n' "$*" >&2; }

missing_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

install_system_packages() {
  if [ -n "${GMVAE_SETUP_NO_APT:-}" ]; then
    say 'GMVAE_SETUP_NO_APT is set: not installing system packages'
    return
  fi
  if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    say "no apt here: install Chromium (or set CHROMIUM_PATH) for the browser tests; on Linux also"
    say "OpenBLAS headers and a C compiler for the fast 'blas' backend (macOS uses Accelerate)"
    return
  fi
  local missing
  missing=$(missing_packages)
  if [ -z "$missing" ]; then
    say 'system packages: all present'
    return
  fi
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      say "missing system packages, and neither root nor sudo to install them:" $missing
      incomplete="as root: apt-get install -y --no-install-recommends $(echo $missing), then run this again"
      return
    fi
    sudo=(sudo)
  fi
  say "installing system packages:" $missing
  "${sudo[@]}" apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends $missing
}

incomplete=''
install_system_packages

# CI: the one-node Slurm cluster the Slurm executor's tests submit to.
if [ -n "${CI:-}" ] && [ -z "${GMVAE_SETUP_NO_APT:-}" ]; then
  if ! bash scripts/slurm-local.sh; then
    incomplete="scripts/slurm-local.sh could not start the test Slurm cluster (its output is above); test/sweeps/slurm.test.ts will fail"
  fi
fi

# npm runs on the machine's Node; the project's scripts then run on the Node 22 it installs.
# The root `install` script builds native/ (it prints one line when it cannot).
npm ci --no-audit --no-fund

if [ ! -f native/build/Release/gmvae_blas.node ]; then
  say "the 'blas' addon is not built: training will use wasm, about ten times slower."
  say "See the line from native/build.mjs above; \`npm run build:native\` retries verbosely."
fi
if [ -n "$incomplete" ]; then
  say "not done: without the system packages the browser tests fail and training runs on wasm;"
  say "$incomplete"
  exit 1
fi
say 'done. Next: npm test'
