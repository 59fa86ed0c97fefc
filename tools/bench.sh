#!/usr/bin/env bash
# tools/bench.sh: the relay's load benchmark (run through `make bench`, which builds first).
#
# For every scenario it starts a fresh relay on 127.0.0.1 (port 0, new temporary data directory,
# synchronous=FULL, rate limits lifted, tenant assistant off so chats start pending, one agent
# account), runs tools/loadgen against it, and stops it. Results go to stdout and to
# docs/benchmarks.md as markdown, with the machine they were measured on.
#
# Environment: BUILD (build folder, default build), BENCH_OUT (markdown file, default
# docs/benchmarks.md; "-" = stdout only), BENCH_SCENARIOS (space-separated names, default all:
# closed100 fanout100 closed2000 open2000 open5000 hold10k).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
RELAY=$BUILD/relay/parley-relay
CTL=$BUILD/tools/parleyctl
LOADGEN=$BUILD/tools/parley-loadgen
OUT=${BENCH_OUT:-docs/benchmarks.md}
SCENARIOS=${BENCH_SCENARIOS:-closed100 fanout100 closed2000 open2000 open5000 hold10k}
# The relay runs with its defaults (send-queue cap included) except the rate limits. Extra relay
# flags: BENCH_RELAY_ARGS.
RELAY_ARGS=${BENCH_RELAY_ARGS:-}
AGENT_USER=bench-agent
AGENT_PASSWORD=bench-password-1

for bin in "$RELAY" "$CTL" "$LOADGEN"; do
  [[ -x $bin ]] || { echo "bench: $bin is missing: run 'make build' (or 'make bench')" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/parley-bench-XXXXXX)
RELAY_PID=
stop_relay() {
  if [[ -n $RELAY_PID ]] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill -TERM "$RELAY_PID"
    wait "$RELAY_PID" || true
  fi
  RELAY_PID=
}
cleanup() {
  stop_relay
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_relay NAME: fresh data directory, settings through parleyctl, then the relay; sets PORT.
start_relay() {
  local dir=$WORK/$1
  mkdir -p "$dir/data"
  "$CTL" --db "$dir/data/parley.db" tenant set assistant_enabled false >/dev/null
  "$CTL" --db "$dir/data/parley.db" users create "$AGENT_USER" --role agent --password "$AGENT_PASSWORD" \
    >/dev/null 2>&1
  PARLEY_FAST_HASH=1 "$RELAY" --listen 127.0.0.1:0 --data-dir "$dir/data" --web-dir web \
    --port-file "$dir/port" --synchronous full --rate 1000000 --burst 1000000 --log-level warn $RELAY_ARGS \
    >"$dir/relay.stdout" 2>"$dir/relay.stderr" &
  RELAY_PID=$!
  local i
  for ((i = 0; i < 400; i++)); do  # wait for the port file (bounded: 20 s)
    if [[ -s $dir/port ]]; then
      PORT=$(<"$dir/port")
      return 0
    fi
    kill -0 "$RELAY_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: relay did not start; stderr:" >&2
  cat "$dir/relay.stderr" >&2
  exit 1
}

RESULTS=$WORK/results.jsonl
: >"$RESULTS"
# run_scenario NAME DESCRIPTION LOADGEN-ARGS...
run_scenario() {
  local name=$1 desc=$2
  shift 2
  start_relay "$name"
  echo "== $name: $desc" >&2
  local out
  out=$("$LOADGEN" --port "$PORT" --user "$AGENT_USER" --password "$AGENT_PASSWORD" --relay-pid "$RELAY_PID" \
      --timeout 300 --label "$desc" "$@" | tee >(cat >&2)) || true
  local line
  line=$(grep '^RESULT ' <<<"$out" | tail -1 | cut -c8-)
  [[ -n $line ]] && echo "{\"name\":\"$name\",\"result\":$line}" >>"$RESULTS"
  stop_relay
}

# Agent sockets: staff get inbox.changes only for what their lists show, coalesced (docs/protocol.md
# "inbox.changes"). The main scenarios use a realistic number of agent sockets (each agent
# handles several chats) and fill the socket count with idle customers; "fanout100" keeps one
# agent socket per conversation.
for s in $SCENARIOS; do
  case $s in
    closed100) run_scenario closed100 "100 conversations x 200 messages, closed loop, 10 agent sockets" \
      --conversations 100 --agents 10 --messages 200 ;;
    fanout100) run_scenario fanout100 "100 conversations x 200 messages, closed loop, 100 agent sockets (one per chat)" \
      --conversations 100 --agents 100 --messages 200 --drain 5 ;;
    closed2000) run_scenario closed2000 "2000 conversations x 10 messages, closed loop; 4000 sockets (2000 customers, 20 agents, 1980 idle)" \
      --conversations 2000 --agents 20 --idle 1980 --messages 10 ;;
    open2000) run_scenario open2000 "2000 conversations x 10 messages, open loop at 2000 msgs/s; 4000 sockets (2000 customers, 20 agents, 1980 idle)" \
      --conversations 2000 --agents 20 --idle 1980 --messages 10 --rate 2000 ;;
    open5000) run_scenario open5000 "500 conversations x 40 messages, open loop at 5000 msgs/s, 50 agent sockets" \
      --conversations 500 --agents 50 --messages 40 --rate 5000 ;;
    hold10k) run_scenario hold10k "10,000 sockets held (9890 idle customers) + 100 conversations x 20 messages, 10 agent sockets" \
      --conversations 100 --agents 10 --idle 9890 --messages 20 ;;
    *) echo "bench: unknown scenario $s" >&2; exit 2 ;;
  esac
