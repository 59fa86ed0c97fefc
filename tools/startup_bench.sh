#!/usr/bin/env bash
# tools/startup_bench.sh: time from starting the relay (fresh, and again after kill -9) to serving,
# on a database with many messages in open conversations (part of `make bench`).
#
# Builds the database once per run with sqlite3 (CONVS open conversations, half waiting, half
# active, MSGS messages each, as events and messages), then starts the relay RUNS times and
# measures until GET /healthz answers, and once more after kill -9 of a running relay. Prints one
# line per run and the median. Environment: BUILD (default build), CONVS (2000), MSGS (200),
# RUNS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RELAY=$BUILD/relay/parley-relay
CONVS=${CONVS:-2000}
MSGS=${MSGS:-200}
RUNS=${RUNS:-5}
[[ -x $RELAY ]] || { echo "startup_bench: $RELAY is missing: run 'make build'" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "startup_bench: sqlite3 is missing (tools/setup.sh installs it)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/parley-startup-XXXXXX)
PID=
trap '[[ -n $PID ]] && kill -9 $PID 2>/dev/null; rm -rf "$WORK"' EXIT
DB=$WORK/data/parley.db
mkdir -p "$WORK/data"

# The schema: let the relay create it (first start), then stop it.
PARLEY_FAST_HASH=1 "$RELAY" --listen 127.0.0.1:0 --data-dir "$WORK/data" --web-dir web --port-file "$WORK/port" \
  --log-level warn >/dev/null 2>&1 &
PID=$!
for ((i = 0; i < 400; i++)); do [[ -s $WORK/port ]] && break; sleep 0.05; done
kill -TERM $PID; wait $PID || true; PID=
rm -f "$WORK/port"

echo "startup_bench: filling $CONVS open conversations x $MSGS messages ..." >&2
sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO contacts(id, tenant_id, name, channel, created_at)
  SELECT 'k_' || i, 't_default', 'Customer ' || i, 'web', 1700000000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO conversations(id, tenant_id, contact_id, channel, status, ending, priority, answered_by,
                          topic, created_at, updated_at, handed_off_at, head_seq, assignee_id, assignee_name)
  SELECT 'c_' || i, 't_default', 'k_' || i, 'web', CASE WHEN i % 2 THEN 'pending' ELSE 'active' END, 'none',
         'normal', 'builtin', 'load', 1700000000000, 1700000000000 + $MSGS, 1700000000000 + i, $MSGS,
         CASE WHEN i % 2 THEN '' ELSE 'u_bench' END, CASE WHEN i % 2 THEN '' ELSE 'Bench' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS),
               m(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM m WHERE j < $MSGS)
INSERT INTO events(conversation_id, seq, tenant_id, type, audience, actor_role, actor_id, data_json, at)
  SELECT 'c_' || i, j, 't_default', 'chat.new_message', 'everyone', 'customer', 'k_' || i,
         '{"message":{"text":"message ' || j || '"}}', 1700000000000 + j FROM n, m;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS),
               m(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM m WHERE j < $MSGS)
INSERT INTO messages(conversation_id, seq, tenant_id, client_msg_id, sender_role, sender_id, kind, text, at)
  SELECT 'c_' || i, j, 't_default', 'cm-' || i || '-' || j, 'customer', 'k_' || i, 'text',
         'message ' || j || ' of a conversation that goes on', 1700000000000 + j FROM n, m;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
echo "startup_bench: $(sqlite3 "$DB" 'SELECT count(*) FROM messages') messages, $(du -m "$DB" | cut -f1) MB" >&2

# start_once: starts the relay (PID) and sets MS to the milliseconds from exec to the first 200
# of /healthz.
start_once() {
  rm -f "$WORK/port"
  local t0 t1 port
  t0=$(date +%s%N)
  PARLEY_FAST_HASH=1 "$RELAY" --listen 127.0.0.1:0 --data-dir "$WORK/data" --web-dir web --port-file "$WORK/port" \
    --log-level warn >/dev/null 2>"$WORK/stderr" &
  PID=$!
  while :; do
    if [[ -s $WORK/port ]]; then
      port=$(<"$WORK/port")
      curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
    fi
    kill -0 $PID 2>/dev/null || { echo "startup_bench: relay died" >&2; cat "$WORK/stderr" >&2; exit 1; }
    sleep 0.002
  done
  t1=$(date +%s%N)
  MS=$(((t1 - t0) / 1000000))
}
times=()
for ((r = 1; r <= RUNS; r++)); do
  start_once
  kill -TERM $PID; wait $PID || true; PID=
  echo "start $r: $MS ms" >&2
  times+=("$MS")
done
start_once
kill -9 $PID; wait $PID 2>/dev/null || true; PID=
start_once
after_kill=$MS
echo "start after kill -9: $MS ms" >&2
kill -TERM $PID; wait $PID || true; PID=
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "STARTUP {\"conversations\":$CONVS,\"messages\":$((CONVS * MSGS)),\"runs\":$RUNS,\"median_ms\":$median,\"after_kill9_ms\":$after_kill,\"all_ms\":[$(IFS=,; echo "${times[*]}")]}"
