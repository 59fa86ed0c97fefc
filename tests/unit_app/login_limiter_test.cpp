// Unit tests of the login limiter (relay/src/app/auth/login_limiter.hpp): pure, time injected.
#include "app/auth/login_limiter.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace parley::relay::auth;

namespace {

// One attempt that is admitted and fails (or succeeds) at once. Returns whether it was admitted.
bool attempt(LoginLimiter& l, const std::string& user, const std::string& addr, bool trusted, Millis now,
             bool success = false) {
  LoginAdmission a = l.begin(user, addr, trusted, now);
  if (!a.admitted) return false;
  CHECK(l.finish(a.ticket, success, now));
  return true;
}

}  // namespace

TEST_CASE("login limiter: 200 parallel attempts from one address admit at most the in-flight cap") {
  LoginLimiter l;
  std::vector<LoginTicket> held;
  // The same user name: one pair, at most pair_max_in_flight verified at once.
  for (int i = 0; i < 200; ++i) {
    LoginAdmission a = l.begin("admin", "203.0.113.9", false, 1000);
    if (a.admitted) held.push_back(a.ticket);
    else CHECK(a.retry_after_ms > 0);
  }
  CHECK(held.size() == static_cast<std::size_t>(l.options().pair_max_in_flight));
  CHECK(l.admitted() == held.size());
  CHECK(l.refused() == 200 - held.size());
  // Different user names from the same address: at most address_max_in_flight.
  for (int i = 0; i < 200; ++i) {
    LoginAdmission a = l.begin("user" + std::to_string(i), "203.0.113.9", false, 1000);
    if (a.admitted) held.push_back(a.ticket);
  }
  CHECK(held.size() == static_cast<std::size_t>(l.options().address_max_in_flight));
  CHECK(l.in_flight() == held.size());
  for (LoginTicket t : held) CHECK(l.finish(t, false, 1100));
  CHECK_FALSE(l.finish(held.front(), false, 1100));  // a ticket finishes once
  CHECK(l.in_flight() == 0);
}

TEST_CASE("login limiter: the pair's delays grow, are capped, and a success clears them") {
  LoginLimiterOptions o;
  LoginLimiter l(o);
  Millis t = 0;
  for (int i = 0; i < o.pair_free_failures; ++i) CHECK(attempt(l, "Ann", "198.51.100.1", false, t));
  LoginAdmission r = l.begin("ann", "198.51.100.1", false, t);  // user names compare lower-cased
  REQUIRE_FALSE(r.admitted);
  CHECK(r.reason == LoginRefusal::pair_delay);
  CHECK(r.retry_after_ms == o.pair_base_delay_ms);
  Millis expected = o.pair_base_delay_ms;
  for (int i = 0; i < 12; ++i) {
    t += expected;
    CHECK(attempt(l, "ann", "198.51.100.1", false, t));
    expected = std::min(expected * 2, o.pair_max_delay_ms);
    LoginAdmission again = l.begin("ann", "198.51.100.1", false, t);
    REQUIRE_FALSE(again.admitted);
    // The address budget may bind first once it is spent; the pair's delay never exceeds its cap.
    if (again.reason == LoginRefusal::pair_delay) CHECK(again.retry_after_ms == expected);
    CHECK(again.retry_after_ms <= std::max(o.pair_max_delay_ms, o.address_refill_ms));
  }
  CHECK(expected == o.pair_max_delay_ms);
  // The right password (after waiting) clears the pair.
  t += o.pair_max_delay_ms + o.address_refill_ms;
  CHECK(attempt(l, "ann", "198.51.100.1", false, t, true));
  CHECK(l.pairs_held() == 0);
}

TEST_CASE("login limiter: a stranger's failures do not slow the user's trusted device") {
  LoginLimiter l;
  Millis t = 0;
  // A stranger at the same address (office NAT) and strangers elsewhere hammer "admin".
  int refused_stranger = 0;
  for (int i = 0; i < 300; ++i) {
    t += 10;
    if (!attempt(l, "admin", "192.0.2.7", false, t)) ++refused_stranger;
    attempt(l, "admin", "10.9." + std::to_string(i / 250) + "." + std::to_string(i % 250), false, t);
  }
  CHECK(refused_stranger > 250);
  // The admin's browser with its device cookie, same address: admitted at once.
  LoginAdmission a = l.begin("admin", "192.0.2.7", true, t);
  REQUIRE(a.admitted);
  CHECK(l.finish(a.ticket, true, t));
  // Its own typo counts only against its own pair (free failures, then its own delays).
  for (int i = 0; i < l.options().pair_free_failures; ++i) CHECK(attempt(l, "admin", "192.0.2.7", true, t));
  CHECK_FALSE(l.begin("admin", "192.0.2.7", true, t).admitted);
}

