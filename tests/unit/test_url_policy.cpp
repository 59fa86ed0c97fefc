// parley/url_policy.hpp: which outbound URLs a tenant may make the relay call.
#include <doctest/doctest.h>

#include "parley/url_policy.hpp"

using namespace parley;

TEST_CASE("url_policy: parse_url takes http(s) URLs apart") {
  auto u = parse_url("https://API.OpenAI.com./v1/chat?x=1#frag");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.openai.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/v1/chat?x=1");
  CHECK_FALSE(u->ip_literal);

  auto p = parse_url("http://127.0.0.1:8080");
  REQUIRE(p.ok());
  CHECK(p->port == 8080);
  CHECK(p->target == "/");
  CHECK(p->ip_literal);

  auto v6 = parse_url("http://[::1]:9000/x");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 9000);
  CHECK(v6->ip_literal);
}

TEST_CASE("url_policy: parse_url refuses what it cannot call safely") {
  for (const char* bad : {"", "ftp://example.com/", "file:///etc/passwd", "https://", "https:///x",
                          "https://user:pw@example.com/", "https://example.com:0/", "https://example.com:65536/",
                          "https://example.com:12ab/", "example.com/v1", "https://exa mple.com/",
                          "https://[::1/", "https://[zz::1]/", "http://example.com\r\nHost: x/"}) {
    auto r = parse_url(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK(r.error().code == ErrorCode::bad_field);
  }
}

TEST_CASE("url_policy: classify_address knows the private and special ranges") {
  using A = AddressClass;
  CHECK(classify_address("8.8.8.8") == A::public_net);
  CHECK(classify_address("2606:4700::1111") == A::public_net);
  CHECK(classify_address("127.0.0.1") == A::loopback);
  CHECK(classify_address("127.255.0.9") == A::loopback);
  CHECK(classify_address("::1") == A::loopback);
  CHECK(classify_address("10.1.2.3") == A::private_net);
  CHECK(classify_address("172.16.0.1") == A::private_net);
  CHECK(classify_address("172.31.255.255") == A::private_net);
  CHECK(classify_address("172.32.0.1") == A::public_net);
  CHECK(classify_address("192.168.1.1") == A::private_net);
  CHECK(classify_address("100.64.0.1") == A::private_net);
  CHECK(classify_address("fd12:3456::1") == A::private_net);
  CHECK(classify_address("169.254.169.254") == A::link_local);
  CHECK(classify_address("fe80::1") == A::link_local);
  CHECK(classify_address("0.0.0.0") == A::other);
  CHECK(classify_address("::") == A::other);
  CHECK(classify_address("224.0.0.1") == A::other);
  CHECK(classify_address("255.255.255.255") == A::other);
  CHECK(classify_address("ff02::1") == A::other);
  // IPv4-mapped IPv6 carries the IPv4 address's class (a classic way round naive filters).
  CHECK(classify_address("::ffff:127.0.0.1") == A::loopback);
  CHECK(classify_address("::ffff:10.0.0.1") == A::private_net);
  CHECK(classify_address("::ffff:8.8.8.8") == A::public_net);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "::1::2", "1:2:3:4:5:6:7:8:9",
                          "gggg::1", "12345::1", "localhost"}) {
    CHECK_MESSAGE(classify_address(bad) == A::invalid, bad);
  }
  CHECK(classify_address("1:2:3:4:5:6:7:8") == A::public_net);
  CHECK(classify_address("2001:db8::1") == A::other);  // documentation range
}

TEST_CASE("url_policy: private addresses are refused unless the operator allows them") {
  UrlPolicy strict;
  CHECK_FALSE(check_url(strict, "https://127.0.0.1/v1").ok());
  CHECK_FALSE(check_url(strict, "https://[::ffff:169.254.169.254]/latest").ok());
  CHECK(check_url(strict, "https://8.8.8.8/v1").ok());

  auto host = check_url(strict, "https://api.example.com/v1");
  REQUIRE(host.ok());  // a name: its addresses are checked after resolution
  CHECK(check_address(strict, *host, "93.184.216.34") == std::nullopt);
  auto refused = check_address(strict, *host, "10.0.0.5");
  REQUIRE(refused);
  CHECK(refused->code == ErrorCode::bad_field);
  CHECK(check_address(strict, *host, "not an address"));

  UrlPolicy lab;
  lab.allow_private = true;
  CHECK(check_url(lab, "http://127.0.0.1:11434/v1").ok());
  auto local = check_url(lab, "http://localhost:11434/v1");
  REQUIRE(local.ok());
  CHECK(check_address(lab, *local, "127.0.0.1") == std::nullopt);
}

TEST_CASE("url_policy: plain http only where the operator allowed it") {
  UrlPolicy strict;
  CHECK_FALSE(check_url(strict, "http://8.8.8.8/").ok());
  auto name = check_url(strict, "http://api.example.com/");
  REQUIRE(name.ok());
  CHECK(check_address(strict, *name, "93.184.216.34"));  // public address over http: refused

  UrlPolicy lab;
  lab.allow_private = true;
  auto n2 = check_url(lab, "http://api.example.com/");
  REQUIRE(n2.ok());
  CHECK(check_address(lab, *n2, "93.184.216.34"));      // still public: still refused
  CHECK(check_address(lab, *n2, "192.168.0.7") == std::nullopt);
}

TEST_CASE("url_policy: the allow and deny lists") {
  UrlPolicy p;
  p.allow_hosts = {"ollama.internal", ".corp.example"};
  p.deny_hosts = {"evil.corp.example", ".blocked.example"};
  bool trusted = false;
  REQUIRE(check_url(p, "http://ollama.internal:11434/v1", &trusted).ok());
  CHECK(trusted);
  REQUIRE(check_url(p, "https://crm.corp.example/api", &trusted).ok());
  CHECK(trusted);
  CHECK_FALSE(check_url(p, "https://evil.corp.example/").ok());        // deny wins
  CHECK_FALSE(check_url(p, "https://a.blocked.example/").ok());
  REQUIRE(check_url(p, "https://corp.example.org/", &trusted).ok());   // not a suffix match
  CHECK_FALSE(trusted);
  REQUIRE(check_url(p, "https://xcorp.example/", &trusted).ok());      // ".corp.example" needs the dot
  CHECK_FALSE(trusted);
}

TEST_CASE("url_policy: url_for_log drops the query and any user part") {
  CHECK(url_for_log("https://api.example.com/v1/x?key=secret") == "https://api.example.com/v1/x");
  CHECK(url_for_log("https://u:p@api.example.com/v1") == "https://api.example.com/v1");
  CHECK(url_for_log("https://api.example.com/v1#k") == "https://api.example.com/v1");
}
