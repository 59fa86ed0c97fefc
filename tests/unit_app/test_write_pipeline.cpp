// Unit tests of the write pipeline (relay/src/app/live/write_pipeline.hpp) against a fake
// DataStore that records each write and lets the test complete it with success or an error.
// What is checked: one write in flight per conversation, requests decided when their turn comes
// (after the write before them), a refused write leaves no gap and no half-applied live state,
// and a duplicate the bounded window missed is answered as a duplicate.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/live/conversations.hpp"
#include "app/live/write_pipeline.hpp"
#include "domain/store_api.hpp"
#include "parley/conversation.hpp"

using namespace parley;
using namespace parley::relay;

namespace {

// ---- fakes ---------------------------------------------------------------------------------------

class FakeStore final : public DataStore {
 public:
  struct Pending {
    std::vector<Mutation> ops;
    Done done;
    bool answered = false;
  };
  using DataStore::write;
  void write(std::vector<Mutation> ops, Done done) override {
    writes.push_back(Pending{std::move(ops), std::move(done)});
  }
  void drain() override {}
  void set_batch_done(std::function<void()>) override {}
  bool failed() const override { return failed_; }
  StoreStats stats() const override { return StoreStats{}; }
  Result<std::unique_ptr<StoreReader>> open_reader() const override {
    return make_error(ErrorCode::unavailable, "fake store: no readers");
  }
  // Answers write `i` (as the writer thread would).
  void complete(std::size_t i, std::optional<Error> err = std::nullopt) {
    REQUIRE(i < writes.size());
    REQUIRE_FALSE(writes[i].answered);
    writes[i].answered = true;
    if (writes[i].done) writes[i].done(err);
  }
  std::size_t in_flight() const {
    std::size_t n = 0;
    for (const auto& w : writes) n += w.answered ? 0 : 1;
    return n;
  }

  std::vector<Pending> writes;
  bool failed_ = false;
};

#define FAKE_NOPE return make_error(ErrorCode::internal, "fake reader: not implemented")

// Only find_message_by_client_msg_id answers (the duplicate path); everything else fails.
class FakeReader final : public StoreReader {
 public:
  std::map<std::string, MessageRef> by_cmid;  // tenant-less: the test has one tenant
  int cmid_lookups = 0;

