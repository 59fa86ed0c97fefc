// Tickets and blocks (tickets.hpp).
#include "app/tickets/tickets.hpp"

#include <algorithm>

namespace parley::relay {

Json ticket_json(const Ticket& t) {
  return Json{{"id", t.id},
              {"conversation_id", t.conversation_id},
              {"contact_id", t.contact_id},
              {"title", t.title},
              {"description", t.description},
              {"status", std::string(to_string(t.status))},
              {"priority", std::string(to_string(t.priority))},
              {"assignee_id", t.assignee_id.empty() ? Json(nullptr) : Json(t.assignee_id)},
              {"created_by", t.created_by},
              {"created_at", t.created_at},
              {"updated_at", t.updated_at},
              {"solved_at", t.solved_at},
              {"closed_at", t.closed_at},
              {"transcript", "/api/v1/conversations/" + t.conversation_id + "/messages"}};
}

Json block_json(const Block& b, Millis now) {
  const bool contact = b.rule.kind == BlockKind::contact;
  return Json{{"id", b.rule.id},
              {"kind", std::string(to_string(b.rule.kind))},
              // An address is never shown back: staff see that a block by address exists.
              {"contact_id", contact ? Json(b.rule.target) : Json(nullptr)},
              {"reason", b.reason},
              {"created_by", b.created_by},
              {"created_at", b.rule.created_at},
              {"expires_at", b.rule.expires_at},
              {"lifted_at", b.rule.lifted_at},
              {"lifted_by", b.lifted_by},
              {"active", block_active(b.rule, now)}};
}

std::optional<Error> BlockList::load(StoreReader& reader) {
  auto rows = reader.load_blocks();
  if (!rows) return rows.error();
  by_tenant_.clear();
  for (const Block& b : *rows) add(b);
  return std::nullopt;
}

void BlockList::add(const Block& b) { by_tenant_[b.tenant_id].push_back(b.rule); }

void BlockList::lift(const std::string& tenant_id, const std::string& id, Millis at) {
  const auto it = by_tenant_.find(tenant_id);
  if (it == by_tenant_.end()) return;
  for (BlockRule& r : it->second) {
    if (r.id == id && r.lifted_at == 0) r.lifted_at = at;
  }
}

const BlockRule* BlockList::match(const std::string& tenant_id, std::string_view contact_id, std::string_view address,
                                  Millis now) {
  const auto it = by_tenant_.find(tenant_id);
  if (it == by_tenant_.end() || it->second.empty()) return nullptr;
  auto& rules = it->second;
  std::erase_if(rules, [now](const BlockRule& r) { return !block_active(r, now); });
  std::string addr;
  if (!address.empty()) {
    if (auto n = normalize_address(address)) addr = std::move(n).value();
  }
  return find_block(rules, contact_id, addr, now);
}

void BlockList::note_address(const std::string& tenant_id, const std::string& contact_id, std::string_view address) {
  if (contact_id.empty() || address.empty()) return;
  auto n = normalize_address(address);
  if (!n) return;
  if (address_.size() >= kMaxRemembered) address_.clear();
  address_[tenant_id + "\n" + contact_id] = std::move(n).value();
}

std::string BlockList::address_of(const std::string& tenant_id, const std::string& contact_id) const {
  const auto it = address_.find(tenant_id + "\n" + contact_id);
  return it == address_.end() ? std::string() : it->second;
}

}  // namespace parley::relay