done

CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MACHINE="$(nproc) cores, ${CPU_MODEL:-unknown CPU}, Linux $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)"
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE=$(date -u +%Y-%m-%d)

MARKDOWN=$(MACHINE="$MACHINE" REV="$REV" DATE="$DATE" RELAY_ARGS="$RELAY_ARGS" node -e '
const fs = require("fs");
const rows = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const f = (x, d = 1) => (typeof x === "number" ? x.toFixed(d) : "-");
let md = `<!-- loadgen:start (written by tools/bench.sh; everything outside the markers is kept) -->\n### tools/loadgen, the load generator of the relay (make bench)\n\n`;
md += `Measured by \`make bench\` (tools/bench.sh driving tools/loadgen) on ${process.env.MACHINE}; `;
md += `commit ${process.env.REV}, ${process.env.DATE}. Relay and load generator share the machine and talk `;
md += `over 127.0.0.1. Each scenario uses a fresh relay and database (\`--synchronous full\`: every `;
md += `acknowledged message is on disk), rate limits lifted, the tenant assistant off, and one agent `;
md += `login shared by the agent sockets. Latency is from the customer sending a message to the agent `;
md += `socket receiving its \`chat.new_message\`; "lost" counts messages acknowledged to the customer but `;
md += `never delivered to the agent. Relay flags: ${process.env.RELAY_ARGS ? "\`" + process.env.RELAY_ARGS + "\`" : "the defaults (1 MiB send-queue cap included)"} besides the rate limits.\n\n`;
md += `Reproduce: \`make bench\` (or \`BENCH_SCENARIOS="closed100" tools/bench.sh\` after \`make build\`).\n\n`;
md += `| scenario | sockets | messages (acked / delivered / lost) | msgs/s | p50 ms | p99 ms | max ms | relay peak RSS MB | relay CPU s | loadgen CPU s | errors / closes |\n`;
md += `|---|---|---|---|---|---|---|---|---|---|---|\n`;
for (const { name, result: r } of rows) {
  const extra = [JSON.stringify(r.errors), JSON.stringify(r.closes)].filter((x) => x !== "{}").join(" ") || "none";
  md += `| ${name}: ${r.label} | ${r.sockets} | ${r.acked} / ${r.received} / ${r.lost} | ${f(r.msgs_per_s, 0)} | `;
  md += `${f(r.latency_ms.p50, 2)} | ${f(r.latency_ms.p99, 2)} | ${f(r.latency_ms.max, 2)} | `;
  md += `${f(r.relay?.vm_hwm_mb)} | ${f(r.relay?.cpu_s_messages, 2)} | ${f(r.loadgen_cpu_s_messages, 2)} | ${extra}${r.end === "done" ? "" : " (end: " + r.end + ")"} |\n`;
}
md += `\nRelay CPU is user+system time of the relay process during the message phase (from /proc); `;
md += `setup (connecting, hello, start, join, accept) is not included in msgs/s or latency.\n`;
md += `\nRaw results (one JSON object per scenario, as printed by parley-loadgen):\n\n\`\`\`\n`;
md += rows.map((r) => JSON.stringify(r)).join("\n") + "\n```\n<!-- loadgen:end -->\n";
process.stdout.write(md);
' "$RESULTS")

echo
echo "$MARKDOWN"
if [[ $OUT != "-" ]]; then
  # Replace only the section between the loadgen markers; the analysis, the browser section
  # (tools/bench_web.mjs) and the history around it stay. No markers yet: append the section.
  if [[ -f $OUT ]] && grep -q '^<!-- loadgen:start' "$OUT"; then
    SECTION="$MARKDOWN" node -e '
      const fs = require("fs");
      const text = fs.readFileSync(process.argv[1], "utf8");
      const a = text.indexOf("<!-- loadgen:start"), b = text.indexOf("<!-- loadgen:end -->");
      if (a < 0 || b < a) { console.error("bench: loadgen markers out of order in " + process.argv[1]); process.exit(1); }
      fs.writeFileSync(process.argv[1], text.slice(0, a) + process.env.SECTION.trimEnd() + "\n" + text.slice(b + "<!-- loadgen:end -->\n".length));
    ' "$OUT"
  else
    printf '\n%s\n' "$MARKDOWN" >>"$OUT"
  fi
  echo "bench: results written to $OUT" >&2
fi
