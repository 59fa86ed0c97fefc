// Correctness regressions of issue 6 ("Correctness" 1, 2, 4-8), against the real relay binary.
// Each case asserts behaviour the relay before the rewrite got wrong. Waits are bounded (for a
// state, or for a counter of /api/v1/debug/counters); nothing asserts how long something took.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace parley::it;

namespace {

// Polls `pred` until it holds or `limit` passes (a bounded wait for a state, not a sleep).
template <class Pred>
bool eventually(Pred pred, Duration limit = kTimeout) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Flags most tests need: counters on, the per-address limits lifted for loopback load.
std::vector<std::string> test_flags(std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--test-counters", "true", "--visitor-rate", "1000", "--visitor-burst", "1000",
                                "--rest-rate",     "1000", "--rest-burst",   "5000"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

Json counters(const Relay& relay) {
  auto r = http_get(relay.port(), "/api/v1/debug/counters");
  REQUIRE_MESSAGE(r.status == 200, "debug counters: " << r.status << " " << r.body);
  return r.json();
}
std::int64_t counter(const Relay& relay, const std::string& name) {
  Json c = counters(relay);
  REQUIRE_MESSAGE(c.contains(name), "no counter " << name << " in " << c.dump());
  return c[name].get<std::int64_t>();
}

Headers with_cookie(const std::string& cookie) {
  return {{"Cookie", cookie}, {"Content-Type", "application/json"}};
}

// ---- the database, read (and locked) from the test ------------------------------------------------

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path, bool write = false) {
    const int flags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db, 10000);
  }
  ~Db() { sqlite3_close(db); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  int exec(const std::string& sql) { return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); }
  // Rows of text columns.
  std::vector<std::vector<std::string>> rows(const std::string& sql, const std::vector<std::string>& args = {}) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db) + " in " + sql);
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
      sqlite3_bind_text(st, static_cast<int>(i + 1), args[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* t = sqlite3_column_text(st, c);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return out;
  }
};

struct StoredEvent {
  std::int64_t seq = 0;
  std::string type;
};
std::vector<StoredEvent> stored_events(const Relay& relay, const std::string& cid) {
  Db db(relay.db_path());
  std::vector<StoredEvent> out;
  for (auto& r : db.rows("SELECT seq, type FROM events WHERE conversation_id = ? ORDER BY seq", {cid})) {
    out.push_back(StoredEvent{std::stoll(r[0]), r[1]});
  }
  return out;
}
std::string stored_status(const Relay& relay, const std::string& cid) {
  Db db(relay.db_path());
  auto rows = db.rows("SELECT status, head_seq FROM conversations WHERE id = ?", {cid});
  return rows.empty() ? "" : rows[0][0];
}
std::int64_t stored_head(const Relay& relay, const std::string& cid) {
  Db db(relay.db_path());
  auto rows = db.rows("SELECT head_seq FROM conversations WHERE id = ?", {cid});
  return rows.empty() ? -1 : std::stoll(rows[0][0]);
}

// Another process holding the database's write lock (a backup, a parleyctl run, a script).
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) : db_(path, /*write=*/true) {
    REQUIRE(db_.exec("BEGIN IMMEDIATE") == SQLITE_OK);
    held_ = true;
  }
  ~WriteLockHolder() { release(); }
  void release() {
    if (!held_) return;
    db_.exec("ROLLBACK");
    held_ = false;
  }

 private:
  Db db_;
  bool held_ = false;
};

// Checks that seqs are exactly 1..N.
void check_contiguous(const std::vector<StoredEvent>& evs) {
  for (std::size_t i = 0; i < evs.size(); ++i) {
    INFO("event #" << i << " has seq " << evs[i].seq << " (" << evs[i].type << ")");
    CHECK(evs[i].seq == static_cast<std::int64_t>(i + 1));
  }
}
bool has_type(const std::vector<StoredEvent>& evs, const std::string& type) {
  return std::any_of(evs.begin(), evs.end(), [&](const StoredEvent& e) { return e.type == type; });
}

