// The outbox's WhatsApp sender (send_whatsapp.hpp).
#include "app/channels/whatsapp/send_whatsapp.hpp"

#include "core/log.hpp"

namespace parley::relay {

namespace {
std::string messages_url(const WaAccount& a) {
  std::string base = a.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + a.api_version + "/" + a.phone_number_id + "/messages";
}
}  // namespace

void HttpSender::set_accounts(const std::map<std::string, WaAccount>& by_number) {
  std::lock_guard lock(mu_);
  accounts_ = by_number;
  for (auto& [number, lane] : numbers_) {
    lane.stopped = false;  // settings changed: try again
    const auto it = accounts_.find(number);
    if (it != accounts_.end()) lane.bucket.rate = lane.bucket.burst = it->second.coexistence ? wa::kCoexistenceRate : wa::kNumberRate;
  }
}

Millis HttpSender::ready_in(const OutboxJob& job, Millis now) {
  const std::string number = job.payload.value("phone_number_id", "");
  std::lock_guard lock(mu_);
  const auto acc = accounts_.find(number);
  if (acc == accounts_.end()) return 60'000;  // no settings (yet): wait for set_accounts
  Lane& n = numbers_[number];
  if (n.bucket.tokens < 0) {
    n.bucket.rate = n.bucket.burst = acc->second.coexistence ? wa::kCoexistenceRate : wa::kNumberRate;
  }
  if (n.stopped) return 60'000;
  if (n.paused_until > now) return n.paused_until - now;
  Lane& u = users_[number + '\n' + job.recipient];
  if (u.bucket.tokens < 0) {
    u.bucket.rate = wa::kUserRate;
    u.bucket.burst = wa::kUserBurst;
  }
  if (u.paused_until > now) return u.paused_until - now;
  if (const Millis w = n.bucket.wait_ms(now); w > 0) return w;
  if (const Millis w = u.bucket.wait_ms(now); w > 0) return w;
  n.bucket.take(now);
  u.bucket.take(now);
  return 0;
}

ChannelSender::Result HttpSender::send(const OutboxJob& job) {
  const std::string number = job.payload.value("phone_number_id", "");
  WaAccount acc;
  {
    std::lock_guard lock(mu_);
    const auto it = accounts_.find(number);
    if (it == accounts_.end()) {
      Result r;
      r.state = OutboxState::pending;
      r.retry_in_ms = 60'000;
      r.error = "no WhatsApp settings for this number";
      return r;
    }
    acc = it->second;
  }
  GraphCall call;
  call.url = messages_url(acc);
  call.token = acc.token;
  const auto body = job.payload.find("body");
  call.body = body != job.payload.end() ? body->dump(-1, ' ', false, Json::error_handler_t::replace) : "{}";
  const GraphReply reply = transport_ ? transport_(call) : GraphReply{};
  const wa::SendVerdict v = wa::classify_send(reply.transport, reply.status, reply.body, job.attempts, reply.retry_after_s);
  Result r;
  r.code = v.code;
  r.error_class = std::string(wa::to_string(v.cls));
  r.error = v.reason;
  const Millis now = job.updated_at;
  switch (v.cls) {
    case wa::SendClass::ok:
      r.state = OutboxState::sent;
      r.provider_id = v.provider_id;
      r.error_class.clear();
      break;
    case wa::SendClass::retry: {
      r.state = OutboxState::pending;
      r.retry_in_ms = v.delay_ms;
      if (v.code == 130429 || v.code == 131057) {  // the whole number waits
        std::lock_guard lock(mu_);
        numbers_[number].paused_until = now + v.delay_ms;
      }
      break;
    }
    case wa::SendClass::retry_user: {
      r.state = OutboxState::pending;
      r.retry_in_ms = v.delay_ms;
      std::lock_guard lock(mu_);
      users_[number + '\n' + job.recipient].paused_until = now + v.delay_ms;
      break;
    }
    case wa::SendClass::auth_stop: {
      // Nothing of this number goes until its settings change; this job waits (pending).
      r.state = OutboxState::pending;
      r.retry_in_ms = 60'000;
      std::lock_guard lock(mu_);
      numbers_[number].stopped = true;
      log::error("whatsapp: the Graph API refused the number's token; sends stopped until its settings change",
                 {{"phone_number_id", number}, {"code", v.code}});
      break;
    }
    case wa::SendClass::permanent:
    case wa::SendClass::template_needed:
      r.state = OutboxState::failed;
      break;
    case wa::SendClass::unknown_outcome:
      r.state = OutboxState::unknown;
      break;
  }
  if (v.cls != wa::SendClass::ok) {
    log::warn("whatsapp: send attempt", {{"job", job.id}, {"class", wa::to_string(v.cls)}, {"code", v.code},
                                          {"attempt", job.attempts}, {"transport_error", reply.error}});
  }
  return r;
}

bool HttpSender::send_read_receipt(const std::string& phone_number_id, const std::string& wamid, bool typing) {
  WaAccount acc;
  {
    std::lock_guard lock(mu_);
    const auto it = accounts_.find(phone_number_id);
    if (it == accounts_.end()) return false;
    acc = it->second;
  }
  GraphCall call;
  call.url = messages_url(acc);
  call.token = acc.token;
  call.body = wa::read_receipt_body(wamid, typing).dump();
  const GraphReply reply = transport_ ? transport_(call) : GraphReply{};
  return reply.transport == wa::Transport::answered && reply.status >= 200 && reply.status < 300;
}

}  // namespace parley::relay
