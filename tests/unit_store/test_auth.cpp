// tests/unit_store/test_auth.cpp: password hashing, tokens and digests.
#include <doctest/doctest.h>

#include <set>

#include "store/auth.hpp"

using namespace parley::relay;

TEST_CASE("argon2id password hashes verify the right password only") {
  const std::string h = hash_password("correct horse battery staple");
  REQUIRE_FALSE(h.empty());
  CHECK(h.rfind("$argon2id$", 0) == 0);
  CHECK(verify_password(h, "correct horse battery staple"));
  CHECK_FALSE(verify_password(h, "correct horse battery stapl"));
  CHECK_FALSE(verify_password(h, ""));
  CHECK_FALSE(verify_password("", "x"));
  CHECK_FALSE(verify_password("$argon2id$garbage", "x"));
  // Salted: the same password never hashes the same way twice.
  CHECK(hash_password("pw") != hash_password("pw"));
  CHECK_FALSE(password_needs_rehash(hash_password("pw")));
  CHECK(password_needs_rehash("nonsense"));
  // Non-ASCII and embedded NULs are part of the password.
  const std::string odd = std::string("p\0w\xc3\xa9", 5);
  const std::string h2 = hash_password(odd);
  CHECK(verify_password(h2, odd));
  CHECK_FALSE(verify_password(h2, "p"));
}

TEST_CASE("random tokens and ids") {
  const std::string t = random_token();
  CHECK(t.size() == 43);
  CHECK(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  CHECK(random_token(16).size() == 22);
  CHECK(random_token() != random_token());
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_id("u_");
    REQUIRE(id.size() == 22);
    CHECK(id.rfind("u_", 0) == 0);
    CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567", 2) == std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 1000);
}

TEST_CASE("digests match published test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 6: a key longer than the block size.
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK(constant_time_equal("", ""));
}
