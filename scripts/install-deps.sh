#!/usr/bin/env bash
# Installs ablate's build and run-time dependencies from Debian 12's archive.
# Idempotent: asks apt only for the packages that are missing, so a second run
# is a no-op that needs no network.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libtorch-dev            # LibTorch 1.13 (CPU)
  libopenblas0-pthread    # without it LibTorch's fp32 matmuls use reference BLAS (~30x slower)
  libyaml-cpp-dev libfmt-dev libeigen3-dev nlohmann-json3-dev libcli11-dev
  libcairo2-dev           # anti-aliased rendering of proxy-world scenes
  fonts-dejavu-core       # the font of signs in scenes (rendered text) and of contact sheets
  zlib1g-dev              # reads the gzipped Fashion-MNIST files
  dataset-fashion-mnist   # the real photos of the proxy world (data/fashion.h)
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3-torch           # tests only: checks that Python's torch.load reads saved encoders
  slurmctld slurmd slurm-client munge  # tests only: a single-node Slurm (scripts/local-slurm.sh)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
