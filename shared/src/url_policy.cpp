// parley/url_policy.hpp: parsing, address classes, the allow/deny rule.
#include "parley/url_policy.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace parley {
namespace {

Error refused(std::string why) { return make_error(ErrorCode::bad_field, std::move(why), "url"); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// Dotted-quad IPv4 with no leading zeros (so "010.0.0.1" is not read as octal somewhere else).
std::optional<std::array<std::uint8_t, 4>> parse_v4(std::string_view s) {
  std::array<std::uint8_t, 4> out{};
  std::size_t part = 0, i = 0;
  while (part < 4) {
    std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) value = value * 10 + unsigned(s[i++] - '0');
    const std::size_t len = i - start;
    if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return std::nullopt;
    out[part++] = static_cast<std::uint8_t>(value);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 4291 text form: up to 8 groups of 1-4 hex digits, one "::", an optional trailing IPv4.
std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::array<std::uint16_t, 8> head{}, tail{};
  std::size_t nhead = 0, ntail = 0;
  bool gap = false;
  std::size_t i = 0;
  if (s.starts_with("::")) {
    gap = true;
    i = 2;
  } else if (s[0] == ':') {
    return std::nullopt;
  }
  auto push = [&](std::uint16_t g) -> bool {
    if (nhead + ntail >= 8) return false;
    if (gap)
      tail[ntail++] = g;
    else
      head[nhead++] = g;
    return true;
  };
  while (i < s.size()) {
    // An embedded IPv4 address ends the text.
    const std::size_t next_colon = s.find(':', i);
    const std::string_view rest = s.substr(i, next_colon == std::string_view::npos ? s.size() - i : next_colon - i);
    if (next_colon == std::string_view::npos && rest.find('.') != std::string_view::npos) {
      auto v4 = parse_v4(rest);
      if (!v4) return std::nullopt;
      if (!push(static_cast<std::uint16_t>((*v4)[0] << 8 | (*v4)[1])) ||
          !push(static_cast<std::uint16_t>((*v4)[2] << 8 | (*v4)[3])))
        return std::nullopt;
      i = s.size();
      break;
    }
    if (rest.empty() || rest.size() > 4) return std::nullopt;
    unsigned g = 0;
    for (char c : rest) {
      const int h = hex_value(c);
      if (h < 0) return std::nullopt;
      g = g * 16 + unsigned(h);
    }
    if (!push(static_cast<std::uint16_t>(g))) return std::nullopt;
    i += rest.size();
    if (i == s.size()) break;
    // s[i] == ':'
    if (i + 1 < s.size() && s[i + 1] == ':') {
      if (gap) return std::nullopt;  // a second "::"
      gap = true;
      i += 2;
    } else {
      ++i;
      if (i == s.size()) return std::nullopt;  // trailing single ':'
    }
  }
  if (gap ? nhead + ntail > 7 : nhead != 8) return std::nullopt;
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t k = 0; k < nhead; ++k) groups[k] = head[k];
  for (std::size_t k = 0; k < ntail; ++k) groups[8 - ntail + k] = tail[k];
  std::array<std::uint8_t, 16> out{};
  for (std::size_t k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<std::uint8_t>(groups[k] >> 8);
    out[2 * k + 1] = static_cast<std::uint8_t>(groups[k] & 0xff);
  }
  return out;
}

AddressClass classify_v4(const std::array<std::uint8_t, 4>& a) {
  const unsigned b0 = a[0], b1 = a[1];
  if (b0 == 127) return AddressClass::loopback;
  if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168) ||
      (b0 == 100 && b1 >= 64 && b1 <= 127))
    return AddressClass::private_net;
  if (b0 == 169 && b1 == 254) return AddressClass::link_local;
  if (b0 == 0 || b0 >= 224) return AddressClass::other;  // "this network", multicast, reserved, broadcast
  if ((b0 == 192 && b1 == 0 && (a[2] == 0 || a[2] == 2)) || (b0 == 198 && (b1 == 18 || b1 == 19)) ||
      (b0 == 198 && b1 == 51 && a[2] == 100) || (b0 == 203 && b1 == 0 && a[2] == 113))
    return AddressClass::other;  // protocol assignments, benchmarking, documentation
  return AddressClass::public_net;
}

AddressClass classify_v6(const std::array<std::uint8_t, 16>& a) {
  bool zero_to_10 = true;
  for (int k = 0; k < 10; ++k) zero_to_10 = zero_to_10 && a[k] == 0;
  if (zero_to_10 && a[10] == 0xff && a[11] == 0xff) return classify_v4({a[12], a[13], a[14], a[15]});
  bool all_zero_to_15 = zero_to_10 && a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0;
  if (all_zero_to_15 && a[15] == 1) return AddressClass::loopback;
  if (all_zero_to_15 && a[15] == 0) return AddressClass::other;  // unspecified
  if ((a[0] & 0xfe) == 0xfc) return AddressClass::private_net;    // fc00::/7
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return AddressClass::link_local;  // fe80::/10
  if (a[0] == 0xff) return AddressClass::other;                   // multicast
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return AddressClass::other;  // documentation
  if (zero_to_10) return AddressClass::other;  // deprecated IPv4-compatible and other ::/80 forms
  return AddressClass::public_net;
}

