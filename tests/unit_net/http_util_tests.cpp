// Beast-free helpers of relay/src/net: target decoding, proxies, static files.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "net/http_util.hpp"
#include "net/static_files.hpp"
#include "net/sys.hpp"

using namespace parley::relay;
namespace fs = std::filesystem;

TEST_CASE("decode_path") {
  CHECK(http_util::decode_path("/a%20b/c").value() == "/a b/c");
  CHECK(http_util::decode_path("/a+b").value() == "/a+b");
  CHECK(http_util::decode_path("/caf%C3%A9").value() == "/caf\xC3\xA9");
  CHECK_FALSE(http_util::decode_path("/a%2"));
  CHECK_FALSE(http_util::decode_path("/a%"));
  CHECK_FALSE(http_util::decode_path("/a%zz"));
  CHECK_FALSE(http_util::decode_path("/a%00b"));
  CHECK_FALSE(http_util::decode_path("/caf%E9"));     // Latin-1, not UTF-8
  CHECK_FALSE(http_util::decode_path("/%ED%A0%80"));  // surrogate
}

TEST_CASE("split_target") {
  auto t = http_util::split_target("/a/b?x=1&y=%20");
  REQUIRE(t);
  CHECK(t->first == "/a/b");
  CHECK(t->second == "x=1&y=%20");
  CHECK(http_util::split_target("/")->second.empty());
  CHECK(http_util::split_target("http://h:1/p?q")->first == "/p");
  CHECK(http_util::split_target("http://h:1")->first == "/");
  CHECK_FALSE(http_util::split_target("*"));
  CHECK_FALSE(http_util::split_target("a/b"));
  CHECK_FALSE(http_util::split_target(""));
}

TEST_CASE("cookies and headers") {
  HttpRequest r;
  r.headers["cookie"] = "a=1; sid=\"xyz\"; b = 2";
  CHECK(r.cookie("sid") == "xyz");
  CHECK(r.cookie("b") == "2");
  CHECK(r.cookie("c").empty());
  CHECK(r.header("cookie") == r.headers["cookie"]);
  CHECK(r.header("missing").empty());
}

TEST_CASE("trusted proxies and X-Forwarded-For") {
  std::vector<std::string> bad;
  http_util::ProxyList proxies({"127.0.0.1", "10.0.0.0/8", "fd00::/8", "nonsense"}, &bad);
  CHECK(bad == std::vector<std::string>{"nonsense"});
  CHECK(proxies.contains("127.0.0.1"));
  CHECK(proxies.contains("::ffff:127.0.0.1"));
  CHECK(proxies.contains("10.200.1.1"));
  CHECK_FALSE(proxies.contains("11.0.0.1"));
  CHECK(proxies.contains("fd12::1"));
  CHECK_FALSE(proxies.contains("fe80::1"));

  // Untrusted peer: headers ignored.
  auto c = http_util::resolve_client("8.8.8.8", false, proxies, "1.2.3.4", "https");
  CHECK(c.addr == "8.8.8.8");
  CHECK_FALSE(c.secure);
  // Trusted peer: right-most untrusted entry (a client can prepend anything it likes).
  c = http_util::resolve_client("127.0.0.1", false, proxies, "6.6.6.6, 1.2.3.4, 10.1.1.1", "http, https");
  CHECK(c.addr == "1.2.3.4");
  CHECK(c.secure);
  // All trusted: the left-most.
  c = http_util::resolve_client("127.0.0.1", false, proxies, "10.0.0.2, 10.0.0.3", "");
  CHECK(c.addr == "10.0.0.2");
  CHECK_FALSE(c.secure);
  // No header: the peer.
  c = http_util::resolve_client("127.0.0.1", true, proxies, "", "");
  CHECK(c.addr == "127.0.0.1");
  CHECK(c.secure);
}

TEST_CASE("raise_fd_limit") {
  auto n = raise_fd_limit();
  CHECK(n >= 1024);
}

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/parley-net-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& content) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel, std::ios::binary) << content;
  }
};
HttpRequest get(const std::string& path, const std::string& accept_encoding = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  if (!accept_encoding.empty()) r.headers["accept-encoding"] = accept_encoding;
  return r;
}
std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}
}  // namespace

