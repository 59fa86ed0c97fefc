// relay/src/app/outbound/http_client.hpp: the one way the relay calls external services (LLM
// providers, the WhatsApp Graph API, CRMs, outbound webhooks, ElevenLabs).
//
// Every call goes through the outbound URL rule (parley/url_policy.hpp): the URL is parsed, the
// host checked against the operator's allow/deny lists, resolved ONCE, every candidate address
// checked, and the connection made to a checked address (pinned: cpp-httplib's host-to-address
// map), so the name cannot resolve elsewhere between the check and the connect. TLS verifies the
// certificate against the host NAME (system CAs, or the operator's --outbound-ca-file). Redirects
// are not followed (a 3xx comes back as an answer): following one would skip the rule.
//
// Outcomes, so callers can decide about retries without guessing:
//   ok        an HTTP answer arrived (any status: the caller classifies 4xx/5xx);
//   refused   the URL rule said no: nothing was sent;
//   bad_url   the URL does not parse: nothing was sent;
//   not_sent  DNS, connect, TLS or writing the request failed: the far side cannot have acted, so
//             a retry is safe;
//   unknown   the request was written but no complete answer came (read timeout, reset): the far
//             side may have acted. Callers without an idempotency key must not silently resend;
//   too_large the answer was bigger than max_response_bytes (the transfer was stopped).
// `error` is words for logs; it never holds a header value or a body, so no secret reaches a log
// through it. Log URLs with url_for_log (no query).
//
// Threads: send() BLOCKS for up to the timeouts; call it from a worker thread you own, never from
// the hub's loop thread, and post results back to the loop. One HttpClient may be used from many
// threads at once: each call opens its own connection (no pooling yet: calls are seconds apart
// per conversation, and an LLM call dwarfs a TLS handshake).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parley/url_policy.hpp"

namespace parley::relay::outbound {

struct Header {
  std::string name, value;
};

struct Request {
  std::string method = "POST";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  std::string content_type = "application/json";  // sent only with a non-empty body
  int connect_timeout_ms = 5000;
  int timeout_ms = 30000;  // each read and each write (not the whole exchange)
  std::size_t max_response_bytes = 8u << 20;
};

enum class Outcome { ok, refused, bad_url, not_sent, unknown, too_large };
std::string_view to_string(Outcome o);

struct Response {
  Outcome outcome = Outcome::not_sent;
  int status = 0;  // with Outcome::ok
  std::vector<Header> headers;
  std::string body;
  std::string error;
  bool ok() const { return outcome == Outcome::ok; }
  // The first header of that name (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Response send(const Request& req) = 0;
  // For server-sent events and other streams: a 2xx answer's body is handed to `on_piece` as it
  // arrives, split anywhere (buffer and split on event boundaries yourself), and not kept in
  // Response::body; any other status's body is kept in Response::body as send() does (the error
  // JSON). `on_piece` returning false stops the transfer: the outcome is then ok.
  virtual Response send_streaming(const Request& req, const std::function<bool(std::string_view piece)>& on_piece) = 0;
};

struct ClientOptions {
  std::string ca_file;  // PEM bundle to trust instead of the system's CAs ("" = system)
};

std::unique_ptr<HttpClient> make_http_client(const UrlPolicy& policy, ClientOptions options = {});

}  // namespace parley::relay::outbound
