#!/usr/bin/env bash
# Builds kubelab's local images from Debian's busybox-static, with no registry: the pod infra
# image, a busybox image, and the tutorial's hello app in two versions. Fast when nothing
# changed (Docker's build cache).
set -euo pipefail
cd "$(dirname "$0")/../images"

# The images are FROM scratch: busybox must be the static build (Debian's busybox-static, which
# replaces the dynamically linked `busybox` package's /bin/busybox when installed).
busybox=/bin/busybox
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  echo "==> installing busybox-static"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  }
fi
if ldd "$busybox" 2>&1 | grep -q 'libc' || ! "$busybox" --list | grep -qx httpd; then
  echo "error: $busybox is not Debian's static busybox with httpd; apt-get install busybox-static" >&2
  exit 1
fi

build() { # image dir [build-arg]
  local image=$1 dir=$2; shift 2
  cp "$busybox" "$dir/busybox"
  DOCKER_BUILDKIT=0 docker build -q "$@" -t "$image" "$dir" >/dev/null 2>/tmp/kubelab-build-images.log || {
    echo "error: building $image failed:" >&2; cat /tmp/kubelab-build-images.log >&2; rm -f "$dir/busybox"; exit 1; }
  rm -f "$dir/busybox"
  echo "==> built $image"
}

build kubelab/pause:1 pause
build kubelab/busybox:1 busybox
build kubelab/hello:v1 hello --build-arg "MESSAGE=Hello World!"
build kubelab/hello:v2 hello --build-arg "MESSAGE=Hello World V2!"
