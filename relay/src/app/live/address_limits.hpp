// relay/src/app/live/address_limits.hpp: token buckets per client address, bounded.
//
// Loop thread only. Where anonymous input creates rows (a new visitor's contact at its first
// chat.start) or costs work (REST), each client address gets a bucket: `rate` per second
// sustained, `burst` at most. At most `capacity` addresses are held; past that the address seen
// least recently is forgotten (it starts again with a full bucket, so flooding the map only
// forgets idle addresses). Limits come from configuration (--visitor-rate, --rest-rate, ...).
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>

#include "app/live/connections.hpp"

namespace parley::relay {

class AddressLimits {
 public:
  AddressLimits(double rate, double burst, std::size_t capacity) : rate_(rate), burst_(burst), capacity_(capacity) {}
  // Takes one token for `addr`; false when its bucket is empty.
  bool take(const std::string& addr, SteadyClock::time_point now);
  std::size_t size() const { return map_.size(); }
  std::uint64_t refused() const { return refused_; }

 private:
  struct Entry {
    RateBucket bucket;
    std::list<std::string>::iterator lru;
  };
  double rate_, burst_;
  std::size_t capacity_;
  std::unordered_map<std::string, Entry> map_;
  std::list<std::string> lru_;  // front = most recently used
  std::uint64_t refused_ = 0;
};

}  // namespace parley::relay
