// relay/src/app/live/presence.hpp: who is connected, and who has been gone for how long.
//
// Loop thread only; pure (times are passed in). Two kinds of people are tracked: staff (by user
// id) and customers (by contact id). The timer sweep must not scan every conversation, so
// presence keeps DEADLINES: when someone's last connection closes while a rule depends on them
// (an agent with assigned chats: requeue after the grace period; a customer waiting in the
// queue: abandoned after a while), the owner calls watch(); due() returns the people whose
// deadline passed and who are still gone, and the sweep visits only their conversations.
// Entries of people who are neither connected nor watched are kept (their gone_since matters if
// a rule starts watching them later) up to `idle_cap`; past it the longest idle are dropped (they
// then count as gone since the relay's start, the conservative answer). Memory is bounded by the
// connected, the watched and idle_cap.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::relay {

class Presence {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Presence(Clock::time_point started, std::size_t idle_cap = 50000) : started_(started), idle_cap_(idle_cap) {}

  void connected(const std::string& key, Clock::time_point now);
  void disconnected(const std::string& key, Clock::time_point now);
  bool online(const std::string& key) const;
  // Since when `key` has had no connection: its last disconnect, or the relay's start when it
  // has not connected since.
  Clock::time_point gone_since(const std::string& key) const;
  // Asks to be told (by due()) once `key` has been gone for `after`. Does nothing while `key`
  // is online (disconnected() re-arms the watch with the same delay).
  void watch(const std::string& key, Clock::duration after);
  // Keys gone for at least their watch delay at `now`; their watches are consumed.
  std::vector<std::string> due(Clock::time_point now);
  std::size_t entries() const { return people_.size(); }
  std::size_t watched() const { return deadlines_.size(); }

 private:
  struct Person {
    int conns = 0;
    Clock::time_point gone_since{};
    Clock::duration watch_after{};
    bool watching = false;
  };
  void arm(const std::string& key, Person& p);
  void forget_if_unused(const std::string& key);

  Clock::time_point started_;
  std::size_t idle_cap_;
  std::unordered_map<std::string, Person> people_;
  std::deque<std::string> idle_;  // keys in the order they became idle (may hold stale ones)
  std::multimap<Clock::time_point, std::string> deadlines_;
};

}  // namespace parley::relay
