// relay/src/store/auth.hpp: password hashing, tokens, ids and digests (libsodium).
//
// Every function is thread-safe and initialises libsodium on first use. None throws.
//
// Password hashing cost: argon2id with libsodium's INTERACTIVE limits (opslimit 2, 64 MiB), unless
// the program explicitly calls set_password_hash_cost(HashCost::test_only) (MIN limits: the hashes
// are still valid argon2id strings and verify with any limits, but are cheap to brute force). This
// module reads no environment variable: the relay honours PARLEY_FAST_HASH=1 only when it listens
// on loopback (relay/src/app/main.cpp); parleyctl and test binaries set it themselves.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::relay {

enum class HashCost {
  interactive,  // the default: libsodium's INTERACTIVE limits
  test_only,    // libsodium's MIN limits: tests and benchmarks on loopback only, never production
};

// Sets the cost of every later hash_password / password_needs_rehash (any thread; atomic). Call it
// at start-up, before the first hash.
void set_password_hash_cost(HashCost cost);
HashCost password_hash_cost();

// An argon2id hash string ("$argon2id$v=19$m=...") of `pw`, with a random salt.
// Returns "" only if hashing failed (out of memory); "" never verifies.
std::string hash_password(std::string_view pw);

// True when `hash` is a libsodium password hash string of `pw`. Constant time in `pw`.
bool verify_password(const std::string& hash, std::string_view pw);

// True when `hash` was made with other limits than the current ones (re-hash after a login).
bool password_needs_rehash(const std::string& hash);

// `bytes` random bytes (randombytes_buf), base64url without padding: 32 bytes -> 43 characters.
std::string random_token(std::size_t bytes = 32);

// `prefix` followed by 20 random characters of the base32 alphabet [a-z2-7] (100 bits).
std::string random_id(std::string_view prefix);

// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

// Equality in time independent of the contents (the length may leak).
bool constant_time_equal(std::string_view a, std::string_view b);

// Lower-case hex HMAC-SHA-256 of `data` with `key` (any key length).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace parley::relay