// Sends `n` messages on `ws`, pipelined in windows of 100 (like a busy client: a window's acks
// are collected before the next is sent, so the test client keeps reading what the relay sends
// back). Returns the acks' seqs by index; fails on an error reply.
std::vector<std::int64_t> send_many(WsClient& ws, const std::string& cid, int n, const std::string& prefix,
                                    const std::string& kind = "") {
  std::vector<std::int64_t> seqs(static_cast<std::size_t>(n), 0);
  constexpr int kWindow = 100;
  for (int from = 0; from < n; from += kWindow) {
    const int to = std::min(n, from + kWindow);
    std::map<std::string, int> index;
    for (int i = from; i < to; ++i) {
      Json c = cmd("chat.send_message", {{"conversation_id", cid},
                                         {"client_msg_id", prefix + std::to_string(i)},
                                         {"text", prefix + " " + std::to_string(i)}});
      if (!kind.empty()) c["kind"] = kind;
      index[ws.send_command(c)] = i;
    }
    std::size_t got = 0;
    while (got < index.size()) {
      auto f = ws.try_wait_for(
          [&](const Json& j) {
            const std::string t = j.value("type", "");
            return (t == "ack" || t == "error") && index.count(j.value("re", ""));
          },
          kTimeout);
      REQUIRE_MESSAGE(f.has_value(), "acks of window " << from << ": " << got << " of " << index.size()
                                                        << " (closed: " << ws.closed() << " " << ws.close_reason() << ")");
      const int i = index[f->value("re", "")];
      if (f->value("type", "") != "ack") FAIL("send #" << i << " refused: " << f->dump());
      seqs[static_cast<std::size_t>(i)] = (*f)["data"].value("seq", std::int64_t{0});
      ++got;
    }
    ws.take_pending();  // the events of our own messages: not needed, keeps the buffer small
  }
  return seqs;
}

// Turns the assistant off (customer messages are then only messages and conversations start
// waiting), and restarts the relay so this does not depend on it noticing outside changes.
void disable_assistant(Relay& relay) {
  auto r = relay.ctl({"tenant", "set", "assistant_enabled", "false"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  relay.restart();
}

std::int64_t metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stoll(line.substr(name.size() + 1));
  }
  FAIL("no metric " << name << " in /metrics");
  return -1;
}
std::string scrape(const Relay& relay) {
  auto r = http_get(relay.port(), "/metrics");
  REQUIRE(r.status == 200);
  return r.body;
}

}  // namespace

// ---- Correctness 1: a refused write leaves no gap and no state without its event -----------------------

TEST_CASE("correctness 1: a busy database refuses chat.request_human with busy; seqs stay contiguous") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Bea"}});
  flush(*cust.ws);
  const std::int64_t head_before = stored_head(relay, cid);
  REQUIRE(head_before >= 1);

  {
    // Another process holds the write lock longer than the relay's busy_timeout (5 s): it is
    // released only once the relay has answered.
    WriteLockHolder lock(relay.db_path());
    const std::string id = cust->send_command(cmd("chat.request_human", {{"conversation_id", cid}}));
    auto reply = cust->wait_reply(id, 20s);
    INFO("reply: " << reply.frame.dump());
    CHECK_FALSE(reply.ok());
    CHECK(reply.code() == "busy");  // "retry": not "the store failed"
    CHECK_FALSE(reply.frame.contains("seq"));
    CHECK(http_get(relay.port(), "/healthz").status == 200);  // a busy database is not a failed store
    lock.release();
  }
  CHECK(http_get(relay.port(), "/healthz").status == 200);

  // Nothing of the refused hand-off went out.
  flush(*cust.ws);
  for (const Json& f : events_of(cust->all(), cid)) {
    INFO("event seen: " << f.dump());
    CHECK(f.value("type", "") != "chat.handed_off");
  }

  // The next message gets the next contiguous seq (not one past the refused events).
  auto sent = cust.send(cid, "after the lock");
  REQUIRE(sent.ok());
  CHECK(sent.data().value("seq", 0) == head_before + 1);
  // And the hand-off can be retried: it is stored with its event.
  auto again = cust->request(cmd("chat.request_human", {{"conversation_id", cid}}));
  REQUIRE(again.ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off after the retry");
  flush(*cust.ws);

  const auto evs = stored_events(relay, cid);
  check_contiguous(evs);
  CHECK(stored_head(relay, cid) == static_cast<std::int64_t>(evs.size()));
  // Every status change has its event: pending only with chat.handed_off.
  CHECK(stored_status(relay, cid) == "pending");
  CHECK(has_type(evs, "chat.handed_off"));
  CHECK(std::count_if(evs.begin(), evs.end(), [](const StoredEvent& e) { return e.type == "chat.handed_off"; }) == 1);
  CHECK(http_get(relay.port(), "/healthz").status == 200);
}

