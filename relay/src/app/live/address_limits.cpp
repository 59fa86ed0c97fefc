// Per-address token buckets (address_limits.hpp).
#include "app/live/address_limits.hpp"

namespace parley::relay {

bool AddressLimits::take(const std::string& addr, SteadyClock::time_point now) {
  auto it = map_.find(addr);
  if (it == map_.end()) {
    if (map_.size() >= capacity_ && !lru_.empty()) {
      map_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(addr);
    Entry e;
    e.bucket.tokens = burst_;
    e.bucket.refilled = now;
    e.lru = lru_.begin();
    it = map_.emplace(addr, e).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  if (it->second.bucket.take(now, rate_, burst_)) return true;
  ++refused_;
  return false;
}

}  // namespace parley::relay