TEST_CASE("login limiter: a made-up name does not lock colleagues out beyond the address budget") {
  LoginLimiterOptions o;
  LoginLimiter l(o);
  Millis t = 0;
  // Five failures for a name nobody has (the old limiter then blocked the whole address).
  for (int i = 0; i < 5; ++i) {
    t += o.pair_max_delay_ms;  // respect the pair's delays
    CHECK(attempt(l, "nosuchuser", "192.0.2.50", false, t));
  }
  CHECK(attempt(l, "bob", "192.0.2.50", false, t, true));
  CHECK(attempt(l, "carol", "192.0.2.50", false, t, true));

  // A spray of names from one address spends the address budget, then stops.
  LoginLimiter s(o);
  int admitted = 0;
  LoginAdmission last;
  for (int i = 0; i < 100; ++i) {
    last = s.begin("name" + std::to_string(i), "192.0.2.60", false, 0);
    if (!last.admitted) break;
    ++admitted;
    s.finish(last.ticket, false, 0);
  }
  CHECK(admitted == o.address_failure_budget);
  CHECK(last.reason == LoginRefusal::address_budget);
  CHECK(last.retry_after_ms == o.address_refill_ms);
  // The budget applies to the address, not to staff with a trusted device there...
  CHECK(attempt(s, "bob", "192.0.2.60", true, 0, true));
  // ... nor to other addresses ...
  CHECK(attempt(s, "bob", "192.0.2.61", false, 0, true));
  // ... and it refills: one more attempt per refill period.
  CHECK(attempt(s, "carol", "192.0.2.60", false, o.address_refill_ms, true));
}

TEST_CASE("login limiter: the per-name limit slows but never refuses longer than its cap") {
  LoginLimiterOptions o;
  LoginLimiter l(o);
  Millis t = 0;
  int refusals = 0;
  // A distributed attack: every attempt from another address.
  for (int i = 0; i < 2000; ++i) {
    t += 100;
    const std::string addr = "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
                             std::to_string(i % 256);
    LoginAdmission a = l.begin("admin", addr, false, t);
    if (a.admitted) {
      l.finish(a.ticket, false, t);
    } else {
      ++refusals;
      CHECK(a.reason == LoginRefusal::name_delay);
      CHECK(a.retry_after_ms <= o.name_max_delay_ms);
    }
  }
  CHECK(refusals > 1500);  // slowed to about one attempt per cap
  // The real admin from a new address waits at most the cap, then gets in.
  LoginAdmission a = l.begin("admin", "198.51.100.200", false, t);
  if (!a.admitted) {
    CHECK(a.retry_after_ms <= o.name_max_delay_ms);
    a = l.begin("admin", "198.51.100.200", false, t + a.retry_after_ms);
  }
  REQUIRE(a.admitted);
  CHECK(l.finish(a.ticket, true, t));
}

TEST_CASE("login limiter: parallel attempts for one name from many addresses are spaced") {
  LoginLimiterOptions o;
  LoginLimiter l(o);
  int admitted = 0;
  for (int i = 0; i < 200; ++i) {
    if (l.begin("admin", "10.0.0." + std::to_string(i), false, 0).admitted) ++admitted;
  }
  // Counted before hashing: only the free failures and the one that starts the spacing.
  CHECK(admitted == o.name_free_failures);
}

TEST_CASE("login limiter: maps stay bounded, in-flight entries are never evicted") {
  LoginLimiterOptions o;
  o.max_pairs = 50;
  o.max_addresses = 40;
  o.max_names = 30;
  LoginLimiter l(o);
  const LoginAdmission keep = l.begin("keeper", "192.0.2.1", false, 0);
  REQUIRE(keep.admitted);
  for (int i = 0; i < 5000; ++i) {
    attempt(l, "u" + std::to_string(i), "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250), false,
            i);
  }
  CHECK(l.pairs_held() <= o.max_pairs);
  CHECK(l.addresses_held() <= o.max_addresses);
  CHECK(l.names_held() <= o.max_names);
  CHECK(l.entries_held() <= o.max_pairs + o.max_addresses + o.max_names);
  CHECK(l.finish(keep.ticket, false, 5000));
  CHECK(l.in_flight() == 0);
}

TEST_CASE("login limiter: abandon releases without counting, total in-flight is bounded") {
  LoginLimiterOptions o;
  o.max_in_flight_total = 3;
  LoginLimiter l(o);
  std::vector<LoginTicket> t;
  for (int i = 0; i < 5; ++i) {
    LoginAdmission a = l.begin("u" + std::to_string(i), "10.2.0." + std::to_string(i), false, 0);
    if (a.admitted) t.push_back(a.ticket);
    else CHECK(a.reason == LoginRefusal::busy);
  }
  CHECK(t.size() == 3);
  for (LoginTicket x : t) CHECK(l.abandon(x));
  CHECK(l.failures() == 0);
  CHECK(l.pairs_held() == 0);
  CHECK_FALSE(l.abandon(t.front()));
}

TEST_CASE("login_address_key groups IPv6 by /64 and unmaps IPv4") {
  CHECK(login_address_key("203.0.113.5") == "203.0.113.5");
  CHECK(login_address_key("::ffff:203.0.113.5") == "203.0.113.5");
  CHECK(login_address_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
  CHECK(login_address_key("[2001:db8:1:2::9]") == "2001:db8:1:2::/64");
  CHECK(login_address_key("not an address") == "not an address");
}