TEST_CASE("correctness 1: a message refused while the database is busy leaves no row and no gap") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  disable_assistant(relay);  // no assistant turns racing the lock
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Cal"}});
  REQUIRE(cust.send(cid, "first").ok());
  const std::int64_t head_before = stored_head(relay, cid);
  {
    WriteLockHolder lock(relay.db_path());
    // Several requests queued behind the one that waits for the lock: all refused.
    const std::string a = cust->send_command(cmd(
        "chat.send_message", {{"conversation_id", cid}, {"client_msg_id", "busy-a"}, {"text", "while locked a"}}));
    const std::string b = cust->send_command(cmd(
        "chat.send_message", {{"conversation_id", cid}, {"client_msg_id", "busy-b"}, {"text", "while locked b"}}));
    auto ra = cust->wait_reply(a, 20s);
    auto rb = cust->wait_reply(b, 20s);
    INFO("a: " << ra.frame.dump() << " b: " << rb.frame.dump());
    CHECK(ra.code() == "busy");
    // b either waited behind a (refused too) or went into a later write after the lock's release:
    // never a seq past a refused one.
    if (rb.ok()) CHECK(rb.data().value("seq", 0) == head_before + 1);
    else CHECK(rb.code() == "busy");
    lock.release();
  }
  // The retry of "busy-a" is stored once, with the next seq.
  auto retry = cust.send(cid, "while locked a", "busy-a");
  REQUIRE(retry.ok());
  CHECK_FALSE(retry.data().value("duplicate", false));
  const auto evs = stored_events(relay, cid);
  check_contiguous(evs);
  auto msgs = stored_messages(relay, cid);
  CHECK(std::count_if(msgs.begin(), msgs.end(), [](const StoredMessage& m) { return m.client_msg_id == "busy-a"; }) == 1);
}

// ---- Correctness 2: any conversation can be joined, however long ---------------------------------------

TEST_CASE("correctness 2: staff join a 2,600-message conversation from seq 0: every event once, in order, then live") {
  Relay relay(RelayOptions::with_args(test_flags({"--rate", "100000", "--burst", "100000"})));
  relay.start();
  disable_assistant(relay);
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Long Talker"}});
  send_many(*cust.ws, cid, 2600, "long-");
  flush(*cust.ws);
  cust->take_pending();
  const std::int64_t head = stored_head(relay, cid);
  REQUIRE(head >= 2601);

  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  auto join = admin->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}}), 60s);
  REQUIRE_MESSAGE(join.ok(), "join: " << join.frame.dump() << " close: " << admin->close_reason());
  CHECK_FALSE(admin->closed());
  CHECK(join.data().value("head_seq", 0) == head);
  // Every event 1..head exactly once, in order, before the ack.
  auto replay = events_of(join.before, cid);
  REQUIRE(replay.size() == static_cast<std::size_t>(head));
  for (std::size_t i = 0; i < replay.size(); ++i) {
    if (replay[i].value("seq", 0) != static_cast<std::int64_t>(i + 1)) {
      FAIL_CHECK("replayed event #" << i << " has seq " << replay[i].value("seq", 0));
      break;
    }
  }
  admin->take_pending();
  // Later messages arrive live, once.
  auto live = cust.send(cid, "after the join");
  REQUIRE(live.ok());
  auto got = admin->wait_for(is_message(cid, "after the join"), "live message after the join");
  CHECK(got.value("seq", 0) == head + 1);
  flush(*admin.ws);
  auto after = events_of(admin->all(), cid);
  std::set<std::int64_t> seen;
  for (const Json& f : after) CHECK(seen.insert(f.value("seq", 0)).second);
  CHECK_FALSE(admin->closed());
}

