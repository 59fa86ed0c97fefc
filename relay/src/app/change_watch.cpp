// Changes made by other processes (change_watch.hpp).
#include "app/change_watch.hpp"

#include "app/hub_state.hpp"
#include "core/log.hpp"

namespace parley::relay {

ChangeWatch::ChangeWatch(HubState& hub) : hub_(hub), timer_(hub.io) {}

ChangeWatch::~ChangeWatch() { stop(); }

std::optional<Error> ChangeWatch::start() {
  auto r = hub_.store.open_reader();
  if (!r) return r.error();
  reader_ = std::move(r).value();
  auto v = reader_->data_version();
  if (!v) return v.error();
  data_version_ = *v;
  auto last = reader_->last_change_id();
  if (!last) return last.error();
  last_id_ = *last;
  arm();
  return std::nullopt;
}

void ChangeWatch::stop() {
  stopped_ = true;
  timer_.cancel();
}

void ChangeWatch::arm() {
  if (stopped_) return;
  timer_.expires_after(kPeriod);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    poll();
    arm();
  });
}

void ChangeWatch::poll() {
  if (!reader_) return;
  auto v = reader_->data_version();
  if (!v || *v == data_version_) return;
  data_version_ = *v;
  for (;;) {
    auto rows = reader_->changes_after(last_id_, 100);
    if (!rows) {
      log::error("could not read the change log", {{"error", rows.error().message}});
      return;
    }
    for (const Change& c : *rows) {
      last_id_ = c.id;
      ++applied_;
      log::info("outside change", {{"kind", c.kind}, {"tenant", c.tenant_id}, {"target", c.target}});
      if (c.kind == change_kind::sessions || c.kind == change_kind::user) {
        hub_.sessions.recheck_user(c.target);
      } else if (c.kind == change_kind::apikey) {
        hub_.sessions.forget_keys();
      } else if (c.kind == change_kind::tenant || c.kind == change_kind::kb) {
        if (hub_.reader) hub_.tenants.reload(*hub_.reader, c.tenant_id.empty() ? c.target : c.tenant_id);
      }
    }
    if (rows->size() < 100) return;
  }
}

}  // namespace parley::relay
