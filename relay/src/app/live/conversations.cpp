// The in-memory conversations and inbox indexes (conversations.hpp).
#include "app/live/conversations.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace parley::relay {

std::optional<Error> ConversationRegistry::start(StoreReader& reader, const std::vector<std::string>& tenant_ids) {
  auto open = reader.load_open_conversations();
  if (!open) return open.error();
  for (Conversation& c : *open) {
    auto cs = std::make_unique<ConvState>();
    cs->live = c;
    cs->committed = c;
    fill_from_store(reader, *cs);
    by_contact_[c.contact_id].push_back(c.id);
    convs_.emplace(c.id, std::move(cs));
    ++counters_.loaded_at_start;
  }
  for (const std::string& t : tenant_ids) inbox(&reader, t);  // counts, then lists below
  for (auto& [id, cs] : convs_) inbox(nullptr, cs->committed.tenant_id).attach(*cs);
  return std::nullopt;
}

void ConversationRegistry::fill_from_store(StoreReader& reader, ConvState& cs) {
  const Conversation& c = cs.committed;
  auto p = reader.conversation_preview(c.tenant_id, c.id);
  auto recent = reader.last_customer_messages(c.tenant_id, c.id, ConvState::kRecentCustomer);
  if (!p || !recent) {
    log::warn("could not read a conversation's preview", {{"conversation", c.id}});
    return;
  }
  for (std::string& text : *recent) cs.remember_customer(text);
  cs.last_customer_seq = p->last_customer_seq;
  if (!p->last_customer_text.empty()) cs.customer_preview = item_preview(p->last_customer_text);
  if (!p->last_visible_text.empty()) cs.visible_preview = item_preview(p->last_visible_text);
}

ConvState* ConversationRegistry::find(const std::string& id) {
  auto it = convs_.find(id);
  return it == convs_.end() ? nullptr : it->second.get();
}

ConvState* ConversationRegistry::find_or_load(StoreReader& reader, const std::string& tenant_id,
                                              const std::string& id) {
  if (ConvState* cs = find(id)) return cs->live.tenant_id == tenant_id ? cs : nullptr;
  auto row = reader.find_conversation(tenant_id, id);
  if (!row) {
    log::error("could not read a conversation", {{"conversation", id}, {"error", row.error().message}});
    return nullptr;
  }
  if (!row->has_value()) return nullptr;
  auto cs = std::make_unique<ConvState>();
  cs->live = **row;
  cs->committed = **row;
  fill_from_store(reader, *cs);
  ConvState& ref = *cs;
  by_contact_[ref.committed.contact_id].push_back(id);
  convs_.emplace(id, std::move(cs));
  ++counters_.loaded_on_demand;
  // Already counted (in the base recount or by the delta that resolved it): lists only.
  inbox(&reader, tenant_id).attach(ref);
  return &ref;
}

ConvState& ConversationRegistry::create(const Conversation& init) {
  auto cs = std::make_unique<ConvState>();
  cs->live = init;
  cs->committed = init;
  cs->committed.head_seq = 0;
  cs->msg_ids_loaded = true;  // nothing stored yet
  ConvState& ref = *cs;
  by_contact_[init.contact_id].push_back(init.id);
  convs_.emplace(init.id, std::move(cs));
  return ref;
}

std::vector<ConvState*> ConversationRegistry::of_contact(const std::string& contact_id) {
  std::vector<ConvState*> out;
  auto it = by_contact_.find(contact_id);
  if (it == by_contact_.end()) return out;
  for (const std::string& id : it->second) {
    if (ConvState* cs = find(id)) out.push_back(cs);
  }
  return out;
}

void ConversationRegistry::set_committed(ConvState& cs, const Conversation& next) {
  const bool counted = cs.committed.head_seq > 0;
  // Staff sockets believe the state before the first change since it was loaded (or nothing of a
  // new conversation): the inbox feed tells them from there.
  if (!cs.fanned_set) {
    cs.fanned = counted ? list_mark(cs.committed) : ListMark{};
    cs.fanned_set = true;
  }
  cs.trail.add(list_mark(next));
  cs.item_json.reset();
  inbox(nullptr, next.tenant_id).update(cs, next, counted);
}

void ConversationRegistry::maybe_evict(const std::string& id) {
  auto it = convs_.find(id);
  if (it == convs_.end()) return;
  ConvState& cs = *it->second;
  if (cs.committed.status != Status::resolved || cs.live.status != Status::resolved || !cs.idle()) return;
  if (auto ix = inboxes_.find(cs.committed.tenant_id); ix != inboxes_.end()) ix->second->detach(cs);
  if (auto bc = by_contact_.find(cs.committed.contact_id); bc != by_contact_.end()) {
    auto& ids = bc->second;
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (ids.empty()) by_contact_.erase(bc);
  }
  convs_.erase(it);
  ++counters_.evicted;
}

void ConversationRegistry::drop_uncommitted(const std::string& id) {
  auto it = convs_.find(id);
  if (it == convs_.end() || it->second->committed.head_seq != 0) return;
  const std::string contact = it->second->committed.contact_id;
  if (auto bc = by_contact_.find(contact); bc != by_contact_.end()) {
    auto& ids = bc->second;
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (ids.empty()) by_contact_.erase(bc);
  }
  convs_.erase(it);
}

TenantInbox& ConversationRegistry::inbox(StoreReader* reader, const std::string& tenant_id) {
  std::unique_ptr<TenantInbox>& ix = inboxes_[tenant_id];
  const bool fresh = !ix;
  if (fresh) ix = std::make_unique<TenantInbox>();
  const Millis at = now_();
  if (reader && (fresh || at >= ix->day_end() || at < ix->day_start())) recount(*reader, tenant_id, *ix);
  return *ix;
}

void ConversationRegistry::recount(StoreReader& reader, const std::string& tenant_id, TenantInbox& inbox) {
  const auto [day_start, day_end] = day_of_(tenant_id, now_());
  InboxBase base;
  auto by_status = reader.status_counts(tenant_id);
  auto sums = reader.day_sums(tenant_id, day_start);
  if (!by_status || !sums) {
    log::error("could not count the inbox", {{"tenant", tenant_id}});
    inbox.set_base(base, day_start, day_end);
    return;
  }
  for (Status st : {Status::bot, Status::pending, Status::active, Status::resolved}) {
    base.by_status[static_cast<int>(st)] = static_cast<int>(by_status->of(st));
  }
  base.today.resolved_today = static_cast<int>(sums->resolved_today);
  base.today.wait_sum_ms = sums->wait_sum_ms;
  base.today.wait_n = sums->wait_n;
  base.today.first_response_sum_ms = sums->first_response_sum_ms;
  base.today.first_response_n = sums->first_response_n;
  inbox.set_base(base, day_start, day_end);
}

void ConversationRegistry::absorb(ConvState& cs, const Event& e) {
  if (e.type != ev::new_message || !e.data.is_object()) return;
  const auto mi = e.data.find("message");
  if (mi == e.data.end() || !mi->is_object()) return;
  const auto ti = mi->find("text");
  if (ti == mi->end() || !ti->is_string()) return;
  const std::string& text = ti->get_ref<const std::string&>();
  cs.item_json.reset();
  if (e.audience == Audience::everyone) cs.visible_preview = item_preview(text);
  if (e.actor.role == Role::customer) {
    cs.customer_preview = item_preview(text);
    cs.last_customer_seq = e.seq;
    cs.remember_customer(text);
  }
}

}  // namespace parley::relay
