#!/usr/bin/env bash
# Installs everything kubelab needs on a fresh Debian machine (run as root, Node.js 20 present):
# Docker Engine from Debian's docker.io when no engine answers, busybox-static for the offline
# images, the npm dependencies, the build, and the local images. Safe to run again: each step
# is skipped when its result is already there.
#
#   --fresh-images   rebuild the local images from nothing (scripts/build-images.sh --fresh)
set -euo pipefail
cd "$(dirname "$0")/.."

image_flags=()
case "${1:-}" in
  --fresh-images) image_flags=(--fresh) ;;
  '') ;;
  *) echo "usage: $0 [--fresh-images]" >&2; exit 2 ;;
esac

log() { printf '==> %s\n' "$*"; }

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "$(id -u)" != 0 ]; then
  echo "error: run as root (kubelab drives the Docker Engine and the host's network)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js 20.19 or later is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# --- Docker Engine -------------------------------------------------------------------------
engine_answers() { timeout 10 docker info >/dev/null 2>&1; }
if ! engine_answers; then
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_install docker.io
  fi
  if [ -d /run/systemd/system ] && systemctl start docker >/dev/null 2>&1; then
    log "started docker with systemd"
  else
    mkdir -p /var/log/kubelab
    log "starting dockerd (log: /var/log/kubelab/dockerd.log)"
    nohup dockerd >/var/log/kubelab/dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do engine_answers && break; sleep 0.5; done
  engine_answers || { echo "error: the Docker Engine did not come up; see /var/log/kubelab/dockerd.log" >&2; exit 1; }
fi
log "Docker Engine $(docker version --format '{{.Server.Version}}') answers"

# --- tools the images and tests use ---------------------------------------------------------
apt_install busybox-static iproute2 util-linux
# npm run bench: wrk generates the HTTP load.
apt_install wrk
# HAProxy: the service proxy's baseline in npm run bench, and `kubelab lab up --servers 3`'s API
# load balancer in front of the lab's servers (run by the lab itself, never as the system service).
apt_install haproxy
# npm run bench: iperf3 measures the service proxy's bulk throughput (ClusterIP vs pod IP).
apt_install iperf3
# kubelabd server --store etcd, and test/integration/object-store.contract.test.ts, which starts its own
# etcd (v3 API, 3.4); etcdctl for `kubelabd snapshot restore` and `kubelab lab status`. The lab's
# --servers 3 runs one etcd member per server host. No systemd here: nothing starts etcd by itself.
apt_install etcd-server etcd-client
# test/lab/web-ui.test.ts: the web view is tested in Debian's chromium (headless), driven by playwright-core.
apt_install chromium

# --- npm dependencies and build -------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "building"
npm run --silent build
# The build compiles only the product (tsconfig.build.json); tests and benchmarks run from source
# through tsx, so type-check them here, as the build used to.
log "type-checking tests and benchmarks"
npm run --silent typecheck

# --- local images (no registry needed) ------------------------------------------------------
bash scripts/build-images.sh "${image_flags[@]}"
