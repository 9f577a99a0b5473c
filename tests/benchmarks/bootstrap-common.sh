# Sourced by crawl-rate.sh and bootstrap-scale.sh: runs bin/run_bootstrap_node on a copy of configs/bootstrap.config
# and waits for the crawl to see a consistent ring. Sets root, work, pid; stops the process and removes work on exit.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
wait_limit=${WAIT:-300}
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build once up front, so the first timed crawl does not include a build.
"$root/bin/crawl" --help >/dev/null || exit 2

field() { sed -n "s/^$1: //p" <<<"$2"; }

# start_bootstrap N EDGE_PORT CONTROL_PORT DIR: starts N nodes in the background (pid in $pid, log in DIR/run.log).
start_bootstrap() {
  local n=$1 edge_port=$2 control_port=$3 dir=$4
  mkdir -p "$dir"
  sed -e "s/40000/$edge_port/g" -e "s#<Port>10000</Port>#<Port>$control_port</Port>#" \
      -e "s#<KeyPath>[^<]*</KeyPath>#<KeyPath>$dir/bootstrap.key</KeyPath>#" \
      "$root/configs/bootstrap.config" >"$dir/bootstrap.config"
  "$root/bin/run_bootstrap_node" "$dir/bootstrap.config" -n "$n" >"$dir/run.log" 2>&1 &
  pid=$!
  echo "== $n nodes (pid $pid, control 127.0.0.1:$control_port)"
}

# wait_converged N CONTROL_PORT DIR END: crawls every 2 s until N nodes with consistency 1.0 (sets converged to the
# seconds taken) or wait_limit passes (converged stays empty; total and consistency hold the last crawl). END is the
# line end of the progress line (\r or \n).
wait_converged() {
  local n=$1 control_port=$2 dir=$3 end=$4 start=$SECONDS out
  converged=""
  while [ $((SECONDS - start)) -lt "$wait_limit" ]; do
    sleep 2
    kill -0 "$pid" 2>/dev/null || { echo "run_bootstrap_node exited; see its log:"; tail -5 "$dir/run.log"; exit 1; }
    out=$("$root/bin/crawl" --node "127.0.0.1:$control_port" --timeout 60 2>/dev/null) || true
    total=$(field "Total Nodes" "$out"); consistency=$(field "Consistency" "$out")
    printf "  %4ss: %s nodes, consistency %s$end" $((SECONDS - start)) "${total:-?}" "${consistency:-?}"
    if [ "${total:-0}" = "$n" ] && [ "$consistency" = "1.0" ]; then converged=$((SECONDS - start)); return; fi
  done
}