  Result<std::vector<Tenant>> load_tenants() override { FAKE_NOPE; }
  Result<std::optional<Tenant>> find_tenant(const std::string&) override { FAKE_NOPE; }
  Result<std::vector<KbArticle>> load_kb(const std::string&) override { FAKE_NOPE; }
  Result<std::optional<User>> find_user_by_username(const std::string&) override { FAKE_NOPE; }
  Result<std::optional<User>> find_user(const std::string&) override { FAKE_NOPE; }
  Result<std::vector<User>> list_users(const std::string&) override { FAKE_NOPE; }
  Result<std::optional<Session>> find_session(const std::string&) override { FAKE_NOPE; }
  Result<std::optional<ApiKey>> find_api_key_by_hash(const std::string&) override { FAKE_NOPE; }
  Result<std::vector<ApiKey>> list_api_keys(const std::string&) override { FAKE_NOPE; }
  Result<std::int64_t> data_version() override { FAKE_NOPE; }
  Result<std::vector<Change>> changes_after(std::int64_t, std::size_t) override { FAKE_NOPE; }
  Result<std::int64_t> last_change_id() override { FAKE_NOPE; }
  Result<std::optional<Contact>> find_contact(const std::string&, const std::string&) override { FAKE_NOPE; }
  Result<std::optional<Contact>> find_contact_by_external(const std::string&, Channel, const std::string&) override {
    FAKE_NOPE;
  }
  Result<std::optional<Visitor>> find_visitor(const std::string&) override { FAKE_NOPE; }
  Result<std::vector<Conversation>> load_open_conversations() override { FAKE_NOPE; }
  Result<std::optional<Conversation>> find_conversation(const std::string&, const std::string&) override {
    FAKE_NOPE;
  }
  Result<std::vector<Conversation>> list_conversations(const std::string&, const ConversationFilter&) override {
    FAKE_NOPE;
  }
  Result<std::vector<Conversation>> contact_conversations(const std::string&, const std::string&,
                                                          std::size_t) override {
    FAKE_NOPE;
  }
  Result<RecentPage> recent_page(const std::string&, const RecentQuery&) override { FAKE_NOPE; }
  Result<StatusCounts> status_counts(const std::string&) override { FAKE_NOPE; }
  Result<DaySums> day_sums(const std::string&, Millis) override { FAKE_NOPE; }
  Result<std::vector<Event>> events_after(const std::string&, const std::string&, Seq, bool,
                                          std::size_t) override {
    FAKE_NOPE;
  }
  Result<MessagePage> messages_page(const std::string&, const std::string&, Seq, std::size_t, bool) override {
    FAKE_NOPE;
  }
  Result<std::vector<Message>> load_messages(const std::string&, const std::string&, bool) override { FAKE_NOPE; }
  Result<std::vector<std::pair<std::string, Seq>>> client_msg_ids(const std::string&) override { FAKE_NOPE; }
  Result<std::vector<std::pair<std::string, Seq>>> recent_client_msg_ids(const std::string&, const std::string&,
                                                                         std::size_t) override {
    FAKE_NOPE;
  }
  Result<std::optional<MessageRef>> find_message_by_client_msg_id(const std::string&,
                                                                  const std::string& cmid) override {
    ++cmid_lookups;
    auto it = by_cmid.find(cmid);
    if (it == by_cmid.end()) return std::optional<MessageRef>{};
    return std::optional<MessageRef>{it->second};
  }
  Result<std::vector<std::string>> last_customer_messages(const std::string&, const std::string&,
                                                          std::size_t) override {
    FAKE_NOPE;
  }
  Result<ConversationPreview> conversation_preview(const std::string&, const std::string&) override { FAKE_NOPE; }
};

// ---- fixture ---------------------------------------------------------------------------------------

constexpr Millis kNow = 1'700'000'000'000;
const Actor kCustomer{Role::customer, "k1", "Kim"};
const std::string kConv = "c_test";

struct Fixture {
  boost::asio::io_context io;
  FakeStore store;
  FakeReader fake_reader;
  StoreReader* reader = &fake_reader;
  ConversationRegistry convs{[](const std::string&, Millis) { return std::pair<Millis, Millis>{kNow - 1000, kNow + 86'400'000}; },
                             [] { return kNow; }};
  std::vector<std::string> log;  // "decide:X@committed", "ack:X", "broadcast:N"
  std::vector<std::vector<Seq>> broadcasts;
  WritePipeline pipeline{io, store, convs, reader,
                         WritePipeline::Hooks{[this](ConvState&, const std::vector<Event>& evs) {
                           std::vector<Seq> seqs;
                           for (const Event& e : evs) seqs.push_back(e.seq);
                           broadcasts.push_back(seqs);
                           log.push_back("broadcast:" + std::to_string(evs.size()));
                         }}};

  // Runs the loop until nothing is left to do (the store's completions are posted to it).
  void run() {
    io.restart();
    io.poll();
  }

  ConvState& cs() {
    ConvState* p = convs.find(kConv);
    REQUIRE(p != nullptr);
    return *p;
  }

  // A committed conversation (chat.new_session at seq 1), through the pipeline itself.
  ConvState& started() {
    Conversation init;
    init.id = kConv;
    init.tenant_id = "t1";
    init.contact_id = "k1";
    init.created_at = kNow;
    ConvState& c = convs.create(init);
    std::optional<Result<Json>> acked;
    pipeline.submit(
        c,
        [](ConvState& s) -> Decision {
          return Decision::persist(start_conversation(s.live, kCustomer, kNow, ConversationPolicy{true}),
                                   [](const ConvState& st) { return Json{{"seq", st.committed_seq()}}; });
        },
        [&acked](Result<Json> r) { acked = std::move(r); });
    REQUIRE(store.writes.size() == 1);
    store.complete(0);
    run();
    REQUIRE(acked.has_value());
    REQUIRE(acked->ok());
    log.clear();
    broadcasts.clear();
    REQUIRE(cs().committed_seq() == 1);
    return cs();
  }