// ---- Correctness 4: start-up and recovery do not grow with history -------------------------------------

TEST_CASE("correctness 4: start-up loads only open conversations; resolved ones load on demand") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  std::vector<std::string> resolved, open;
  for (int i = 0; i < 30; ++i) {
    Customer c = Customer::connect(relay);
    const std::string cid = c.start({{"name", "Done " + std::to_string(i)}});
    REQUIRE(c.send(cid, "thanks, that is all").ok());
    auto end = c->request(cmd("chat.end", {{"conversation_id", cid}}));
    REQUIRE_MESSAGE(end.ok(), end.frame.dump());
    resolved.push_back(cid);
  }
  for (int i = 0; i < 4; ++i) {
    Customer c = Customer::connect(relay);
    open.push_back(c.start({{"name", "Open " + std::to_string(i)}}));
  }
  for (const auto& id : resolved) REQUIRE(stored_status(relay, id) == "resolved");

  relay.restart();
  CHECK(counter(relay, "conversations_loaded_at_start") == static_cast<std::int64_t>(open.size()));
  CHECK(counter(relay, "conversations_in_memory") == static_cast<std::int64_t>(open.size()));
  CHECK(counter(relay, "conversations_loaded_on_demand") == 0);

  // A resolved conversation opens (join) with its whole history.
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  auto join = admin->request(cmd("chat.join", {{"conversation_id", resolved[0]}, {"after_seq", 0}}));
  REQUIRE_MESSAGE(join.ok(), join.frame.dump());
  CHECK(join.data()["conversation"].value("status", "") == "resolved");
  const auto evs = stored_events(relay, resolved[0]);
  CHECK(events_of(join.before, resolved[0]).size() == evs.size());
  CHECK(counter(relay, "conversations_loaded_on_demand") == 1);
  // ... and over REST.
  auto rest = http_get(relay.port(), "/api/v1/conversations/" + resolved[1], {{"Cookie", admin.cookie}});
  INFO("GET one: " << rest.status << " " << rest.body);
  CHECK(rest.status == 200);
  CHECK(rest.json()["conversation"].value("status", "") == "resolved");
  CHECK(counter(relay, "conversations_loaded_on_demand") >= 2);
  auto page = http_get(relay.port(), "/api/v1/conversations/" + resolved[2] + "/messages", {{"Cookie", admin.cookie}});
  CHECK(page.status == 200);
  CHECK(page.json()["messages"].size() >= 1);
  // The stats still count the resolved ones (base from the database, not from memory).
  auto stats = http_get(relay.port(), "/api/v1/stats", {{"Cookie", admin.cookie}});
  REQUIRE(stats.status == 200);
  INFO("stats: " << stats.body);
  CHECK(stats.json()["by_status"].value("resolved", -1) == 30);
  CHECK(stats.json()["by_status"].value("bot", -1) == static_cast<int>(open.size()));
}

