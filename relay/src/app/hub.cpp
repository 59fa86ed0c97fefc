// The hub facade (hub.hpp): start-up, the Application callbacks, timers, and the operations the
// HTTP side and the bridges call. The work itself is done by the modules in hub_state.hpp.
#include "app/hub.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/change_watch.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/handlers.hpp"
#include "app/commands/ingest.hpp"
#include "app/hub_state.hpp"
#include "app/offline/offline.hpp"
#include "app/origin.hpp"
#include "parley/supervision.hpp"
#include "core/log.hpp"
#include "core/time_zone.hpp"
#include "store/auth.hpp"

namespace asio = boost::asio;

namespace parley::relay {

namespace {
constexpr const char* kCustomerSocketPath = "/ws";
constexpr const char* kStaffSocketPath = "/ws/inbox";
}  // namespace

// Timers the facade owns: the sweep (agent-gone grace, abandoned waits, session expiry) and the
// watcher of changes made by other processes.
struct HubTimers {
  HubTimers(asio::io_context& io, HubState& s) : sweep(io), watch(s) {}
  asio::steady_timer sweep;
  ChangeWatch watch;
};

namespace {

void arm_sweep(HubState& s, HubTimers& t);

// Visits only the people whose absence deadline passed (live/presence.hpp), and their
// conversations: never every conversation.
void sweep(HubState& s) {
  ++s.sweep_counters.sweeps;
  const Millis at = s.now();
  for (const std::string& user_id : s.staff_presence.due(s.steady())) {
    for (const std::string& tenant_id : s.tenants.ids()) {
      std::vector<std::string> ids;
      for (const ConvState* cs : s.inbox(tenant_id).mine(user_id)) ids.push_back(cs->committed.id);
      for (const std::string& id : ids) {
        ++s.sweep_counters.conversations_visited;
        ConvState* cs = s.convs.find(id);
        if (!cs) continue;
        log::info("agent gone: conversation requeued", {{"conversation", id}, {"agent", user_id}});
        cmd::change(s, *cs, [at](const Conversation& live) { return agent_gone(live, at); }, nullptr);
      }
    }
  }
  for (const std::string& contact_id : s.contact_presence.due(s.steady())) {
    for (ConvState* cs : s.convs.of_contact(contact_id)) {
      ++s.sweep_counters.conversations_visited;
      if (cs->live.status != Status::pending || cs->live.channel != Channel::web) continue;
      if (!abandon_applies(cs->live, s.offline.exempt(cs->live.id))) {  // issue 9: waits for the morning
        ++s.offline.counters.abandon_exempted;
        continue;
      }
      log::info("customer gone: conversation abandoned", {{"conversation", cs->live.id}});
      cmd::change(s, *cs, [at](const Conversation& live) { return abandon(live, at); }, nullptr);
    }
  }
  s.sessions.expire(at);
}

void arm_sweep(HubState& s, HubTimers& t) {
  if (s.stopped) return;
  const Millis shortest = std::min(s.options.agent_grace_ms, s.options.abandon_after_ms);
  const Millis period = std::clamp<Millis>(shortest / 4, 10, 1000);
  t.sweep.expires_after(std::chrono::milliseconds(period));
  t.sweep.async_wait([&s, &t](const boost::system::error_code& ec) {
    if (ec || s.stopped) return;
    sweep(s);
    arm_sweep(s, t);
  });
}

// Who must be watched after a commit: an agent assigned while offline, a waiting web customer
// who is not connected.
void watch_after_commit(HubState& s, const ConvState& cs) {
  const Conversation& c = cs.committed;
  if (c.status == Status::active && !c.assignee_id.empty() && c.assignee_id != "api" &&
      !s.staff_presence.online(c.assignee_id)) {
    s.staff_presence.watch(c.assignee_id, std::chrono::milliseconds(s.options.agent_grace_ms));
  }
  if (c.status == Status::pending && c.channel == Channel::web && !s.contact_presence.online(c.contact_id) &&
      !s.offline.exempt(c.id)) {
    s.contact_presence.watch(c.contact_id, std::chrono::milliseconds(s.options.abandon_after_ms));
  }
}

// The encoded inbox.snapshot notice.
std::string snapshot(HubState& s, const StaffIdentity& who) {
  const std::string& tenant_id = who.user.tenant_id;
  const Tenant* t = s.tenants.find(tenant_id);
  TenantInbox& ix = s.inbox(tenant_id);
  InboxSnapshot snap;
  snap.user = StaffUser{who.user.id, who.user.username, who.user.display_name, who.user.role, tenant_id};
  snap.counts = s.counts(tenant_id);
  if (t) snap.issue_types = t->settings.issue_types;
  snap.server_time = s.now();
  TenantInbox::Page q = ix.page(InboxList{InboxListName::queue, 0, kInboxPageDefault, std::nullopt}, who.user.id);
  TenantInbox::Page m = ix.page(InboxList{InboxListName::mine, 0, kInboxPageDefault, std::nullopt}, who.user.id);
  snap.queue_total = q.total;
  snap.mine_total = m.total;
  // The items come from each conversation's cached encoding: a snapshot is text joined, not a
  // document of hundreds of items per connecting socket.
  std::vector<std::shared_ptr<const std::string>> keep;
  std::vector<const std::string*> queue, mine;
  for (const ConvState* cs : q.items) queue.push_back(keep.emplace_back(s.encoded_item(*cs)).get());
  for (const ConvState* cs : m.items) mine.push_back(keep.emplace_back(s.encoded_item(*cs)).get());
  // issue 9, supervision: the tenant's waiting threshold rides in the snapshot's data.
  return with_wait_threshold(encode_inbox_snapshot(snap, queue, mine),
                             s.router.config(tenant_id).settings.wait_threshold_ms / 1000);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction, start, stop.

Hub::Hub(asio::io_context& io, DataStore& store, HubOptions options, std::unique_ptr<Assistant> assistant)
    : s_(std::make_unique<HubState>(io, store, std::move(options), std::move(assistant))) {}

Hub::~Hub() {
  stop();
  timers_.reset();
}

void Hub::stop() {
  HubState& s = *s_;
  if (s.stopped) return;
  s.stopped = true;
  s.store.set_batch_done(nullptr);
  if (timers_) {
    timers_->sweep.cancel();
    timers_->watch.stop();
  }
  s.feed.stop();
  s.router.stop();
  s.dashboard.stop();
  s.sessions.stop();
  s.workers->join();
  if (s.mail) s.mail->stop();
}

std::optional<Error> Hub::start() {
  HubState& s = *s_;
  auto reader = s.store.open_reader();
  if (!reader) return reader.error();
  s.reader_owner = std::move(reader).value();
  s.reader = s.reader_owner.get();
  // One inbox.changes per staff socket per group commit: the writer runs this after the
  // completions of each batch, so posted after all of them, it runs after them on the loop.
  s.store.set_batch_done([&s] { asio::post(s.io, [&s] { s.feed.batch_done(); }); });
  s.pipeline.set_after_commit([&s](const ConvState& cs) { watch_after_commit(s, cs); });

  if (auto e = s.tenants.load(*s.reader)) return e;
  if (auto e = s.convs.start(*s.reader, s.tenants.ids())) return e;
  if (auto e = s.router.start(*s.reader, s.tenants.ids())) return e;
  if (auto e = s.dashboard.load(*s.reader, s.tenants.ids())) return e;
  if (auto e = s.offline.load(*s.reader)) return e;  // before the watches: exempt ones are not watched
  if (auto e = s.blocks.load(*s.reader)) return e;   // issue 9: blocks of visitors
  if (auto e = s.llm->load(*s.reader)) return e;      // issue 10: LLM provider settings
  // Everyone the rules wait for is gone since the start until they connect.
  s.convs.for_each([&s](const ConvState& cs) { watch_after_commit(s, cs); });
  s.sessions.start();
  timers_ = std::make_unique<HubTimers>(s.io, s);
  if (auto e = timers_->watch.start()) return e;
  log::info("hub loaded", {{"tenants", s.tenants.ids().size()}, {"open_conversations", s.convs.size()}});
  arm_sweep(s, *timers_);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Application.

void Hub::handle_http(HttpRequest req, HttpReply reply) {
  if (!http_) {
    HttpResponse r;
    r.status = 503;
    r.body = "starting";
    return reply(std::move(r));
  }
  http_(std::move(req), std::move(reply));
}

UpgradeDecision Hub::authorize_upgrade(const HttpRequest& req) {
  UpgradeDecision d;
  const std::string& origin = req.header("origin");
  if (!origin.empty() && !same_origin(req)) {
    d.status = 403;
    d.reason = "origin not allowed";
    return d;
  }
  // Two endpoints, so the socket's kind never depends on which cookies a browser happens to send:
  // a logged-in agent trying the widget on the same origin still talks as a visitor on /ws.
  if (req.path == kCustomerSocketPath) {
    d.accept = true;  // a customer: identifies itself with hello; cookies are ignored
    return d;
  }
  if (req.path != kStaffSocketPath) {
    d.status = 404;
    d.reason = "no WebSocket endpoint here (customers: /ws, staff: /ws/inbox)";
    return d;
  }
  if (req.cookie(Sessions::kCookie).empty()) {
    d.status = 401;
    d.reason = "log in first";
    return d;
  }
  // Staff: a browser always sends Origin on a WebSocket upgrade; require it.
  if (origin.empty()) {
    d.status = 403;
    d.reason = "origin required";
    return d;
  }
  auto who = s_->sessions.authenticate(req);
  if (!who) {
    d.status = 401;
    d.reason = "session expired or revoked; log in again";
    return d;
  }
  d.accept = true;
  d.principal = "session:" + who->session_hash;
  return d;
}

void Hub::on_open(std::shared_ptr<Connection> conn, const std::string& principal) {
  HubState& s = *s_;
  ConnState& c = s.conns.add(std::move(conn));
  c.bucket.tokens = s.options.burst;
  c.bucket.refilled = s.steady();
  if (principal.empty()) return;
  const std::string hash = principal.substr(principal.find(':') + 1);
  auto who = s.sessions.by_hash(hash);
  if (!who) {
    c.send(encode_notice(notice::session_expired, Json::object()));
    c.close(1008, "session expired");
    return;
  }
  s.conns.set_staff(c, *who);
  s.staff_presence.connected(who->user.id, s.steady());
  c.send(snapshot(s, *who));
  s.feed.mark_fresh(c);
  s.router.staff_connected(c);
}

void Hub::on_message(std::uint64_t conn_id, std::string text) {
  ConnState* c = s_->conns.find(conn_id);
  if (!c || c->closed) return;
  on_frame(*s_, *c, std::move(text));
}

void Hub::on_close(std::uint64_t conn_id) {
  HubState& s = *s_;
  std::unique_ptr<ConnState> c = s.conns.remove(conn_id);
  if (!c) return;
  s.feed.forget(*c);
  s.dashboard.forget(*c);
  for (const std::string& id : c->subs) {
    if (ConvState* cs = s.convs.find(id)) {
      cs->subscribers.erase(conn_id);
      s.convs.maybe_evict(id);
    }
  }
  const auto now = s.steady();
  if (c->who.is_staff()) {
    const std::string& user_id = c->who.staff.user.id;
    s.staff_presence.disconnected(user_id, now);
    s.router.staff_disconnected(c->who.tenant_id, user_id);
    // Their assigned chats are requeued if they stay away past the grace period.
    if (!s.staff_presence.online(user_id) && !s.inbox(c->who.tenant_id).mine(user_id).empty()) {
      s.staff_presence.watch(user_id, std::chrono::milliseconds(s.options.agent_grace_ms));
    }
  } else if (c->who.is_customer()) {
    const std::string& contact_id = c->who.contact_id;
    s.contact_presence.disconnected(contact_id, now);
    if (!s.contact_presence.online(contact_id)) {
      cmd::customer_presence_changed(s, contact_id);
      for (ConvState* cs : s.convs.of_contact(contact_id)) {
        if (cs->live.status == Status::pending && cs->live.channel == Channel::web) {
          s.contact_presence.watch(contact_id, std::chrono::milliseconds(s.options.abandon_after_ms));
          break;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Operations.

void Hub::post(std::function<void()> fn) { asio::post(s_->io, std::move(fn)); }
Millis Hub::now() const { return s_->now(); }
const HubOptions& Hub::options() const { return s_->options; }
bool Hub::store_failed() const { return s_->store.failed(); }
StoreStats Hub::store_stats() const { return s_->store.stats(); }
Sessions& Hub::sessions() { return s_->sessions; }
StaffAccess& Hub::staff_access() { return s_->staff_access; }

void Hub::on_worker(std::function<std::function<void()>(StoreReader* reader)> work) { s_->on_worker(std::move(work)); }

void Hub::write(std::vector<Mutation> ops, std::function<void(std::optional<Error>)> done) {
  s_->write(std::move(ops), std::move(done));
}

std::string Hub::own_origin(const HttpRequest& req) const {
  return relay::own_origin(OriginPolicy{s_->options.public_url, s_->options.allowed_hosts}, req.header("host"),
                           req.secure);
}

bool Hub::same_origin(const HttpRequest& req) const {
  return relay::same_origin(OriginPolicy{s_->options.public_url, s_->options.allowed_hosts}, req.header("origin"),
                            req.header("host"), req.secure);
}

bool Hub::rest_allowed(const std::string& remote_addr) { return s_->rest.take(remote_addr, s_->steady()); }
bool Hub::webhook_allowed(const std::string& remote_addr) { return s_->webhooks.take(remote_addr, s_->steady()); }

const Tenant* Hub::tenant(const std::string& id_or_slug) const { return s_->tenants.find(id_or_slug); }
const Tenant& Hub::default_tenant() const { return s_->tenants.default_tenant(); }
PublicTenantConfig Hub::public_config(const Tenant& t) const { return TenantRegistry::public_config(t); }
// Every article, inactive ones too, as the hub has them now (issue 10: GET /api/v1/kb; the
// assistant and sharing use TenantRegistry::kb(), the active ones).
const std::vector<KbArticle>& Hub::kb(const std::string& tenant_id) const { return s_->tenants.kb_all(tenant_id); }

void Hub::update_settings(const std::string& tenant_id, const Json& patch,
                          std::function<void(Result<TenantSettings>)> cb) {
  HubState& s = *s_;
  const Tenant* t = s.tenants.find(tenant_id);
  if (!t) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  TenantSettings probe = t->settings;
  if (auto err = apply_settings_json(patch, probe)) return cb(*err);
  // Merged field by field inside the writer's transaction: a concurrent change of another
  // field (another admin, parleyctl) is kept. The merged result is read back and made live.
  s.write({PatchTenantSettings{tenant_id, patch}}, [&s, tenant_id, cb = std::move(cb)](std::optional<Error> err) {
    if (err) return cb(*err);
    s.tenants.reload(*s.reader, tenant_id);
    const Tenant* now = s.tenants.find(tenant_id);
    if (!now) return cb(make_error(ErrorCode::not_found, "no such tenant"));
    log::info("settings changed", {{"tenant", tenant_id}});
    cb(now->settings);
  });
}

void Hub::replace_kb(const std::string& tenant_id, std::vector<KbArticle> articles,
                     std::function<void(std::optional<Error>)> cb) {
  HubState& s = *s_;
  if (!s.tenants.find(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  auto shared = std::make_shared<std::vector<KbArticle>>(std::move(articles));
  s.write({ReplaceKb{tenant_id, *shared}}, [&s, tenant_id, shared, cb = std::move(cb)](std::optional<Error> err) {
    if (!err) {
      log::info("knowledge base replaced", {{"tenant", tenant_id}, {"articles", shared->size()}});
      if (s.reader) {
        s.tenants.reload_kb(*s.reader, tenant_id);  // usage counts and times as stored
      } else {
        s.tenants.set_kb(tenant_id, std::move(*shared));
      }
    }
    cb(err);
  });
}

void Hub::change_kb(const std::string& tenant_id, std::vector<Mutation> ops,
                    std::function<void(std::optional<Error>)> cb) {
  HubState& s = *s_;
  if (!s.tenants.find(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  s.write(std::move(ops), [&s, tenant_id, cb = std::move(cb)](std::optional<Error> err) {
    if (!err && s.reader) s.tenants.reload_kb(*s.reader, tenant_id);
    cb(err);
  });
}

const Conversation* Hub::find_conversation(const std::string& tenant_id, const std::string& id) {
  HubState& s = *s_;
  if (!s.reader || id.empty()) return nullptr;
  ConvState* cs = s.convs.find_or_load(*s.reader, tenant_id, id);
  if (!cs || cs->committed_seq() == 0) return nullptr;
  // A resolved one read back for this request need not stay: evicted once this turn of the loop
  // is over (the pointer stays valid until then; callers look it up again after any post).
  if (cs->committed.status == Status::resolved) asio::post(s.io, [&s, id] { s.convs.maybe_evict(id); });
  return &cs->committed;
}

Json Hub::conversation_summary(const Conversation& c) { return s_->summary(c); }

InboxCounts Hub::counts(const std::string& tenant_id) {
  const TenantInbox& ix = s_->inbox(tenant_id);
  InboxCounts n;
  n.bot = ix.by_status(Status::bot);
  n.waiting = ix.by_status(Status::pending);
  n.active = ix.by_status(Status::active);
  n.resolved = ix.by_status(Status::resolved);
  n.resolved_today = ix.today().resolved_today;
  n.wait_sum_ms = ix.today().wait_sum_ms;
  n.wait_n = ix.today().wait_n;
  n.first_response_sum_ms = ix.today().first_response_sum_ms;
  n.first_response_n = ix.today().first_response_n;
  n.day_start = ix.day_start();
  const Tenant* t = s_->tenants.find(tenant_id);
  n.time_zone_known = TimeZone::find(t ? t->settings.time_zone : "UTC").has_value();
  return n;
}

Json Hub::dashboard(const std::string& tenant_id) { return to_json(s_->dashboard.build(tenant_id)); }

Millis Hub::longest_wait_ms(const std::string& tenant_id) {
  const Millis at = now();
  Millis longest = 0;
  for (const ConvState* cs : s_->inbox(tenant_id).queue()) {
    if (cs->committed.handed_off_at > 0) longest = std::max(longest, at - cs->committed.handed_off_at);
  }
  return longest;
}

void Hub::staff_command(const StaffIdentity& who, Command command, std::function<void(Result<Json>)> cb) {
  Principal p;
  p.kind = Principal::Kind::staff;
  p.tenant_id = who.user.tenant_id;
  p.staff = who;
  execute(*s_, p, nullptr, std::move(command), std::move(cb));
}

void Hub::queue_handoff(const std::string& tenant_id, const std::string& conversation_id, const Actor& by,
                        const std::string& reason, std::function<void(Result<Json>)> cb) {
  HubState& s = *s_;
  ConvState* cs = s.reader ? s.convs.find_or_load(*s.reader, tenant_id, conversation_id) : nullptr;
  if (!cs || cs->committed_seq() == 0) return cb(make_error(ErrorCode::not_found, "no such conversation"));
  relay::queue_handoff(s, *cs, by, reason, [&s, conversation_id, cb = std::move(cb)](Result<Json> r) {
    if (!r) return cb(r.error());
    Json out = *r;
    if (ConvState* c = s.convs.find(conversation_id)) out["status"] = to_string(c->committed.status);
    cb(out);
  });
}

void Hub::find_channel_conversation(const std::string& tenant_id, Channel channel, const std::string& external_id,
                                    std::function<void(Result<std::optional<std::string>>)> cb) {
  HubState& s = *s_;
  s.on_worker([&s, tenant_id, channel, external_id, cb = std::move(cb)](StoreReader* reader) -> std::function<void()> {
    if (!reader) return [cb] { cb(make_error(ErrorCode::unavailable, "no database reader")); };
    auto k = std::make_shared<Result<std::optional<Contact>>>(reader->find_contact_by_external(tenant_id, channel, external_id));
    return [&s, k, channel, cb] {
      if (!*k) return cb(k->error());
      if (!k->value()) return cb(std::optional<std::string>{});
      const ConvState* best = nullptr;
      for (ConvState* c : s.convs.of_contact((*k)->value().id)) {
        if (c->committed_seq() > 0 && c->committed.status != Status::resolved && c->committed.channel == channel &&
            c->committed.answered_by == Answerer::external && (!best || c->committed.created_at > best->committed.created_at)) {
          best = c;
        }
      }
      cb(best ? std::optional<std::string>(best->committed.id) : std::nullopt);
    };
  });
}

void Hub::ingest(ChannelMessage m, std::function<void(Result<IngestResult>)> cb) {
  relay::ingest(*s_, std::move(m), std::move(cb));
}

// ---- routing (issue 9; live/router.hpp) ----

Json Hub::queue_stats(const std::string& tenant_id) { return s_->router.queue_stats(tenant_id); }

Json Hub::workload(const std::string& tenant_id, const std::string& user_id) {
  const Workload w = s_->router.workload(tenant_id, user_id);
  return Json{{"agent_id", w.user_id},
              {"status", to_string(w.status)},
              {"active", w.active},
              {"capacity", w.capacity},
              {"free_slots", w.free},
              {"conversation_ids", w.conversation_ids}};
}

void Hub::assign(const std::string& tenant_id, const std::string& conversation_id, const std::string& agent_id,
                 const Actor& by, std::function<void(Result<Json>)> cb) {
  s_->router.assign(tenant_id, conversation_id, agent_id, by, std::move(cb));
}

const RoutingConfig& Hub::routing_config(const std::string& tenant_id) { return s_->router.config(tenant_id); }

void Hub::save_routing_settings(const std::string& tenant_id, const Json& patch,
                                std::function<void(Result<RoutingSettings>)> cb) {
  s_->router.save_settings(tenant_id, patch, std::move(cb));
}

void Hub::save_team(const std::string& tenant_id, const std::string& team_id, const Json& patch,
                    std::function<void(Result<Team>)> cb) {
  s_->router.save_team(tenant_id, team_id, patch, std::move(cb));
}

void Hub::save_agent_profile(const std::string& tenant_id, const std::string& user_id, const Json& patch,
                             std::function<void(Result<AgentProfile>)> cb) {
  s_->router.save_profile(tenant_id, user_id, patch, std::move(cb));
}

AgentStatus Hub::agent_status(const std::string& tenant_id, const std::string& user_id) {
  return s_->router.status(tenant_id, user_id);
}

// ---- issue 9: the offline path and mail ----
Availability Hub::availability(const std::string& tenant_id) { return parley::relay::availability(*s_, tenant_id); }
void Hub::mail_transcript(const std::string& tenant_id, const std::string& conversation_id, const std::string& email,
                          std::function<void(std::optional<Error>)> cb) {
  parley::relay::mail_transcript(*s_, tenant_id, conversation_id, email, std::move(cb));
}
std::optional<std::string> Hub::offline_email(const std::string& conversation_id) const {
  const OfflineRequest* r = s_->offline.find(conversation_id);
  if (!r) return std::nullopt;
  return r->email;
}

Json Hub::test_counters() const {
  const HubState& s = *s_;
  const auto& rc = s.convs.counters();
  const auto& pc = s.pipeline.counters();
  const auto& ac = s.sessions.counters();
  return Json{{"conversations_in_memory", s.convs.size()},
              {"conversations_loaded_at_start", rc.loaded_at_start},
              {"conversations_loaded_on_demand", rc.loaded_on_demand},
              {"conversations_evicted", rc.evicted},
              {"sweeps", s.sweep_counters.sweeps},
              {"offline_requests", s.offline.counters.requests},
              {"offline_answers_mailed", s.offline.counters.answers_mailed},
              {"offline_transcripts_mailed", s.offline.counters.transcripts_mailed},
              {"offline_abandon_exempted", s.offline.counters.abandon_exempted},
              {"llm_turns", s.llm->counters().turns.load()},
              {"llm_provider_calls", s.llm->counters().provider_calls.load()},
              {"llm_tool_calls", s.llm->counters().tool_calls.load()},
              {"llm_tool_errors", s.llm->counters().tool_errors.load()},
              {"llm_fallbacks", s.llm->counters().fallbacks.load()},
              {"llm_drafts", s.llm->counters().drafts.load()},
              {"mail_queued", s.mail->counters().queued},
              {"mail_sent", s.mail->counters().sent},
              {"mail_attempts_failed", s.mail->counters().attempts_failed},
              {"mail_given_up", s.mail->counters().given_up},
              {"invitations_mailed", s.staff_access.counters().invitations_mailed},
              {"invitations_accepted", s.staff_access.counters().invitations_accepted},
              {"resets_asked", s.staff_access.counters().resets_asked},
              {"resets_mailed", s.staff_access.counters().resets_mailed},
              {"resets_limited", s.staff_access.counters().resets_limited},
              {"resets_done", s.staff_access.counters().resets_done},
              {"inbox_flushes", s.feed.counters().flushes},
              {"inbox_frames", s.feed.counters().frames},
              {"inbox_items", s.feed.counters().items},
              {"inbox_frames_encoded", s.feed.counters().frames_encoded},
              {"sweep_conversations_visited", s.sweep_counters.conversations_visited},
              {"writes", pc.writes},
              {"narrow_writes", pc.narrow_writes},
              {"failed_writes", pc.failed_writes},
              {"redecided", pc.redecided},
              {"hash_jobs_queued", ac.hash_jobs_queued},
              {"hash_jobs_rejected", ac.hash_jobs_rejected},
              {"hash_pool_queued", s.sessions.hash_pool().queued()},
              {"session_reads", ac.session_reads},
              {"login_admitted", s.sessions.limiter().admitted()},
              {"login_refused", s.sessions.limiter().refused()},
              {"contacts_cached", s.contacts.size()},
              {"new_visitor_refusals", s.new_visitors.refused()},
              {"rest_refusals", s.rest.refused()},
              {"presence_entries", s.contact_presence.entries() + s.staff_presence.entries()},
              {"routing_passes", s.router.counters().passes},
              {"routing_offers", s.router.counters().offers},
              {"routing_reoffers", s.router.counters().reoffers},
              {"queue_position_frames", s.router.counters().place_frames},
              {"queue_place_rounds", s.router.counters().place_rounds},
              {"agent_status_frames", s.router.counters().status_frames}};
}

// ---- issue 9 ----
bool Hub::staff_online(const std::string& user_id) const { return s_->staff_presence.online(user_id); }
// ---- attachments (issue 9) ----

namespace {
Principal principal_of(const Hub::FilePoster& who) {
  Principal p;
  p.tenant_id = who.tenant_id;
  if (who.customer) {
    p.kind = Principal::Kind::customer;
    p.contact_id = who.contact_id;
  } else {
    p.kind = Principal::Kind::staff;
    p.staff = who.staff;
  }
  return p;
}
}  // namespace

void Hub::post_file_message(const FilePoster& who, Attachment a, std::string client_msg_id,
                            std::function<void(Result<Json>)> cb) {
  cmd::post_file(*s_, principal_of(who), std::move(a), std::move(client_msg_id), std::move(cb));
}

const Conversation* Hub::file_conversation(const FilePoster& who, const std::string& conversation_id) {
  ConvState* cs = cmd::visible(*s_, principal_of(who), conversation_id);
  if (!cs || cs->committed_seq() == 0) return nullptr;
  return &cs->committed;
}

// ---- tickets and blocks (issue 9) ----

void Hub::convert_to_ticket(const StaffIdentity& who, const std::string& actor_type,
                            const std::string& conversation_id, TicketInput in, std::function<void(Result<Json>)> cb) {
  Principal p;
  p.kind = Principal::Kind::staff;
  p.tenant_id = who.user.tenant_id;
  p.staff = who;
  cmd::convert_to_ticket(*s_, p, actor_type, conversation_id, std::move(in), std::move(cb));
}

void Hub::add_block(Block b, AuditEntry audit, std::function<void(std::optional<Error>)> cb) {
  HubState& s = *s_;
  std::vector<Mutation> ops;
  ops.push_back(InsertBlock{b});
  ops.push_back(AppendAudit{std::move(audit)});
  s.write(std::move(ops), [&s, b, cb = std::move(cb)](std::optional<Error> e) {
    if (!e) s.blocks.add(b);
    cb(e);
  });
}

void Hub::lift_block(const std::string& tenant_id, const std::string& id, const std::string& by, AuditEntry audit,
                     std::function<void(std::optional<Error>)> cb) {
  HubState& s = *s_;
  const Millis at = s.now();
  std::vector<Mutation> ops;
  ops.push_back(LiftBlock{tenant_id, id, by, at});
  ops.push_back(AppendAudit{std::move(audit)});
  s.write(std::move(ops), [&s, tenant_id, id, at, cb = std::move(cb)](std::optional<Error> e) {
    if (!e) s.blocks.lift(tenant_id, id, at);
    cb(e);
  });
}

std::string Hub::contact_address(const std::string& tenant_id, const std::string& contact_id) const {
  return s_->blocks.address_of(tenant_id, contact_id);
}

LlmService& Hub::llm() { return *s_->llm; }

bool Hub::blocked(const std::string& tenant_id, const std::string& contact_id, const std::string& address) {
  if (!s_->blocks.match(tenant_id, contact_id, address, s_->now())) return false;
  ++s_->blocks.refusals;
  return true;
}

}  // namespace parley::relay