  // A customer message request, the way commands/messages.cpp builds one.
  Decide message(const std::string& text, const std::string& cmid) {
    return [this, text, cmid](ConvState& c) -> Decision {
      log.push_back("decide:" + text + "@" + std::to_string(c.committed_seq()) +
                    (c.inflight > 0 ? ":chained" : ""));
      if (const Seq* seq = c.msg_ids.find(cmid); seq && *seq <= c.committed_seq()) {
        return Decision::reply(Json{{"seq", *seq}, {"duplicate", true}});
      }
      Message m;
      m.client_msg_id = cmid;
      m.text = text;
      auto tr = post_message(c.live, kCustomer, std::move(m), kNow, ConversationPolicy{true});
      if (!tr) return Decision::reply(tr.error());
      const Seq seq = tr->events.back().seq;
      c.msg_ids.add(cmid, seq);
      Decision d = Decision::persist(std::move(tr).value(), [seq](const ConvState&) {
        return Json{{"seq", seq}, {"duplicate", false}};
      });
      d.client_msg_id = cmid;
      return d;
    };
  }

  // Submits a message; its ack lands in `out`.
  void send(const std::string& text, const std::string& cmid, std::optional<Result<Json>>& out) {
    pipeline.submit(cs(), message(text, cmid), [this, text, &out](Result<Json> r) {
      log.push_back("ack:" + text);
      out = std::move(r);
    });
  }
};

// Seqs of the AppendEvent mutations of one write.
std::vector<Seq> event_seqs(const std::vector<Mutation>& ops) {
  std::vector<Seq> out;
  for (const Mutation& m : ops) {
    if (const auto* a = std::get_if<AppendEvent>(&m)) out.push_back(a->event.seq);
  }
  return out;
}
// expect_head of the UpsertConversation of one write (nullopt: not chained).
std::optional<Seq> upsert_expect(const std::vector<Mutation>& ops) {
  for (const Mutation& m : ops) {
    if (const auto* u = std::get_if<UpsertConversation>(&m)) return u->expect_head;
    if (const auto* a = std::get_if<AdvanceConversation>(&m)) return a->expect_head;
  }
  return std::nullopt;
}
// head_seq of the UpsertConversation of one write (0 when none).
Seq upsert_head(const std::vector<Mutation>& ops) {
  for (const Mutation& m : ops) {
    if (const auto* u = std::get_if<UpsertConversation>(&m)) return u->conversation.head_seq;
    if (const auto* a = std::get_if<AdvanceConversation>(&m)) return a->head_seq;
  }
  return 0;
}

Seq seq_of(const std::optional<Result<Json>>& r) {
  REQUIRE(r.has_value());
  REQUIRE(r->ok());
  return r->value().value("seq", Seq{0});
}

}  // namespace

// ---- tests -----------------------------------------------------------------------------------------

