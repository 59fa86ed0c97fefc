// relay/src/app/live/contacts.hpp: a bounded cache of contacts (names for lists and transcripts).
//
// Loop thread only. Keyed by (tenant, contact id): a lookup never returns another tenant's
// contact. At most `capacity` entries; the oldest inserted is dropped first (a miss costs one
// indexed read on the loop's reader).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "domain/store_api.hpp"

namespace parley::relay {

class ContactCache {
 public:
  explicit ContactCache(std::size_t capacity = 20000) : capacity_(capacity) {}
  // The contact, from the cache or `reader` (nullptr: cache only); nullptr when unknown.
  const Contact* get(StoreReader* reader, const std::string& tenant_id, const std::string& contact_id);
  void put(const Contact& c);
  std::size_t size() const { return map_.size(); }

 private:
  static std::string key(const std::string& tenant_id, const std::string& id) { return tenant_id + '\n' + id; }
  std::size_t capacity_;
  std::unordered_map<std::string, Contact> map_;
  std::deque<std::string> order_;
};

}  // namespace parley::relay
