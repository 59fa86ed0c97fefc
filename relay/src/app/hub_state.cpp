// The hub's modules wired together (hub_state.hpp).
#include "app/hub_state.hpp"

#include <boost/asio/post.hpp>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/time_zone.hpp"

namespace asio = boost::asio;

namespace parley::relay {

namespace {
HubOptions with_clocks(HubOptions o) {
  if (!o.wall_now) {
    o.wall_now = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!o.steady_now) o.steady_now = [] { return SteadyClock::now(); };
  return o;
}
}  // namespace

HubState::HubState(asio::io_context& io_, DataStore& store_, HubOptions options_, std::unique_ptr<Assistant> a)
    : io(io_),
      store(store_),
      options(with_clocks(std::move(options_))),
      assistant(a ? std::move(a) : make_builtin_assistant()),
      workers(std::make_unique<asio::thread_pool>(2)),
      started(options.steady_now()),
      convs([this](const std::string& t, Millis at) { return day_of(t, at); }, [this] { return now(); }),
      staff_presence(started),
      contact_presence(started),
      pipeline(io, store, convs, reader,
               WritePipeline::Hooks{[this](ConvState& cs, const std::vector<Event>& evs) {
                 broadcast(cs, evs);
                 router.committed(cs, evs);
                 if (channel_hooks.on_commit) channel_hooks.on_commit(cs.committed, evs);
               }}),
      feed(io, *this),
      echoes(io, conns),
      dashboard(io, *this),
      sessions(*this),
      new_visitors(options.visitor_rate_per_s, options.visitor_burst, options.max_address_buckets),
      rest(options.rest_rate_per_s, options.rest_burst, options.max_address_buckets),
      webhooks(options.webhook_rate_per_s, options.webhook_burst, options.max_address_buckets),
      router(io_, *this),
      mail(std::make_unique<MailQueue>(options.smtp.host.empty() ? nullptr : std::make_unique<SmtpMailer>(options.smtp),
                                       options.mail_attempts, options.mail_backoff_ms)),
      http(options.outbound_client ? options.outbound_client
                                   : std::shared_ptr<outbound::HttpClient>(outbound::make_http_client(
                                         options.outbound, outbound::ClientOptions{options.outbound_ca_file}))),
      llm(std::make_unique<LlmService>(*this, options.outbound, options.llm_timeout_ms, http)) {}

HubState::~HubState() {
  if (workers) workers->join();
}

void HubState::on_worker(std::function<std::function<void()>(StoreReader* reader)> work) {
  asio::post(*workers, [this, work = std::move(work)]() mutable {
    // One reader per worker thread, opened on first use.
    thread_local std::unique_ptr<StoreReader> r;
    thread_local const DataStore* r_of = nullptr;
    if (!r || r_of != &store) {
      auto opened = store.open_reader();
      r = opened ? std::move(opened).value() : nullptr;
      r_of = &store;
    }
    std::function<void()> then = work(r.get());
    if (then) asio::post(io, std::move(then));
  });
}

Error HubState::refusal(const Error& e) const { return store_refusal(store, e); }

void HubState::write(std::vector<Mutation> ops, std::function<void(std::optional<Error>)> done) {
  if (store.failed()) return done(refusal(make_error(ErrorCode::unavailable, "")));
  store.write(std::move(ops), [this, done = std::move(done)](const std::optional<Error>& err) mutable {
    std::optional<Error> e;
    if (err) e = refusal(*err);
    asio::post(io, [done = std::move(done), e]() mutable { done(e); });
  });
}

std::pair<Millis, Millis> HubState::day_of(const std::string& tenant_id, Millis at) const {
  constexpr Millis kDay = 24LL * 3600 * 1000;
  const Tenant* t = tenants.find(tenant_id);
  std::optional<TimeZone> zone = TimeZone::find(t ? t->settings.time_zone : "UTC");
  if (!zone) zone = TimeZone::find("UTC");
  Millis start = at - at % kDay, end = start + kDay;
  if (zone) {
    start = zone->start_of_day(at);
    // Days are 23..25 hours long (DST): 26 h after midnight is always within the next day.
    end = zone->start_of_day(start + kDay + 2 * 3600 * 1000);
  }
  if (end <= at) end = at + 1;  // never loop on a broken zone
  return {start, end};
}

void HubState::broadcast(ConvState& cs, const std::vector<Event>& events) {
  dashboard.observe(cs.committed.tenant_id, events);
  offline_on_committed(*this, cs, events);  // issue 9: staff answers by email (app/offline/)
  for (const Event& e : events) {
    if (cs.subscribers.empty()) break;
    auto frame = std::make_shared<const std::string>(encode_event(e));
    const bool is_message = e.type == ev::new_message;
    const bool customers_see = visible_to_customer(e);
    for (auto it = cs.subscribers.begin(); it != cs.subscribers.end();) {
      ConnState* c = conns.find(*it);
      if (!c) {
        it = cs.subscribers.erase(it);
        continue;
      }
      if (c->who.is_staff() || customers_see) {
        if (!is_message || !echoes.deliver(*c, e, *frame)) c->send(frame);
        if (is_message) metrics().messages_out.fetch_add(1, std::memory_order_relaxed);
      }
      ++it;
    }
  }
  echoes.flush();
  feed.notify(cs);
}

ConversationItem HubState::list_item(const ConvState& cs) {
  const Conversation& c = cs.committed;
  const Contact* k = contacts.get(reader, c.tenant_id, c.contact_id);
  return make_item(c, k ? k->name : "", cs.preview(), cs.last_customer_seq);
}

std::shared_ptr<const std::string> HubState::encoded_item(const ConvState& cs) {
  const Conversation& c = cs.committed;
  const Contact* k = contacts.get(reader, c.tenant_id, c.contact_id);
  const std::string& name = k ? k->name : std::string();
  if (!cs.item_json || cs.item_json_name != name) {
    cs.item_json = std::make_shared<const std::string>(
        encode_item(make_item(c, name, cs.preview(), cs.last_customer_seq)));
    cs.item_json_name = name;
  }
  return cs.item_json;
}

Json HubState::summary(const Conversation& c) {
  Json j = to_json(c, /*staff=*/true);
  const Contact* k = contacts.get(reader, c.tenant_id, c.contact_id);
  j["contact"] = Json{{"id", c.contact_id},
                      {"name", k ? k->name : ""},
                      {"email", k ? k->email : ""},
                      {"phone", k ? k->phone : ""}};
  const ConvState* cs = convs.find(c.id);
  j["preview"] = cs ? cs->preview() : "";
  j["last_customer_seq"] = cs ? cs->last_customer_seq : 0;
  // issue 9: staff see that answers go out by email (app/offline/).
  if (const OfflineRequest* r = offline.find(c.id)) j["offline_email"] = r->email;
  return j;
}

TenantCounts HubState::counts(const std::string& tenant_id) {
  const TenantInbox& ix = inbox(tenant_id);
  TenantCounts n;
  n.bot = ix.by_status(Status::bot);
  n.waiting = ix.by_status(Status::pending);
  n.active = ix.by_status(Status::active);
  n.resolved_today = ix.today().resolved_today;
  n.avg_wait_s = ix.today().avg_wait_s();
  return n;
}

}  // namespace parley::relay
