#!/usr/bin/env bash
# The data plane against a static-file server, same file, same machine, same run (BENCHMARKS.md).
#
#   bench/data_plane.sh [SIZE_MB]        # default 2048 (the issue asks for >= 2 GB)
#
# Needs nginx (Debian: apt-get install nginx-light) and curl; builds dfft in release mode.
# Everything listens on 127.0.0.1 only and stops by itself. For each case it pulls the file once
# with curl to /dev/null and reports wall time, throughput, the server's CPU seconds per GB
# (utime+stime of the serving process, from /proc) and the server's peak RSS (VmHWM).
# Cases: nginx; dfft with no transforms; dfft pseudonymizing two columns; dfft pseudonymizing two
# columns and sealing to the consumer (dfft-seal/1).
set -euo pipefail

size_mb=${1:-2048}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/dfft-data-plane-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release -q -p dfft --manifest-path "$here/Cargo.toml"
dfft="$here/target/release/dfft"

echo "generating a ${size_mb} MB CSV..." >&2
python3 - "$work/people.csv" "$size_mb" <<'EOF'
import sys, random
path, size = sys.argv[1], int(sys.argv[2]) * 1_000_000
rng = random.Random(2026)
regions = ["north", "south", "east", "west", "central"]
row = 0
with open(path, "w", buffering=1 << 20) as f:
    f.write("id,name,email,birth_date,age,postcode,diagnosis,amount\n")
    written = 0
    block = []
    while written < size:
        for _ in range(10000):
            row += 1
            line = f"{row},Person {row},person{row}@example.org,19{rng.randint(30,99)}-0{rng.randint(1,9)}-1{rng.randint(0,9)},{rng.randint(18,90)},{rng.randint(10000,99999)},code-{rng.randint(0,500)},{rng.randint(0,100000)}.{rng.randint(0,99):02d}\n"
            block.append(line)
            written += len(line)
        f.write("".join(block))
        block = []
EOF
bytes=$(stat -c %s "$work/people.csv")
chmod 755 "$work" && chmod 644 "$work/people.csv"   # nginx's workers run as an unprivileged user

cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, clock ticks
hwm_of() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }  # kB
ticks=$(getconf CLK_TCK)

# measure NAME PID URL [AUTH]: one pull with curl, the serving process's CPU and peak RSS.
measure() {
  local name=$1 pid=$2 url=$3 auth=${4:-}
  local before after start end
  before=$(cpu_of "$pid")
  start=$(date +%s.%N)
  if [ -n "$auth" ]; then
    curl -sS -f -H "Authorization: $auth" -o /dev/null "$url"
  else
    curl -sS -f -o /dev/null "$url"
  fi
  end=$(date +%s.%N)
  sleep 0.2
  after=$(cpu_of "$pid")
  python3 - "$name" "$bytes" "$start" "$end" "$before" "$after" "$ticks" "$(hwm_of "$pid")" <<'EOF'
import sys
name, size, start, end, before, after, ticks, hwm = sys.argv[1:]
size, seconds = int(size), float(end) - float(start)
cpu = (int(after) - int(before)) / int(ticks)
print(f"| {name:<44} | {size / seconds / 1e6:>8.0f} MB/s | {seconds:>7.2f} s | {cpu / (size / 1e9):>7.2f} CPU s/GB | {int(hwm) / 1024:>7.1f} MiB |")
EOF
}

# nginx, serving the directory on a loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$port; root $work; }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
sleep 0.5
worker=$(pgrep -f "nginx: worker process" | head -1)

echo "| case | throughput | wall | server CPU | server peak RSS |"
echo "|---|---:|---:|---:|---:|"
measure "nginx (sendfile), static file" "$worker" "http://127.0.0.1:$port/people.csv"

# dfft: a provider with the same file under three offers, and a consumer.
"$dfft" init "$work/provider" --name Provider --jurisdiction DE >/dev/null
"$dfft" init "$work/consumer" --name Consumer --jurisdiction JP >/dev/null
offer() {
  python3 - "$@" <<'EOF'
import json, sys
duties = []
for d in sys.argv[1:]:
    if d == "pseudonymize":
        duties.append({"action": "https://w3id.org/dfft/ns#pseudonymize", "constraint": [
            {"leftOperand": "https://w3id.org/dfft/ns#field", "operator": "isAnyOf", "rightOperand": ["name", "email"]}]})
    if d == "encrypt":
        duties.append({"action": "https://w3id.org/dfft/ns#encrypt"})
print(json.dumps({"@id": "urn:offer:" + "-".join(sys.argv[1:] or ["plain"]), "@type": "Offer",
                  "permission": [{"action": "use", "duty": duties}]}))
EOF
}
offer > "$work/plain.json"
offer pseudonymize > "$work/pseudo.json"
offer pseudonymize encrypt > "$work/sealed.json"
for id in plain pseudo sealed; do
  "$dfft" dataset add "$work/provider" --id "$id" --file "$work/people.csv" --category personal --subjects 1000 \
    --policy "$work/$id.json" >/dev/null
done
"$dfft" serve "$work/provider" --listen 127.0.0.1:0 --log error > "$work/provider.out" &
pids+=($!)
provider_pid=$!
"$dfft" serve "$work/consumer" --listen 127.0.0.1:0 --log error > "$work/consumer.out" &
pids+=($!)
sleep 1
provider_url=$(head -1 "$work/provider.out" | sed 's/listening on //')
consumer_url=$(head -1 "$work/consumer.out" | sed 's/listening on //')
admin="Authorization: Bearer $(cat "$work/consumer/admin.token")"
# `dfft serve` re-executes itself once (allocator settings): the serving process is its child.
server=$(pgrep -P "$provider_pid" dfft || echo "$provider_pid")

for id in plain pseudo sealed; do
  agreement=$("$dfft" negotiate "$work/consumer" --provider "$provider_url" --dataset "$id" --purpose research --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["negotiation"]["agreement_id"])')
  pid=$(curl -sS -H "$admin" -H 'Content-Type: application/json' -d "{\"agreement\":\"$agreement\"}" \
    "$consumer_url/api/transfers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  for _ in $(seq 100); do
    state=$(curl -sS -H "$admin" "$consumer_url/api/transfers/$pid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$state" = STARTED ] && break
    sleep 0.05
  done
  read -r endpoint auth < <(curl -sS -H "$admin" "$consumer_url/api/transfers/$pid" | python3 -c '
import json, sys
a = json.load(sys.stdin)["data_address"]
props = {p["name"]: p["value"] for p in a.get("endpointProperties", [])}
print(a["endpoint"], props["authorization"])')
  case $id in
    plain) name="dfft, no transforms" ;;
    pseudo) name="dfft, 2 columns pseudonymized" ;;
    sealed) name="dfft, 2 columns pseudonymized + sealed" ;;
  esac
  measure "$name" "$server" "$endpoint" "$auth"
done
echo "file: $bytes bytes; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
