// The hub: live state, the WebSocket protocol, staff sessions, the assistant's turns and timers.
// See hub.hpp for the threading model and the persist -> ack -> broadcast pipeline.
#include "app/hub.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cctype>

#include "app/http_api.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "net/static_files.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"

namespace asio = boost::asio;

namespace parley::relay {

namespace {
constexpr const char* kCustomerSocketPath = "/ws";
constexpr const char* kStaffSocketPath = "/ws/inbox";
}  // namespace

// ---------------------------------------------------------------------------------------------
// Internal state.

struct Hub::Principal {
  enum class Kind { none, customer, staff } kind = Kind::none;
  std::string tenant_id;
  std::string contact_id;  // customer
  std::string name;        // customer display name (cached)
  StaffIdentity staff;     // staff

  bool is_staff() const { return kind == Kind::staff; }
  bool is_customer() const { return kind == Kind::customer; }
  Actor actor() const {
    if (is_staff()) return Actor{Role::agent, staff.user.id, staff.user.display_name};
    return Actor{Role::customer, contact_id, name};
  }
};

struct Hub::ConnState {
  std::shared_ptr<Connection> conn;
  std::uint64_t id = 0;
  Principal who;
  bool hello_in_flight = false;
  std::unordered_set<std::string> subs;  // conversation ids
  double tokens = 0;
  SteadyClock::time_point refilled{};
  int refusals = 0;
  bool closed = false;
  // Staff: conversations changed while this socket's send queue was backed up; they go out in
  // one inbox.changes (latest state) once the queue has drained (Hub::flush_inbox_backlogs).
  std::vector<std::string> inbox_backlog;
  std::unordered_set<std::string> inbox_backlog_set;

  void send(std::string frame) {
    if (closed) return;
    metrics().ws_frames_out.fetch_add(1, std::memory_order_relaxed);
    conn->send(std::make_shared<const std::string>(std::move(frame)));
  }
  void send(const std::shared_ptr<const std::string>& frame) {
    if (closed) return;
    metrics().ws_frames_out.fetch_add(1, std::memory_order_relaxed);
    conn->send(frame);
  }
  void close(std::uint16_t code, const std::string& reason) {
    if (closed) return;
    closed = true;
    conn->close(code, reason);
  }
};

struct Hub::ConvState {
  Conversation live;       // including writes in flight: commands are decided against this
  Conversation committed;  // as of the last commit: what clients have been told
  std::unordered_map<std::string, Seq> msg_ids;  // client_msg_id -> seq (committed or in flight)
  bool msg_ids_loaded = false;
  std::set<std::uint64_t> subscribers;
  std::string customer_preview;             // item_preview() of the customer's last message
  std::string visible_preview;              // ... of the last customer-visible message (fallback)
  Seq last_customer_seq = 0;                // seq of the customer's last message
  std::deque<std::string> recent_customer;  // for hand-off summaries (last 5)
  std::vector<std::string> tried_titles;    // articles the assistant offered
  std::multimap<Seq, std::function<void(bool)>> waiters;  // run when committed_seq >= key
  int inflight = 0;
  bool write_failed = false;
  bool inbox_dirty = false;  // queued in Hub::inbox_dirty_ for the next inbox.changes

  Seq committed_seq() const { return committed.head_seq; }
  // The list preview: what the customer last said, else the last visible message.
  const std::string& preview() const { return customer_preview.empty() ? visible_preview : customer_preview; }
};

// A tenant's inbox lists and counters, over COMMITTED states (what clients have been told).
// The sets hold pointers to ConvStates ordered by the shared rules (parley/queue.hpp); the
// comparators read `committed`, which therefore only changes through Hub::set_committed
// (erase, assign, insert). A conversation is indexed once it has committed (head_seq > 0).
struct Hub::TenantIndex {
  template <bool (*Before)(const Conversation&, const Conversation&)>
  struct Less {
    using is_transparent = void;  // lets a cursor (a Conversation) probe the set
    bool operator()(const ConvState* a, const ConvState* b) const {
      return Before(a->committed, b->committed);
    }
    bool operator()(const ConvState* a, const Conversation& b) const { return Before(a->committed, b); }
    bool operator()(const Conversation& a, const ConvState* b) const { return Before(a, b->committed); }
  };
  using QueueSet = std::set<const ConvState*, Less<&queue_before>>;
  using RecentSet = std::set<const ConvState*, Less<&recent_before>>;

  QueueSet queue;                                   // pending
  std::unordered_map<std::string, RecentSet> mine;  // active, by assignee id
  RecentSet all;                                    // every committed conversation ("recent")
  int by_status[4] = {0, 0, 0, 0};                  // indexed by Status

  // "Today" in the tenant's time zone: [day_start, day_end). day_end 0 = not computed yet.
  Millis day_start = 0, day_end = 0;
  std::string time_zone;
  bool time_zone_known = true;
  int resolved_today = 0;
  std::int64_t wait_sum_ms = 0, wait_n = 0, first_sum_ms = 0, first_n = 0;

