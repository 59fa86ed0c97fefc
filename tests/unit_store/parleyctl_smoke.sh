#!/usr/bin/env bash
# parleyctl end to end on a fresh database: exit codes, audit rows, no secrets in listings.
# Usage: parleyctl_smoke.sh PATH/TO/parleyctl
set -euo pipefail
ctl=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export PARLEY_DB=$dir/p.db PARLEY_FAST_HASH=1
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() { local want=$1; shift; set +e; "$@" >"$dir/out" 2>"$dir/err"; local rc=$?; set -e
  [ "$rc" = "$want" ] || { cat "$dir/out" "$dir/err" >&2; fail "'$*' exited $rc, want $want"; }; }

expect_rc 0 "$ctl" --help
expect_rc 2 "$ctl"
expect_rc 2 "$ctl" frobnicate
expect_rc 0 "$ctl" users create --help
expect_rc 0 "$ctl" users create ann --role admin
grep -q '^password: ' "$dir/out" || fail "generated password not printed"
expect_rc 1 "$ctl" users create ann --role agent
expect_rc 2 "$ctl" users create bob --role boss
echo 'a long password' | "$ctl" users create bob --role agent --password-stdin >/dev/null
expect_rc 0 "$ctl" users list
grep -q argon2 "$dir/out" && fail "users list shows a password hash"
grep -q '^bob ' "$dir/out" || fail "bob not listed"
expect_rc 0 "$ctl" users set-password bob --password 'another long one'
expect_rc 2 "$ctl" tenant set handoff_after_turns 0
expect_rc 2 "$ctl" tenant set no_such_key 1
expect_rc 0 "$ctl" tenant set allowed_sites https://a.example,https://b.example
expect_rc 0 "$ctl" tenant show
grep -q 'https://b.example' "$dir/out" || fail "setting not stored"
expect_rc 0 "$ctl" tenant create acme --name Acme
expect_rc 1 "$ctl" --tenant nope users list
printf '## Opening hours\nNine to five.\nKeywords: hours\n' > "$dir/kb.md"
expect_rc 0 "$ctl" --tenant acme kb import "$dir/kb.md"
expect_rc 0 "$ctl" --tenant acme kb list
grep -q 'opening-hours' "$dir/out" || fail "kb not imported"
expect_rc 0 "$ctl" apikey create ci
grep -q '^pk_' "$dir/out" || fail "api key not printed"
expect_rc 0 "$ctl" conversations list --search 'x" OR'
expect_rc 2 "$ctl" conversations list --status nope
expect_rc 1 "$ctl" conversations transcript cv_missing
expect_rc 0 "$ctl" export --out "$dir/export.jsonl"
expect_rc 0 "$ctl" backup "$dir/copy.db"
expect_rc 1 "$ctl" backup "$dir/copy.db"
expect_rc 1 "$ctl" --db "$dir/missing.db" backup "$dir/copy2.db"
expect_rc 0 "$ctl" --db "$dir/copy.db" --tenant acme kb list
grep -q 'opening-hours' "$dir/out" || fail "backup lacks the kb"
n=$(sqlite3 "$PARLEY_DB" "SELECT COUNT(*) FROM audit WHERE actor_type = 'cli'" 2>/dev/null || echo skip)
[ "$n" = skip ] || [ "$n" = 7 ] || fail "expected 7 audit rows, found $n"
echo "parleyctl smoke: ok"
