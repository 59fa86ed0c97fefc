// relay/src/store/api_keys.hpp: API keys with scopes and a lifecycle (issue 6, security 1).
//
// A key is a secret "pk_..." string shown once at creation; the database keeps only its SHA-256
// (hex, see store/auth.hpp sha256_hex), never the key. Each key has a public id ("key_..."), a
// name, the tenant it acts for, a set of scopes, and created / last used / revoked times (unix ms,
// 0 = never).
//
// Scopes (what the relay lets a key do; the relay's HTTP layer enforces them):
//   sync   the mirror endpoints POST /api/chat/sync and /api/chat/handoff
//   read   REST reads (GET /api/v1/...)
//   write  REST writes that are not administration (messages, notes, conversation changes)
//   admin  administration: users, keys, tenant settings
// The first-start key gets only `sync`; `parleyctl apikey create` defaults to `sync`. Keys that
// existed before schema v4 got every scope (their behaviour before scopes existed).
//
// Threads: writers run inside Store::write ops (writer thread) or on a connection of their own
// (parleyctl, tests); readers on any thread with its own reader connection. No function throws;
// errors come back as parley::Error. Every query filters by tenant where the caller names one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "domain/api_key.hpp"
#include "store/db.hpp"

namespace parley::relay {

// ApiScopes and ApiKey (the domain types): domain/api_key.hpp, included above.

// A new key id: "key_" + 20 random base32 characters.
std::string new_api_key_id();

// Inserts `key` with the SHA-256 `key_hash` of its secret. `key.id` must be set (new_api_key_id),
// `key.scopes` non-empty (else ErrorCode::bad_field). A duplicate id or hash is ErrorCode::internal.
std::optional<Error> insert_api_key(Db&, const ApiKey& key, const std::string& key_hash);

// The key with this hash, or nullopt. Revoked keys ARE returned (revoked_at != 0): the caller
// refuses them (and may say "revoked" rather than "unknown").
Result<std::optional<ApiKey>> find_api_key_by_hash(Db&, const std::string& key_hash);

// One key of the tenant by id, or nullopt (also when it belongs to another tenant).
Result<std::optional<ApiKey>> find_api_key(Db&, const std::string& tenant_id, const std::string& id);

// Every key of the tenant, revoked ones included, oldest first.
Result<std::vector<ApiKey>> list_api_keys(Db&, const std::string& tenant_id);

// Revokes key `id` of `tenant_id` at `now`. ErrorCode::not_found when the tenant has no such key;
// revoking an already revoked key succeeds and keeps the first revocation time.
std::optional<Error> revoke_api_key(Db&, const std::string& tenant_id, const std::string& id, Millis now);

// Sets last_used_at = now for key `id` (a plain UPDATE: the relay calls it at most once a minute
// per key). An unknown id is not an error.
std::optional<Error> touch_api_key(Db&, const std::string& id, Millis now);

}  // namespace parley::relay
