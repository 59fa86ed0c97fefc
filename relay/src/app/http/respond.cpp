// Answering once; shared JSON views (respond.hpp).
#include "app/http/respond.hpp"

#include "core/log.hpp"

namespace parley::relay {

Responder::Responder(HttpReply reply, std::string what)
    : s_(std::make_shared<State>(State{std::move(reply), std::move(what), false})) {}

void Responder::send(HttpResponse r) const {
  if (s_->done) {
    log::error("http: second reply dropped", {{"request", s_->what}, {"status", r.status}});
    return;
  }
  s_->done = true;
  s_->reply(std::move(r));
}

void Responder::error(const Error& e) const {
  if (e.code == ErrorCode::internal) log::error("http: internal error", {{"request", s_->what}, {"message", e.message}});
  send(http::error_response(e));
}

Json user_json(const User& u) {
  return Json{{"id", u.id},
              {"tenant_id", u.tenant_id},
              {"username", u.username},
              {"name", u.display_name},
              {"display_name", u.display_name},
              {"role", to_string(u.role)},
              {"created_at", u.created_at},
              {"disabled", u.disabled},
              {"email", u.email}};
}

Json contact_json(const Contact& c) {
  return Json{{"id", c.id},
              {"name", c.name},
              {"email", c.email},
              {"phone", c.phone},
              {"external_id", c.external_id},
              {"channel", to_string(c.channel)},
              {"created_at", c.created_at}};
}

}  // namespace parley::relay
