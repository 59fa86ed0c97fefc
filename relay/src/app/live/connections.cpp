// The hub's WebSocket connections (connections.hpp).
#include "app/live/connections.hpp"

#include <algorithm>

namespace parley::relay {

bool RateBucket::take(SteadyClock::time_point now, double rate, double burst) {
  const double elapsed = std::chrono::duration<double>(now - refilled).count();
  refilled = now;
  tokens = std::min(burst, tokens + std::max(0.0, elapsed) * rate);
  if (tokens < 1.0) return false;
  tokens -= 1.0;
  return true;
}

void ConnState::send(std::string frame) {
  if (closed) return;
  conn->send(std::make_shared<const std::string>(std::move(frame)));
}

void ConnState::send(const std::shared_ptr<const std::string>& frame) {
  if (closed) return;
  conn->send(frame);
}

void ConnState::close(std::uint16_t code, const std::string& reason) {
  if (closed) return;
  closed = true;
  conn->close(code, reason);
}

ConnState& Connections::add(std::shared_ptr<Connection> conn) {
  auto c = std::make_unique<ConnState>();
  c->conn = std::move(conn);
  c->id = c->conn->id();
  ConnState& ref = *c;
  conns_[c->id] = std::move(c);
  return ref;
}

std::unique_ptr<ConnState> Connections::remove(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return nullptr;
  std::unique_ptr<ConnState> c = std::move(it->second);
  conns_.erase(it);
  c->closed = true;
  if (c->who.is_staff()) {
    if (auto t = staff_by_tenant_.find(c->who.tenant_id); t != staff_by_tenant_.end()) {
      t->second.erase(id);
      if (t->second.empty()) staff_by_tenant_.erase(t);
    }
    if (auto u = staff_by_user_.find(c->who.staff.user.id); u != staff_by_user_.end()) {
      u->second.erase(id);
      if (u->second.empty()) staff_by_user_.erase(u);
    }
  }
  return c;
}

ConnState* Connections::find(std::uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

void Connections::set_staff(ConnState& c, StaffIdentity who) {
  c.who.kind = Principal::Kind::staff;
  c.who.tenant_id = who.user.tenant_id;
  c.who.staff = std::move(who);
  staff_by_tenant_[c.who.tenant_id].insert(c.id);
  staff_by_user_[c.who.staff.user.id].insert(c.id);
}

const std::unordered_set<std::uint64_t>& Connections::staff_of(const std::string& tenant_id) const {
  static const std::unordered_set<std::uint64_t> kNone;
  auto it = staff_by_tenant_.find(tenant_id);
  return it == staff_by_tenant_.end() ? kNone : it->second;
}

std::vector<ConnState*> Connections::staff_of_user(const std::string& user_id) {
  std::vector<ConnState*> out;
  auto it = staff_by_user_.find(user_id);
  if (it == staff_by_user_.end()) return out;
  for (std::uint64_t id : it->second) {
    if (ConnState* c = find(id)) out.push_back(c);
  }
  return out;
}

void Connections::for_each(const std::function<void(ConnState&)>& fn) {
  for (auto& [id, c] : conns_) fn(*c);
}

}  // namespace parley::relay
