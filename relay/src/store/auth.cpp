// relay/src/store/auth.cpp: see auth.hpp.
#include "store/auth.hpp"

#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace parley::relay {

namespace {

// sodium_init is itself thread-safe; the static makes it run once and orders it before any use.
// If it fails the process cannot produce safe randomness: stop rather than hand out weak tokens.
void ensure_sodium() {
  static const bool ok = [] { return sodium_init() >= 0; }();
  if (!ok) std::abort();
}

struct HashLimits {
  unsigned long long ops;
  std::size_t mem;
};

std::atomic<HashCost> g_hash_cost{HashCost::interactive};

HashLimits hash_limits() {
  if (g_hash_cost.load(std::memory_order_relaxed) == HashCost::test_only) {
    return HashLimits{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
  return HashLimits{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::string to_hex(const unsigned char* bin, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bin, n);
  out.pop_back();  // the terminating NUL
  return out;
}

}  // namespace

void set_password_hash_cost(HashCost cost) { g_hash_cost.store(cost, std::memory_order_relaxed); }

HashCost password_hash_cost() { return g_hash_cost.load(std::memory_order_relaxed); }

std::string hash_password(std::string_view pw) {
  ensure_sodium();
  const HashLimits l = hash_limits();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pw.data(), pw.size(), l.ops, l.mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return {};
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view pw) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), pw.data(), pw.size()) == 0;
}

bool password_needs_rehash(const std::string& hash) {
  ensure_sodium();
  const HashLimits l = hash_limits();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  return crypto_pwhash_str_needs_rehash(hash.c_str(), l.ops, l.mem) != 0;
}

std::string random_token(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(), variant);
  sodium_memzero(buf.data(), buf.size());
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string random_id(std::string_view prefix) {
  ensure_sodium();
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out(prefix);
  for (int i = 0; i < 20; ++i) out += kAlphabet[randombytes_uniform(32)];
  return out;
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(digest, sizeof digest);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  ensure_sodium();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  ensure_sodium();
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(&st, sizeof st);
  return to_hex(mac, sizeof mac);
}

}  // namespace parley::relay
