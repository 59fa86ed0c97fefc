// relay/src/app/origin.hpp: origins and host names (pure; one helper per job).
//
// The relay's own origin is the configured public URL; without one, the request's Host header
// is believed only when it names a loopback address (127.0.0.0/8, [::1], localhost) or one of the
// configured allowed hosts, so a DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot
// pass the Origin checks of the WebSocket upgrade, the login and cookie-authenticated REST calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::relay {

// "scheme://host[:port]" of a URL or origin, lower-cased, default ports dropped, any path,
// query or trailing slash removed; "" when malformed or not http(s).
std::string origin_of(std::string_view url);
// The host part of a Host header or an origin's authority ("a.example:8080" -> "a.example",
// "[::1]:80" -> "::1"), lower-cased.
std::string host_name(std::string_view authority);
// True for a loopback host: 127.0.0.0/8, ::1 (any spelling, brackets allowed), ::ffff:127.x.y.z and
// "localhost". Pure (no name resolution). "0.0.0.0", "::" and every other name are false.
bool is_loopback_host(std::string_view host);

struct OriginPolicy {
  std::string public_url;                  // "" = none configured
  std::vector<std::string> allowed_hosts;  // host names believed in Host without a public URL
};
// The relay's own origin for this request: the public URL's origin, or the request's scheme
// and Host when that host is loopback or allowed; "" when the Host is not to be believed.
std::string own_origin(const OriginPolicy& policy, std::string_view host_header, bool secure);
// True when `origin_header` (non-empty) is the relay's own origin for the request.
bool same_origin(const OriginPolicy& policy, std::string_view origin_header, std::string_view host_header,
                 bool secure);

}  // namespace parley::relay
