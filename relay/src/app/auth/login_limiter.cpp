// relay/src/app/auth/login_limiter.cpp: see login_limiter.hpp.
#include "app/auth/login_limiter.hpp"

#include "parley/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace parley::relay::auth {
namespace {

// base * 2^steps, capped (no overflow for any steps).
Millis grow(Millis base, int steps, Millis cap) {
  Millis d = base;
  for (int i = 0; i < steps && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

}  // namespace

std::string_view to_string(LoginRefusal r) {
  switch (r) {
    case LoginRefusal::none: return "none";
    case LoginRefusal::pair_delay: return "pair_delay";
    case LoginRefusal::pair_in_flight: return "pair_in_flight";
    case LoginRefusal::address_in_flight: return "address_in_flight";
    case LoginRefusal::address_budget: return "address_budget";
    case LoginRefusal::name_delay: return "name_delay";
    case LoginRefusal::busy: return "busy";
  }
  return "unknown";
}

template <class V>
V* LoginLimiter::Lru<V>::find(const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second.value;
}

template <class V>
V& LoginLimiter::Lru<V>::touch(const std::string& key, std::size_t max) {
  if (auto it = map.find(key); it != map.end()) {
    order.splice(order.begin(), order, it->second.pos);
    return it->second.value;
  }
  if (max > 0 && map.size() >= max) {
    // Evict the least recently used entry with nothing in flight (entries in flight are at most
    // max_in_flight_total, so this scan is short).
    for (auto rit = order.rbegin(); rit != order.rend(); ++rit) {
      auto victim = map.find(*rit);
      if (victim->second.value.in_flight == 0) {
        order.erase(victim->second.pos);
        map.erase(victim);
        break;
      }
    }
  }
  order.push_front(key);
  auto [it, inserted] = map.emplace(key, Slot{V{}, order.begin()});
  (void)inserted;
  return it->second.value;
}

template <class V>
void LoginLimiter::Lru<V>::erase(const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return;
  order.erase(it->second.pos);
  map.erase(it);
}

LoginLimiter::LoginLimiter(LoginLimiterOptions options) : options_(options) {}

Millis LoginLimiter::pair_wait(const Pair& p, Millis now) const {
  if (p.failures < options_.pair_free_failures) return 0;
  const Millis d = grow(options_.pair_base_delay_ms, p.failures - options_.pair_free_failures,
                        options_.pair_max_delay_ms);
  return std::max<Millis>(0, p.last_failure + d - now);
}

void LoginLimiter::refill(Address& a, Millis now) const {
  const double full = options_.address_failure_budget;
  if (now > a.at && options_.address_refill_ms > 0) {
    a.budget = std::min(full, a.budget + static_cast<double>(now - a.at) / static_cast<double>(options_.address_refill_ms));
  }
  a.at = std::max(a.at, now);
}

LoginAdmission LoginLimiter::refuse(LoginRefusal why, Millis wait) {
  ++refused_;
  LoginAdmission r;
  r.reason = why;
  r.retry_after_ms = std::max<Millis>(1, wait);
  return r;
}

LoginAdmission LoginLimiter::begin(std::string_view username, std::string_view address, bool trusted_device,
                                   Millis now) {
  const std::string name = ascii_lower(username);
  const std::string addr(address);
  std::string pair_key = name;
  pair_key += '\n';
  pair_key += addr;
  pair_key += trusted_device ? "\n1" : "\n0";

  if (static_cast<int>(tickets_.size()) >= options_.max_in_flight_total) {
    return refuse(LoginRefusal::busy, 1000);
  }

  // 1. The pair.
  if (Pair* p = pairs_.find(pair_key)) {
    if (p->in_flight == 0 && p->failures > 0 && now - p->last_failure >= options_.pair_forget_ms) {
      p->failures = 0;
    }
    if (p->in_flight >= options_.pair_max_in_flight) return refuse(LoginRefusal::pair_in_flight, 1000);
    if (const Millis w = pair_wait(*p, now); w > 0) return refuse(LoginRefusal::pair_delay, w);
  }

  if (!trusted_device) {
    // 2. The address.
    if (Address* a = addresses_.find(addr)) {
      refill(*a, now);
      if (a->in_flight >= options_.address_max_in_flight) return refuse(LoginRefusal::address_in_flight, 1000);
      if (a->budget < 1.0) {
        const double missing = 1.0 - a->budget;
        return refuse(LoginRefusal::address_budget,
                      static_cast<Millis>(std::ceil(missing * static_cast<double>(options_.address_refill_ms))));
      }
    } else if (options_.address_failure_budget < 1) {
      return refuse(LoginRefusal::address_budget, options_.address_refill_ms);
    }
    // 3. The user name.
    if (Name* n = names_.find(name)) {
      if (n->in_flight == 0 && n->failures > 0 && now - n->last_failure >= options_.name_forget_ms) {
        n->failures = 0;
        n->next_allowed = 0;
      }
      if (n->failures >= options_.name_free_failures && now < n->next_allowed) {
        return refuse(LoginRefusal::name_delay, n->next_allowed - now);
      }
    }
  }

  // Admitted: counts from now on, presumed failed until finish() says otherwise.
  Pair& p = pairs_.touch(pair_key, options_.max_pairs);
  ++p.in_flight;
  ++p.failures;
  p.last_failure = now;
  if (!trusted_device) {
    const bool fresh = addresses_.find(addr) == nullptr;
    Address& a = addresses_.touch(addr, options_.max_addresses);
    if (fresh) {
      a.budget = options_.address_failure_budget;
      a.at = now;
    }
    refill(a, now);
    a.budget -= 1.0;
    ++a.in_flight;

    Name& n = names_.touch(name, options_.max_names);
    ++n.in_flight;
    ++n.failures;
    n.last_failure = now;
    if (n.failures >= options_.name_free_failures) {
      n.next_allowed = now + grow(options_.name_base_delay_ms, n.failures - options_.name_free_failures,
                                  options_.name_max_delay_ms);
    }
  }

  const std::uint64_t id = next_ticket_++;
  tickets_.emplace(id, Held{pair_key, addr, name, trusted_device});
  ++admitted_;
  LoginAdmission r;
  r.admitted = true;
  r.ticket = LoginTicket{id};
  return r;
}

void LoginLimiter::release(const Held& h, bool success, bool counted, Millis now) {
  const bool failed = counted && !success;
  if (failed) ++failures_;
  if (Pair* p = pairs_.find(h.pair_key)) {
    p->in_flight = std::max(0, p->in_flight - 1);
    if (success) {
      p->failures = 0;
    } else if (!counted) {
      p->failures = std::max(0, p->failures - 1);
    } else {
      p->last_failure = now;
    }
    if (p->in_flight == 0 && p->failures == 0) pairs_.erase(h.pair_key);
  }
  if (h.trusted) return;
  if (Address* a = addresses_.find(h.address)) {
    a->in_flight = std::max(0, a->in_flight - 1);
    refill(*a, now);
    if (!failed) a->budget = std::min<double>(options_.address_failure_budget, a->budget + 1.0);
  }
  if (Name* n = names_.find(h.name)) {
    n->in_flight = std::max(0, n->in_flight - 1);
    if (!failed) {
      n->failures = std::max(0, n->failures - 1);
    } else {
      n->last_failure = now;
    }
  }
}

bool LoginLimiter::finish(LoginTicket ticket, bool success, Millis now) {
  auto it = tickets_.find(ticket.id);
  if (it == tickets_.end()) return false;
  const Held h = std::move(it->second);
  tickets_.erase(it);
  release(h, success, true, now);
  return true;
}

bool LoginLimiter::abandon(LoginTicket ticket) {
  auto it = tickets_.find(ticket.id);
  if (it == tickets_.end()) return false;
  const Held h = std::move(it->second);
  tickets_.erase(it);
  release(h, false, false, 0);
  return true;
}

std::string login_address_key(std::string_view remote_addr) {
  std::string s(remote_addr);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (const auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);  // zone id
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    char buf[INET_ADDRSTRLEN];
    return ::inet_ntop(AF_INET, &v4, buf, sizeof buf) ? std::string(buf) : s;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.s6_addr, kMapped, 12) == 0) {
      in_addr m{};
      std::memcpy(&m, v6.s6_addr + 12, 4);
      char buf[INET_ADDRSTRLEN];
      return ::inet_ntop(AF_INET, &m, buf, sizeof buf) ? std::string(buf) : s;
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    char buf[INET6_ADDRSTRLEN];
    if (!::inet_ntop(AF_INET6, &v6, buf, sizeof buf)) return s;
    return std::string(buf) + "/64";
  }
  return std::string(remote_addr);
}

}  // namespace parley::relay::auth
