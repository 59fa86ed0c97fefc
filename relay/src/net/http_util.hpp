// relay/src/net/http_util.hpp: the Beast-free parts of HTTP request handling (target decoding, header
// helpers, client address resolution behind trusted proxies). Used by server.cpp and unit-tested
// on their own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::relay::http_util {

// Percent-decodes a URL path ("+" stays "+"). nullopt when a "%" escape is malformed, the result
// holds a NUL byte, or the result is not valid UTF-8.
std::optional<std::string> decode_path(std::string_view raw);

// Splits a request target into (raw path, raw query). Accepts origin-form ("/a?b") and
// absolute-form ("http://host/a?b"); nullopt for anything else ("*", "a/b", "").
std::optional<std::pair<std::string, std::string>> split_target(std::string_view target);

// The value of the hex digit `c` (0-15); -1 when it is not one.
int hex_value(char c);
// Leading and trailing spaces and tabs removed (HTTP's optional white space; parley::trim also
// removes CR, LF, FF and VT).
std::string_view trim(std::string_view s);

// A list of trusted proxies: exact addresses ("10.0.0.1", "::1") or CIDR networks ("10.0.0.0/8").
class ProxyList {
 public:
  ProxyList() = default;
  // Entries that do not parse are returned in *bad (and ignored).
  explicit ProxyList(const std::vector<std::string>& entries, std::vector<std::string>* bad = nullptr);
  bool empty() const { return nets_.empty(); }
  bool contains(std::string_view addr) const;

 private:
  struct Net {
    bool v6 = false;
    unsigned char bytes[16] = {};
    int prefix = 0;
  };
  static std::optional<Net> parse(std::string_view addr, int prefix);
  std::vector<Net> nets_;
};

// Normalises an address as printed by the socket layer: IPv4-mapped IPv6 ("::ffff:1.2.3.4")
// becomes "1.2.3.4".
std::string normalize_addr(std::string_view addr);

struct ClientInfo {
  std::string addr;
  bool secure = false;
};
// The client behind `peer`: when the peer is a trusted proxy, the right-most X-Forwarded-For entry
// that is not itself a trusted proxy (the left-most entry when all are trusted), and `secure` from
// the right-most X-Forwarded-Proto value. Otherwise the peer itself, `secure` = `tls`.
ClientInfo resolve_client(const std::string& peer, bool tls, const ProxyList& proxies,
                          std::string_view x_forwarded_for, std::string_view x_forwarded_proto);

}  // namespace parley::relay::http_util
