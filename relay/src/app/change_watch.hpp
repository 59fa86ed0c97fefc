// relay/src/app/change_watch.hpp: picks up changes made to the database by another process
// (parleyctl): password changes and revoked sessions, disabled users, revoked API keys, tenant
// settings, new tenants, knowledge-base imports.
//
// Loop thread only. Every kPeriod the watcher asks its own reader for `PRAGMA data_version`
// (a few microseconds, no table read: it moves when any other connection commits). Only when
// it moved does it read the change log (store/change_log.hpp) past the last row it handled and
// act on each row: sessions/user -> Sessions::recheck_user (sockets whose session is gone are
// closed), apikey -> the key cache is dropped, tenant/kb -> TenantRegistry::reload. So an
// outside change takes effect within kPeriod, and no frame or request ever costs a read for it.
// data_version also moves after the relay's own commits (its writer is another connection); the
// change-log read then finds nothing: one indexed query per period at most, however busy.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "domain/store_api.hpp"

namespace parley::relay {

struct HubState;

class ChangeWatch {
 public:
  static constexpr std::chrono::milliseconds kPeriod{250};
  explicit ChangeWatch(HubState& hub);
  ~ChangeWatch();
  // Opens the watcher's reader and notes where the change log ends.
  std::optional<Error> start();
  void stop();
  // One poll now (the timer calls it; tests may too).
  void poll();
  std::uint64_t changes_applied() const { return applied_; }

 private:
  void arm();

  HubState& hub_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<StoreReader> reader_;
  std::int64_t data_version_ = -1;
  std::int64_t last_id_ = 0;
  std::uint64_t applied_ = 0;
  bool stopped_ = false;
};

}  // namespace parley::relay