  // Adds (sign +1) or removes (-1) what `c` contributes to today's counters.
  void add_today(const Conversation& c, int sign) {
    if (c.status == Status::resolved && c.resolved_at >= day_start) resolved_today += sign;
    if (c.assigned_at >= day_start && c.handed_off_at > 0 && c.assigned_at >= c.handed_off_at) {
      wait_sum_ms += sign * (c.assigned_at - c.handed_off_at);
      wait_n += sign;
    }
    if (c.first_agent_response_at >= day_start && c.handed_off_at > 0 &&
        c.first_agent_response_at >= c.handed_off_at) {
      first_sum_ms += sign * (c.first_agent_response_at - c.handed_off_at);
      first_n += sign;
    }
  }
};

struct Hub::Timers {
  explicit Timers(asio::io_context& io) : sweep(io), inbox_retry(io) {}
  asio::steady_timer sweep;
  asio::steady_timer inbox_retry;  // staff sockets whose inbox.changes wait for their queue
  bool inbox_retry_armed = false;
};

namespace {

constexpr std::size_t kReplayPage = 500;
constexpr std::size_t kRecentCustomerMessages = 5;
constexpr std::size_t kMaxLoginKeys = 10000;
const Actor kSystemActor{Role::system, "system", ""};

Json error_body(std::string_view code, std::string_view message) {
  return Json{{"error", {{"code", code}, {"message", message}}}};
}

HttpResponse json_reply(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Json user_json(const User& u) {
  return Json{{"id", u.id},
              {"username", u.username},
              {"name", u.display_name},
              {"role", to_string(u.role)},
              {"tenant_id", u.tenant_id}};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// "scheme://host[:port]" of a URL, lower-cased, default ports dropped; "" when malformed.
std::string origin_of(std::string_view url) {
  const auto p = url.find("://");
  if (p == std::string_view::npos) return "";
  std::string scheme = lower(url.substr(0, p));
  std::string_view rest = url.substr(p + 3);
  const auto slash = rest.find_first_of("/?#");
  std::string host = lower(rest.substr(0, slash));
  if (host.empty() || (scheme != "http" && scheme != "https")) return "";
  if (scheme == "http" && host.size() > 3 && host.ends_with(":80")) host.resize(host.size() - 3);
  if (scheme == "https" && host.size() > 4 && host.ends_with(":443")) host.resize(host.size() - 4);
  return scheme + "://" + host;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction, start, stop.

Hub::Hub(asio::io_context& io, Store& store, HubOptions options, std::unique_ptr<Assistant> assistant)
    : io_(io),
      store_(store),
      options_(std::move(options)),
      assistant_(assistant ? std::move(assistant) : make_builtin_assistant()),
      workers_(std::make_unique<asio::thread_pool>(2)),
      timers_(std::make_unique<Timers>(io)) {
  if (!options_.wall_now) {
    options_.wall_now = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!options_.steady_now) options_.steady_now = [] { return SteadyClock::now(); };
  started_ = options_.steady_now();
}

Hub::~Hub() { stop(); }

void Hub::stop() {
  if (stopped_) return;
  stopped_ = true;
  store_.set_batch_done(nullptr);
  timers_->sweep.cancel();
  timers_->inbox_retry.cancel();
  workers_->join();
}

Millis Hub::now() const { return options_.wall_now(); }

std::optional<Error> Hub::start() {
  auto reader = store_.open_reader();
  if (!reader) return reader.error();
  reader_ = std::move(reader).value();
  // One inbox.changes per staff socket per group commit: the writer posts this after the
  // completions of each batch (Store::set_batch_done), so it runs after all of them.
  store_.set_batch_done([this] { asio::post(io_, [this] { flush_inbox(); }); });

  auto tenants = load_tenants(*reader_);
  if (!tenants) return tenants.error();
  for (Tenant& t : *tenants) {
    auto kb = load_kb(*reader_, t.id);
    if (!kb) return kb.error();
    kb_[t.id] = std::move(kb).value();
    tenants_[t.id] = std::move(t);
  }
  if (!tenants_.count(kDefaultTenantId)) return make_error(ErrorCode::internal, "default tenant missing");

  auto convs = load_conversations(*reader_);
  if (!convs) return convs.error();
  std::size_t open = 0;
  for (Conversation& c : *convs) {
    auto cs = std::make_unique<ConvState>();
    cs->live = c;
    cs->committed = c;
    if (c.status != Status::resolved) {
      ++open;
      // Fill the inbox preview and the assistant's memory of open conversations.
      auto msgs = load_messages(*reader_, c.tenant_id, c.id, /*staff=*/false);
      if (msgs) {
        const Message* last_customer = nullptr;
        for (const Message& m : *msgs) {
          if (m.sender_role == Role::customer) {
            last_customer = &m;
            cs->recent_customer.push_back(m.text);
            if (cs->recent_customer.size() > kRecentCustomerMessages) cs->recent_customer.pop_front();
          }
        }
        if (last_customer) {
          cs->customer_preview = item_preview(last_customer->text);
          cs->last_customer_seq = last_customer->seq;
        }
        if (!msgs->empty()) cs->visible_preview = item_preview(msgs->back().text);
      }
    }
    by_contact_[c.contact_id].push_back(c.id);
    if (c.head_seq > 0) index(index_of(c.tenant_id), *cs);
    convs_.emplace(c.id, std::move(cs));
  }
  // Today's counters of every tenant, now that all conversations are indexed.
  for (auto& [tenant_id, idx] : index_) roll_day(*idx, tenant_id);
  log::info("hub loaded", {{"tenants", tenants_.size()}, {"conversations", convs_.size()}, {"open", open}});
  arm_sweep();
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Plumbing.

void Hub::on_worker(std::function<std::function<void()>(Db* reader)> work) {
  asio::post(*workers_, [this, work = std::move(work)]() mutable {
    // One read-only connection per worker thread, opened on first use.
    thread_local std::unique_ptr<Db> reader;
    thread_local const Store* reader_of = nullptr;
    if (!reader || reader_of != &store_) {
      auto r = store_.open_reader();
      reader = r ? std::move(r).value() : nullptr;
      reader_of = &store_;
    }
    std::function<void()> then = work(reader.get());
    if (then) asio::post(io_, std::move(then));
  });
}

void Hub::write(Store::Op op, std::function<void(std::optional<Error>)> done) {
  if (store_.failed()) {
    done(
        make_error(ErrorCode::unavailable, "the store refuses writes (a commit failed); nothing was stored"));
    return;
  }
  store_.write(std::move(op), [this, done = std::move(done)](const std::optional<Error>& err) mutable {
    asio::post(io_, [done = std::move(done), err]() mutable { done(err); });
  });
}

// ---------------------------------------------------------------------------------------------
// Tenants, contacts.

const Tenant* Hub::tenant(const std::string& id_or_slug) const {
  if (auto it = tenants_.find(id_or_slug); it != tenants_.end()) return &it->second;
  for (const auto& [id, t] : tenants_) {
    if (t.slug == id_or_slug) return &t;
  }
  return nullptr;
}

const Tenant& Hub::default_tenant() const { return tenants_.at(kDefaultTenantId); }

std::vector<const Tenant*> Hub::tenants() const {
  std::vector<const Tenant*> out;
  for (const auto& [id, t] : tenants_) out.push_back(&t);
  return out;
}

const std::vector<KbArticle>& Hub::kb(const std::string& tenant_id) const {
  static const std::vector<KbArticle> kEmpty;
  auto it = kb_.find(tenant_id);
  return it == kb_.end() ? kEmpty : it->second;
}

const Contact* Hub::contact(const std::string& tenant_id, const std::string& contact_id) {
  if (auto it = contacts_.find(contact_id); it != contacts_.end()) return &it->second;
  if (!reader_) return nullptr;
  auto found = find_contact(*reader_, tenant_id, contact_id);
  if (!found || !found->has_value()) return nullptr;
  return &contacts_.emplace(contact_id, std::move(**found)).first->second;
}

void Hub::update_settings(const std::string& tenant_id, const Json& patch,
                          std::function<void(Result<TenantSettings>)> cb) {
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end()) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  TenantSettings next = it->second.settings;
  if (auto err = apply_settings_json(patch, next)) return cb(*err);
  write([tenant_id, next](Db& db) { return save_tenant_settings(db, tenant_id, next); },
        [this, tenant_id, next, cb = std::move(cb)](std::optional<Error> err) {
          if (err) return cb(*err);
          if (auto t = tenants_.find(tenant_id); t != tenants_.end()) t->second.settings = next;
          log::info("settings changed", {{"tenant", tenant_id}});
          cb(next);
        });
}

void Hub::replace_kb(const std::string& tenant_id, std::vector<KbArticle> articles,
                     std::function<void(std::optional<Error>)> cb) {
  if (!tenants_.count(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  auto shared = std::make_shared<std::vector<KbArticle>>(std::move(articles));
  write(
      [tenant_id, shared](Db& db) { return parley::relay::replace_kb(db, tenant_id, *shared); },
      [this, tenant_id, shared, cb = std::move(cb)](std::optional<Error> err) {
        if (!err) {
          kb_[tenant_id] = std::move(*shared);
          log::info("knowledge base replaced", {{"tenant", tenant_id}, {"articles", kb_[tenant_id].size()}});
        }
        cb(err);
      });
}

void Hub::create_api_key(const std::string& tenant_id, const std::string& name,
                         std::function<void(Result<std::string>)> cb) {
  if (!tenants_.count(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  std::string key = "pk_" + random_token(32);
  std::string hash = sha256_hex(key);
  const Millis at = now();
  write([tenant_id, hash, name, at](Db& db) { return insert_api_key(db, tenant_id, hash, name, at); },
        [this, key, hash, tenant_id, cb = std::move(cb)](std::optional<Error> err) {
          if (err) return cb(*err);
          api_keys_[hash] = tenant_id;
          cb(key);
        });
}

std::optional<std::string> Hub::tenant_for_api_key(const std::string& key) {
  if (key.empty() || key.size() > 200) return std::nullopt;
  const std::string hash = sha256_hex(key);
  if (auto it = api_keys_.find(hash); it != api_keys_.end()) return it->second;
  if (!reader_) return std::nullopt;
  auto found = find_api_key_tenant(*reader_, hash);
  if (!found || !found->has_value()) return std::nullopt;
  if (api_keys_.size() > 10000) api_keys_.clear();  // bounded cache
  api_keys_[hash] = **found;
  return **found;
}

// ---------------------------------------------------------------------------------------------
// Conversations: reads.

const Conversation* Hub::find_conversation(const std::string& tenant_id, const std::string& id) const {
  auto it = convs_.find(id);
  if (it == convs_.end() || it->second->committed.tenant_id != tenant_id) return nullptr;
  if (it->second->committed.head_seq == 0) return nullptr;  // not committed yet
  return &it->second->committed;
}

std::vector<const Conversation*> Hub::conversations(const std::string& tenant_id,
                                                    std::optional<Status> status) const {
  std::vector<const Conversation*> out;
  for (const auto& [id, cs] : convs_) {
    const Conversation& c = cs->committed;
    if (c.tenant_id != tenant_id || c.head_seq == 0) continue;
    if (status && c.status != *status) continue;
    out.push_back(&c);
  }
  return out;
}

const Conversation* Hub::find_mirror_conversation(const std::string& tenant_id, const std::string& user_id) {
  if (!reader_) return nullptr;
  auto found = find_contact_by_external(*reader_, tenant_id, Channel::api, user_id);
  if (!found || !found->has_value()) return nullptr;
  auto it = by_contact_.find((*found)->id);
  if (it == by_contact_.end()) return nullptr;
  const Conversation* best = nullptr;
  for (const std::string& id : it->second) {
    const Conversation* c = find_conversation(tenant_id, id);
    if (c && c->status != Status::resolved && c->answered_by == Answerer::external &&
        (!best || c->created_at > best->created_at)) {
      best = c;
    }
  }
  return best;
}

Json Hub::conversation_summary(const Conversation& c) {
  Json j = to_json(c, /*staff=*/true);
  const Contact* k = contact(c.tenant_id, c.contact_id);
  j["contact"] = Json{{"id", c.contact_id},
                      {"name", k ? k->name : ""},
                      {"email", k ? k->email : ""},
                      {"phone", k ? k->phone : ""}};
  auto it = convs_.find(c.id);
  j["preview"] = it == convs_.end() ? "" : it->second->preview();
  j["last_customer_seq"] = it == convs_.end() ? 0 : it->second->last_customer_seq;
  return j;
}

ConversationItem Hub::list_item(const Conversation& c) {
  const Contact* k = contact(c.tenant_id, c.contact_id);
  auto it = convs_.find(c.id);
  const ConvState* cs = it == convs_.end() ? nullptr : it->second.get();
  return make_item(c, k ? k->name : "", cs ? cs->preview() : "", cs ? cs->last_customer_seq : 0);
}

Json Hub::item_json(const ConvState& cs) { return to_json(list_item(cs.committed)); }

// ---------------------------------------------------------------------------------------------
// Inbox lists and counts (TenantIndex).

Hub::TenantIndex& Hub::index_of(const std::string& tenant_id) {
  std::unique_ptr<TenantIndex>& idx = index_[tenant_id];
  if (!idx) idx = std::make_unique<TenantIndex>();
  return *idx;
}

void Hub::index(TenantIndex& idx, const ConvState& cs) {
  const Conversation& c = cs.committed;
  if (c.head_seq == 0) return;
  idx.all.insert(&cs);
  ++idx.by_status[static_cast<int>(c.status)];
  if (c.status == Status::pending) idx.queue.insert(&cs);
  if (c.status == Status::active && !c.assignee_id.empty()) idx.mine[c.assignee_id].insert(&cs);
  idx.add_today(c, +1);
}

void Hub::unindex(TenantIndex& idx, const ConvState& cs) {
  const Conversation& c = cs.committed;
  if (c.head_seq == 0) return;
  idx.all.erase(&cs);
  --idx.by_status[static_cast<int>(c.status)];
  if (c.status == Status::pending) idx.queue.erase(&cs);
  if (c.status == Status::active && !c.assignee_id.empty()) {
    if (auto m = idx.mine.find(c.assignee_id); m != idx.mine.end()) {
      m->second.erase(&cs);
      if (m->second.empty()) idx.mine.erase(m);
    }
  }
  idx.add_today(c, -1);
}

void Hub::set_committed(ConvState& cs, const Conversation& next) {
  TenantIndex& idx = index_of(next.tenant_id);
  roll_day(idx, next.tenant_id);  // today's sums must be taken against the current day
  unindex(idx, cs);
  cs.committed = next;
  index(idx, cs);
}

void Hub::roll_day(TenantIndex& idx, const std::string& tenant_id) {
  const Millis at = now();
  const Tenant* t = tenant(tenant_id);
  const std::string& zone_name = t ? t->settings.time_zone : std::string("UTC");
  if (idx.day_end != 0 && at >= idx.day_start && at < idx.day_end && zone_name == idx.time_zone) return;
  constexpr Millis kDay = 24LL * 3600 * 1000;
  std::optional<http::TimeZone> zone = http::TimeZone::find(zone_name);
  idx.time_zone_known = zone.has_value();
  if (!zone) zone = http::TimeZone::find("UTC");
  if (zone) {
    idx.day_start = zone->start_of_day(at);
    // Days are 23..25 hours long (DST): 26 h after midnight is always within the next day.
    idx.day_end = zone->start_of_day(idx.day_start + kDay + 2 * 3600 * 1000);
  } else {
    idx.day_start = at - at % kDay;
    idx.day_end = idx.day_start + kDay;
  }
  if (idx.day_end <= at) idx.day_end = at + 1;  // never loop on a broken zone
  idx.time_zone = zone_name;
  idx.resolved_today = 0;
  idx.wait_sum_ms = idx.wait_n = idx.first_sum_ms = idx.first_n = 0;
  for (const ConvState* cs : idx.all) idx.add_today(cs->committed, +1);
}

InboxCounts Hub::counts(const std::string& tenant_id) {
  TenantIndex& idx = index_of(tenant_id);
  roll_day(idx, tenant_id);
  InboxCounts n;
  n.bot = idx.by_status[static_cast<int>(Status::bot)];
  n.waiting = idx.by_status[static_cast<int>(Status::pending)];
  n.active = idx.by_status[static_cast<int>(Status::active)];
  n.resolved = idx.by_status[static_cast<int>(Status::resolved)];
  n.resolved_today = idx.resolved_today;
  n.avg_wait_s = idx.wait_n > 0 ? static_cast<int>(idx.wait_sum_ms / idx.wait_n / 1000) : 0;
  n.wait_sum_ms = idx.wait_sum_ms;
  n.wait_n = idx.wait_n;
  n.first_response_sum_ms = idx.first_sum_ms;
  n.first_response_n = idx.first_n;
  n.day_start = idx.day_start;
  n.time_zone_known = idx.time_zone_known;
  return n;
}

Json Hub::counts_json(const std::string& tenant_id) {
  const InboxCounts n = counts(tenant_id);
  return Json{{"bot", n.bot},
              {"waiting", n.waiting},
              {"active", n.active},
              {"resolved_today", n.resolved_today},
              {"avg_wait_s", n.avg_wait_s}};
}

Millis Hub::longest_wait_ms(const std::string& tenant_id) {
  const TenantIndex& idx = index_of(tenant_id);
  const Millis at = now();
  Millis longest = 0;
  for (const ConvState* cs : idx.queue) {
    if (cs->committed.handed_off_at > 0) longest = std::max(longest, at - cs->committed.handed_off_at);
  }
  return longest;
}

namespace {

// One page of `set` from `request` (offset, or the position right after request.after).
template <class Set, class ItemJson>
Json page_of(const Set& set, const InboxList& request, ItemJson item_json) {
  auto it = set.begin();
  std::size_t offset = 0;
  if (request.after) {
    Conversation probe;
    probe.id = request.after->id;
    probe.priority = request.after->priority;
    probe.handed_off_at = request.after->handed_off_at;
    probe.updated_at = request.after->updated_at;
    it = set.upper_bound(probe);
    offset = static_cast<std::size_t>(std::distance(set.begin(), it));
  } else {
    offset = std::min(request.offset, set.size());
    std::advance(it, static_cast<std::ptrdiff_t>(offset));
  }
  Json items = Json::array();
  for (std::size_t n = 0; it != set.end() && n < request.limit; ++it, ++n) items.push_back(item_json(**it));
  return Json{{"list", to_string(request.list)},
              {"items", std::move(items)},
              {"total", set.size()},
              {"offset", offset}};
}

}  // namespace

Json Hub::list_page(const StaffIdentity& who, const InboxList& request) {
  TenantIndex& idx = index_of(who.user.tenant_id);
  auto item = [this](const ConvState& cs) { return item_json(cs); };
  switch (request.list) {
    case InboxListName::queue:
      return page_of(idx.queue, request, item);
    case InboxListName::mine: {
      auto m = idx.mine.find(who.user.id);
      static const TenantIndex::RecentSet kNone;
      return page_of(m == idx.mine.end() ? kNone : m->second, request, item);
    }
    case InboxListName::recent:
      return page_of(idx.all, request, item);
  }
  return page_of(idx.queue, request, item);
}

Json Hub::snapshot(const StaffIdentity& who) {
  const std::string& tenant_id = who.user.tenant_id;
  const Tenant* t = tenant(tenant_id);
  Json queue = list_page(who, InboxList{InboxListName::queue, 0, kInboxPageDefault, std::nullopt});
  Json mine = list_page(who, InboxList{InboxListName::mine, 0, kInboxPageDefault, std::nullopt});
  return Json{{"user", user_json(who.user)},
              {"counts", counts_json(tenant_id)},
              {"issue_types", t ? Json(t->settings.issue_types) : Json::array()},
              {"server_time", now()},
              {"queue", std::move(queue["items"])},
              {"queue_total", queue["total"]},
              {"mine", std::move(mine["items"])},
              {"mine_total", mine["total"]}};
}

// ---------------------------------------------------------------------------------------------
// Sessions and identity.

std::optional<StaffIdentity> Hub::session_identity(const std::string& token_hash) {
  const Millis at = now();
  if (auto it = sessions_.find(token_hash); it != sessions_.end()) {
    if (it->second.who.expires_at > at) return it->second.who;
    sessions_.erase(it);
    return std::nullopt;
  }
  if (!reader_) return std::nullopt;
  auto s = find_session(*reader_, token_hash);
  if (!s || !s->has_value() || (*s)->expires_at <= at) return std::nullopt;
  auto u = find_user(*reader_, (*s)->user_id);
  if (!u || !u->has_value() || (*u)->disabled) return std::nullopt;
  StaffIdentity who;
  who.user = std::move(**u);
  who.user.password_hash.clear();
  who.session_hash = token_hash;
  who.expires_at = (*s)->expires_at;
  if (sessions_.size() > 10000) sessions_.clear();  // bounded cache; misses cost one read
  sessions_[token_hash] = CachedSession{who};
  return who;
}

std::optional<StaffIdentity> Hub::authenticate(const HttpRequest& req) {
  const std::string token = req.cookie("parley_session");
  if (token.empty() || token.size() > 200) return std::nullopt;
  return session_identity(sha256_hex(token));
}

bool Hub::login_limited(const std::string& key, int* retry_after_s) {
  auto it = login_failures_.find(key);
  if (it == login_failures_.end()) return false;
  const auto t = options_.steady_now();
  const auto window = std::chrono::milliseconds(options_.login_window_ms);
  auto& q = it->second;
  while (!q.empty() && q.front() + window <= t) q.pop_front();
  if (static_cast<int>(q.size()) < options_.login_max_failures) return false;
  *retry_after_s =
      static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(q.front() + window - t).count() + 1);
  return true;
}

void Hub::login_failed(const std::string& key) {
  if (login_failures_.size() >= kMaxLoginKeys && !login_failures_.count(key)) {
    login_failures_.erase(login_failures_.begin());  // bounded: drop an arbitrary old key
  }
  auto& q = login_failures_[key];
  q.push_back(options_.steady_now());
  while (static_cast<int>(q.size()) > options_.login_max_failures) q.pop_front();
}

void Hub::login(const std::string& username, const std::string& password, const std::string& remote_addr,
                std::function<void(Result<LoginResult>, std::optional<LoginError>)> cb) {
  auto fail = [&cb](int status, std::string code, std::string message, int retry = 0) {
    cb(make_error(ErrorCode::unauthorized, message), LoginError{status, std::move(code), message, retry});
  };
  if (username.empty() || username.size() > 200 || password.empty() || password.size() > 1000) {
    return fail(400, "bad_field", "username and password are required");
  }
  const std::string addr_key = "addr:" + remote_addr;
  const std::string user_key = "user:" + lower(username);
  int retry = 0;
  if (login_limited(addr_key, &retry) || login_limited(user_key, &retry)) {
    return fail(429, "rate_limited", "too many failed logins; try again later", retry);
  }
  on_worker([this, username, password, addr_key, user_key, remote_addr,
             cb = std::move(cb)](Db* reader) mutable -> std::function<void()> {
    // argon2 runs here, off the loop. An unknown user still costs one verification, so the
    // answer time does not tell which usernames exist.
    static const std::string kDummyHash = hash_password("parley-dummy-password");
    std::optional<User> user;
    bool ok = false;
    bool store_error = reader == nullptr;
    if (reader) {
      auto found = find_user_by_username(*reader, username);
      if (!found) store_error = true;
      if (found && found->has_value() && !(*found)->disabled) user = std::move(**found);
    }
    if (user) {
      ok = verify_password(user->password_hash, password);
    } else {
      verify_password(kDummyHash, password);
    }
    return [this, ok, store_error, user = std::move(user), addr_key, user_key, remote_addr,
            cb = std::move(cb)]() mutable {
      if (store_error) {
        cb(make_error(ErrorCode::unavailable, "store unavailable"),
           LoginError{503, "unavailable", "the store is unavailable", 0});
        return;
      }
      if (!ok) {
        login_failed(addr_key);
        login_failed(user_key);
        log::warn("login failed", {{"remote", remote_addr}});
        cb(make_error(ErrorCode::unauthorized, "wrong username or password"),
           LoginError{401, "unauthorized", "wrong username or password", 0});
        return;
      }
      login_failures_.erase(user_key);
      Session s;
      const std::string token = random_token(32);
      s.token_hash = sha256_hex(token);
      s.user_id = user->id;
      s.created_at = now();
      s.expires_at = s.created_at + options_.session_ttl_ms;
      user->password_hash.clear();
      write([s](Db& db) { return insert_session(db, s); },
            [this, s, token, user = std::move(*user), cb = std::move(cb)](std::optional<Error> err) mutable {
              if (err) {
                cb(*err, LoginError{503, "unavailable", "could not store the session", 0});
                return;
              }
              StaffIdentity who{user, s.token_hash, s.expires_at};
              sessions_[s.token_hash] = CachedSession{who};
              log::info("login", {{"user", user.id}});
              cb(LoginResult{token, std::move(user), s.expires_at}, std::nullopt);
            });
    };
  });
}

void Hub::close_session_sockets(const std::string& session_hash, const std::string& reason) {
  for (auto& [id, c] : conns_) {
    if (c->who.is_staff() && c->who.staff.session_hash == session_hash) {
      if (reason == "session expired") c->send(encode_notice("session.expired", Json::object()));
      c->close(1008, reason);
    }
  }
}

void Hub::logout(const std::string& token) {
  if (token.empty() || token.size() > 200) return;
  const std::string hash = sha256_hex(token);
  sessions_.erase(hash);
  close_session_sockets(hash, "logged out");
  write([hash](Db& db) { return delete_session(db, hash); },
        [](std::optional<Error> err) {
          if (err) log::error("logout: could not delete the session", {{"error", err->message}});
        });
}

void Hub::revoke_user_sessions(const std::string& user_id, const std::string& keep_session_hash,
                               std::function<void(std::optional<Error>)> done) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.who.user.id == user_id && it->first != keep_session_hash) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [id, c] : conns_) {
    if (c->who.is_staff() && c->who.staff.user.id == user_id &&
        c->who.staff.session_hash != keep_session_hash) {
      c->close(1008, "session revoked");
    }
  }
  // Delete all of the user's sessions, then put the kept one back (one transaction).
  std::optional<Session> keep;
  if (!keep_session_hash.empty() && reader_) {
    auto s = find_session(*reader_, keep_session_hash);
    if (s && s->has_value()) keep = **s;
  }
  write(
      [user_id, keep](Db& db) -> std::optional<Error> {
        if (auto e = delete_user_sessions(db, user_id)) return e;
        if (keep) return insert_session(db, *keep);
        return std::nullopt;
      },
      std::move(done));
}

void Hub::create_user(const std::string& tenant_id, const std::string& username,
                      const std::string& display_name, StaffRole role, const std::string& password,
                      std::function<void(Result<User>)> cb) {
  if (!tenants_.count(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  if (username.empty() || password.empty()) {
    return cb(make_error(ErrorCode::missing_field, "username and password are required", "username"));
  }
  User u;
  u.id = random_id("u_");
  u.tenant_id = tenant_id;
  u.username = username;
  u.display_name = display_name.empty() ? username : display_name;
  u.role = role;
  u.created_at = now();
  on_worker([this, u, password, cb = std::move(cb)](Db* reader) mutable -> std::function<void()> {
    bool taken = false;
    if (reader) {
      auto found = find_user_by_username(*reader, u.username);
      taken = found && found->has_value();
    }
    if (!taken) u.password_hash = hash_password(password);
    return [this, u = std::move(u), taken, cb = std::move(cb)]() mutable {
      if (taken) return cb(make_error(ErrorCode::bad_field, "username already taken", "username"));
      if (u.password_hash.empty()) return cb(make_error(ErrorCode::internal, "password hashing failed"));
      write([u](Db& db) { return insert_user(db, u); },
            [u, cb = std::move(cb)](std::optional<Error> err) mutable {
              if (err) {
                // A concurrent insert of the same username trips the unique constraint.
                if (err->code == ErrorCode::internal) {
                  return cb(make_error(ErrorCode::bad_field, "username already taken", "username"));
                }
                return cb(*err);
              }
              u.password_hash.clear();
              log::info("user created", {{"user", u.id}, {"role", to_string(u.role)}});
              cb(std::move(u));
            });
    };
  });
}

void Hub::change_password(const std::string& user_id, const std::string& new_password,
                          const std::string& keep_session_hash,
                          std::function<void(std::optional<Error>)> cb) {
  if (new_password.empty()) return cb(make_error(ErrorCode::missing_field, "password required", "password"));
  on_worker([this, user_id, new_password, keep_session_hash,
             cb = std::move(cb)](Db*) mutable -> std::function<void()> {
    std::string hash = hash_password(new_password);
    return [this, user_id, hash, keep_session_hash, cb = std::move(cb)]() mutable {
      if (hash.empty()) return cb(make_error(ErrorCode::internal, "password hashing failed"));
      write([user_id, hash](Db& db) { return set_password_hash(db, user_id, hash); },
            [this, user_id, keep_session_hash, cb = std::move(cb)](std::optional<Error> err) mutable {
              if (err) return cb(err);
              revoke_user_sessions(user_id, keep_session_hash, std::move(cb));
            });
    };
  });
}

// ---------------------------------------------------------------------------------------------
// WebSocket: upgrade, open, close.

bool Hub::origin_allowed(const HttpRequest& req) const {
  const std::string& origin = req.header("origin");
  if (origin.empty()) return true;  // checked by the callers where it must be present
  const std::string got = origin_of(origin);
  if (got.empty()) return false;
  if (!options_.public_url.empty()) return got == origin_of(options_.public_url);
  const std::string& host = req.header("host");
  if (host.empty()) return false;
  return got == origin_of((req.secure ? "https://" : "http://") + host);
}

UpgradeDecision Hub::authorize_upgrade(const HttpRequest& req) {
  UpgradeDecision d;
  if (!origin_allowed(req)) {
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
  if (req.cookie("parley_session").empty()) {
    d.status = 401;
    d.reason = "log in first";
    return d;
  }
  // Staff: a browser always sends Origin on a WebSocket upgrade; require it.
  if (req.header("origin").empty()) {
    d.status = 403;
    d.reason = "origin required";
    return d;
  }
  auto who = authenticate(req);
  if (!who) {
    d.status = 401;
    d.reason = "session expired or revoked; log in again";
    return d;
  }
  d.accept = true;
  d.principal = "user:" + who->user.id + ":" + who->session_hash;
  return d;
}

void Hub::on_open(std::shared_ptr<Connection> conn, const std::string& principal) {
  auto c = std::make_unique<ConnState>();
  c->conn = std::move(conn);
  c->id = c->conn->id();
  c->tokens = options_.burst;
  c->refilled = options_.steady_now();
  metrics().ws_connections.fetch_add(1, std::memory_order_relaxed);
  metrics().ws_connections_total.fetch_add(1, std::memory_order_relaxed);
  ConnState& ref = *c;
  conns_[c->id] = std::move(c);
  if (principal.empty()) return;
  // "user:<id>:<session hash>" (see authorize_upgrade).
  const auto colon = principal.rfind(':');
  const std::string hash = colon == std::string::npos ? "" : principal.substr(colon + 1);
  auto who = session_identity(hash);
  if (!who) {
    ref.send(encode_notice("session.expired", Json::object()));
    ref.close(1008, "session expired");
    return;
  }
  ref.who.kind = Principal::Kind::staff;
  ref.who.tenant_id = who->user.tenant_id;
  ref.who.staff = *who;
  staff_conns_[ref.who.tenant_id].insert(ref.id);
  staff_conn_changed(who->user.id, +1);
  ref.send(encode_notice("inbox.snapshot", snapshot(*who)));
}

void Hub::on_close(std::uint64_t conn_id) {
  auto it = conns_.find(conn_id);
  if (it == conns_.end()) return;
  ConnState& c = *it->second;
  c.closed = true;
  for (const std::string& id : c.subs) {
    if (auto cs = convs_.find(id); cs != convs_.end()) cs->second->subscribers.erase(conn_id);
  }
  if (c.who.is_staff()) {
    staff_conns_[c.who.tenant_id].erase(conn_id);
    staff_conn_changed(c.who.staff.user.id, -1);
  } else if (c.who.is_customer()) {
    contact_conn_changed(c.who.contact_id, -1);
  }
  metrics().ws_connections.fetch_sub(1, std::memory_order_relaxed);
  conns_.erase(it);
}

void Hub::staff_conn_changed(const std::string& user_id, int delta) {
  Presence& p = staff_presence_[user_id];
  p.conns += delta;
  if (p.conns <= 0) {
    p.conns = 0;
    p.gone_since = options_.steady_now();
  }
}

void Hub::contact_conn_changed(const std::string& contact_id, int delta) {
  Presence& p = contact_presence_[contact_id];
  p.conns += delta;
  if (p.conns <= 0) {
    // The sweep compares gone_since with --abandon-after for this contact's waiting chats.
    p.conns = 0;
    p.gone_since = options_.steady_now();
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket: frames.

void Hub::on_message(std::uint64_t conn_id, std::string text) {
  const auto arrived = SteadyClock::now();
  metrics().ws_frames_in.fetch_add(1, std::memory_order_relaxed);
  auto it = conns_.find(conn_id);
  if (it == conns_.end() || it->second->closed) return;
  ConnState& c = *it->second;

  Incoming in = decode_command(text, options_.limits);

  // Token bucket: rate_per_s sustained, burst tokens.
  const auto t = options_.steady_now();
  const double elapsed = std::chrono::duration<double>(t - c.refilled).count();
  c.refilled = t;
  c.tokens = std::min(options_.burst, c.tokens + std::max(0.0, elapsed) * options_.rate_per_s);
  if (c.tokens < 1.0) {
    metrics().command_errors.fetch_add(1, std::memory_order_relaxed);
    if (++c.refusals > options_.max_refusals) {
      log::warn("closing a connection that ignores rate limits", {{"conn", conn_id}});
      c.close(1008, "rate limit exceeded");
      return;
    }
    c.send(encode_error(in.id, make_error(ErrorCode::rate_limited, "too many commands; slow down")));
    return;
  }
  c.tokens -= 1.0;

  if (!in.command) {
    metrics().command_errors.fetch_add(1, std::memory_order_relaxed);
    c.send(encode_error(in.id, in.command.error()));
    return;
  }
  dispatch(&c, in.id, std::move(in.command).value(), arrived);
}

void Hub::dispatch(ConnState* c, const std::string& rid, Command cmd, SteadyClock::time_point arrived) {
  const std::uint64_t conn_id = c->id;
  const bool has_id = !rid.empty();
  const bool ephemeral = std::holds_alternative<Typing>(cmd) || std::holds_alternative<Seen>(cmd);
  AckFn ack = [this, conn_id, rid, has_id, ephemeral, arrived](Result<Json> r) {
    auto it = conns_.find(conn_id);
    if (!r.ok()) metrics().command_errors.fetch_add(1, std::memory_order_relaxed);
    if (it == conns_.end()) return;  // the sender left; the others still get the events
    if (r.ok()) {
      // Typing/seen are acked only when they carry an id; everything else always.
      if (!ephemeral || has_id) it->second->send(encode_ack(rid, r.value()));
    } else {
      it->second->send(encode_error(rid, r.error()));
    }
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - arrived).count();
    metrics().observe_latency_us(static_cast<std::uint64_t>(std::max<long long>(0, us)));
  };

  if (auto* h = std::get_if<Hello>(&cmd)) {
    // Staff got inbox.snapshot on connect; the ack only confirms who they are.
    if (c->who.is_staff()) {
      const Tenant* t = tenant(c->who.tenant_id);
      return ack(Json{{"user", user_json(c->who.staff.user)},
                      {"issue_types", t ? Json(t->settings.issue_types) : Json::array()}});
    }
    return cmd_hello(*c, *h, std::move(ack));
  }
  if (c->who.kind == Principal::Kind::none) {
    return ack(make_error(ErrorCode::unauthorized,
                          c->hello_in_flight ? "wait for the hello ack" : "send hello first"));
  }
  if (c->who.is_staff() && c->who.staff.expires_at <= now()) {
    c->send(encode_notice("session.expired", Json::object()));
    c->close(1008, "session expired");
    return;
  }
  if (auto* j = std::get_if<Join>(&cmd)) return cmd_join(*c, *j, std::move(ack));
  if (auto* l = std::get_if<Leave>(&cmd)) {
    c->subs.erase(l->conversation_id);
    if (auto cs = convs_.find(l->conversation_id); cs != convs_.end()) cs->second->subscribers.erase(c->id);
    return ack(Json{{"conversation_id", l->conversation_id}});
  }
  execute(c->who, c, std::move(cmd), std::move(ack));
}

void Hub::cmd_hello(ConnState& c, const Hello& h, AckFn ack) {
  if (c.who.is_customer() || c.hello_in_flight) {
    return ack(make_error(ErrorCode::forbidden, "this connection has already said hello"));
  }
  const Tenant* t = h.tenant.empty() ? &default_tenant() : tenant(h.tenant);
  if (!t) return ack(make_error(ErrorCode::bad_field, "unknown tenant", "tenant"));
  const std::string tenant_id = t->id;

  auto tenant_json = [this, tenant_id] {
    const Tenant& tt = tenants_.at(tenant_id);
    const TenantSettings& s = tt.settings;
    return Json{{"slug", tt.slug},
                {"title", s.title},
                {"welcome", s.welcome},
                {"brand_color", s.brand_color},
                {"position", s.position},
                {"assistant_name", s.assistant_name},
                {"assistant_enabled", s.assistant_enabled},
                {"prechat_form", s.prechat_form}};
  };

  // Known visitor?
  if (h.token && !h.token->empty() && h.token->size() <= 200 && reader_) {
    auto v = find_visitor(*reader_, sha256_hex(*h.token));
    if (!v) return ack(v.error());
    if (v->has_value() && (*v)->tenant_id == tenant_id) {
      const Contact* k = contact(tenant_id, (*v)->contact_id);
      c.who.kind = Principal::Kind::customer;
      c.who.tenant_id = tenant_id;
      c.who.contact_id = (*v)->contact_id;
      c.who.name = k ? k->name : "";
      contact_conn_changed(c.who.contact_id, +1);
      std::vector<const Conversation*> mine;
      if (auto bc = by_contact_.find(c.who.contact_id); bc != by_contact_.end()) {
        for (const std::string& id : bc->second) {
          if (const Conversation* conv = find_conversation(tenant_id, id)) mine.push_back(conv);
        }
      }
      std::sort(mine.begin(), mine.end(),
                [](const Conversation* a, const Conversation* b) { return a->created_at > b->created_at; });
      Json list = Json::array();
      for (const Conversation* conv : mine) list.push_back(to_json(*conv, /*staff=*/false));
      return ack(Json{{"visitor_token", *h.token},
                      {"new_visitor", false},
                      {"contact_id", c.who.contact_id},
                      {"tenant", tenant_json()},
                      {"conversations", std::move(list)}});
    }
  }

  // A new visitor: contact + visitor rows, written before the ack.
  const Millis at = now();
  Contact k;
  k.id = random_id("k_");
  k.tenant_id = tenant_id;
  k.channel = Channel::web;
  k.created_at = at;
  const std::string token = random_token(32);
  Visitor v{sha256_hex(token), tenant_id, k.id, at};
  c.hello_in_flight = true;
  const std::uint64_t conn_id = c.id;
  write(
      [k, v](Db& db) -> std::optional<Error> {
        if (auto e = insert_contact(db, k)) return e;
        return insert_visitor(db, v);
      },
      [this, conn_id, k, token, tenant_id, tenant_json, ack = std::move(ack)](std::optional<Error> err) {
        auto it = conns_.find(conn_id);
        if (it != conns_.end()) it->second->hello_in_flight = false;
        if (err) {
          if (err->code == ErrorCode::unavailable) log::error("store unavailable", {{"error", err->message}});
          return ack(*err);
        }
        contacts_[k.id] = k;
        if (it == conns_.end()) return;
        ConnState& c = *it->second;
        c.who.kind = Principal::Kind::customer;
        c.who.tenant_id = tenant_id;
        c.who.contact_id = k.id;
        contact_conn_changed(k.id, +1);
        ack(Json{{"visitor_token", token},
                 {"new_visitor", true},
                 {"contact_id", k.id},
                 {"tenant", tenant_json()},
                 {"conversations", Json::array()}});
      });
}

Hub::ConvState* Hub::visible(const Principal& who, const std::string& conv_id) {
  auto it = convs_.find(conv_id);
  if (it == convs_.end()) return nullptr;
  ConvState& cs = *it->second;
  if (cs.live.tenant_id != who.tenant_id) return nullptr;
  if (who.is_customer() && cs.live.contact_id != who.contact_id) return nullptr;
  return &cs;
}

void Hub::cmd_join(ConnState& c, const Join& j, AckFn ack) {
  ConvState* cs = visible(c.who, j.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(make_error(ErrorCode::not_found, "no such conversation"));
  const bool staff = c.who.is_staff();
  const Seq head = cs->committed_seq();
  // Replay from the database, up to committed_seq only: events past it are in flight and reach
  // this connection live when they commit (it is subscribed below, before any other callback can
  // run). Small pages keep each read short; see hub.hpp on the loop-thread reader.
  Seq cursor = j.after_seq;
  while (cursor < head) {
    auto page = events_after(*reader_, cs->live.tenant_id, cs->live.id, cursor, staff, kReplayPage);
    if (!page) {
      log::error("replay failed", {{"conversation", cs->live.id}, {"error", page.error().message}});
      return ack(make_error(ErrorCode::internal, "could not read the conversation"));
    }
    if (page->empty()) break;
    for (const Event& e : *page) {
      if (e.seq > head) break;
      c.send(encode_event(e));
      if (e.type == ev::new_message) metrics().messages_out.fetch_add(1, std::memory_order_relaxed);
    }
    cursor = page->back().seq;
    if (page->size() < kReplayPage) break;
  }
  cs->subscribers.insert(c.id);
  c.subs.insert(cs->live.id);
  ack(Json{{"conversation_id", cs->live.id},
           {"head_seq", head},
           {"conversation", staff ? conversation_summary(cs->committed) : to_json(cs->committed, false)}});
}

// ---------------------------------------------------------------------------------------------
// Commands that change conversations.

void Hub::execute(const Principal& who, ConnState* conn, Command cmd, AckFn ack) {
  const Millis at = now();
  auto not_found = [&ack] { ack(make_error(ErrorCode::not_found, "no such conversation")); };
  auto staff_only = [&who, &ack]() {
    if (who.is_staff()) return true;
    ack(make_error(ErrorCode::forbidden, "staff only"));
    return false;
  };
  auto head_ack = [](const ConvState& cs) {
    return Json{{"conversation_id", cs.committed.id}, {"head_seq", cs.committed_seq()}};
  };

  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, ChatStart>) {
          if (!who.is_customer())
            return ack(make_error(ErrorCode::forbidden, "customers start conversations"));
          cmd_start(who, conn, c, std::move(ack));
        } else if constexpr (std::is_same_v<T, SendMessage>) {
          cmd_send(who, c, std::move(ack));
        } else if constexpr (std::is_same_v<T, Typing>) {
          cmd_ephemeral(who, conn, c.conversation_id, ev::typing, Json{{"typing", c.typing}}, std::move(ack));
        } else if constexpr (std::is_same_v<T, Seen>) {
          cmd_ephemeral(who, conn, c.conversation_id, ev::seen, Json{{"seq", c.seq}}, std::move(ack));
        } else if constexpr (std::is_same_v<T, Ping>) {
          ack(Json{{"server_time", at}});
        } else if constexpr (std::is_same_v<T, InboxList>) {
          if (!staff_only()) return;
          ack(list_page(who.staff, c));
        } else if constexpr (std::is_same_v<T, Hello> || std::is_same_v<T, Join> ||
                             std::is_same_v<T, Leave>) {
          ack(make_error(ErrorCode::bad_field, "this command needs a WebSocket connection", "type"));
        } else if constexpr (std::is_same_v<T, ChatEnd>) {
          if (!who.is_customer()) return ack(make_error(ErrorCode::forbidden, "customers end conversations"));
          ConvState* cs = visible(who, c.conversation_id);
          if (!cs) return not_found();
          auto t = customer_end(cs->live, who.actor(), at);
          if (!t) return ack(t.error());
          commit(*cs, std::move(t).value(), std::move(ack), head_ack);
        } else if constexpr (std::is_same_v<T, RequestHuman>) {
          if (!who.is_customer()) return ack(make_error(ErrorCode::forbidden, "customers ask for a person"));
          ConvState* cs = visible(who, c.conversation_id);
          if (!cs) return not_found();
          std::vector<std::string> recent(cs->recent_customer.begin(), cs->recent_customer.end());
          const std::string summary = handoff_summary(recent, cs->tried_titles, "customer_asked");
          auto t = hand_off(cs->live, who.actor(), "customer_asked", summary, at);
          if (!t) return ack(t.error());
          commit(*cs, std::move(t).value(), std::move(ack), head_ack);
        } else if constexpr (std::is_same_v<T, Accept>) {
          if (!staff_only()) return;
          ConvState* cs = visible(who, c.conversation_id);
          if (!cs) return not_found();
          auto t = accept(cs->live, who.actor(), at);
          if (!t) {
            Error e = t.error();
            if (e.code == ErrorCode::already_assigned && !cs->live.assignee_name.empty()) {
              e.message = "already accepted by " + cs->live.assignee_name;
            }
            return ack(e);
          }
          commit(*cs, std::move(t).value(), std::move(ack), head_ack);
        } else if constexpr (std::is_same_v<T, Resolve>) {
          if (!staff_only()) return;
          ConvState* cs = visible(who, c.conversation_id);
          if (!cs) return not_found();
          const bool may_override = who.staff.user.role != StaffRole::agent;
          auto t = resolve(cs->live, who.actor(), may_override, c.resolution, c.issue_type, at);
          if (!t) return ack(t.error());
          commit(*cs, std::move(t).value(), std::move(ack), head_ack);
        } else if constexpr (std::is_same_v<T, Handoff>) {
          if (!staff_only()) return;
          ConvState* cs = visible(who, c.conversation_id);
          if (!cs) return not_found();
          std::string reason = c.reason;
          if (reason.empty()) {
            reason = cs->live.answered_by == Answerer::external ? "mirror_handoff" : "staff_took_over";
          }
          auto t = take_over(cs->live, who.actor(), reason, at);
          if (!t) return ack(t.error());
          commit(*cs, std::move(t).value(), std::move(ack), head_ack);
        } else if constexpr (std::is_same_v<T, SetPriority>) {
          if (!staff_only()) return;
          ConvState* cs = visible(who, c.conversation_id);
          if (!cs) return not_found();
          auto t = set_priority(cs->live, who.actor(), c.priority, at);
          if (!t) return ack(t.error());
          commit(*cs, std::move(t).value(), std::move(ack), head_ack);
        }
      },
      cmd);
}

void Hub::cmd_ephemeral(const Principal& who, ConnState* conn, const std::string& conv_id,
                        std::string_view type, Json data, AckFn ack) {
  ConvState* cs = visible(who, conv_id);
  if (!cs || cs->committed_seq() == 0) return ack(make_error(ErrorCode::not_found, "no such conversation"));
  Event e;
  e.conversation_id = conv_id;
  e.seq = 0;
  e.type = std::string(type);
  e.audience = Audience::everyone;
  e.at = now();
  e.actor = who.actor();
  e.data = std::move(data);
  auto frame = std::make_shared<const std::string>(encode_event(e));
  for (std::uint64_t sub : cs->subscribers) {
    if (conn && sub == conn->id) continue;
    if (auto it = conns_.find(sub); it != conns_.end()) it->second->send(frame);
  }
  ack(Json{{"conversation_id", conv_id}});
}

void Hub::ensure_msg_ids(ConvState& cs) {
  if (cs.msg_ids_loaded) return;
  cs.msg_ids_loaded = true;
  if (cs.committed_seq() == 0 || !reader_) return;  // new: nothing stored yet
  auto ids = client_msg_ids(*reader_, cs.live.id);
  if (!ids) {
    log::error("could not load client_msg_ids",
               {{"conversation", cs.live.id}, {"error", ids.error().message}});
    cs.msg_ids_loaded = false;
    return;
  }
  for (auto& [id, seq] : *ids) cs.msg_ids.emplace(std::move(id), seq);
}

void Hub::wait_committed(ConvState& cs, Seq seq, std::function<void(bool)> fn) {
  if (seq <= cs.committed_seq()) return fn(true);
  cs.waiters.emplace(seq, std::move(fn));
}

void Hub::cmd_send(const Principal& who, const SendMessage& s, AckFn ack) {
  ConvState* cs = visible(who, s.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(make_error(ErrorCode::not_found, "no such conversation"));
  if (who.is_customer() && s.kind != MessageKind::text) {
    return ack(make_error(ErrorCode::forbidden, "customers send text messages", "kind"));
  }
  if (who.is_staff() && s.kind != MessageKind::text && s.kind != MessageKind::note) {
    return ack(make_error(ErrorCode::bad_field, "kind must be text or note", "kind"));
  }
  const std::string text(trim(s.text));
  if (text.empty()) return ack(make_error(ErrorCode::bad_field, "text is empty", "text"));

  if (!s.client_msg_id.empty()) {
    ensure_msg_ids(*cs);
    if (!cs->msg_ids_loaded) return ack(make_error(ErrorCode::internal, "could not read the conversation"));
    if (auto it = cs->msg_ids.find(s.client_msg_id); it != cs->msg_ids.end()) {
      const Seq seq = it->second;
      const std::string conv_id = cs->live.id;
      // The original may still be in flight: answer once it has committed.
      return wait_committed(*cs, seq, [conv_id, seq, ack = std::move(ack)](bool ok) {
        if (!ok) return ack(make_error(ErrorCode::unavailable, "the original message was not stored"));
        ack(Json{{"conversation_id", conv_id}, {"seq", seq}, {"duplicate", true}});
      });
    }
  }

  Message m;
  m.client_msg_id = s.client_msg_id;
  m.kind = s.kind;
  m.text = text;
  const Tenant* t = tenant(cs->live.tenant_id);
  const ConversationPolicy policy{t ? t->settings.assistant_enabled : true};
  Actor from = who.actor();
  if (who.is_customer()) {
    if (const Contact* k = contact(who.tenant_id, who.contact_id)) from.name = k->name;
  }
  auto tr = post_message(cs->live, from, std::move(m), now(), policy);
  if (!tr) return ack(tr.error());
  const Seq msg_seq = tr->events.back().seq;
  const bool customer = who.is_customer();
  metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
  const std::string conv_id = cs->live.id;
  commit(
      *cs, std::move(tr).value(), std::move(ack),
      [conv_id, msg_seq](const ConvState&) {
        return Json{{"conversation_id", conv_id}, {"seq", msg_seq}};
      },
      customer ? std::function<void()>([this, conv_id, text] { run_assistant(conv_id, text); }) : nullptr);
}

void Hub::cmd_start(const Principal& who, ConnState* conn, const ChatStart& s, AckFn ack) {
  const Millis at = now();
  // Idempotent start: the same visitor re-sending the same client_msg_id gets the same conversation.
  if (!s.client_msg_id.empty()) {
    if (auto bc = by_contact_.find(who.contact_id); bc != by_contact_.end()) {
      for (const std::string& id : bc->second) {
        ConvState& other = *convs_.at(id);
        ensure_msg_ids(other);
        auto hit = other.msg_ids.find(s.client_msg_id);
        if (hit == other.msg_ids.end()) continue;
        if (conn) {
          other.subscribers.insert(conn->id);
          conn->subs.insert(id);
        }
        return wait_committed(other, hit->second, [this, id, ack = std::move(ack)](bool ok) {
          if (!ok) return ack(make_error(ErrorCode::unavailable, "the original start was not stored"));
          auto it = convs_.find(id);
          const Seq head = it == convs_.end() ? 0 : it->second->committed_seq();
          ack(Json{{"conversation_id", id}, {"head_seq", head}, {"duplicate", true}});
        });
      }
    }
  }
  const std::string text(trim(s.text));
  if (!s.client_msg_id.empty() && text.empty()) {
    return ack(make_error(ErrorCode::missing_field, "a first message needs text", "text"));
  }

  const Tenant* t = tenant(who.tenant_id);
  const TenantSettings settings = t ? t->settings : TenantSettings{};
  const ConversationPolicy policy{settings.assistant_enabled};
  Conversation init;
  init.id = random_id("c_");
  init.tenant_id = who.tenant_id;
  init.contact_id = who.contact_id;
  init.channel = Channel::web;
  init.priority = s.priority;
  init.topic = s.topic;
  init.answered_by = settings.assistant_enabled ? Answerer::builtin : Answerer::none;
  init.page_url = s.page.url;
  init.page_title = s.page.title;
  init.page_referrer = s.page.referrer;

  // The contact's name and email from the pre-chat form.
  Contact k;
  if (const Contact* known = contact(who.tenant_id, who.contact_id)) k = *known;
  k.id = who.contact_id;
  k.tenant_id = who.tenant_id;
  const bool contact_changed =
      (!s.name.empty() && s.name != k.name) || (!s.email.empty() && s.email != k.email);
  if (!s.name.empty()) k.name = s.name;
  if (!s.email.empty()) k.email = s.email;
  Actor customer{Role::customer, who.contact_id, k.name};

  Transition tr = start_conversation(init, customer, at, policy);
  std::string first_text;
  if (!text.empty()) {
    Message m;
    m.client_msg_id = s.client_msg_id;
    m.kind = MessageKind::text;
    m.text = text;
    auto posted = post_message(tr.next, customer, std::move(m), at, policy);
    if (!posted) return ack(posted.error());
    tr.next = posted->next;
    for (Event& e : posted->events) tr.events.push_back(std::move(e));
    first_text = text;
    metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
  } else if (tr.next.status == Status::bot && tr.next.answered_by == Answerer::builtin && assistant_) {
    const std::string greeting = assistant_->greeting(settings);
    if (!greeting.empty()) {
      Message m;
      m.kind = MessageKind::text;
      m.text = greeting;
      auto posted =
          post_message(tr.next, Actor{Role::bot, "bot", settings.assistant_name}, std::move(m), at, policy);
      if (posted) {
        tr.next = posted->next;
        for (Event& e : posted->events) tr.events.push_back(std::move(e));
      }
    }
  }

  auto cs = std::make_unique<ConvState>();
  cs->committed = init;
  cs->committed.head_seq = 0;
  cs->live = init;
  cs->msg_ids_loaded = true;
  ConvState& ref = *cs;
  const std::string conv_id = init.id;
  convs_.emplace(conv_id, std::move(cs));
  by_contact_[who.contact_id].push_back(conv_id);
  if (conn) {
    ref.subscribers.insert(conn->id);
    conn->subs.insert(conv_id);
  }
  if (contact_changed) {
    contacts_[k.id] = k;
    if (conn) conn->who.name = k.name;
  }
  Store::Op extra;
  if (contact_changed) extra = [k](Db& db) { return update_contact(db, k); };
  commit(
      ref, std::move(tr), std::move(ack),
      [conv_id](const ConvState& c) {
        return Json{{"conversation_id", conv_id}, {"head_seq", c.committed_seq()}};
      },
      first_text.empty() ? std::function<void()>() : std::function<void()>([this, conv_id, first_text] {
        run_assistant(conv_id, first_text);
      }),
      std::move(extra));
}

// ---------------------------------------------------------------------------------------------
// The write pipeline.

void Hub::commit(ConvState& cs, Transition t, AckFn ack, std::function<Json(const ConvState&)> ack_data,
                 std::function<void()> after, Store::Op extra) {
  if (t.events.empty()) {
    // A no-op (same agent accepting twice, same priority): answer once earlier writes committed.
    cs.live = t.next;
    const std::string conv_id = cs.live.id;
    return wait_committed(cs, cs.live.head_seq, [this, conv_id, ack, ack_data](bool ok) {
      auto it = convs_.find(conv_id);
      if (!ok || it == convs_.end()) return ack(make_error(ErrorCode::unavailable, "not stored"));
      if (ack) ack(ack_data(*it->second));
    });
  }
  if (store_.failed()) {
    if (ack) ack(make_error(ErrorCode::unavailable, "the store refuses writes (a commit failed)"));
    return;
  }
  // Remember the new client_msg_ids at once so a re-send while this is in flight waits for it.
  std::vector<std::string> new_ids;
  for (const Event& e : t.events) {
    if (e.type != ev::new_message) continue;
    const Json& m = e.data["message"];
    if (m.contains("client_msg_id") && m["client_msg_id"].is_string()) {
      std::string id = m["client_msg_id"].get<std::string>();
      if (!id.empty()) {
        cs.msg_ids[id] = e.seq;
        new_ids.push_back(std::move(id));
      }
    }
  }
  cs.live = t.next;
  ++cs.inflight;
  auto shared = std::make_shared<Transition>(std::move(t));
  const std::string conv_id = cs.live.id;
  store_.write(
      [shared, extra = std::move(extra)](Db& db) -> std::optional<Error> {
        if (extra) {
          if (auto e = extra(db)) return e;
        }
        if (auto e = upsert_conversation(db, shared->next)) return e;
        for (const Event& e : shared->events) {
          if (auto err = append_event(db, shared->next.tenant_id, e)) return err;
        }
        return std::nullopt;
      },
      [this, shared, conv_id, new_ids = std::move(new_ids), ack = std::move(ack),
       ack_data = std::move(ack_data), after = std::move(after)](const std::optional<Error>& err) mutable {
        asio::post(io_, [this, shared, conv_id, new_ids = std::move(new_ids), ack = std::move(ack),
                         ack_data = std::move(ack_data), after = std::move(after), err]() mutable {
          auto it = convs_.find(conv_id);
          if (it == convs_.end()) return;
          ConvState& cs = *it->second;
          --cs.inflight;
          if (err) {
            for (const std::string& id : new_ids) cs.msg_ids.erase(id);
            on_write_failed(conv_id, *err);
            if (ack) ack(*err);
            return;
          }
          on_committed(conv_id, shared->next, shared->events);
          // Ack first, then broadcast (the sender also receives its own events), then the inbox.
          if (ack) ack(ack_data(cs));
          for (const Event& e : shared->events) broadcast(cs, e);
          notify_staff(cs);
          // Waiters (duplicates of in-flight messages) after the events went out.
          while (!cs.waiters.empty() && cs.waiters.begin()->first <= cs.committed_seq()) {
            auto fn = std::move(cs.waiters.begin()->second);
            cs.waiters.erase(cs.waiters.begin());
            fn(true);
          }
          if (after) after();
        });
      });
}

void Hub::on_committed(const std::string& conv_id, const Conversation& next,
                       const std::vector<Event>& events) {
  ConvState& cs = *convs_.at(conv_id);
  set_committed(cs, next);
  for (const Event& e : events) {
    if (e.type != ev::new_message || !e.data.is_object()) continue;
    const auto mi = e.data.find("message");
    if (mi == e.data.end() || !mi->is_object()) continue;
    const auto ti = mi->find("text");
    if (ti == mi->end() || !ti->is_string()) continue;
    const std::string& text = ti->get_ref<const std::string&>();
    if (e.audience == Audience::everyone) cs.visible_preview = item_preview(text);
    if (e.actor.role == Role::customer) {
      cs.customer_preview = item_preview(text);
      cs.last_customer_seq = e.seq;
      cs.recent_customer.push_back(text);
      if (cs.recent_customer.size() > kRecentCustomerMessages) cs.recent_customer.pop_front();
    }
  }
}

void Hub::on_write_failed(const std::string& conv_id, const Error& e) {
  ConvState& cs = *convs_.at(conv_id);
  if (e.code == ErrorCode::unavailable) {
    log::error("STORE FAILED: refusing every further write; fix the disk and restart the relay",
               {{"conversation", conv_id}, {"error", e.message}});
  } else {
    log::error("write failed", {{"conversation", conv_id}, {"error", e.message}});
  }
  cs.write_failed = true;
  // Anyone waiting for a seq that this write would have committed gets the error.
  for (auto it = cs.waiters.begin(); it != cs.waiters.end();) {
    if (it->first > cs.committed_seq() && it->first <= cs.live.head_seq && cs.inflight == 0) {
      auto fn = std::move(it->second);
      it = cs.waiters.erase(it);
      fn(false);
    } else {
      ++it;
    }
  }
  // Once nothing else is in flight, the live state falls back to what is stored.
  if (cs.inflight == 0) {
    cs.live = cs.committed;
    cs.write_failed = false;
  }
}

void Hub::broadcast(ConvState& cs, const Event& e) {
  if (cs.subscribers.empty()) return;
  auto frame = std::make_shared<const std::string>(encode_event(e));
  const bool is_message = e.type == ev::new_message;
  for (auto it = cs.subscribers.begin(); it != cs.subscribers.end();) {
    auto c = conns_.find(*it);
    if (c == conns_.end()) {
      it = cs.subscribers.erase(it);
      continue;
    }
    if (c->second->who.is_staff() || visible_to_customer(e)) {
      c->second->send(frame);
      if (is_message) metrics().messages_out.fetch_add(1, std::memory_order_relaxed);
    }
    ++it;
  }
}

void Hub::notify_staff(ConvState& cs) {
  // Coalesced: remembered here, sent by flush_inbox() once the batch's completions have run.
  if (cs.inbox_dirty) return;
  cs.inbox_dirty = true;
  inbox_dirty_.push_back(cs.committed.id);
}

namespace {
// A staff socket with more than this queued gets no new inbox.changes until it drained: the
// changes are kept for it (by conversation id, latest state wins) instead of piling up frames
// that would push it over the send-queue cap.
constexpr std::size_t kInboxBackoffBytes = 256 * 1024;
}  // namespace

void Hub::flush_inbox() {
  if (inbox_dirty_.empty()) return;
  std::vector<std::string> ids;
  ids.swap(inbox_dirty_);
  // tenant -> the ids and items of its changed conversations (latest committed state).
  struct Changes {
    std::vector<const std::string*> ids;
    Json items = Json::array();
  };
  std::unordered_map<std::string, Changes> by_tenant;
  for (const std::string& id : ids) {
    auto it = convs_.find(id);
    if (it == convs_.end()) continue;
    ConvState& cs = *it->second;
    cs.inbox_dirty = false;
    const std::string& tenant_id = cs.committed.tenant_id;
    auto sc = staff_conns_.find(tenant_id);
    if (sc == staff_conns_.end() || sc->second.empty()) continue;
    Changes& ch = by_tenant[tenant_id];
    ch.ids.push_back(&id);
    ch.items.push_back(item_json(cs));
  }
  bool backlog = false;
  for (auto& [tenant_id, ch] : by_tenant) {
    auto sc = staff_conns_.find(tenant_id);
    if (sc == staff_conns_.end()) continue;
    std::shared_ptr<const std::string> frame;  // encoded once, shared by every socket
    for (std::uint64_t cid : sc->second) {
      auto c = conns_.find(cid);
      if (c == conns_.end() || c->second->closed) continue;
      ConnState& conn = *c->second;
      if (!conn.inbox_backlog.empty() || conn.conn->queued_bytes() > kInboxBackoffBytes) {
        for (const std::string* id : ch.ids) {
          if (conn.inbox_backlog_set.insert(*id).second) conn.inbox_backlog.push_back(*id);
        }
        backlog = true;
        continue;
      }
      if (!frame) {
        Json data = Json::object();
        data["conversations"] = ch.items;
        data["counts"] = counts_json(tenant_id);
        frame = std::make_shared<const std::string>(encode_notice("inbox.changes", data));
      }
      conn.send(frame);
    }
  }
  if (backlog) arm_inbox_retry();
}

void Hub::arm_inbox_retry() {
  if (timers_->inbox_retry_armed || stopped_) return;
  timers_->inbox_retry_armed = true;
  timers_->inbox_retry.expires_after(std::chrono::milliseconds(20));
  timers_->inbox_retry.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    timers_->inbox_retry_armed = false;
    flush_inbox_backlogs();
  });
}

void Hub::flush_inbox_backlogs() {
  bool still = false;
  for (auto& [cid, cp] : conns_) {
    ConnState& conn = *cp;
    if (conn.inbox_backlog.empty() || conn.closed) continue;
    if (conn.conn->queued_bytes() > kInboxBackoffBytes) {
      still = true;
      continue;
    }
    Json items = Json::array();
    for (const std::string& id : conn.inbox_backlog) {
      auto it = convs_.find(id);
      if (it != convs_.end()) items.push_back(item_json(*it->second));
    }
    conn.inbox_backlog.clear();
    conn.inbox_backlog_set.clear();
    Json data = Json::object();
    data["conversations"] = std::move(items);
    data["counts"] = counts_json(conn.who.tenant_id);
    conn.send(encode_notice("inbox.changes", data));
  }
  if (still) arm_inbox_retry();
}

// ---------------------------------------------------------------------------------------------
// The assistant.

void Hub::run_assistant(const std::string& conv_id, const std::string& customer_text) {
  auto it = convs_.find(conv_id);
  if (it == convs_.end() || !assistant_) return;
  ConvState& cs = *it->second;
  const Conversation& c = cs.live;
  const Tenant* t = tenant(c.tenant_id);
  if (!t || !t->settings.assistant_enabled) return;
  if (c.status != Status::bot || c.answered_by != Answerer::builtin) return;
  Assistant::Context ctx;
  ctx.conversation = c;
  ctx.settings = t->settings;
  ctx.kb = &kb(c.tenant_id);
  ctx.text = customer_text;
  ctx.recent_customer_messages.assign(cs.recent_customer.begin(), cs.recent_customer.end());
  ctx.tried_titles = cs.tried_titles;
  assistant_->respond(ctx,
                      [this, conv_id](Assistant::Reply r) { apply_assistant_reply(conv_id, std::move(r)); });
}

void Hub::apply_assistant_reply(const std::string& conv_id, Assistant::Reply r) {
  auto it = convs_.find(conv_id);
  if (it == convs_.end()) return;
  ConvState& cs = *it->second;
  // Still the assistant's turn? (An agent may have taken over meanwhile.)
  if (cs.live.status != Status::bot || cs.live.answered_by != Answerer::builtin) return;
  const Tenant* t = tenant(cs.live.tenant_id);
  if (!t) return;
  const Millis at = now();
  const Actor bot{Role::bot, "bot", t->settings.assistant_name};
  const ConversationPolicy policy{t->settings.assistant_enabled};
  Transition tr{cs.live, {}};
  if (!r.text.empty()) {
    Message m;
    m.kind = r.kind;
    m.text = r.text;
    auto posted = post_message(tr.next, bot, std::move(m), at, policy);
    if (!posted) return;
    tr = std::move(posted).value();
  }
  tr.next.unanswered_turns = r.understood ? 0 : tr.next.unanswered_turns + 1;
  if (!r.article_title.empty()) cs.tried_titles.push_back(r.article_title);
  if (r.hand_off) {
    auto queued = hand_off(tr.next, bot, r.handoff_reason, r.summary, at);
    if (queued) {
      tr.next = queued->next;
      for (Event& e : queued->events) tr.events.push_back(std::move(e));
    }
  }
  if (tr.events.empty()) {
    cs.live = tr.next;
    return;
  }
  commit(cs, std::move(tr), nullptr, nullptr);
}

void Hub::queue_handoff(const std::string& tenant_id, const std::string& conversation_id, const Actor& by,
                        const std::string& reason, std::function<void(Result<Json>)> cb) {
  auto it = convs_.find(conversation_id);
  if (it == convs_.end() || it->second->live.tenant_id != tenant_id || it->second->committed_seq() == 0) {
    return cb(make_error(ErrorCode::not_found, "no such conversation"));
  }
  ConvState& cs = *it->second;
  std::vector<std::string> recent(cs.recent_customer.begin(), cs.recent_customer.end());
  const std::string summary = handoff_summary(recent, cs.tried_titles, reason);
  auto tr = hand_off(cs.live, by, reason, summary, now());
  if (!tr) return cb(tr.error());
  commit(cs, std::move(tr).value(), std::move(cb), [](const ConvState& c) {
    return Json{{"conversation_id", c.committed.id},
                {"head_seq", c.committed_seq()},
                {"status", to_string(c.committed.status)}};
  });
}

void Hub::staff_command(const StaffIdentity& who, Command command, std::function<void(Result<Json>)> cb) {
  Principal p;
  p.kind = Principal::Kind::staff;
  p.tenant_id = who.user.tenant_id;
  p.staff = who;
  execute(p, nullptr, std::move(command), std::move(cb));
}

void Hub::mirror_sync(const std::string& tenant_id, http::SyncRequest req,
                      std::function<void(Result<SyncResult>)> cb) {
  const Tenant* t = tenant(tenant_id);
  if (!t) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  if (req.user_id.empty()) return cb(make_error(ErrorCode::missing_field, "user_id is required", "user_id"));
  const std::string text(trim(req.message));
  if (text.empty()) return cb(make_error(ErrorCode::missing_field, "message is required", "message"));
  if (!reader_) return cb(make_error(ErrorCode::unavailable, "no reader"));
  const Millis at = req.at.value_or(now());
  const std::string cmid = req.message_id.empty() ? "" : "sync:" + req.message_id;

  // The contact, by external id (channel api).
  auto found = find_contact_by_external(*reader_, tenant_id, Channel::api, req.user_id);
  if (!found) return cb(found.error());
  Contact k;
  bool new_contact = false;
  if (found->has_value()) {
    k = **found;
  } else if (auto pending = pending_mirror_contacts_.find(tenant_id + '\n' + req.user_id);
             pending != pending_mirror_contacts_.end()) {
    k = contacts_.at(pending->second);  // created by a sync still in flight
  } else {
    new_contact = true;
    k.id = random_id("k_");
    k.tenant_id = tenant_id;
    k.channel = Channel::api;
    k.external_id = req.user_id;
    k.name = req.user_name.empty() ? req.user_id : req.user_name;
    k.email = req.user_email;
    k.created_at = at;
    contacts_[k.id] = k;
    pending_mirror_contacts_[tenant_id + '\n' + req.user_id] = k.id;
  }

  // Its open mirrored conversation, or a new one.
  ConvState* cs = nullptr;
  if (auto bc = by_contact_.find(k.id); bc != by_contact_.end()) {
    for (const std::string& id : bc->second) {
      ConvState& c = *convs_.at(id);
      if (c.live.status != Status::resolved && c.live.answered_by == Answerer::external) cs = &c;
    }
  }
  const Actor customer{Role::customer, k.id, k.name};
  Transition tr;
  if (cs) {
    tr = Transition{cs->live, {}};
    if (!cmid.empty()) {
      ensure_msg_ids(*cs);
      if (auto hit = cs->msg_ids.find(cmid); hit != cs->msg_ids.end()) {
        const Seq seq = hit->second;
        const std::string conv_id = cs->live.id;
        return wait_committed(*cs, seq, [conv_id, seq, cb = std::move(cb)](bool ok) {
          if (!ok) return cb(make_error(ErrorCode::unavailable, "the original message was not stored"));
          cb(SyncResult{true, conv_id, false, seq});
        });
      }
    }
  } else {
    Conversation init;
    init.id = random_id("c_");
    init.tenant_id = tenant_id;
    init.contact_id = k.id;
    init.channel = Channel::api;  // contacts are looked up by (api, external id)
    init.answered_by = Answerer::external;
    if (req.priority) init.priority = *req.priority;
    tr = start_conversation(init, customer, at, ConversationPolicy{t->settings.assistant_enabled});
    auto fresh = std::make_unique<ConvState>();
    fresh->live = init;
    fresh->committed = init;
    fresh->committed.head_seq = 0;
    fresh->msg_ids_loaded = true;
    cs = fresh.get();
    convs_.emplace(init.id, std::move(fresh));
    by_contact_[k.id].push_back(init.id);
  }

  // The message. Customers post as themselves; the assistant as the bot while the conversation
  // is with it; staff (and the assistant after a hand-off) are posted by the system actor and
  // shown with their own role.
  Message m;
  m.client_msg_id = cmid;
  m.kind = MessageKind::text;
  m.text = text;
  Actor from = customer;
  std::optional<Actor> shown;
  if (req.sender == Role::bot) {
    Actor bot{Role::bot, "bot", req.sender_name.empty() ? t->settings.assistant_name : req.sender_name};
    if (tr.next.status == Status::bot) {
      from = bot;
    } else {
      from = kSystemActor;
      shown = bot;
    }
  } else if (req.sender == Role::agent || req.sender == Role::system) {
    from = kSystemActor;
    shown = Actor{Role::agent, "staff", req.sender_name.empty() ? "Staff" : req.sender_name};
  }
  auto posted =
      post_message(tr.next, from, std::move(m), at, ConversationPolicy{t->settings.assistant_enabled});
  if (!posted) return cb(posted.error());
  if (shown) {
    Event& e = posted->events.back();
    e.actor = *shown;
    e.data["message"]["sender"] = to_json(*shown);
  }
  const Seq seq = posted->events.back().seq;
  tr.next = posted->next;
  for (Event& e : posted->events) tr.events.push_back(std::move(e));
  metrics().messages_in.fetch_add(1, std::memory_order_relaxed);

  Store::Op extra;
  if (new_contact) extra = [k](Db& db) { return insert_contact(db, k); };
  const std::string conv_id = cs->live.id;
  const std::string pending_key = tenant_id + '\n' + req.user_id;
  commit(
      *cs, std::move(tr),
      [this, cb = std::move(cb), conv_id, seq, new_contact, pending_key](Result<Json> r) {
        if (new_contact) pending_mirror_contacts_.erase(pending_key);
        if (!r) return cb(r.error());
        cb(SyncResult{true, conv_id, true, seq});
      },
      [](const ConvState&) { return Json::object(); }, nullptr, std::move(extra));
}

// ---------------------------------------------------------------------------------------------
// Timers: agent-gone grace, abandoned waits, session expiry.

void Hub::arm_sweep() {
  if (stopped_) return;
  const Millis shortest = std::min(options_.agent_grace_ms, options_.abandon_after_ms);
  const Millis period = std::clamp<Millis>(shortest / 4, 10, 1000);
  timers_->sweep.expires_after(std::chrono::milliseconds(period));
  timers_->sweep.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    sweep();
    arm_sweep();
  });
}

void Hub::sweep() {
  const auto t = options_.steady_now();
  const Millis at = now();
  const auto grace = std::chrono::milliseconds(options_.agent_grace_ms);
  const auto abandon_after = std::chrono::milliseconds(options_.abandon_after_ms);
  auto gone_long = [&](const std::unordered_map<std::string, Presence>& m, const std::string& key,
                       auto limit) {
    auto it = m.find(key);
    if (it == m.end()) return t - started_ >= limit;  // never connected since start
    return it->second.conns == 0 && t - it->second.gone_since >= limit;
  };
  std::vector<std::string> requeue, abandon_ids;
  for (const auto& [id, cs] : convs_) {
    const Conversation& c = cs->live;
    if (cs->committed_seq() == 0) continue;
    if (c.status == Status::active && !c.assignee_id.empty() && c.assignee_id != "api" &&
        gone_long(staff_presence_, c.assignee_id, grace)) {
      requeue.push_back(id);
    } else if (c.status == Status::pending && c.channel == Channel::web &&
               gone_long(contact_presence_, c.contact_id, abandon_after)) {
      abandon_ids.push_back(id);
    }
  }
  for (const std::string& id : requeue) {
    ConvState& cs = *convs_.at(id);
    auto tr = agent_gone(cs.live, at);
    if (tr) {
      log::info("agent gone: conversation requeued", {{"conversation", id}, {"agent", cs.live.assignee_id}});
      commit(cs, std::move(tr).value(), nullptr, nullptr);
    }
  }
  for (const std::string& id : abandon_ids) {
    ConvState& cs = *convs_.at(id);
    auto tr = abandon(cs.live, at);
    if (tr) {
      log::info("customer gone: conversation abandoned", {{"conversation", id}});
      commit(cs, std::move(tr).value(), nullptr, nullptr);
    }
  }
  // Sessions that expired while connected.
  for (auto& [cid, c] : conns_) {
    if (c->who.is_staff() && !c->closed && c->who.staff.expires_at <= at) {
      c->send(encode_notice("session.expired", Json::object()));
      c->close(1008, "session expired");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP.

void Hub::handle_http(HttpRequest req, HttpReply reply) {
  metrics().http_requests.fetch_add(1, std::memory_order_relaxed);
  const std::string& path = req.path;
  if (path == "/healthz") {
    if (store_.failed()) {
      return reply(json_reply(503, Json{{"status", "failed"}, {"error", "the store refuses writes"}}));
    }
    return reply(json_reply(200, Json{{"status", "ok"}}));
  }
  if (path == "/metrics") {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics().render(render_store_metrics(store_.stats()));
    r.headers.emplace_back("Cache-Control", "no-store");
    return reply(std::move(r));
  }
  if (path == "/api/login") return http_login(req, std::move(reply));
  if (path == "/api/logout") return http_logout(req, std::move(reply));
  if (path == "/api/me") return http_me(req, std::move(reply));
  if (path.starts_with("/api/") || path == "/api" || path.starts_with("/webhooks/")) {
    return handle_api(*this, std::move(req), std::move(reply));
  }
  http_static(req, std::move(reply));
}

void Hub::http_login(const HttpRequest& req, HttpReply reply) {
  if (req.method != "POST") {
    auto r = json_reply(405, error_body("method_not_allowed", "use POST"));
    r.headers.emplace_back("Allow", "POST");
    return reply(std::move(r));
  }
  // A login form posted from another site is refused (CSRF on the login itself).
  if (!req.header("origin").empty() && !origin_allowed(req)) {
    return reply(json_reply(403, error_body("forbidden", "origin not allowed")));
  }
  if (req.body.size() > 16 * 1024 || !is_valid_utf8(req.body)) {
    return reply(json_reply(400, error_body("bad_json", "body must be a small JSON object")));
  }
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return reply(json_reply(400, error_body("bad_json", "body must be a JSON object")));
  auto str = [&body](const char* k) -> std::string {
    auto it = body.find(k);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string username = str("username"), password = str("password");
  if (username.empty()) return reply(json_reply(400, error_body("missing_field", "username is required")));
  if (password.empty()) return reply(json_reply(400, error_body("missing_field", "password is required")));
  const bool secure = req.secure;
  login(username, password, req.remote_addr,
        [this, reply = std::move(reply), secure](Result<LoginResult> r, std::optional<LoginError> e) {
          if (!r.ok()) {
            const LoginError err = e.value_or(LoginError{});
            auto resp = json_reply(err.http_status, error_body(err.code, err.message));
            if (err.retry_after_s > 0)
              resp.headers.emplace_back("Retry-After", std::to_string(err.retry_after_s));
            return reply(std::move(resp));
          }
          auto resp = json_reply(200, Json{{"user", user_json(r->user)}, {"expires_at", r->expires_at}});
          std::string cookie = "parley_session=" + r->token +
                               "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" +
                               std::to_string(options_.session_ttl_ms / 1000);
          if (secure) cookie += "; Secure";
          resp.headers.emplace_back("Set-Cookie", std::move(cookie));
          reply(std::move(resp));
        });
}

void Hub::http_logout(const HttpRequest& req, HttpReply reply) {
  if (req.method != "POST") return reply(json_reply(405, error_body("method_not_allowed", "use POST")));
  if (!req.header("origin").empty() && !origin_allowed(req)) {
    return reply(json_reply(403, error_body("forbidden", "origin not allowed")));
  }
  logout(req.cookie("parley_session"));
  auto r = json_reply(200, Json{{"ok", true}});
  r.headers.emplace_back("Set-Cookie",
                         std::string("parley_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0") +
                             (req.secure ? "; Secure" : ""));
  reply(std::move(r));
}

void Hub::http_me(const HttpRequest& req, HttpReply reply) {
  if (req.method != "GET") return reply(json_reply(405, error_body("method_not_allowed", "use GET")));
  auto who = authenticate(req);
  if (!who) return reply(json_reply(401, error_body("unauthorized", "not logged in")));
  reply(json_reply(200, Json{{"user", user_json(who->user)}, {"expires_at", who->expires_at}}));
}

void Hub::http_static(const HttpRequest& req, HttpReply reply) {
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = json_reply(405, error_body("method_not_allowed", "use GET"));
    r.headers.emplace_back("Allow", "GET, HEAD");
    return reply(std::move(r));
  }
  HttpRequest r2 = req;
  // Pretty page names: "/inbox" -> inbox.html, "/widget" -> widget.html.
  if (r2.path.find('.') == std::string::npos && r2.path != "/" && !r2.path.ends_with("/")) {
    HttpRequest html = r2;
    html.path += ".html";
    if (auto resp = serve_static(options_.web_dir, html)) {
      r2 = std::move(html);
    }
  }
  auto resp = serve_static(options_.web_dir, r2);
  if (!resp) return reply(json_reply(404, error_body("not_found", "no such page")));
  if (resp->content_type.starts_with("text/html")) {
    // Pages may not be framed, except the widget's iframe page, which the tenant's allowed sites
    // may embed (hook: frame-ancestors from TenantSettings::allowed_sites).
    std::string ancestors = "'none'";
    if (r2.path.starts_with("/widget")) {
      const Tenant* t = &default_tenant();
      const std::string q = req.query;
      if (auto p = q.find("tenant="); p != std::string::npos) {
        std::string slug =
            q.substr(p + 7, q.find('&', p) == std::string::npos ? std::string::npos : q.find('&', p) - p - 7);
        if (const Tenant* named = tenant(slug)) t = named;
      }
      ancestors = "'self'";
      for (const std::string& site : t->settings.allowed_sites) {
        if (site == "*") {
          ancestors = "*";
          break;
        }
        const std::string o = origin_of(site);
        if (!o.empty()) ancestors += " " + o;
      }
    }
    resp->headers.emplace_back("Content-Security-Policy",
                               "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors " +
                                   ancestors);
    resp->headers.emplace_back("X-Content-Type-Options", "nosniff");
    resp->headers.emplace_back("Referrer-Policy", "same-origin");
  }
  reply(std::move(*resp));
}

}  // namespace parley::relay
