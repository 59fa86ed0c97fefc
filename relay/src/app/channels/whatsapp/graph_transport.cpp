// The Graph API transport over the outbound HTTP client (graph_transport.hpp).
#include "app/channels/whatsapp/graph_transport.hpp"

#include <algorithm>
#include <cstdlib>

namespace parley::relay {

GraphTransport graph_transport(std::shared_ptr<outbound::HttpClient> client) {
  return [client](const GraphCall& call) {
    GraphReply g;
    if (!client) {
      g.transport = wa::Transport::not_sent;
      g.error = "no outbound HTTP client";
      return g;
    }
    outbound::Request r;
    r.method = call.method;
    r.url = call.url;
    r.headers.push_back({"Authorization", "Bearer " + call.token});
    r.body = call.body;
    r.connect_timeout_ms = 5000;
    r.timeout_ms = 15000;
    r.max_response_bytes = 1u << 20;
    const outbound::Response resp = client->send(r);
    switch (resp.outcome) {
      case outbound::Outcome::ok: g.transport = wa::Transport::answered; break;
      case outbound::Outcome::refused: g.transport = wa::Transport::refused; break;
      case outbound::Outcome::bad_url: g.transport = wa::Transport::bad_url; break;
      case outbound::Outcome::not_sent: g.transport = wa::Transport::not_sent; break;
      case outbound::Outcome::unknown: g.transport = wa::Transport::unknown; break;
      case outbound::Outcome::too_large: g.transport = wa::Transport::too_large; break;
    }
    g.status = resp.status;
    g.body = resp.body;
    g.error = resp.error;
    const std::string ra = resp.header("retry-after");
    if (!ra.empty() && ra.size() < 6 && std::all_of(ra.begin(), ra.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      g.retry_after_s = std::atoi(ra.c_str());
    }
    return g;
  };
}

}  // namespace parley::relay
