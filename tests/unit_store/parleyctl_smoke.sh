#!/usr/bin/env bash
# parleyctl end to end on a fresh database: exit codes, audit rows, change_log rows (what a running
# relay picks up), scoped and revocable API keys, no secrets in listings.
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
expect_rc 0 "$ctl" tenant set title 'Talk to Acme'
expect_rc 0 "$ctl" tenant set brand_color '#123456'
expect_rc 0 "$ctl" tenant show
grep -q '"title": "Talk to Acme"' "$dir/out" || fail "a later tenant set of another field lost the title"
grep -q '"brand_color": "#123456"' "$dir/out" || fail "brand_color not stored"
expect_rc 0 "$ctl" tenant create acme --name Acme
expect_rc 1 "$ctl" --tenant nope users list
printf '## Opening hours\nNine to five.\nKeywords: hours\n' > "$dir/kb.md"
expect_rc 0 "$ctl" --tenant acme kb import "$dir/kb.md"
expect_rc 0 "$ctl" --tenant acme kb list
grep -q 'opening-hours' "$dir/out" || fail "kb not imported"
expect_rc 0 "$ctl" apikey create ci
grep -q '^pk_' "$dir/out" || fail "api key not printed"
ci_key=$(cat "$dir/out")
grep -q 'scopes sync)' "$dir/err" || fail "the default scope is not sync"
expect_rc 0 "$ctl" apikey create ops --scope read,write
expect_rc 2 "$ctl" apikey create bad --scope root
expect_rc 2 "$ctl" apikey create bad --scope ''
expect_rc 0 "$ctl" apikey list
grep -q 'pk_' "$dir/out" && fail "apikey list shows a key"
grep -q "${ci_key:3:12}" "$dir/out" && fail "apikey list shows part of a key"
grep -Eq '^key_[a-z2-7]{20} +ci +sync +' "$dir/out" || fail "ci key not listed with scope sync"
grep -Eq ' ops +read,write ' "$dir/out" || fail "ops key not listed with read,write"
ci_id=$(awk '$2 == "ci" {print $1}' "$dir/out")
[ -n "$ci_id" ] || fail "no id for the ci key"
expect_rc 0 "$ctl" apikey revoke "$ci_id"
expect_rc 0 "$ctl" apikey revoke "$ci_id"
grep -q 'already revoked' "$dir/out" || fail "second revoke not reported as such"
expect_rc 1 "$ctl" apikey revoke key_missing
expect_rc 1 "$ctl" --tenant acme apikey revoke "$ci_id"
expect_rc 0 "$ctl" apikey list
awk -v id="$ci_id" '$1 == id' "$dir/out" | grep -Eq '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}Z *$' \
  || fail "revoked key shows no revocation time"
awk '$2 == "ops"' "$dir/out" | grep -Eq ' - +- *$' || fail "an active, unused key shows times"
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
[ "$n" = skip ] || [ "$n" = 11 ] || fail "expected 11 audit rows, found $n"
# One change row per change a running relay caches, written with the change (store/change_log.hpp).
changes=$(sqlite3 "$PARLEY_DB" "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM change_log ORDER BY id)" \
  2>/dev/null || echo skip)
want='user user user sessions tenant tenant tenant tenant kb apikey'
[ "$changes" = skip ] || [ "$changes" = "$want" ] || fail "change_log is '$changes', want '$want'"
bob=$(sqlite3 "$PARLEY_DB" "SELECT id FROM users WHERE username = 'bob'" 2>/dev/null || echo skip)
[ "$bob" = skip ] || [ "$(sqlite3 "$PARLEY_DB" "SELECT target FROM change_log WHERE kind = 'sessions'")" = "$bob" ] \
  || fail "the sessions change does not name bob"
# Issue 10: a folder (front matter and JSON), a dry run writes nothing, errors name file and line,
# export -> import -> export is the same, Markdown export with front matter.
mkdir -p "$dir/kbdir"
printf -- '---\ntitle: Refunds\ncategory: Billing\nkeywords: refund, money back\nlanguage: en\nactive: no\n---\nWe pay back in 5 days.\n' \
  > "$dir/kbdir/refunds.md"
printf '[{"id":"kb_f","title":"Facturas","body":"Por correo.","language":"es"}]' > "$dir/kbdir/es.json"
expect_rc 0 "$ctl" kb import "$dir/kbdir" --dry-run
grep -q 'dry run, nothing written: 2 article' "$dir/out" || fail "no dry-run summary"
expect_rc 0 "$ctl" kb list
grep -q 'refunds' "$dir/out" && fail "the dry run wrote"
expect_rc 0 "$ctl" kb import "$dir/kbdir"
expect_rc 0 "$ctl" kb export --out "$dir/a.json"
expect_rc 0 "$ctl" --tenant acme kb import "$dir/a.json"
expect_rc 0 "$ctl" --tenant acme kb export --out "$dir/b.json"
cmp -s "$dir/a.json" "$dir/b.json" || fail "kb export -> import -> export changed the articles"
expect_rc 0 "$ctl" kb export --format md --out "$dir/md"
grep -q '^active: false$' "$dir/md/refunds.md" || fail "the Markdown export lost the active flag"
printf -- '---\ntitle: Bad\nlanguage: English\n---\nx\n' > "$dir/kbdir/zz-bad.md"
expect_rc 1 "$ctl" kb import "$dir/kbdir"
grep -q 'zz-bad.md: line 1: language' "$dir/err" || fail "the import error does not name the file and line"
echo "parleyctl smoke: ok"