TEST_CASE("write pipeline: requests arriving while a write is in flight are chained behind it") {
  Fixture f;
  f.started();
  std::optional<Result<Json>> a, b, c;
  f.send("a", "m-a", a);
  REQUIRE(f.store.writes.size() == 2);  // a is decided and written at once, not chained
  CHECK(event_seqs(f.store.writes[1].ops) == std::vector<Seq>{2});
  CHECK_FALSE(upsert_expect(f.store.writes[1].ops).has_value());
  f.send("b", "m-b", b);
  f.send("c", "m-c", c);
  // Decided at once on top of a (the group commit stays fed), each chained to its predecessor.
  REQUIRE(f.store.writes.size() == 4);
  CHECK(f.log == std::vector<std::string>{"decide:a@1", "decide:b@1:chained", "decide:c@1:chained"});
  CHECK(event_seqs(f.store.writes[2].ops) == std::vector<Seq>{3});
  CHECK(upsert_expect(f.store.writes[2].ops) == std::optional<Seq>{2});
  CHECK(event_seqs(f.store.writes[3].ops) == std::vector<Seq>{4});
  CHECK(upsert_expect(f.store.writes[3].ops) == std::optional<Seq>{3});
  // A message moves only the head and its timestamps: the narrow write, not the whole row.
  for (int w : {1, 2, 3}) CHECK(std::holds_alternative<AdvanceConversation>(f.store.writes[w].ops.front()));
  CHECK(std::holds_alternative<UpsertConversation>(f.store.writes[0].ops.front()));
  CHECK(f.cs().live.head_seq == 4);
  CHECK(f.cs().committed_seq() == 1);
  CHECK_FALSE(a.has_value());

  // Completions come back in order (one writer, FIFO); each is acked, then broadcast.
  f.store.complete(1);
  f.run();
  CHECK(seq_of(a) == 2);
  CHECK_FALSE(b.has_value());
  CHECK(f.cs().committed_seq() == 2);
  f.store.complete(2);
  f.store.complete(3);
  f.run();
  CHECK(seq_of(b) == 3);
  CHECK(seq_of(c) == 4);
  CHECK(f.cs().committed_seq() == 4);
  CHECK(f.broadcasts.back() == std::vector<Seq>{4});
  CHECK(f.pipeline.counters().writes == 4);  // the start, then a, b, c
}

TEST_CASE("write pipeline: at most a few writes of one conversation are in flight; the rest wait and go together") {
  Fixture f;
  f.started();
  std::vector<std::optional<Result<Json>>> r(8);
  for (int i = 0; i < 8; ++i) f.send("m" + std::to_string(i), "m-" + std::to_string(i), r[i]);
  // kMaxInFlight writes, the other requests queued undecided.
  REQUIRE(f.store.writes.size() == 1 + 4);
  f.store.complete(1);
  f.run();
  // One slot freed: every queued request decided together, in one write.
  REQUIRE(f.store.writes.size() == 1 + 5);
  CHECK(event_seqs(f.store.writes[5].ops) == std::vector<Seq>{6, 7, 8, 9});
  CHECK(upsert_expect(f.store.writes[5].ops) == std::optional<Seq>{5});
  for (std::size_t w = 2; w <= 5; ++w) f.store.complete(w);
  f.run();
  for (int i = 0; i < 8; ++i) CHECK(seq_of(r[i]) == 2 + i);
}

TEST_CASE("write pipeline: a refused write fails its requests; the chained ones are decided again, seqs contiguous") {
  Fixture f;
  f.started();
  std::optional<Result<Json>> x, a, b, d;
  f.send("x", "m-x", x);  // write 1: seq 2
  f.store.complete(1);
  f.run();
  CHECK(seq_of(x) == 2);
  f.send("a", "m-a", a);  // write 2: seq 3
  f.send("b", "m-b", b);  // write 3: seq 4, chained to write 2
  REQUIRE(f.store.writes.size() == 4);
  const std::size_t broadcasts_before = f.broadcasts.size();

  // The database is busy (another process held the write lock past busy_timeout).
  f.store.complete(2, make_error(ErrorCode::unavailable, "database is busy: database is locked"));
  f.run();
  REQUIRE(a.has_value());
  REQUIRE_FALSE(a->ok());
  CHECK(a->error().code == ErrorCode::busy);  // retry, not "store failed"
  CHECK_FALSE(b.has_value());                 // its write is still out
  // The chained write cannot commit on top of the refused one: the store says stale.
  f.store.complete(3, stale_error("conversation c_test is at seq 2, not 3"));
  f.run();
  CHECK(f.broadcasts.size() == broadcasts_before);  // nothing went out
  CHECK_FALSE(b.has_value());                        // decided again, not failed
  CHECK(f.cs().committed_seq() == 2);
  REQUIRE(f.store.writes.size() == 5);
  CHECK(event_seqs(f.store.writes[4].ops) == std::vector<Seq>{3});  // 3 again, not 5
  CHECK_FALSE(upsert_expect(f.store.writes[4].ops).has_value());
  CHECK(f.pipeline.counters().failed_writes == 2);
  CHECK(f.pipeline.counters().redecided == 1);
  f.store.complete(4);
  f.run();
  CHECK(seq_of(b) == 3);

  // The next request gets the next contiguous seq.
  f.send("d", "m-d", d);
  REQUIRE(f.store.writes.size() == 6);
  CHECK(event_seqs(f.store.writes[5].ops) == std::vector<Seq>{4});
  f.store.complete(5);
  f.run();
  CHECK(seq_of(d) == 4);
  CHECK(f.cs().live.head_seq == f.cs().committed_seq());

  // A retry of the refused message is stored then (its id was forgotten with the failed write).
  std::optional<Result<Json>> a2;
  f.send("a", "m-a", a2);
  REQUIRE(f.store.writes.size() == 7);
  f.store.complete(6);
  f.run();
  CHECK(seq_of(a2) == 5);
  CHECK_FALSE(a2->value().value("duplicate", true));
}