TEST_CASE("correctness 4: an old client_msg_id outside the in-memory window is still a duplicate, stored once") {
  Relay relay(RelayOptions::with_args(test_flags({"--rate", "100000", "--burst", "100000"})));
  relay.start();
  disable_assistant(relay);
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Ola"}});
  auto seqs = send_many(*cust.ws, cid, 320, "win-");  // more than the 256-id window
  const std::int64_t first_seq = seqs[0];

  // Re-send the very first id: answered duplicate with its original seq.
  auto dup = cust.send(cid, "win- 0", "win-0");
  REQUIRE_MESSAGE(dup.ok(), dup.frame.dump());
  CHECK(dup.data().value("duplicate", false));
  CHECK(dup.data().value("seq", 0) == first_seq);
  // A new message right after it still gets the next contiguous seq.
  auto next = cust.send(cid, "after the duplicate");
  REQUIRE(next.ok());
  CHECK(next.data().value("seq", 0) == seqs.back() + 1);

  // After a restart (the window is rebuilt from recent ids only), the same.
  relay.restart();
  Customer back = Customer::connect(relay, cust.token);
  auto dup2 = back.send(cid, "win- 0", "win-0");
  REQUIRE_MESSAGE(dup2.ok(), dup2.frame.dump());
  CHECK(dup2.data().value("duplicate", false));
  CHECK(dup2.data().value("seq", 0) == first_seq);
  auto dup3 = back.send(cid, "win- 5", "win-5");
  REQUIRE(dup3.ok());
  CHECK(dup3.data().value("seq", 0) == seqs[5]);

  auto msgs = stored_messages(relay, cid);
  CHECK(std::count_if(msgs.begin(), msgs.end(), [](const StoredMessage& m) { return m.client_msg_id == "win-0"; }) == 1);
  check_contiguous(stored_events(relay, cid));
}

// ---- Correctness 5: parleyctl changes reach the running relay; nothing lost between writers ----------

TEST_CASE("correctness 5: parleyctl tenant set reaches the running relay; a later PATCH keeps it") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);

  auto r = relay.ctl({"tenant", "set", "title", "Title from the CLI"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(eventually([&] {
    return http_get(relay.port(), "/api/config").json().value("title", "") == "Title from the CLI";
  }));

  // A REST PATCH of another setting does not write the old title back.
  auto p = http(relay.port(), "PATCH", "/api/v1/settings", Json{{"welcome", "Welcome from REST"}}.dump(),
                with_cookie(cookie));
  REQUIRE_MESSAGE(p.status == 200, p.body);
  CHECK(p.json()["settings"].value("title", "") == "Title from the CLI");
  auto cfg = http_get(relay.port(), "/api/config").json();
  CHECK(cfg.value("title", "") == "Title from the CLI");
  CHECK(cfg.value("welcome", "") == "Welcome from REST");
  auto shown = relay.ctl({"tenant", "show"});
  CHECK(shown.out.find("Title from the CLI") != std::string::npos);
  CHECK(shown.out.find("Welcome from REST") != std::string::npos);

  // CLI then REST at once (before the relay may have noticed the CLI): both fields survive.
  REQUIRE(relay.ctl({"tenant", "set", "title", "Second CLI title"}).exit_code == 0);
  auto p2 = http(relay.port(), "PATCH", "/api/v1/settings", Json{{"brand_color", "#112233"}}.dump(), with_cookie(cookie));
  REQUIRE_MESSAGE(p2.status == 200, p2.body);
  CHECK(eventually([&] {
    auto c = http_get(relay.port(), "/api/config").json();
    return c.value("title", "") == "Second CLI title" && c.value("brand_color", "") == "#112233";
  }));
  auto settings = http_get(relay.port(), "/api/v1/settings", {{"Cookie", cookie}}).json()["settings"];
  CHECK(settings.value("title", "") == "Second CLI title");
  CHECK(settings.value("brand_color", "") == "#112233");
  CHECK(settings.value("welcome", "") == "Welcome from REST");
}

TEST_CASE("correctness 5: two concurrent PATCHes of different fields both survive") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  for (int round = 0; round < 5; ++round) {
    const std::string title = "Title " + std::to_string(round);
    const std::string welcome = "Welcome " + std::to_string(round);
    HttpResult a, b;
    std::thread ta([&] {
      a = http(relay.port(), "PATCH", "/api/v1/settings", Json{{"title", title}}.dump(), with_cookie(cookie));
    });
    std::thread tb([&] {
      b = http(relay.port(), "PATCH", "/api/v1/settings", Json{{"welcome", welcome}}.dump(), with_cookie(cookie));
    });
    ta.join();
    tb.join();
    REQUIRE_MESSAGE(a.status == 200, a.body);
    REQUIRE_MESSAGE(b.status == 200, b.body);
    auto s = http_get(relay.port(), "/api/v1/settings", {{"Cookie", cookie}}).json()["settings"];
    CHECK(s.value("title", "") == title);
    CHECK(s.value("welcome", "") == welcome);
    auto cfg = http_get(relay.port(), "/api/config").json();
    CHECK(cfg.value("title", "") == title);
    CHECK(cfg.value("welcome", "") == welcome);
  }
}

