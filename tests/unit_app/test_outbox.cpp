// The durable outbox (relay/src/app/channels/outbox.hpp) over the real SQLite store in a
// temporary folder, with a scripted sender: per-lane order with retries, settled states,
// `sending` at start-up becomes `unknown` (never resent silently), pending jobs survive a restart,
// jobs wait for the sender's rate.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/channels/outbox.hpp"
#include "store/sqlite_store.hpp"

using namespace parley;
using namespace parley::relay;

namespace {

Millis wall() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/parley-outbox-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A real SQLite store in a temporary folder.
struct TempStore {
  TempDir dir;
  Result<std::unique_ptr<SqliteDataStore>> store = open();
  Result<std::unique_ptr<SqliteDataStore>> open() {
    StoreOptions so;
    so.path = dir.path + "/db.sqlite";
    return SqliteDataStore::open(so);
  }
  DataStore& ds() {
    REQUIRE(store.ok());
    return **store;
  }
};

// A sender whose answers are scripted per job text ("ok", "retry", "fail", "unknown").
class ScriptSender : public ChannelSender {
 public:
  std::string channel() const override { return "test"; }
  Millis ready_in(const OutboxJob&, Millis) override { return hold.load() ? 50 : 0; }
  Result send(const OutboxJob& job) override {
    std::lock_guard lock(mu);
    const std::string text = job.payload.value("text", "");
    sent.push_back(text);
    Result r;
    auto& left = retries[text];
    if (text.starts_with("retry") && left < 2) {
      ++left;
      r.state = OutboxState::pending;
      r.retry_in_ms = 10;
      r.error = "try again";
      return r;
    }
    if (text.starts_with("fail")) {
      r.state = OutboxState::failed;
      r.error = "refused for good";
      r.code = 131026;
      return r;
    }
    if (text.starts_with("unknown")) {
      r.state = OutboxState::unknown;
      r.error = "no answer";
      return r;
    }
    r.state = OutboxState::sent;
    r.provider_id = "p-" + text;
    return r;
  }
  std::mutex mu;
  std::vector<std::string> sent;
  std::map<std::string, int> retries;
  std::atomic<bool> hold{false};
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mu);
    return sent;
  }
};

OutboxJob job(const std::string& id, const std::string& lane, const std::string& text, Seq seq) {
  OutboxJob j;
  j.id = id;
  j.tenant_id = "t1";
  j.channel = "test";
  j.conversation_id = lane;
  j.seq = seq;
  j.lane = lane;
  j.recipient = "r";
  j.payload = Json{{"text", text}};
  j.created_at = j.updated_at = wall();
  return j;
}

void insert(DataStore& store, const OutboxJob& j) {
  std::promise<std::optional<Error>> p;
  auto f = p.get_future();
  store.write(InsertOutboxJob{j}, [&p](const std::optional<Error>& e) { p.set_value(e); });
  REQUIRE_FALSE(f.get());
}

bool wait_until(const std::function<bool()>& cond) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

std::string state_of(DataStore& store, const std::string& lane, Seq seq) {
  auto r = store.open_reader();
  REQUIRE(r.ok());
  auto jobs = (*r)->conversation_outbox("t1", lane);
  REQUIRE(jobs.ok());
  for (const OutboxJob& j : *jobs) {
    if (j.seq == seq) return std::string(to_string(j.state));
  }
  return "";
}

}  // namespace

TEST_CASE("outbox: per-lane order through retries; failed and unknown settle; updates reported") {
  TempStore temp;
  DataStore& ds = temp.ds();
  auto* sender = new ScriptSender;
  std::mutex mu;
  std::vector<OutboxJob> updates;
  {
    Outbox box(ds, wall, [&](const OutboxJob& j) {
      std::lock_guard lock(mu);
      updates.push_back(j);
    });
    box.add_sender(std::unique_ptr<ChannelSender>(sender));
    REQUIRE_FALSE(box.start());
    const std::vector<OutboxJob> a = {job("a1", "A", "retry-a1", 1), job("a2", "A", "a2", 2), job("a3", "A", "fail-a3", 3),
                                      job("a4", "A", "a4", 4)};
    const std::vector<OutboxJob> b = {job("b1", "B", "b1", 1), job("b2", "B", "unknown-b2", 2)};
    for (const auto& j : a) insert(ds, j);
    for (const auto& j : b) insert(ds, j);
    for (const auto& j : a) box.enqueue(j);
    for (const auto& j : b) box.enqueue(j);
    CHECK(wait_until([&] { return box.backlog() == 0; }));
    const auto sent = sender->snapshot();
    // Lane A strictly in order, its head retried twice before the rest went.
    std::vector<std::string> lane_a;
    for (const auto& s : sent) {
      if (s.find('a') != std::string::npos && s != "unknown-b2") lane_a.push_back(s);
    }
    CHECK(lane_a == std::vector<std::string>{"retry-a1", "retry-a1", "retry-a1", "a2", "fail-a3", "a4"});
    CHECK(state_of(ds, "A", 1) == "sent");
    CHECK(state_of(ds, "A", 3) == "failed");
    CHECK(state_of(ds, "A", 4) == "sent");
    CHECK(state_of(ds, "B", 2) == "unknown");
    const auto c = box.counters();
    CHECK(c.sent == 4);
    CHECK(c.failed == 1);
    CHECK(c.unknown == 1);
    CHECK(c.retries == 2);
    box.stop();
  }
  std::lock_guard lock(mu);
  CHECK(std::count_if(updates.begin(), updates.end(), [](const OutboxJob& j) { return j.state == OutboxState::sent; }) == 4);
}