TEST_CASE("write pipeline: requests queued behind a refused chain are decided afresh on the committed state") {
  Fixture f;
  f.started();
  std::vector<std::optional<Result<Json>>> r(5);
  for (int i = 0; i < 5; ++i) f.send("q" + std::to_string(i), "m-q" + std::to_string(i), r[i]);
  REQUIRE(f.store.writes.size() == 1 + 4);  // q4 waits, undecided
  f.store.complete(1, make_error(ErrorCode::unavailable, "database is busy"));
  for (std::size_t w = 2; w <= 4; ++w) f.store.complete(w, stale_error("behind a refused write"));
  f.run();
  REQUIRE(r[0].has_value());
  CHECK_FALSE(r[0]->ok());
  // q1..q3 (chained) and q4 (queued) are decided again, in order, against committed (head 1).
  CHECK(std::find(f.log.begin(), f.log.end(), "decide:q4@1") != f.log.end());
  REQUIRE(f.store.writes.size() == 6);
  CHECK(event_seqs(f.store.writes[5].ops) == std::vector<Seq>{2, 3, 4, 5});
  f.store.complete(5);
  f.run();
  for (int i = 1; i < 5; ++i) CHECK(seq_of(r[i]) == 1 + i);
}

TEST_CASE("write pipeline: once the store failed for good, requests get unavailable and nothing is written") {
  Fixture f;
  f.started();
  std::optional<Result<Json>> x, y;
  f.send("x", "m-x", x);
  f.store.failed_ = true;
  f.store.complete(1, make_error(ErrorCode::unavailable, "disk I/O error"));
  f.run();
  REQUIRE(x.has_value());
  REQUIRE_FALSE(x->ok());
  CHECK(x->error().code == ErrorCode::unavailable);
  const std::size_t writes = f.store.writes.size();
  f.send("y", "m-y", y);
  f.run();
  REQUIRE(y.has_value());
  REQUIRE_FALSE(y->ok());
  CHECK(y->error().code == ErrorCode::unavailable);
  CHECK(f.store.writes.size() == writes);
  CHECK(f.cs().live.head_seq == f.cs().committed_seq());
}

