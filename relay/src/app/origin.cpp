// Origins and host names (origin.hpp).
#include "app/origin.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "parley/text.hpp"

namespace parley::relay {

std::string origin_of(std::string_view url) {
  url = trim(url);
  const auto p = url.find("://");
  if (p == std::string_view::npos) return "";
  const std::string scheme = ascii_lower(url.substr(0, p));
  std::string_view rest = url.substr(p + 3);
  const auto end = rest.find_first_of("/?#");
  std::string host = ascii_lower(rest.substr(0, end));
  if (host.empty() || (scheme != "http" && scheme != "https")) return "";
  if (host.find_first_of(" \t\r\n@") != std::string::npos) return "";
  if (scheme == "http" && host.size() > 3 && host.ends_with(":80")) host.resize(host.size() - 3);
  if (scheme == "https" && host.size() > 4 && host.ends_with(":443")) host.resize(host.size() - 4);
  return scheme + "://" + host;
}

std::string host_name(std::string_view authority) {
  authority = trim(authority);
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    return close == std::string_view::npos ? "" : ascii_lower(authority.substr(1, close - 1));
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(':') == colon) authority = authority.substr(0, colon);
  return ascii_lower(authority);
}

bool is_loopback_host(std::string_view host) {
  std::string h(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string lowered = ascii_lower(h);
  if (lowered == "localhost" || lowered == "localhost.") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) return v6.s6_addr[12] == 127;
  }
  return false;
}

std::string own_origin(const OriginPolicy& policy, std::string_view host_header, bool secure) {
  if (!policy.public_url.empty()) return origin_of(policy.public_url);
  const std::string host = host_name(host_header);
  if (host.empty()) return "";
  bool believed = is_loopback_host(host);
  for (const std::string& allowed : policy.allowed_hosts) {
    if (iequals_ascii(allowed, host)) believed = true;
  }
  if (!believed) return "";
  return origin_of(std::string(secure ? "https://" : "http://") + std::string(trim(host_header)));
}

bool same_origin(const OriginPolicy& policy, std::string_view origin_header, std::string_view host_header,
                 bool secure) {
  const std::string own = own_origin(policy, host_header, secure);
  return !own.empty() && origin_of(origin_header) == own;
}

}  // namespace parley::relay