TEST_CASE("correctness 5: parleyctl kb import changes the running relay's answers and GET /api/v1/kb") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  const std::string kb = relay.dir() + "/zebra.json";
  write_file(kb, R"([{"id":"zebra","title":"Zebra care","body":"Polish the stripes of your zebra weekly.","keywords":["zebra","stripes"]}])");
  auto r = relay.ctl({"kb", "import", kb});
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(eventually([&] {
    return http_get(relay.port(), "/api/v1/kb", {{"Cookie", cookie}}).body.find("Zebra care") != std::string::npos;
  }));
  auto list = http_get(relay.port(), "/api/v1/kb", {{"Cookie", cookie}}).json();
  CHECK(list["articles"].size() == 1);

  // The assistant answers from the new articles.
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Zed"}});
  auto asked = cust.send(cid, "how do I look after my zebra");
  REQUIRE(asked.ok());
  const std::int64_t asked_seq = asked.data().value("seq", 0);
  auto answer = cust->wait_for(
      [&](const Json& f) {
        return f.value("type", "") == "chat.new_message" && f.value("conversation_id", "") == cid &&
               f.value("seq", 0) > asked_seq && f["actor"].value("role", "") == "bot";
      },
      "the assistant's answer");
  INFO("answer: " << answer.dump());
  CHECK(answer.dump().find("stripes") != std::string::npos);
}

TEST_CASE("correctness 5: a tenant created with parleyctl is usable without a restart") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  CHECK(http_get(relay.port(), "/api/config?tenant=acme").status == 404);
  auto r = relay.ctl({"tenant", "create", "acme", "--name", "Acme Ltd"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(eventually([&] { return http_get(relay.port(), "/api/config?tenant=acme").status == 200; }));
  auto cfg = http_get(relay.port(), "/api/config?tenant=acme").json();
  INFO("config: " << cfg.dump());
  CHECK(cfg.dump().find("acme") != std::string::npos);
  // A customer can chat in it.
  WsClient ws(relay.port(), WsOptions{"", relay.origin(), "/ws"});
  auto hello = ws.request(cmd("hello", {{"tenant", "acme"}}));
  REQUIRE_MESSAGE(hello.ok(), hello.frame.dump());
  auto start = ws.request(cmd("chat.start", {{"name", "Ann"}}));
  CHECK_MESSAGE(start.ok(), start.frame.dump());
}

TEST_CASE("correctness 5: the README's parleyctl and curl examples work against a running relay") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  // tenant show / set title / set allowed_sites / kb import docs/examples/kb.md, as written.
  auto show = relay.ctl({"tenant", "show"});
  CHECK_MESSAGE(show.exit_code == 0, show.out << show.err);
  auto t = relay.ctl({"tenant", "set", "title", "Help centre"});
  CHECK_MESSAGE(t.exit_code == 0, t.out << t.err);
  auto sites = relay.ctl({"tenant", "set", "allowed_sites", "https://www.example.org"});
  CHECK_MESSAGE(sites.exit_code == 0, sites.out << sites.err);
  auto kb = relay.ctl({"kb", "import", std::string(PARLEY_SOURCE_DIR) + "/docs/examples/kb.md"});
  CHECK_MESSAGE(kb.exit_code == 0, kb.out << kb.err);
  CHECK(eventually([&] { return http_get(relay.port(), "/api/config").json().value("title", "") == "Help centre"; }));
  CHECK(eventually([&] {
    auto w = http_get(relay.port(), "/widget.html?tenant=default");
    return w.header("content-security-policy").find("https://www.example.org") != std::string::npos;
  }));

  // The mirror example, with the key of the first start (first-admin.txt).
  const std::string first = read_file(relay.data_dir() + "/first-admin.txt");
  std::string key;
  {
    std::istringstream in(first);
    std::string tok;
    while (in >> tok) {
      if (tok.rfind("pk_", 0) == 0) key = tok;
    }
  }
  REQUIRE_MESSAGE(!key.empty(), "no pk_ key in first-admin.txt:\n" << first);
  auto sync = http(relay.port(), "POST", "/api/chat/sync",
                   R"({"user_id":"user_123","message":"I need help","sender":"user","timestamp":"2024-10-21 16:45:00","message_id":"m-1"})",
                   {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}});
  INFO("sync: " << sync.status << " " << sync.body);
  CHECK(sync.status == 200);
  CHECK(sync.json().value("success", false));
  CHECK(sync.json().value("saved", false));
  CHECK(sync.json().value("conversation_id", "").rfind("c_", 0) == 0);
  // GET /healthz and GET /metrics as in "Operating it".
  CHECK(http_get(relay.port(), "/healthz").status == 200);
  CHECK(http_get(relay.port(), "/metrics").status == 200);
}