TEST_CASE("outbox: a restart turns `sending` into unknown (not resent) and sends what was pending") {
  TempStore temp;
  DataStore& ds = temp.ds();
  OutboxJob mid = job("m1", "L", "was-sending", 1);
  mid.state = OutboxState::sending;
  mid.attempts = 1;
  insert(ds, mid);
  insert(ds, job("m2", "L", "was-pending", 2));
  auto* sender = new ScriptSender;
  Outbox box(ds, wall, nullptr);
  box.add_sender(std::unique_ptr<ChannelSender>(sender));
  REQUIRE_FALSE(box.start());
  CHECK(wait_until([&] { return state_of(ds, "L", 2) == "sent"; }));
  CHECK(state_of(ds, "L", 1) == "unknown");
  CHECK(sender->snapshot() == std::vector<std::string>{"was-pending"});
  box.stop();
}

TEST_CASE("outbox: a job waits while the sender's rate says so, and nothing is lost") {
  TempStore temp;
  DataStore& ds = temp.ds();
  auto* sender = new ScriptSender;
  sender->hold = true;
  Outbox box(ds, wall, nullptr);
  box.add_sender(std::unique_ptr<ChannelSender>(sender));
  REQUIRE_FALSE(box.start());
  insert(ds, job("h1", "H", "held", 1));
  box.enqueue(job("h1", "H", "held", 1));
  CHECK(box.backlog() == 1);
  CHECK(sender->snapshot().empty());
  CHECK(state_of(ds, "H", 1) == "pending");
  sender->hold = false;
  box.poke();
  CHECK(wait_until([&] { return state_of(ds, "H", 1) == "sent"; }));
  box.stop();
}

TEST_CASE("outbox: signals run on the worker in order, before the next job; past the cap they are dropped and counted") {
  TempStore temp;
  DataStore& ds = temp.ds();
  auto* sender = new ScriptSender;
  Outbox box(ds, wall, nullptr);
  box.add_sender(std::unique_ptr<ChannelSender>(sender));
  box.signal([] { FAIL("a signal before start() must not be kept"); });
  REQUIRE_FALSE(box.start());
  // The first signal blocks the worker until released, so the rest queue up behind it.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::mutex mu;
  std::vector<int> ran;
  std::vector<std::thread::id> threads;
  box.signal([&, gate] {
    gate.wait();
    std::lock_guard lock(mu);
    ran.push_back(0);
    threads.push_back(std::this_thread::get_id());
  });
  CHECK(wait_until([&] { return box.counters().signals == 1; }));  // taken by the worker, blocked
  for (int i = 1; i <= static_cast<int>(Outbox::kMaxSignals) + 5; ++i) {
    box.signal([&, i] {
      std::lock_guard lock(mu);
      ran.push_back(i);
    });
  }
  CHECK(box.counters().signals_dropped == 5);
  release.set_value();
  CHECK(wait_until([&] { return box.counters().signals == Outbox::kMaxSignals + 1; }));
  {
    std::lock_guard lock(mu);
    REQUIRE(ran.size() == Outbox::kMaxSignals + 1);
    for (std::size_t i = 0; i < ran.size(); ++i) CHECK(ran[i] == static_cast<int>(i));
    CHECK(threads.front() != std::this_thread::get_id());
  }
  // Jobs still flow after the signals.
  insert(ds, job("s1", "S", "after signals", 1));
  box.enqueue(job("s1", "S", "after signals", 1));
  CHECK(wait_until([&] { return state_of(ds, "S", 1) == "sent"; }));
  box.stop();
}
