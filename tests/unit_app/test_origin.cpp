// Unit tests of the origin helpers (relay/src/app/origin.hpp): the relay's own origin is its
// public URL, or the Host header only when it is loopback or an allowed host (DNS rebinding).
#include <doctest/doctest.h>

#include "app/origin.hpp"

using namespace parley::relay;

TEST_CASE("origin_of: normalised scheme://host[:port]") {
  CHECK(origin_of("https://Chat.Example.COM/path?q=1#x") == "https://chat.example.com");
  CHECK(origin_of("http://a.example:80/") == "http://a.example");
  CHECK(origin_of("https://a.example:443") == "https://a.example");
  CHECK(origin_of("http://a.example:8080") == "http://a.example:8080");
  CHECK(origin_of("https://a.example:80") == "https://a.example:80");  // not the default port of https
  CHECK(origin_of("  http://127.0.0.1:9000/  ") == "http://127.0.0.1:9000");
  CHECK(origin_of("HTTP://[::1]:8080") == "http://[::1]:8080");
  CHECK(origin_of("ftp://a.example") == "");
  CHECK(origin_of("a.example") == "");
  CHECK(origin_of("http://") == "");
  CHECK(origin_of("http://user@evil.example") == "");
  CHECK(origin_of("null") == "");
}

TEST_CASE("host_name and is_loopback_host") {
  CHECK(host_name("A.Example:8080") == "a.example");
  CHECK(host_name("[::1]:80") == "::1");
  CHECK(host_name("127.0.0.1") == "127.0.0.1");
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.8.9.10"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("[::1]"));
  CHECK(is_loopback_host("0:0:0:0:0:0:0:1"));
  CHECK(is_loopback_host("::ffff:127.0.0.1"));
  CHECK(is_loopback_host("localhost"));
  CHECK(is_loopback_host("LOCALHOST"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("::"));
  CHECK_FALSE(is_loopback_host("128.0.0.1"));
  CHECK_FALSE(is_loopback_host("localhost.evil.example"));
  CHECK_FALSE(is_loopback_host("127.0.0.1.evil.example"));
  CHECK_FALSE(is_loopback_host(""));
}

TEST_CASE("own_origin: without a public URL a foreign Host is not believed") {
  OriginPolicy none;
  // DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends Host: evil.example.
  CHECK(own_origin(none, "evil.example:8080", false) == "");
  CHECK(own_origin(none, "evil.example", true) == "");
  CHECK(own_origin(none, "", false) == "");
  CHECK_FALSE(same_origin(none, "http://evil.example:8080", "evil.example:8080", false));
  // Loopback is believed, with the request's scheme.
  CHECK(own_origin(none, "127.0.0.1:8080", false) == "http://127.0.0.1:8080");
  CHECK(own_origin(none, "localhost:8080", true) == "https://localhost:8080");
  CHECK(own_origin(none, "[::1]:8080", false) == "http://[::1]:8080");
  CHECK(same_origin(none, "http://127.0.0.1:8080", "127.0.0.1:8080", false));
  CHECK_FALSE(same_origin(none, "http://127.0.0.1:9999", "127.0.0.1:8080", false));
  CHECK_FALSE(same_origin(none, "", "127.0.0.1:8080", false));
}

TEST_CASE("own_origin: allowed hosts are believed; a public URL wins over Host") {
  OriginPolicy allowed;
  allowed.allowed_hosts = {"chat.example.com"};
  CHECK(own_origin(allowed, "Chat.Example.com:8443", true) == "https://chat.example.com:8443");
  CHECK(own_origin(allowed, "chat.example.com", false) == "http://chat.example.com");
  CHECK(own_origin(allowed, "evil.example", false) == "");
  CHECK(own_origin(allowed, "chat.example.com.evil.example", false) == "");

  OriginPolicy pub;
  pub.public_url = "https://chat.example.com/";
  CHECK(own_origin(pub, "evil.example", false) == "https://chat.example.com");
  CHECK(own_origin(pub, "127.0.0.1:8080", false) == "https://chat.example.com");
  CHECK(same_origin(pub, "https://chat.example.com", "whatever", false));
  CHECK_FALSE(same_origin(pub, "http://chat.example.com", "chat.example.com", false));
  CHECK_FALSE(same_origin(pub, "https://evil.example", "evil.example", true));
}
