// The contact cache (contacts.hpp).
#include "app/live/contacts.hpp"

namespace parley::relay {

const Contact* ContactCache::get(StoreReader* reader, const std::string& tenant_id, const std::string& contact_id) {
  const std::string k = key(tenant_id, contact_id);
  if (auto it = map_.find(k); it != map_.end()) return &it->second;
  if (!reader) return nullptr;
  auto found = reader->find_contact(tenant_id, contact_id);
  if (!found || !found->has_value()) return nullptr;
  put(**found);
  return &map_.at(k);
}

void ContactCache::put(const Contact& c) {
  const std::string k = key(c.tenant_id, c.id);
  auto [it, fresh] = map_.insert_or_assign(k, c);
  if (!fresh) return;
  order_.push_back(k);
  while (map_.size() > capacity_ && !order_.empty()) {
    map_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace parley::relay
