#!/usr/bin/env bash
# Quick start on a fresh Debian machine (root, Node.js 20): installs what is missing, starts a
# single-node cluster (kubelabd server) in the background, runs the tutorial's hello-world pod
# and prints how to reach it. Safe to run again: a running daemon is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash scripts/setup.sh

data_dir=${KUBELAB_DATA_DIR:-/var/lib/kubelab}
log_dir=/var/log/kubelab
pid_file="$data_dir/kubelabd.pid"
kubeconfig="$data_dir/kubeconfig.yaml"
mkdir -p "$data_dir" "$log_dir"

echo "==> installing the kubelab and kubelabd commands (npm link)"
npm link --no-audit --no-fund --loglevel=error >/dev/null
kubelab() { node "$repo/dist/bin/kubelab.js" --kubeconfig "$kubeconfig" "$@"; }

if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "==> kubelabd is already running (pid $(cat "$pid_file"))"
else
  echo "==> starting kubelabd server (log: $log_dir/kubelabd.log)"
  nohup node "$repo/dist/daemon/main.js" server --data-dir "$data_dir" >>"$log_dir/kubelabd.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
fi

for _ in $(seq 1 120); do
  [ -f "$kubeconfig" ] && kubelab get nodes >/dev/null 2>&1 && break
  kill -0 "$(cat "$pid_file")" 2>/dev/null || { echo "error: kubelabd exited; see $log_dir/kubelabd.log" >&2; tail -20 "$log_dir/kubelabd.log" >&2; exit 1; }
  sleep 0.5
done
kubelab get nodes

echo "==> kubelab apply -f examples/first-app/helloworld.yml"
kubelab apply -f examples/first-app/helloworld.yml
pod=nodehelloworld.example.com
for _ in $(seq 1 120); do
  phase=$(kubelab get pod "$pod" -o 'jsonpath={.status.phase}' 2>/dev/null || true)
  [ "$phase" = Running ] && break
  sleep 0.5
done
kubelab get pods -o wide
ip=$(kubelab get pod "$pod" -o 'jsonpath={.status.podIP}')
answer=$(node -e "fetch('http://$ip:3000/').then(r => r.text()).then(t => process.stdout.write(t.trim()), e => { console.error(e.message); process.exit(1) })")
echo "==> the pod answers on http://$ip:3000/ : $answer"
cat <<MSG

kubelab is running. Try:
  export KUBECONFIG=$kubeconfig
  kubelab get pods -o wide
  kubelab logs $pod
  kubelab exec -it $pod -- sh
  kubelab delete pod $pod
The real kubectl works with the same KUBECONFIG. Stop the daemon with: kill \$(cat $pid_file)
MSG
