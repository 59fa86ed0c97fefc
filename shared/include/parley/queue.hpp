// parley/queue.hpp: the order of the staff inbox lists, the one rule the relay (its ordered sets,
// inbox.snapshot, inbox.list) and the inbox app (its rows) both sort by.
//
//   queue:          most urgent priority first, then longest waiting (handed_off_at ascending),
//                   then id;
//   mine / recent:  most recently updated first, then id.
//
// Both are strict weak orderings over (fields, id), so items with distinct ids never compare
// equal: usable as std::set comparators (an item whose fields change is erased, changed, and
// inserted again).
#pragma once

#include <string_view>

#include "parley/model.hpp"

namespace parley {

// 0 for urgent ... 3 for low.
int priority_rank(Priority p);

// The queue order on its fields.
bool queue_before(Priority pa, Millis handed_off_a, std::string_view id_a, Priority pb, Millis handed_off_b,
                  std::string_view id_b);
inline bool queue_before(const Conversation& a, const Conversation& b) {
  return queue_before(a.priority, a.handed_off_at, a.id, b.priority, b.handed_off_at, b.id);
}
inline bool queue_before(const ConversationItem& a, const ConversationItem& b) {
  return queue_before(a.priority, a.handed_off_at, a.id, b.priority, b.handed_off_at, b.id);
}

// The "mine" and "recent" order on its fields.
bool recent_before(Millis updated_a, std::string_view id_a, Millis updated_b, std::string_view id_b);
inline bool recent_before(const Conversation& a, const Conversation& b) {
  return recent_before(a.updated_at, a.id, b.updated_at, b.id);
}
inline bool recent_before(const ConversationItem& a, const ConversationItem& b) {
  return recent_before(a.updated_at, a.id, b.updated_at, b.id);
}

}  // namespace parley
