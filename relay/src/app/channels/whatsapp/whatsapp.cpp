// The WhatsApp channel (whatsapp.hpp). Loop thread.
#include "app/channels/whatsapp/whatsapp.hpp"

#include <boost/asio/post.hpp>
#include <algorithm>

#include "app/channels/whatsapp/send_whatsapp.hpp"
#include "core/log.hpp"
#include "parley/delivery.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"

namespace parley::relay {

namespace {

constexpr const char* kProvider = "whatsapp";
// Inbound messages are ingested with client_msg_id kMsgIdPrefix + wamid (the tenant-wide unique
// id that makes a duplicate delivery store nothing); on_commit reads the wamid back from it.
constexpr std::string_view kMsgIdPrefix = "wa:";

std::string last4(const std::string& s) { return s.size() <= 4 ? std::string(s.empty() ? "" : "****") : "****" + s.substr(s.size() - 4); }

bool is_digits(const std::string& s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

HttpResponse plain(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Tenant ids joined with ',' (webhook_inbox.tenant_id lists the tenants whose secret verified).
std::vector<std::string> split_ids(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    const std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

// ---- WaAccount -----------------------------------------------------------------------------------

WaAccount WaAccount::from_row(const ChannelAccount& row) {
  WaAccount a;
  a.tenant_id = row.tenant_id;
  a.phone_number_id = row.account_id;
  const Json& c = row.config;
  a.token = c.value("token", "");
  a.app_secret = c.value("app_secret", "");
  a.verify_token = c.value("verify_token", "");
  a.api_version = c.value("api_version", a.api_version);
  a.base_url = c.value("base_url", a.base_url);
  a.coexistence = c.value("coexistence", false);
  if (c.contains("templates") && c["templates"].is_array()) a.templates = c["templates"];
  a.updated_at = row.updated_at;
  return a;
}

ChannelAccount WaAccount::to_row() const {
  ChannelAccount r;
  r.tenant_id = tenant_id;
  r.provider = kProvider;
  r.account_id = phone_number_id;
  r.config = Json{{"token", token},           {"app_secret", app_secret}, {"verify_token", verify_token},
                  {"api_version", api_version}, {"base_url", base_url},     {"coexistence", coexistence},
                  {"templates", templates}};
  r.updated_at = updated_at;
  return r;
}

Json WaAccount::to_public_json() const {
  return Json{{"phone_number_id", phone_number_id},
              {"api_version", api_version},
              {"base_url", base_url},
              {"coexistence", coexistence},
              {"templates", templates},
              {"token_set", !token.empty()},
              {"token_last4", last4(token)},
              {"app_secret_set", !app_secret.empty()},
              {"app_secret_last4", last4(app_secret)},
              {"verify_token_set", !verify_token.empty()},
              {"verify_token_last4", last4(verify_token)},
              {"updated_at", updated_at}};
}

std::optional<Error> WaAccount::apply(const Json& body) {
  if (!body.is_object()) return make_error(ErrorCode::bad_json, "the body must be a JSON object");
  WaAccount next = *this;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    auto text = [&](std::string& into, std::size_t max) -> std::optional<Error> {
      if (!v.is_string()) return make_error(ErrorCode::bad_field, "must be a string", k);
      const std::string& s = v.get_ref<const std::string&>();
      if (!is_valid_utf8(s) || s.size() > max) return make_error(ErrorCode::bad_field, "too long or not UTF-8", k);
      into = s;
      return std::nullopt;
    };
    std::optional<Error> e;
    if (k == "phone_number_id") {
      e = text(next.phone_number_id, 32);
      if (!e && !is_digits(next.phone_number_id)) e = make_error(ErrorCode::bad_field, "digits only", k);
    } else if (k == "token") {
      e = text(next.token, 1024);
    } else if (k == "app_secret") {
      e = text(next.app_secret, 256);
    } else if (k == "verify_token") {
      e = text(next.verify_token, 256);
    } else if (k == "api_version") {
      e = text(next.api_version, 16);
      const std::string& s = next.api_version;
      if (!e && (s.size() < 2 || s[0] != 'v' ||
                 !std::all_of(s.begin() + 1, s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }))) {
        e = make_error(ErrorCode::bad_field, "a version like v21.0", k);
      }
    } else if (k == "base_url") {
      e = text(next.base_url, 512);
      if (!e && !next.base_url.starts_with("https://") && !next.base_url.starts_with("http://")) {
        e = make_error(ErrorCode::bad_field, "an http(s) URL", k);
      }
    } else if (k == "coexistence") {
      if (!v.is_boolean()) e = make_error(ErrorCode::bad_field, "must be true or false", k);
      else next.coexistence = v.get<bool>();
    } else if (k == "templates") {
      if (!v.is_array() || v.size() > 200) {
        e = make_error(ErrorCode::bad_field, "an array of at most 200 templates", k);
      } else {
        for (const Json& t : v) {
          wa::TemplateSend ts;
          if (!t.is_object()) {
            e = make_error(ErrorCode::bad_field, "each template is an object {name, language, parameters}", k);
            break;
          }
          ts.name = t.value("name", "");
          ts.language = t.value("language", "en");
          const int n = t.contains("parameters") && t["parameters"].is_number_integer() ? t["parameters"].get<int>() : 0;
          if (n < 0 || n > 20) {
            e = make_error(ErrorCode::bad_field, "parameters is a count 0..20", "templates.parameters");
            break;
          }
          if ((e = wa::check_template(ts))) break;
        }
        if (!e) next.templates = v;
      }
    } else {
      e = make_error(ErrorCode::bad_field, "unknown setting", k);
    }
    if (e) return e;
  }
  if (next.phone_number_id.empty()) return make_error(ErrorCode::missing_field, "phone_number_id is required", "phone_number_id");
  *this = std::move(next);
  return std::nullopt;
}

// ---- the module ------------------------------------------------------------------------------------

WhatsApp::WhatsApp(boost::asio::io_context& io, Hub& hub, DataStore& store, Outbox& outbox, GraphTransport transport,
                   WhatsAppOptions options)
    : io_(io), hub_(hub), store_(store), outbox_(outbox), options_(options) {
  auto sender = std::make_unique<HttpSender>(std::move(transport));
  sender_ = sender.get();
  outbox_.add_sender(std::move(sender));
}

WhatsApp::~WhatsApp() = default;

ChannelHooks WhatsApp::hooks(std::shared_ptr<void> module) {
  ChannelHooks h;
  h.on_write = [this](const Conversation& next, const std::vector<Event>& events, std::vector<Mutation>& ops) {
    on_write(next, events, ops);
  };
  h.on_commit = [this](const Conversation& c, const std::vector<Event>& events) { on_commit(c, events); };
  h.send_guard = [this](const Conversation& c) { return guard(c); };
  h.on_signal = [this](const Conversation& c, const Actor& by, std::string_view type, const Json& data) {
    on_signal(c, by, type, data);
  };
  h.module = std::move(module);
  return h;
}

std::optional<Error> WhatsApp::start() {
  auto reader = store_.open_reader();
  if (!reader) return reader.error();
  auto rows = (*reader)->channel_accounts(kProvider);
  if (!rows) return rows.error();
  for (const ChannelAccount& r : *rows) accounts_[r.tenant_id] = WaAccount::from_row(r);
  publish_accounts();
  auto todo = (*reader)->unprocessed_webhooks(100000);
  if (!todo) return todo.error();
  reader->reset();
  if (!todo->empty()) log::info("whatsapp: processing webhooks stored before a restart", {{"count", todo->size()}});
  for (const WebhookRecord& r : *todo) {
    queue_.emplace_back(r, [] {});
  }
  boost::asio::post(io_, [this] { pump(); });
  return std::nullopt;
}

void WhatsApp::publish_accounts() {
  std::map<std::string, WaAccount> by_number;
  for (const auto& [tenant, a] : accounts_) by_number[a.phone_number_id] = a;
  sender_->set_accounts(by_number);
  outbox_.poke();
}

const WaAccount* WhatsApp::account(const std::string& tenant_id) const {
  const auto it = accounts_.find(tenant_id);
  return it == accounts_.end() ? nullptr : &it->second;
}

const WaAccount* WhatsApp::account_by_number(const std::string& phone_number_id) const {
  for (const auto& [tenant, a] : accounts_) {
    if (a.phone_number_id == phone_number_id) return &a;
  }
  return nullptr;
}

void WhatsApp::save_account(WaAccount a, std::function<void(std::optional<Error>)> cb) {
  for (const auto& [tenant, other] : accounts_) {
    if (tenant != a.tenant_id && other.phone_number_id == a.phone_number_id) {
      return cb(duplicate_error("phone_number_id", "another tenant uses this phone number id"));
    }
  }
  a.updated_at = hub_.now();
  std::vector<Mutation> ops;
  ops.push_back(SaveChannelAccount{a.to_row()});
  hub_.write(std::move(ops), [this, a, cb = std::move(cb)](std::optional<Error> e) {
    if (e) return cb(e);
    accounts_[a.tenant_id] = a;
    publish_accounts();
    cb(std::nullopt);
  });
}

HttpResponse WhatsApp::verify(const std::map<std::string, std::string>& query) const {
  auto q = [&](const char* k) {
    const auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  };
  for (const auto& [tenant, a] : accounts_) {
    if (auto challenge = wa::verify_challenge(q("hub.mode"), q("hub.verify_token"), q("hub.challenge"), a.verify_token)) {
      return plain(200, *challenge);
    }
  }
  return plain(403, "forbidden");
}

void WhatsApp::receive(const HttpRequest& req, std::function<void(HttpResponse)> reply) {
  const std::string& sig = req.header("x-hub-signature-256");
  std::string tenants;
  if (sig.size() == 7 + 64 && sig.starts_with("sha256=")) {
    for (const auto& [tenant, a] : accounts_) {
      if (a.app_secret.empty()) continue;
      if (constant_time_equal(sig, "sha256=" + hmac_sha256_hex(a.app_secret, req.body))) {
        if (!tenants.empty()) tenants += ',';
        tenants += tenant;
      }
    }
  }
  if (tenants.empty()) {
    ++counters_.rejected;
    log::warn("whatsapp: webhook refused: missing or bad signature", {{"from", req.remote_addr}, {"bytes", req.body.size()}});
    return reply(plain(401, "bad signature"));
  }
  WebhookRecord rec;
  rec.id = random_id("wh_");
  rec.provider = kProvider;
  rec.tenant_id = tenants;
  rec.received_at = hub_.now();
  rec.raw = req.body;
  ++counters_.webhooks;
  std::vector<Mutation> ops;
  ops.push_back(InsertWebhook{rec});
  hub_.write(std::move(ops), [this, rec, reply = std::move(reply)](std::optional<Error> e) {
    if (e) {
      // Not stored: Meta retries (with decreasing frequency, for days).
      log::error("whatsapp: webhook not stored; answering 503 so it is retried", {{"error", e->message}});
      return reply(plain(503, "not stored; retry"));
    }
    reply(plain(200, "EVENT_RECEIVED"));
    queue_.emplace_back(rec, [] {});
    pump();
  });
}

// ---- processing a stored webhook ----------------------------------------------------------------

struct WhatsApp::Pending {
  WebhookRecord rec;
  wa::WebhookBatch batch;
  std::vector<std::string> allowed;  // tenants whose secret verified the body
  std::size_t next_message = 0, next_status = 0;
  std::vector<std::string> problems;
  std::function<void()> done;
};

void WhatsApp::pump() {
  if (processing_ || queue_.empty()) return;
  processing_ = true;
  auto [rec, done] = std::move(queue_.front());
  queue_.erase(queue_.begin());
  process(rec, [this, done = std::move(done)] {
    done();
    processing_ = false;
    pump();
  });
}

void WhatsApp::process(const WebhookRecord& rec, std::function<void()> done) {
  auto p = std::make_shared<Pending>();
  p->rec = rec;
  p->allowed = split_ids(rec.tenant_id);
  p->done = std::move(done);
  auto parsed = wa::parse_webhook(rec.raw);
  if (!parsed) {
    p->problems.push_back("the body is not a WhatsApp webhook: " + parsed.error().message);
  } else {
    p->batch = std::move(parsed).value();
    for (std::string& s : p->batch.problems) p->problems.push_back(std::move(s));
  }
  process_next(p);
}

void WhatsApp::process_next(std::shared_ptr<Pending> p) {
  // The tenant owning a phone number id, if its secret verified this body.
  auto tenant_for = [this, p](const std::string& number) -> const WaAccount* {
    const WaAccount* a = account_by_number(number);
    if (!a) return nullptr;
    if (std::find(p->allowed.begin(), p->allowed.end(), a->tenant_id) == p->allowed.end()) return nullptr;
    return a;
  };
  if (p->next_message < p->batch.messages.size()) {
    const wa::InboundMessage m = p->batch.messages[p->next_message++];
    const WaAccount* a = tenant_for(m.phone_number_id);
    if (!a) {
      p->problems.push_back("message " + m.wamid + ": phone number " + m.phone_number_id +
                            " belongs to no tenant whose app secret signed the body");
      return process_next(p);
    }
    ChannelMessage cm;
    cm.tenant_id = a->tenant_id;
    cm.channel = Channel::whatsapp;
    cm.external_user_id = m.sender();
    cm.user_name = m.profile_name;
    if (!m.from.empty()) cm.user_phone = "+" + m.from;
    cm.client_msg_id = std::string(kMsgIdPrefix) + m.wamid;
    if (m.at > 0 && m.at <= hub_.now()) cm.at = m.at;
    cm.answered_by = Answerer::builtin;
    if (wa::is_system_line(m)) {
      cm.sender = Role::system;
      cm.kind = MessageKind::system;
      cm.text = wa::system_line(m);
    } else {
      cm.sender = Role::customer;
      cm.text = std::string(trim(wa::display_text(m)));
      if (count_code_points(cm.text) > 4000) cm.text = std::string(truncate_code_points(cm.text, 4000));
    }
    const std::string tenant = a->tenant_id;
    const Millis at = cm.at.value_or(hub_.now());
    const bool customer = cm.sender == Role::customer;
    hub_.ingest(std::move(cm), [this, p, tenant, at, customer, wamid = m.wamid](Result<IngestResult> r) {
      if (!r) {
        p->problems.push_back("message " + wamid + " not stored: " + r.error().message);
      } else if (!r->saved) {
        ++counters_.duplicates;
      } else {
        ++counters_.messages;
        if (customer) {
          if (const Conversation* c = hub_.find_conversation(tenant, r->conversation_id)) {
            Millis& last = last_inbound_[c->contact_id];
            last = std::max(last, at);
          }
        }
      }
      process_next(p);
    });
    return;
  }
  if (p->next_status < p->batch.statuses.size()) {
    const wa::StatusUpdate s = p->batch.statuses[p->next_status++];
    const WaAccount* a = tenant_for(s.phone_number_id);
    if (!a) {
      p->problems.push_back("status of " + s.wamid + ": phone number " + s.phone_number_id + " is not this tenant's");
      return process_next(p);
    }
    DeliveryStatus row;
    row.tenant_id = a->tenant_id;
    row.provider = kProvider;
    row.provider_id = s.wamid;
    row.state = std::string(wa::to_string(s.state));
    row.recipient_id = s.recipient_id;
    row.at = s.at;
    row.received_at = hub_.now();
    row.error_code = s.error_code;
    row.error_title = s.error_title;
    row.error_detail = s.error_detail;
    row.pricing = s.pricing;
    std::vector<Mutation> ops;
    ops.push_back(InsertDeliveryStatus{row});
    hub_.write(std::move(ops), [this, p, s, tenant = a->tenant_id](std::optional<Error> e) {
      if (e && is_duplicate(*e)) {
        ++counters_.status_duplicates;
        return process_next(p);
      }
      if (e) {
        p->problems.push_back("status of " + s.wamid + " not stored: " + e->message);
        return process_next(p);
      }
      ++counters_.statuses;
      // The outbound message it is about: its furthest state moves (read on a worker).
      hub_.on_worker([this, p, s, tenant](StoreReader* reader) -> std::function<void()> {
        std::optional<OutboxJob> job;
        if (reader) {
          if (auto j = reader->find_outbox_by_provider_id(kProvider, s.wamid); j && j->has_value() &&
                                                                                 (*j)->tenant_id == tenant) {
            job = **j;
          }
        }
        return [this, p, s, job] {
          if (job) {
            OutboxJob next = *job;
            const auto cur = wa::parse_delivery_state(next.delivery).value_or(wa::DeliveryState::pending);
            const auto moved = wa::furthest(cur, s.state);
            if (moved != cur) {
              next.delivery = std::string(wa::to_string(moved));
              if (moved == wa::DeliveryState::failed) {
                next.error_code = s.error_code;
                next.last_error = s.error_title + (s.error_detail.empty() ? "" : ": " + s.error_detail);
              }
              next.updated_at = hub_.now();
              std::vector<Mutation> ops;
              ops.push_back(SetOutboxDelivery{next.tenant_id, next.id, next.delivery, next.error_code, next.last_error,
                                              next.updated_at});
              hub_.write(std::move(ops), [this, next](std::optional<Error> e) {
                if (!e) job_updated(next);
              });
            }
          }
          process_next(p);
        };
      });
    });
    return;
  }
  // Done: mark the row processed with what was met.
  std::string error;
  for (const std::string& s : p->problems) {
    if (!error.empty()) error += "; ";
    error += s;
    if (error.size() > 4000) break;
  }
  counters_.problems += p->problems.size();
  if (!p->problems.empty()) log::warn("whatsapp: webhook processed with problems", {{"id", p->rec.id}, {"problems", error}});
  std::vector<Mutation> ops;
  ops.push_back(MarkWebhookProcessed{p->rec.id, hub_.now(), error});
  hub_.write(std::move(ops), [p](std::optional<Error> e) {
    if (e) log::error("whatsapp: could not mark a webhook processed", {{"id", p->rec.id}, {"error", e->message}});
    p->done();
  });
}

// ---- outbound --------------------------------------------------------------------------------------

Millis WhatsApp::last_customer_at(const Conversation& c) {
  auto it = last_inbound_.find(c.contact_id);
  if (it != last_inbound_.end()) return it->second;
  const Millis at = hub_.last_customer_message_at(c.tenant_id, c.contact_id, Channel::whatsapp);
  last_inbound_[c.contact_id] = at;
  return at;
}

Json WhatsApp::window(const Conversation& c) {
  const Millis last = last_customer_at(c);
  return Json{{"open", wa::window_open(last, hub_.now())},
              {"last_customer_at", last},
              {"closes_at", wa::window_closes_at(last)}};
}

std::optional<Error> WhatsApp::guard(const Conversation& c) {
  if (c.channel != Channel::whatsapp || bypass_guard_) return std::nullopt;
  if (!account(c.tenant_id)) {
    return make_error(ErrorCode::unavailable, "WhatsApp is not set up for this tenant: the message could not be sent",
                      "whatsapp");
  }
  if (wa::window_open(last_customer_at(c), hub_.now())) return std::nullopt;
  ++counters_.refused_window;
  return make_error(ErrorCode::invalid_transition,
                    "more than 24 hours since the customer last wrote on WhatsApp: free text cannot be sent; "
                    "send an approved template instead",
                    "whatsapp_window");
}

void WhatsApp::on_write(const Conversation& next, const std::vector<Event>& events, std::vector<Mutation>& ops) {
  if (next.channel != Channel::whatsapp) return;
  const WaAccount* a = account(next.tenant_id);
  // A customer message in this same write opens the window for what follows it (the assistant's
  // greeting is written together with the customer's first message).
  for (const Event& e : events) {
    if (e.type == "chat.new_message" && e.actor.role == Role::customer) {
      const Millis known = last_customer_at(next);
      last_inbound_[next.contact_id] = std::max(known, e.data.contains("message") && e.data["message"].is_object()
                                                           ? e.data["message"].value("at", e.at)
                                                           : e.at);
    }
  }
  for (const Event& e : events) {
    if (e.type != "chat.new_message" || e.audience != Audience::everyone) continue;
    const Json* msg = e.data.contains("message") ? &e.data["message"] : nullptr;
    if (!msg || !msg->is_object()) continue;
    const std::string kind = msg->value("kind", "");
    const std::string role = msg->contains("sender") && (*msg)["sender"].is_object()
                                 ? (*msg)["sender"].value("role", "")
                                 : std::string();
    if ((kind != "text" && kind != "kb_article") || (role != "agent" && role != "bot")) continue;
    if (e.actor.role == Role::customer) continue;
    std::optional<Contact> k = hub_.contact(next.tenant_id, next.contact_id);
    OutboxJob job;
    job.id = random_id("ob_");
    job.tenant_id = next.tenant_id;
    job.channel = kProvider;
    job.conversation_id = next.id;
    job.seq = e.seq;
    job.lane = next.id;
    job.recipient = k ? k->external_id : "";
    job.created_at = job.updated_at = e.at;
    const std::string cmid = msg->value("client_msg_id", "");
    Json body;
    bool is_template = false;
    if (auto t = templates_pending_.find(cmid); !cmid.empty() && t != templates_pending_.end()) {
      body = wa::template_body(job.recipient, t->second);
      templates_pending_.erase(t);
      is_template = true;
    } else {
      body = wa::text_body(job.recipient, msg->value("text", ""));
    }
    job.payload = Json{{"phone_number_id", a ? a->phone_number_id : ""}, {"body", body}};
    if (!a || job.recipient.empty()) {
      job.state = OutboxState::failed;
      job.delivery = "failed";
      job.last_error = !a ? "WhatsApp is not set up for this tenant" : "the contact has no WhatsApp id";
    } else if (!is_template && !wa::window_open(last_customer_at(next), hub_.now())) {
      // Staff texts were refused by the guard; anything else (the assistant) is stopped here,
      // visibly, rather than sent to fail at Meta.
      job.state = OutboxState::failed;
      job.delivery = "failed";
      job.error_class = "template_needed";
      job.error_code = 131047;
      job.last_error = "more than 24 hours since the customer last wrote: only an approved template can be sent";
    }
    ops.push_back(InsertOutboxJob{job});
    written_[next.id + '\n' + std::to_string(e.seq)] = job;
  }
}

void WhatsApp::on_commit(const Conversation& c, const std::vector<Event>& events) {
  if (c.channel != Channel::whatsapp) return;
  for (const Event& e : events) {
    if (e.type == ev::new_message && e.actor.role == Role::customer) {
      const Json* m = e.data.is_object() && e.data.contains("message") ? &e.data["message"] : nullptr;
      const std::string cmid = m && m->is_object() ? m->value("client_msg_id", "") : "";
      if (cmid.starts_with(kMsgIdPrefix)) {
        if (inbound_.size() > 10000) inbound_.clear();  // bounded; a lost entry only skips a receipt
        inbound_[c.id] = Inbound{e.seq, cmid.substr(kMsgIdPrefix.size())};
      }
    }
    auto it = written_.find(c.id + '\n' + std::to_string(e.seq));
    if (it == written_.end()) continue;
    OutboxJob job = std::move(it->second);
    written_.erase(it);
    if (job.state == OutboxState::pending) {
      outbox_.enqueue(job);
    } else {
      job_updated(job);
    }
  }
  // A write that failed leaves its entries: they are dropped when no longer plausible.
  if (written_.size() > 10000) written_.clear();
}

// A staff member viewing the conversation (seen up to the customer's newest message) marks it
// read on WhatsApp, once per message; typing shows the typing indicator (which marks read too),
// at most every 20 s while they type (WhatsApp shows it up to 25 s). Customer and bot signals,
// and conversations whose newest customer message this run has not seen, send nothing.
void WhatsApp::on_signal(const Conversation& c, const Actor& by, std::string_view type, const Json& data) {
  if (c.channel != Channel::whatsapp || by.role == Role::customer || by.role == Role::bot || !sender_) return;
  const auto it = inbound_.find(c.id);
  const WaAccount* acc = account(c.tenant_id);
  if (it == inbound_.end() || !acc) return;
  Inbound& in = it->second;
  bool typing = false;
  if (type == ev::seen) {
    const Seq seq = data.is_object() ? data.value("seq", Seq{0}) : 0;
    if (in.read_sent || seq < in.seq) return;
  } else if (type == ev::typing) {
    const Millis now = hub_.now();
    if (!data.is_object() || !data.value("typing", false) || (in.typing_sent && now - in.typing_sent < 20'000)) return;
    in.typing_sent = now;
    typing = true;
  } else {
    return;
  }
  in.read_sent = true;
  outbox_.signal([sender = sender_, number = acc->phone_number_id, wamid = in.wamid, typing] {
    if (!sender->send_read_receipt(number, wamid, typing)) {
      log::info("whatsapp: a read receipt was not accepted", {{"typing", typing}});
    }
  });
}

void WhatsApp::job_updated(const OutboxJob& job) {
  if (job.seq == 0) return;
  DeliveryNote note;
  note.seq = job.seq;
  note.channel = job.channel;
  note.state = job.state == OutboxState::pending ? "pending" : job.delivery;
  if (job.state == OutboxState::unknown) note.state = "unknown";
  note.reason = job.last_error;
  note.code = job.error_code;
  note.template_needed = job.error_class == "template_needed";
  const Millis now = hub_.now();
  hub_.change_conversation(job.tenant_id, job.conversation_id,
                           [note, now](const Conversation& live) { return delivery_changed(live, note, now); },
                           [id = job.id](Result<Json> r) {
                             if (!r) log::warn("whatsapp: delivery state not recorded", {{"job", id}, {"error", r.error().message}});
                           });
}

void WhatsApp::send_template(const StaffIdentity& who, const std::string& conversation_id, wa::TemplateSend t,
                             std::function<void(Result<Json>)> cb) {
  if (auto e = wa::check_template(t)) return cb(*e);
  const std::string tenant = who.user.tenant_id;
  const WaAccount* a = account(tenant);
  if (!a) return cb(make_error(ErrorCode::unavailable, "WhatsApp is not set up for this tenant", "whatsapp"));
  const Conversation* c = hub_.find_conversation(tenant, conversation_id);
  if (!c) return cb(make_error(ErrorCode::not_found, "no such conversation"));
  if (c->channel != Channel::whatsapp) return cb(make_error(ErrorCode::bad_field, "not a WhatsApp conversation", "conversation_id"));
  // Only the tenant's approved templates, with their parameter count (when it lists any).
  if (!a->templates.empty()) {
    bool found = false;
    for (const Json& x : a->templates) {
      if (x.value("name", "") == t.name && x.value("language", "en") == t.language) {
        found = true;
        const int n = x.value("parameters", 0);
        if (n != static_cast<int>(t.parameters.size())) {
          return cb(make_error(ErrorCode::bad_field, "this template takes " + std::to_string(n) + " parameters",
                               "template.parameters"));
        }
      }
    }
    if (!found) return cb(make_error(ErrorCode::bad_field, "not one of the tenant's templates", "template.name"));
  }
  std::string text = "[template " + t.name + "]";
  for (const std::string& p : t.parameters) text += " " + p;
  const std::string cmid = "tpl:" + random_token(12);
  templates_pending_[cmid] = t;
  Command cmd = SendMessage{conversation_id, cmid, text, MessageKind::text};
  // As the staff member's own message (the same rules: the assignee of an active conversation),
  // past the window guard: a template may go outside the window. The guard runs synchronously
  // inside staff_command, so the flag covers exactly this message.
  bypass_guard_ = true;
  hub_.staff_command(who, std::move(cmd), [this, cmid, cb = std::move(cb)](Result<Json> r) {
    templates_pending_.erase(cmid);
    cb(std::move(r));
  });
  bypass_guard_ = false;
}

}  // namespace parley::relay
