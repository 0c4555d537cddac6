#!/usr/bin/env bash
# Builds kubelab's local images from Debian's busybox-static, with no registry: the pod infra
# image, a busybox image, and the tutorial's hello app in two versions. Fast when nothing
# changed (Docker's build cache).
#
#   --fresh   first remove every kubelab/* image on this engine, then build without the cache:
#             what the test suite does on every run, so an image that earlier work left on this
#             machine can never stand in for one no script builds (a fresh machine has none).
#
# The `build IMAGE DIR` lines at the bottom are the list of the project's images: the unit test
# test/unit/image-references.test.ts reads them and checks every image that a test, a benchmark,
# an example or a script names against them.
set -euo pipefail
cd "$(dirname "$0")/../images"

fresh=0
case "${1:-}" in
  --fresh) fresh=1 ;;
  '') ;;
  *) echo "usage: $0 [--fresh]" >&2; exit 2 ;;
esac

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

if [ "$fresh" = 1 ]; then
  # Containers still using one (a quick-start cluster) keep running: the tag goes, the layers stay.
  old=$(docker images --format '{{.Repository}}:{{.Tag}}' | grep '^kubelab/' || true)
  if [ -n "$old" ]; then
    echo "==> removing the kubelab images on this engine: $(echo $old)"
    docker rmi -f $old >/dev/null
  fi
fi
cache_flag=()
[ "$fresh" = 1 ] && cache_flag=(--no-cache)

build() { # image dir [build-arg]
  local image=$1 dir=$2; shift 2
  cp "$busybox" "$dir/busybox"
  DOCKER_BUILDKIT=0 docker build -q "${cache_flag[@]}" "$@" -t "$image" "$dir" >/dev/null 2>/tmp/kubelab-build-images.log || {
    echo "error: building $image failed:" >&2; cat /tmp/kubelab-build-images.log >&2; rm -f "$dir/busybox"; exit 1; }
  rm -f "$dir/busybox"
  echo "==> built $image"
}

build kubelab/pause:1 pause
build kubelab/busybox:1 busybox
build kubelab/hello:v1 hello --build-arg "MESSAGE=Hello World!"
build kubelab/hello:v2 hello --build-arg "MESSAGE=Hello World V2!"
