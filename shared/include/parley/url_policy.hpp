// parley/url_policy.hpp: which outbound URLs a tenant may make the relay call.
//
// Tenants configure URLs the relay then calls with their secrets (an LLM provider's base URL, a CRM
// endpoint, an outbound webhook). Without a rule, a tenant admin could point one at the relay's own
// loopback services or the organisation's private network (server-side request forgery). The rule:
//   1. the URL parses as http or https with a host, no user name or password in it, and a port in
//      1..65535;
//   2. a host on the deny list is refused; a host on the allow list skips rule 3 (the operator's
//      explicit word, e.g. "ollama.internal");
//   3. every address the host resolves to must be public (not loopback, private, link-local,
//      carrier-grade NAT, unique-local, multicast, unspecified or reserved), unless the operator
//      allows private addresses (`--outbound-allow-private`, which tests on loopback set);
//   4. plain http is allowed only to hosts that rule 2 or 3's operator allowance let through: to a
//      public address the URL must be https, so a key is never sent in clear over the internet.
// Host names are compared lower-cased and without a trailing dot; list entries match the host
// exactly or, written ".example.com", any subdomain of it.
//
// The relay resolves the host ONCE, checks every address with check_address, and connects to a
// checked address (app/outbound/http_client.hpp), so a name that resolves differently a moment
// later (DNS rebinding) cannot slip past.
//
// Threads: pure functions and plain values, any thread. Errors are ErrorCode::bad_field with the
// reason in words (said to the admin who saved the URL, and logged without the URL's query).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/result.hpp"

namespace parley {

struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-cased, brackets removed for IPv6 literals, no trailing dot
  int port = 0;        // explicit or the scheme's default
  std::string target;  // path and query, "/" when empty; the fragment is dropped
  bool ip_literal = false;
};

// Rule 1. Only the syntax: no name resolution.
Result<ParsedUrl> parse_url(std::string_view url);

enum class AddressClass {
  public_net,
  loopback,     // 127/8, ::1
  private_net,  // 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7
  link_local,   // 169.254/16 (cloud metadata lives here), fe80::/10
  other,        // unspecified, multicast, broadcast, documentation and reserved ranges
  invalid,      // not an IPv4 or IPv6 address
};

// The class of a textual IPv4 ("10.0.0.1") or IPv6 ("fe80::1", "::ffff:127.0.0.1") address. An
// IPv4-mapped IPv6 address has its IPv4 address's class.
AddressClass classify_address(std::string_view address);

struct UrlPolicy {
  bool allow_private = false;            // rule 3 off (loopback and private networks allowed)
  std::vector<std::string> allow_hosts;  // rule 2: exact host or ".suffix"
  std::vector<std::string> deny_hosts;   // rule 2, checked first
};

// Rules 1, 2 and, for an IP literal, 3 and 4. `trusted` is set when rule 2's allow list matched
// (the caller then skips check_address).
Result<ParsedUrl> check_url(const UrlPolicy& policy, std::string_view url, bool* trusted = nullptr);

// Rules 3 and 4 for one resolved address of `url`'s host: nullopt when it may be called.
std::optional<Error> check_address(const UrlPolicy& policy, const ParsedUrl& url, std::string_view address);

// `url` with its query and any user part removed, for logs.
std::string url_for_log(std::string_view url);

}  // namespace parley