// ---- Correctness 6: REST messages need an idempotency key ------------------------------------------------

TEST_CASE("correctness 6: POST .../messages without client_msg_id or Idempotency-Key is refused; a key stores once") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Ida"}});
  const std::string path = "/api/v1/conversations/" + cid + "/messages";

  auto bare = http(relay.port(), "POST", path, Json{{"text", "a note"}, {"kind", "note"}}.dump(), with_cookie(cookie));
  INFO("bare: " << bare.body);
  CHECK(bare.status == 400);
  CHECK(bare.json()["error"].value("code", "") == "missing_field");
  {
    auto none = stored_messages(relay, cid);
    CHECK(std::none_of(none.begin(), none.end(), [](const StoredMessage& m) { return m.text == "a note"; }));
  }

  Headers h = with_cookie(cookie);
  h.emplace_back("Idempotency-Key", "note-key-1");
  auto first = http(relay.port(), "POST", path, Json{{"text", "a note"}, {"kind", "note"}}.dump(), h);
  auto second = http(relay.port(), "POST", path, Json{{"text", "a note"}, {"kind", "note"}}.dump(), h);
  INFO("first: " << first.body << " second: " << second.body);
  CHECK(first.status == 201);
  CHECK(second.status == 200);
  CHECK(second.json().value("duplicate", false));
  CHECK(second.json().value("seq", 0) == first.json().value("seq", -1));
  auto msgs = stored_messages(relay, cid);
  CHECK(std::count_if(msgs.begin(), msgs.end(), [](const StoredMessage& m) { return m.text == "a note"; }) == 1);
}

// ---- Correctness 7: /metrics counts once --------------------------------------------------------------

