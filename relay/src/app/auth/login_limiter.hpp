// relay/src/app/auth/login_limiter.hpp: login throttling that holds under parallel attempts and
// cannot be turned against staff. Pure: no I/O, no clock of its own (the caller passes `now`, a
// monotonic time in milliseconds), no threads.
//
// Thread: not thread-safe; one owner (the hub's loop thread) calls begin() and finish().
//
// Use: call begin() BEFORE verifying the password. A refused attempt gets no hashing at all and
// is answered 429 with Retry-After. An admitted attempt counts immediately (it is "in flight" and,
// for the budgets below, presumed failed until finish() says otherwise), so 200 parallel attempts
// cannot all be admitted. After the verification call finish(ticket, success, now) exactly once;
// an attempt that never reached a verdict (store error, hash pool full) is finished with
// abandon(ticket), which releases it without counting a failure.
//
// Policy (every number is a LoginLimiterOptions field):
//   1. Per (lower-cased user name, address, trusted-device flag) pair: `pair_free_failures`
//      failures are free; after that each further attempt waits base * 2^(failures - free),
//      capped at `pair_max_delay_ms` (1 s, 2 s, 4 s ... 60 s), measured from the last failure.
//      At most `pair_max_in_flight` attempts of one pair are verified at once. A success clears the
//      pair. Failures are forgotten `pair_forget_ms` after the last one.
//   2. Per address, for attempts without a trusted device: at most `address_max_in_flight`
//      attempts at once, and a failure budget shared by every user name tried from that address
//      (`address_failure_budget` failures, one more allowed every `address_refill_ms`), so one
//      address cannot spray user names. An admitted attempt reserves one unit of the budget; a
//      success gives it back. Colleagues behind the same address (NAT) are slowed only once the
//      budget is spent, and never those with a trusted device.
//   3. Per user name across all addresses, for attempts without a trusted device: after
//      `name_free_failures` failures, attempts are spaced base * 2^(failures - free) apart, capped
//      at `name_max_delay_ms` (a few seconds). This slows a distributed attack on one account but
//      never locks the account: a refusal for this reason never asks to wait longer than the cap.
//      Failures are forgotten `name_forget_ms` after the last one (a success does not clear them:
//      the attacker's pairs and addresses are throttled separately).
//   4. A trusted device (the browser presents a valid device cookie for this user name, see
//      device_cookie.hpp) is subject only to its own pair (rule 1): a stranger's failures for the
//      same user name, from the same address or elsewhere, do not slow it; and its own failures
//      do not count against the address or the user name.
//   5. At most `max_in_flight_total` attempts are in flight overall (the hash pool's queue bounds
//      the real work; this keeps the limiter's own state bounded).
// Every map holds at most its `max_*` entries; when full, the least recently used entry that has
// nothing in flight is evicted (an attacker who floods the maps only forgets old, idle state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::relay::auth {

using Millis = std::int64_t;

struct LoginLimiterOptions {
  int pair_free_failures = 3;
  Millis pair_base_delay_ms = 1000;
  Millis pair_max_delay_ms = 60'000;
  int pair_max_in_flight = 1;
  Millis pair_forget_ms = 15 * 60'000;

  int address_max_in_flight = 4;
  int address_failure_budget = 20;
  Millis address_refill_ms = 30'000;

  int name_free_failures = 5;
  Millis name_base_delay_ms = 500;
  Millis name_max_delay_ms = 4000;
  Millis name_forget_ms = 15 * 60'000;

  int max_in_flight_total = 64;
  std::size_t max_pairs = 10'000;
  std::size_t max_addresses = 10'000;
  std::size_t max_names = 10'000;
};

enum class LoginRefusal {
  none,
  pair_delay,         // this user name from this address failed too often recently
  pair_in_flight,     // an attempt of the same pair is still being verified
  address_in_flight,  // too many attempts from this address are being verified
  address_budget,     // this address spent its failure budget (across user names)
  name_delay,         // this user name is under attack: attempts are spaced (never > the cap)
  busy,               // max_in_flight_total reached
};

std::string_view to_string(LoginRefusal r);

struct LoginTicket {
  std::uint64_t id = 0;  // 0 = no ticket
};

struct LoginAdmission {
  bool admitted = false;
  LoginTicket ticket;         // when admitted: pass to finish() or abandon()
  Millis retry_after_ms = 0;  // when refused: > 0, how long to wait before trying again
  LoginRefusal reason = LoginRefusal::none;
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimiterOptions options = {});

  // Decides one attempt before any hashing. `username` is compared lower-cased; `address` as given
  // (the caller normalises it, e.g. with login_address_key). `trusted_device`: the request carries
  // a valid device cookie for this user name.
  LoginAdmission begin(std::string_view username, std::string_view address, bool trusted_device, Millis now);

  // The verdict of an admitted attempt. Returns false (and does nothing) for an unknown or
  // already finished ticket.
  bool finish(LoginTicket ticket, bool success, Millis now);

  // Releases an admitted attempt that reached no verdict; counts neither failure nor success.
  bool abandon(LoginTicket ticket);

  // Counters and sizes, for tests and /metrics.
  std::uint64_t admitted() const { return admitted_; }
  std::uint64_t refused() const { return refused_; }
  std::uint64_t failures() const { return failures_; }
  std::size_t in_flight() const { return tickets_.size(); }
  std::size_t pairs_held() const { return pairs_.size(); }
  std::size_t addresses_held() const { return addresses_.size(); }
  std::size_t names_held() const { return names_.size(); }
  std::size_t entries_held() const { return pairs_held() + addresses_held() + names_held(); }
  const LoginLimiterOptions& options() const { return options_; }

 private:
  struct Pair {
    int failures = 0;
    Millis last_failure = 0;
    int in_flight = 0;
  };
  struct Address {
    double budget = 0;  // failure units left (fractional: refills continuously)
    Millis at = 0;      // when `budget` was last brought up to date
    int in_flight = 0;
  };
  struct Name {
    int failures = 0;  // including attempts in flight (presumed failed)
    Millis last_failure = 0;
    Millis next_allowed = 0;
    int in_flight = 0;
  };
  // A map with least-recently-used order and a size bound.
  template <class V>
  struct Lru {
    struct Slot {
      V value;
      std::list<std::string>::iterator pos;
    };
    std::unordered_map<std::string, Slot> map;
    std::list<std::string> order;  // front = most recently used
    V* find(const std::string& key);
    V& touch(const std::string& key, std::size_t max);  // find or insert (evicting when full)
    void erase(const std::string& key);
    std::size_t size() const { return map.size(); }
  };
  struct Held {
    std::string pair_key, address, name;
    bool trusted = false;
  };

  Millis pair_wait(const Pair& p, Millis now) const;
  void refill(Address& a, Millis now) const;
  void release(const Held& h, bool success, bool counted, Millis now);
  LoginAdmission refuse(LoginRefusal why, Millis wait);

  LoginLimiterOptions options_;
  Lru<Pair> pairs_;
  Lru<Address> addresses_;
  Lru<Name> names_;
  std::unordered_map<std::uint64_t, Held> tickets_;
  std::uint64_t next_ticket_ = 1;
  std::uint64_t admitted_ = 0, refused_ = 0, failures_ = 0;
};

// The address key for the limiter: an IPv4 address as is; an IPv4-mapped IPv6 address as its IPv4
// form; any other IPv6 address as its /64 prefix ("2001:db8:1:2::/64": one subscriber usually holds
// a whole /64); anything unparsable as given.
std::string login_address_key(std::string_view remote_addr);

}  // namespace parley::relay::auth