TEST_CASE("static files") {
  TempDir web;
  fs::create_directories(web.path / "www");
  const std::string root = (web.path / "www").string();
  web.write("www/index.html", "<h1>home</h1>");
  web.write("www/app.3f9a2b1c.js", "console.log(1)");
  web.write("www/app.3f9a2b1c.js.br", "BROTLI");
  web.write("www/app.3f9a2b1c.js.gz", "GZIP");
  web.write("www/style.css", "body{}");
  web.write("www/docs/index.html", "docs");
  web.write("www/.env", "SECRET");
  web.write("secret.txt", "outside");
  fs::create_symlink(web.path / "secret.txt", web.path / "www" / "link.txt");

  SUBCASE("index and content types") {
    auto r = serve_static(root, get("/"));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "<h1>home</h1>");
    CHECK(r->content_type == "text/html; charset=utf-8");
    CHECK(header(*r, "Cache-Control") == "no-cache");
    CHECK(header(*r, "Vary") == "Accept-Encoding");
    CHECK(serve_static(root, get("/docs"))->body == "docs");
    CHECK(serve_static(root, get("/docs/"))->body == "docs");
    CHECK(serve_static(root, get("/style.css"))->content_type == "text/css; charset=utf-8");
    CHECK(content_type_for("a.wasm") == "application/wasm");
    CHECK(content_type_for("a.WOFF2") == "font/woff2");
    CHECK(content_type_for("a.bin") == "application/octet-stream");
  }
  SUBCASE("cache control for hashed names") {
    CHECK(has_content_hash("app.3f9a2b1c.js"));
    CHECK(has_content_hash("app.3f9a2b1cdeadbeef.min.js"));
    CHECK_FALSE(has_content_hash("app.js"));
    CHECK_FALSE(has_content_hash("app.3f9a2b.js"));
    CHECK_FALSE(has_content_hash("3f9a2b1c3f9a2b1c.js"));
    auto r = serve_static(root, get("/app.3f9a2b1c.js"));
    REQUIRE(r);
    CHECK(header(*r, "Cache-Control") == "public, max-age=31536000, immutable");
    CHECK(r->content_type == "text/javascript; charset=utf-8");
    CHECK(r->body == "console.log(1)");
    CHECK(header(*r, "Content-Encoding").empty());
  }
  SUBCASE("precompressed variants") {
    auto br = serve_static(root, get("/app.3f9a2b1c.js", "gzip, deflate, br"));
    REQUIRE(br);
    CHECK(br->body == "BROTLI");
    CHECK(header(*br, "Content-Encoding") == "br");
    CHECK(br->content_type == "text/javascript; charset=utf-8");
    auto gz = serve_static(root, get("/app.3f9a2b1c.js", "gzip, br;q=0"));
    REQUIRE(gz);
    CHECK(gz->body == "GZIP");
    CHECK(header(*gz, "Content-Encoding") == "gzip");
    CHECK(header(*gz, "ETag") != header(*br, "ETag"));
    CHECK(serve_static(root, get("/style.css", "br"))->body == "body{}");
    CHECK(accepts_encoding("*", "br"));
    CHECK_FALSE(accepts_encoding("*, br;q=0", "br"));
    CHECK_FALSE(accepts_encoding("", "gzip"));
  }
  SUBCASE("etag and 304") {
    auto r = serve_static(root, get("/style.css"));
    REQUIRE(r);
    std::string etag = header(*r, "ETag");
    REQUIRE(!etag.empty());
    auto req = get("/style.css");
    req.headers["if-none-match"] = "\"other\", " + etag;
    auto nm = serve_static(root, req);
    REQUIRE(nm);
    CHECK(nm->status == 304);
    CHECK(nm->body.empty());
    req.headers["if-none-match"] = "W/" + etag;
    CHECK(serve_static(root, req)->status == 304);
    req.headers["if-none-match"] = "\"nope\"";
    CHECK(serve_static(root, req)->status == 200);
  }
  SUBCASE("HEAD") {
    auto req = get("/style.css");
    req.method = "HEAD";
    auto r = serve_static(root, req);
    REQUIRE(r);
    CHECK(r->body.empty());
    CHECK(header(*r, "Content-Length") == "6");
    req.method = "POST";
    CHECK_FALSE(serve_static(root, req));
  }
  SUBCASE("refusals") {
    CHECK_FALSE(serve_static(root, get("/../secret.txt")));
    CHECK_FALSE(serve_static(root, get("/../../../../etc/passwd")));
    CHECK_FALSE(serve_static(root, get("/docs/../../secret.txt")));
    CHECK_FALSE(serve_static(root, get("/link.txt")));  // symlink out of root
    CHECK_FALSE(serve_static(root, get("/.env")));
    CHECK_FALSE(serve_static(root, get(std::string("/style.css\0x", 12))));
    CHECK_FALSE(serve_static(root, get("/missing.js")));
    CHECK_FALSE(serve_static(root, get("/style.css/")));
    CHECK_FALSE(serve_static(root, get("relative")));
    CHECK_FALSE(serve_static((web.path / "nope").string(), get("/")));
  }
}
