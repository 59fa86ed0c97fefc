// relay/src/app/http/respond.hpp: answering an HTTP request exactly once, and the JSON views the
// REST API shares (users, contacts). Loop thread only.
#pragma once

#include <memory>
#include <string>

#include "app/http/rest_io.hpp"
#include "domain/types.hpp"
#include "net/server.hpp"

namespace parley::relay {

// Wraps the transport's reply. Copies share one state: the first send() answers, later ones are
// logged and dropped (a bug, never a second response).
class Responder {
 public:
  Responder(HttpReply reply, std::string what);
  void send(HttpResponse r) const;
  void json(int status, const Json& body) const { send(http::json_response(status, body)); }
  void error(const http::ApiError& e) const { send(http::error_response(e)); }
  void error(const Error& e) const;
  bool done() const { return s_->done; }

 private:
  struct State {
    HttpReply reply;
    std::string what;  // "POST /api/v1/..." for logs
    bool done = false;
  };
  std::shared_ptr<State> s_;
};

// A staff user as REST shows it.
Json user_json(const User& u);
Json contact_json(const Contact& c);

}  // namespace parley::relay