TEST_CASE("write pipeline: a duplicate the window missed is answered as a duplicate, the others are decided again") {
  Fixture f;
  f.started();
  std::optional<Result<Json>> first;
  f.send("old text", "m-old", first);
  f.store.complete(f.store.writes.size() - 1);
  f.run();
  const Seq old_seq = seq_of(first);
  CHECK(old_seq == 2);
  // Enough later messages that m-old falls out of the bounded window.
  for (std::size_t i = 0; i < RecentIds::kCap; ++i) {
    std::optional<Result<Json>> r;
    f.send("filler " + std::to_string(i), "m-fill-" + std::to_string(i), r);
    f.store.complete(f.store.writes.size() - 1);
    f.run();
    REQUIRE(r.has_value());
  }
  CHECK(f.cs().msg_ids.find("m-old") == nullptr);
  const Seq head = f.cs().committed_seq();
  CHECK(head == 2 + RecentIds::kCap);
  f.fake_reader.by_cmid["m-old"] = MessageRef{kConv, old_seq};  // what the database knows

  std::optional<Result<Json>> x, old_resend, fresh;
  f.send("x", "m-x", x);  // in flight
  const std::size_t wx = f.store.writes.size() - 1;
  f.send("old text", "m-old", old_resend);  // the window does not know it: decided as new
  f.send("fresh", "m-fresh", fresh);        // chained behind it
  const std::size_t wdup = wx + 1, wfresh = wx + 2;
  REQUIRE(f.store.writes.size() == wfresh + 1);
  CHECK(event_seqs(f.store.writes[wdup].ops) == std::vector<Seq>{head + 2});
  CHECK(event_seqs(f.store.writes[wfresh].ops) == std::vector<Seq>{head + 3});
  f.store.complete(wx);
  f.run();
  CHECK(seq_of(x) == head + 1);
  // The database refuses the vector: that client_msg_id is already stored.
  f.store.complete(wdup, duplicate_error("client_msg_id", "m-old"));
  f.run();
  REQUIRE(old_resend.has_value());
  REQUIRE(old_resend->ok());
  CHECK(old_resend->value().value("seq", Seq{0}) == old_seq);
  CHECK(old_resend->value().value("duplicate", false));
  // The chained write cannot commit on top of the refused one; its request is decided again and
  // written alone, with the next contiguous seq.
  f.store.complete(wfresh, stale_error("behind a refused write"));
  f.run();
  CHECK_FALSE(fresh.has_value());
  REQUIRE(f.store.writes.size() == wfresh + 2);
  CHECK(event_seqs(f.store.writes[wfresh + 1].ops) == std::vector<Seq>{head + 2});
  CHECK(f.pipeline.counters().redecided == 1);
  f.store.complete(wfresh + 1);
  f.run();
  CHECK(seq_of(fresh) == head + 2);
  CHECK_FALSE(fresh->value().value("duplicate", true));
  // The window now knows the old id again: a further re-send is answered without a write.
  std::optional<Result<Json>> again;
  f.send("old text", "m-old", again);
  f.run();
  CHECK(f.store.writes.size() == wfresh + 2);
  REQUIRE(again.has_value());
  REQUIRE(again->ok());
  CHECK(again->value().value("seq", Seq{0}) == old_seq);
  CHECK(again->value().value("duplicate", false));
}

TEST_CASE("write pipeline: a first write that fails forgets the conversation (it never existed)") {
  Fixture f;
  Conversation init;
  init.id = kConv;
  init.tenant_id = "t1";
  init.contact_id = "k1";
  ConvState& c = f.convs.create(init);
  std::optional<Result<Json>> acked;
  f.pipeline.submit(
      c,
      [](ConvState& s) -> Decision {
        return Decision::persist(start_conversation(s.live, kCustomer, kNow, ConversationPolicy{true}),
                                 [](const ConvState&) { return Json::object(); });
      },
      [&acked](Result<Json> r) { acked = std::move(r); });
  f.store.complete(0, make_error(ErrorCode::unavailable, "database is busy"));
  f.run();
  REQUIRE(acked.has_value());
  CHECK_FALSE(acked->ok());
  CHECK(f.convs.find(kConv) == nullptr);
}

TEST_CASE("RecentIds: a bounded window of client_msg_ids") {
  RecentIds ids;
  for (std::size_t i = 1; i <= RecentIds::kCap + 50; ++i) ids.add("m" + std::to_string(i), i);
  CHECK(ids.size() == RecentIds::kCap);
  CHECK(ids.find("m1") == nullptr);  // the oldest fell out
  REQUIRE(ids.find("m" + std::to_string(RecentIds::kCap + 50)) != nullptr);
  CHECK(*ids.find("m" + std::to_string(RecentIds::kCap + 50)) == RecentIds::kCap + 50);
  ids.add("", 9);  // no id: not remembered
  CHECK(ids.size() == RecentIds::kCap);
}
