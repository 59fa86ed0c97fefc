// relay/src/app/outbound/http_client.cpp: cpp-httplib behind the outbound URL rule.
#include "app/outbound/http_client.hpp"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace parley::relay::outbound {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Every address `host` resolves to, as text. Empty when it does not resolve.
std::vector<std::string> resolve(const std::string& host) {
  std::vector<std::string> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* p = res; p; p = p->ai_next) {
    char buf[NI_MAXHOST];
    if (getnameinfo(p->ai_addr, p->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0) {
      std::string a(buf);
      if (auto pct = a.find('%'); pct != std::string::npos) a.erase(pct);  // IPv6 zone
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
    }
  }
  freeaddrinfo(res);
  return out;
}

Outcome outcome_of(httplib::Error e) {
  switch (e) {
    case httplib::Error::Success:
      return Outcome::ok;
    case httplib::Error::Connection:
    case httplib::Error::BindIPAddress:
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::UnsupportedMultipartBoundaryChars:
    case httplib::Error::Write:  // the request was not written whole: the far side cannot act on it
      return Outcome::not_sent;
    default:  // Read, Unknown, Compression, ...: the request went out, the answer did not come back
      return Outcome::unknown;
  }
}

Response fail(Outcome o, std::string why) {
  Response r;
  r.outcome = o;
  r.error = std::move(why);
  return r;
}

class HttplibClient final : public HttpClient {
 public:
  HttplibClient(UrlPolicy policy, ClientOptions options) : policy_(std::move(policy)), options_(std::move(options)) {}

  Response send(const Request& req) override { return exchange(req, nullptr); }
  Response send_streaming(const Request& req, const std::function<bool(std::string_view)>& on_piece) override {
    return exchange(req, &on_piece);
  }

 private:
  Response exchange(const Request& req, const std::function<bool(std::string_view)>* on_piece) {
    auto parsed = parse_url(req.url);
    if (!parsed) return fail(Outcome::bad_url, parsed.error().message);
    bool trusted = false;
    auto checked = check_url(policy_, req.url, &trusted);
    if (!checked) return fail(Outcome::refused, checked.error().message);
    const ParsedUrl& url = *checked;

    // Resolve once; connect only to an address that passed the rule.
    std::string address;
    std::string last_refusal = "the host " + url.host + " does not resolve";
    const std::vector<std::string> candidates = url.ip_literal ? std::vector<std::string>{url.host} : resolve(url.host);
    for (const auto& a : candidates) {
      if (trusted) {
        address = a;
        break;
      }
      if (auto e = check_address(policy_, url, a)) {
        last_refusal = e->message;
        continue;
      }
      address = a;
      break;
    }
    if (address.empty()) {
      return fail(candidates.empty() ? Outcome::not_sent : Outcome::refused, last_refusal);
    }

    const bool v6_host = url.host.find(':') != std::string::npos;
    const std::string origin =
        url.scheme + "://" + (v6_host ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
    httplib::Client cli(origin);
    if (!cli.is_valid()) return fail(Outcome::bad_url, "the URL cannot be called (" + url_for_log(req.url) + ")");
    if (!url.ip_literal) cli.set_hostname_addr_map({{url.host, address}});
    const auto ms = [](int v) { return std::chrono::milliseconds(std::max(1, v)); };
    cli.set_connection_timeout(ms(req.connect_timeout_ms));
    cli.set_read_timeout(ms(req.timeout_ms));
    cli.set_write_timeout(ms(req.timeout_ms));
    cli.set_follow_location(false);
    cli.set_keep_alive(false);
    cli.enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) cli.set_ca_cert_path(options_.ca_file.c_str());

    httplib::Request hreq;
    hreq.method = req.method;
    hreq.path = url.target;
    for (const auto& h : req.headers) hreq.headers.emplace(h.name, h.value);
    if (!req.body.empty()) {
      hreq.body = req.body;
      if (!hreq.has_header("Content-Type")) hreq.headers.emplace("Content-Type", req.content_type);
    }

    Response out;
    bool streaming_body = false, over_cap = false;
    hreq.response_handler = [&](const httplib::Response& head) {
      out.status = head.status;
      for (const auto& [k, v] : head.headers) out.headers.push_back({k, v});
      streaming_body = on_piece != nullptr && head.status >= 200 && head.status < 300;
      return true;
    };
    hreq.content_receiver = [&](const char* data, std::size_t len, std::uint64_t, std::uint64_t) {
      if (streaming_body) return (*on_piece)(std::string_view(data, len));
      if (out.body.size() + len > req.max_response_bytes) {
        over_cap = true;
        return false;
      }
      out.body.append(data, len);
      return true;
    };

    auto result = cli.send(hreq);
    const httplib::Error err = result.error();
    if (err == httplib::Error::Success) {
      out.outcome = Outcome::ok;
      if (result) out.status = result->status;
      return out;
    }
    if (err == httplib::Error::Canceled) {
      if (over_cap) {
        out.outcome = Outcome::too_large;
        out.body.clear();
        out.error = "the answer was larger than " + std::to_string(req.max_response_bytes) + " bytes";
        return out;
      }
      out.outcome = Outcome::ok;  // the stream's reader stopped it
      return out;
    }
    Response r = fail(outcome_of(err), httplib::to_string(err) + " calling " + url_for_log(req.url));
    return r;
  }

  UrlPolicy policy_;
  ClientOptions options_;
};

}  // namespace

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::ok: return "ok";
    case Outcome::refused: return "refused";
    case Outcome::bad_url: return "bad_url";
    case Outcome::not_sent: return "not_sent";
    case Outcome::unknown: return "unknown";
    case Outcome::too_large: return "too_large";
  }
  return "unknown";
}

std::string Response::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequal(h.name, name)) return h.value;
  return {};
}

std::unique_ptr<HttpClient> make_http_client(const UrlPolicy& policy, ClientOptions options) {
  return std::make_unique<HttplibClient>(policy, std::move(options));
}

}  // namespace parley::relay::outbound