std::string normalise_host(std::string_view h) {
  std::string out;
  out.reserve(h.size());
  for (char c : h) out.push_back(lower(c));
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool listed(const std::vector<std::string>& list, const std::string& host) {
  for (const auto& raw : list) {
    const std::string entry = normalise_host(raw);
    if (entry.empty()) continue;
    if (entry[0] == '.') {
      if (host.size() > entry.size() && host.ends_with(entry)) return true;
      if (host == entry.substr(1)) return true;
    } else if (host == entry) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<ParsedUrl> parse_url(std::string_view url) {
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return refused("the URL has spaces or control characters");
  ParsedUrl out;
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return refused("the URL must start with https:// or http://");
  out.scheme = normalise_host(url.substr(0, colon));
  if (out.scheme != "http" && out.scheme != "https") return refused("only https:// and http:// URLs can be called");
  std::string_view rest = url.substr(colon + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (authority.find('@') != std::string_view::npos)
    return refused("the URL must not carry a user name or password (put keys in the key field)");
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return refused("the URL's IPv6 address has no closing ]");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return refused("the URL's host is malformed");
      port = after.substr(1);
    }
    if (!parse_v6(host)) return refused("the URL's IPv6 address is malformed");
    out.ip_literal = true;
  } else {
    const std::size_t c = authority.rfind(':');
    if (c != std::string_view::npos) {
      host = authority.substr(0, c);
      port = authority.substr(c + 1);
    }
  }
  out.host = normalise_host(host);
  if (out.host.empty()) return refused("the URL has no host");
  if (!out.ip_literal) {
    for (char ch : out.host)
      if (!host_char(ch)) return refused("the URL's host has characters a host name cannot have");
    out.ip_literal = parse_v4(out.host).has_value();
  }
  if (authority.find(':') != std::string_view::npos && !authority.starts_with("[") && port.empty())
    return refused("the URL's port is empty");
  if (!port.empty()) {
    if (port.size() > 5) return refused("the URL's port must be 1 to 65535");
    int p = 0;
    for (char ch : port) {
      if (ch < '0' || ch > '9') return refused("the URL's port must be a number");
      p = p * 10 + (ch - '0');
    }
    if (p < 1 || p > 65535) return refused("the URL's port must be 1 to 65535");
    out.port = p;
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  out.target = target.empty() ? "/" : std::string(target.starts_with("?") ? "/" : "") + std::string(target);
  return out;
}

AddressClass classify_address(std::string_view address) {
  if (auto v4 = parse_v4(address)) return classify_v4(*v4);
  if (address.find(':') != std::string_view::npos)
    if (auto v6 = parse_v6(address)) return classify_v6(*v6);
  return AddressClass::invalid;
}

std::optional<Error> check_address(const UrlPolicy& policy, const ParsedUrl& url, std::string_view address) {
  const AddressClass cls = classify_address(address);
  switch (cls) {
    case AddressClass::invalid:
      return refused("the host did not resolve to a usable address");
    case AddressClass::other:
      return refused("the host resolves to a reserved address (" + std::string(address) + ")");
    case AddressClass::public_net:
      if (url.scheme != "https") return refused("a public address must be called over https://, so keys are not sent in clear");
      return std::nullopt;
    case AddressClass::loopback:
    case AddressClass::private_net:
    case AddressClass::link_local:
      if (policy.allow_private) return std::nullopt;
      return refused("the host resolves to a loopback, private or link-local address (" + std::string(address) +
                     "); the relay's operator can allow these with --outbound-allow-private");
  }
  return refused("the host did not resolve to a usable address");
}

Result<ParsedUrl> check_url(const UrlPolicy& policy, std::string_view url, bool* trusted) {
  if (trusted) *trusted = false;
  auto parsed = parse_url(url);
  if (!parsed) return parsed;
  if (listed(policy.deny_hosts, parsed->host)) return refused("the relay's operator does not allow calls to this host");
  if (listed(policy.allow_hosts, parsed->host)) {
    if (trusted) *trusted = true;
    return parsed;
  }
  if (parsed->ip_literal)
    if (auto e = check_address(policy, *parsed, parsed->host)) return *e;
  return parsed;
}

std::string url_for_log(std::string_view url) {
  std::string_view s = url;
  if (const auto cut = s.find_first_of("?#"); cut != std::string_view::npos) s = s.substr(0, cut);
  std::string out(s);
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto path = out.find('/', scheme + 3);
    const auto at = out.find('@', scheme + 3);
    if (at != std::string::npos && (path == std::string::npos || at < path)) out.erase(scheme + 3, at - scheme - 2);
  }
  return out;
}

}  // namespace parley
