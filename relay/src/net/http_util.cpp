// relay/src/net/http_util.cpp: see http_util.hpp. Also holds HttpRequest's helpers (server.hpp), so
// that they do not need a Beast translation unit.
#include "net/http_util.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "net/server.hpp"
#include "parley/text.hpp"

namespace parley::relay {

const std::string& HttpRequest::header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

std::string HttpRequest::cookie(const std::string& name) const {
  // Cookie: a=1; b=2 (several Cookie headers were joined with "; " by the server).
  std::string_view rest = header("cookie");
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view pair = http_util::trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (http_util::trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = http_util::trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return {};
}

namespace http_util {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  if (!is_valid_utf8(out)) return std::nullopt;
  return out;
}

std::optional<std::pair<std::string, std::string>> split_target(std::string_view target) {
  if (target.empty()) return std::nullopt;
  if (target.front() != '/') {
    // absolute-form: scheme "://" authority path
    auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    std::string scheme = ascii_lower(target.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return std::nullopt;
    auto path_start = target.find_first_of("/?", scheme_end + 3);
    if (path_start == std::string_view::npos) return std::pair<std::string, std::string>{"/", ""};
    target = target.substr(path_start);
    if (target.front() == '?') {
      return std::pair<std::string, std::string>{"/", std::string(target.substr(1))};
    }
  }
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::pair<std::string, std::string>{std::string(target), ""};
  return std::pair<std::string, std::string>{std::string(target.substr(0, q)),
                                             std::string(target.substr(q + 1))};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string normalize_addr(std::string_view addr) {
  constexpr std::string_view kMapped = "::ffff:";
  if (addr.size() > kMapped.size() && ascii_lower(addr.substr(0, kMapped.size())) == kMapped &&
      addr.find('.') != std::string_view::npos)
    return std::string(addr.substr(kMapped.size()));
  // "[::1]" (a bracketed form some proxies write) and "1.2.3.4:5678" (with a port) are left as is:
  // X-Forwarded-For entries are compared literally.
  return std::string(addr);
}

std::optional<ProxyList::Net> ProxyList::parse(std::string_view addr, int prefix) {
  Net net;
  std::string a(addr);
  if (inet_pton(AF_INET, a.c_str(), net.bytes) == 1) {
    net.v6 = false;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, a.c_str(), net.bytes) == 1) {
    net.v6 = true;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  net.prefix = prefix;
  return net;
}

ProxyList::ProxyList(const std::vector<std::string>& entries, std::vector<std::string>* bad) {
  for (const auto& e : entries) {
    std::string_view s = trim(e);
    int prefix = -1;
    auto slash = s.find('/');
    std::optional<Net> net;
    bool ok = true;
    if (slash != std::string_view::npos) {
      std::string_view p = s.substr(slash + 1);
      ok = !p.empty() && p.size() <= 3 &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (ok) prefix = std::stoi(std::string(p));
      s = s.substr(0, slash);
    }
    if (ok) net = parse(s, prefix);
    if (net)
      nets_.push_back(*net);
    else if (bad)
      bad->push_back(e);
  }
}

bool ProxyList::contains(std::string_view addr) const {
  if (nets_.empty()) return false;
  auto a = parse(normalize_addr(trim(addr)), -1);
  if (!a) return false;
  for (const auto& n : nets_) {
    if (n.v6 != a->v6) continue;
    int full = n.prefix / 8, bits = n.prefix % 8;
    if (std::memcmp(n.bytes, a->bytes, static_cast<std::size_t>(full)) != 0) continue;
    if (bits) {
      auto mask = static_cast<unsigned char>(0xFF << (8 - bits));
      if ((n.bytes[full] & mask) != (a->bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

namespace {
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    auto comma = s.find(',');
    auto item = trim(s.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}
}  // namespace

ClientInfo resolve_client(const std::string& peer, bool tls, const ProxyList& proxies,
                          std::string_view x_forwarded_for, std::string_view x_forwarded_proto) {
  ClientInfo info{normalize_addr(peer), tls};
  if (!proxies.contains(info.addr)) return info;
  auto chain = split_list(x_forwarded_for);
  if (!chain.empty()) {
    std::string chosen = normalize_addr(chain.front());  // all trusted: the left-most
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (!proxies.contains(*it)) {
        chosen = normalize_addr(*it);
        break;
      }
    }
    info.addr = std::move(chosen);
  }
  auto protos = split_list(x_forwarded_proto);
  if (!protos.empty()) info.secure = tls || ascii_lower(protos.back()) == "https";
  return info;
}

}  // namespace http_util
}  // namespace parley::relay