TEST_CASE("correctness 7: /metrics counts each connection, frame and HTTP request once") {
  Relay relay(RelayOptions::with_args(test_flags()));
  relay.start();
  // HTTP: M requests between two scrapes -> M + 1 (the second scrape counts itself).
  const std::string m0 = scrape(relay);
  const int M = 7;
  for (int i = 0; i < M; ++i) REQUIRE(http_get(relay.port(), "/healthz").status == 200);
  const std::string m1 = scrape(relay);
  CHECK(metric(m1, "parley_http_requests_total") - metric(m0, "parley_http_requests_total") == M + 1);

  // WebSocket: 3 connections, K frames in all (each answered, so each was read).
  const std::string w0 = scrape(relay);
  const int K = 9;
  {
    std::vector<std::unique_ptr<WsClient>> socks;
    for (int i = 0; i < 3; ++i) socks.push_back(std::make_unique<WsClient>(relay.port(), WsOptions{"", relay.origin(), "/ws"}));
    for (int i = 0; i < K; ++i) {
      auto r = socks[i % 3]->request(cmd("ping"));
      (void)r;
    }
    for (auto& s : socks) s->close();
  }
  const std::string w1 = scrape(relay);
  CHECK(metric(w1, "parley_ws_connections_total") - metric(w0, "parley_ws_connections_total") == 3);
  CHECK(metric(w1, "parley_ws_frames_in_total") - metric(w0, "parley_ws_frames_in_total") == K);
  // The 3 upgrades and the scrape are HTTP requests, once each.
  CHECK(metric(w1, "parley_http_requests_total") - metric(w0, "parley_http_requests_total") == 3 + 1);
  CHECK(eventually([&] { return metric(scrape(relay), "parley_ws_connections") == 0; }));
}

// ---- Correctness 8: the sweep does not visit every conversation -----------------------------------------

TEST_CASE("correctness 8: the sweep visits no conversation while every waiting customer is connected") {
  Relay relay(RelayOptions::with_args(test_flags({"--agent-grace", "0.4", "--abandon-after", "0.4"})));
  relay.start();
  disable_assistant(relay);  // conversations start waiting (pending)
  std::vector<Customer> custs;
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    custs.push_back(Customer::connect(relay));
    ids.push_back(custs.back().start({{"name", "Waiting " + std::to_string(i)}}));
  }
  for (const auto& id : ids) REQUIRE(stored_status(relay, id) == "pending");
  const std::int64_t visited0 = counter(relay, "sweep_conversations_visited");
  const std::int64_t sweeps0 = counter(relay, "sweeps");
  REQUIRE(eventually([&] { return counter(relay, "sweeps") >= sweeps0 + 5; }));
  CHECK(counter(relay, "sweep_conversations_visited") == visited0);
  CHECK(visited0 == 0);

  // One customer leaves: only their conversation is visited (and abandoned).
  custs[3]->drop();
  CHECK(eventually([&] { return stored_status(relay, ids[3]) == "resolved"; }));
  const std::int64_t sweeps1 = counter(relay, "sweeps");
  REQUIRE(eventually([&] { return counter(relay, "sweeps") >= sweeps1 + 3; }));
  CHECK(counter(relay, "sweep_conversations_visited") == 1);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 3) CHECK(stored_status(relay, ids[i]) == "pending");
  }
}

TEST_CASE("correctness 8: the REST message page returns a page, with more and after_seq") {
  Relay relay(RelayOptions::with_args(test_flags({"--rate", "100000", "--burst", "100000"})));
  relay.start();
  disable_assistant(relay);
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Pam"}});
  send_many(*cust.ws, cid, 60, "page-");
  const std::string base = "/api/v1/conversations/" + cid + "/messages";
  auto p1 = http_get(relay.port(), base + "?limit=10", {{"Cookie", cookie}});
  REQUIRE_MESSAGE(p1.status == 200, p1.body);
  const Json j1 = p1.json();
  REQUIRE(j1["messages"].size() == 10);
  CHECK(j1.value("more", false));
  const std::int64_t last = j1["messages"].back().value("seq", 0);
  auto p2 = http_get(relay.port(), base + "?limit=10&after_seq=" + std::to_string(last), {{"Cookie", cookie}});
  const Json j2 = p2.json();
  REQUIRE(j2["messages"].size() == 10);
  CHECK(j2["messages"][0].value("seq", 0) > last);
  auto all = http_get(relay.port(), base + "?limit=1000", {{"Cookie", cookie}}).json();
  CHECK(all["messages"].size() == 60);
  CHECK_FALSE(all.value("more", true));
}
