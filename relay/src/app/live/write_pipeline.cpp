// Persist -> ack -> broadcast with a write queue per conversation (write_pipeline.hpp).
#include "app/live/write_pipeline.hpp"

#include <boost/asio/post.hpp>

#include "core/log.hpp"
#include "parley/replies.hpp"
#include "core/metrics.hpp"

namespace asio = boost::asio;

namespace parley::relay {

struct ConvState::Queued {
  Decide decide;
  AckFn ack;
  bool redecided = false;  // decided again once already (after a duplicate the window missed)
};

struct WritePipeline::Member {
  std::shared_ptr<ConvState::Queued> request;
  Decision decision;
};

WritePipeline::WritePipeline(asio::io_context& io, DataStore& store, ConversationRegistry& convs,
                             StoreReader*& reader, Hooks hooks)
    : io_(io), store_(store), convs_(convs), reader_(reader), hooks_(std::move(hooks)) {}

void WritePipeline::wait_committed(ConvState& cs, Seq seq, std::function<void(bool)> fn) {
  if (seq <= cs.committed_seq()) return fn(true);
  cs.waiters.emplace(seq, std::move(fn));
}

void WritePipeline::submit(ConvState& cs, Decide decide, AckFn ack) {
  auto q = std::make_shared<ConvState::Queued>();
  q->decide = std::move(decide);
  q->ack = std::move(ack);
  cs.write_queue.push_back(std::move(q));
  pump(cs.live.id);
}

Error store_refusal(const DataStore& store, const Error& e) {
  if (e.code != ErrorCode::unavailable) return e;
  if (store.failed()) {
    return make_error(ErrorCode::unavailable, "the store refuses writes (a commit failed); nothing was stored");
  }
  metrics().store_busy_refusals.fetch_add(1, std::memory_order_relaxed);
  return make_error(ErrorCode::busy, "the database is busy; nothing was stored; retry");
}

Error WritePipeline::refusal(const Error& e) const { return store_refusal(store_, e); }

void WritePipeline::pump(const std::string& conv_id) {
  ConvState* cs = convs_.find(conv_id);
  while (cs && !cs->poisoned && cs->inflight < kMaxInFlight && !cs->write_queue.empty()) {
    auto members = std::make_shared<std::vector<Member>>();
    auto events = std::make_shared<std::vector<Event>>();
    std::vector<Mutation> ops;
    // The state the write in flight leaves (what this one builds on), or the committed one.
    const Conversation base = cs->live;
    const Seq base_head = base.head_seq;
    // Decide every queued request against the live state, in order.
    std::deque<std::shared_ptr<ConvState::Queued>> queue;
    queue.swap(cs->write_queue);
    for (auto& q : queue) {
      ++counters_.requests;
      Decision d = q->decide(*cs);
      if (d.kind == Decision::Kind::answer) {
        if (q->ack) q->ack(std::move(d.answer));
        cs = convs_.find(conv_id);  // an ack never erases, but stay safe
        if (!cs) return;
        continue;
      }
      cs->live = d.transition.next;
      for (Mutation& m : d.extra) ops.push_back(std::move(m));
      d.extra.clear();
      // Moved, not copied (a DOM copy per event showed in the profile); the decision keeps only
      // what its ack needs.
      for (Event& e : d.transition.events) events->push_back(std::move(e));
      d.transition.events.clear();
      members->push_back(Member{q, std::move(d)});
    }
    if (members->empty()) continue;
    if (events->empty()) {
      // Only no-ops (the same agent accepting twice, the same priority): nothing to write. They
      // are answered once what they were decided on has committed.
      for (Member& m : *members) {
        auto ack = m.request->ack;
        auto data = m.decision.ack_data;
        if (!ack || !data) continue;
        wait_committed(*cs, cs->live.head_seq, [this, conv_id, ack, data](bool ok) {
          ConvState* c = convs_.find(conv_id);
          if (!ok || !c) return ack(refusal(make_error(ErrorCode::unavailable, "")));
          ack(data(*c));
        });
      }
      continue;
    }
    if (store_.failed()) {
      const Error e = refusal(make_error(ErrorCode::unavailable, ""));
      cs->live = cs->committed;
      for (Member& m : *members) {
        if (!m.decision.client_msg_id.empty()) cs->msg_ids.erase(m.decision.client_msg_id);
        if (m.request->ack) m.request->ack(e);
      }
      continue;
    }
    const Conversation next = cs->live;
    // Chained behind a write still in flight: it may only commit on top of that one.
    std::optional<Seq> expect;
    if (cs->inflight > 0) expect = base_head;
    // A message moves only the head and its timestamps: a narrow UPDATE (the row exists once
    // its first write was stored; a chained write behind that one expects its head).
    if (base_head > 0 && only_advances(base, next)) {
      ops.push_back(advance_of(next, expect));
      ++counters_.narrow_writes;
    } else {
      ops.push_back(UpsertConversation{next, expect});
    }
    for (const Event& e : *events) ops.push_back(AppendEvent{next.tenant_id, e});
    if (before_write_) before_write_(next, *events, ops);
    ++cs->inflight;
    ++counters_.writes;
    store_.write(std::move(ops), [this, conv_id, members, next, events](const std::optional<Error>& err) {
      asio::post(io_, [this, conv_id, members, next, events, err] { done(conv_id, members, next, events, err); });
    });
  }
}

void WritePipeline::recover(ConvState& cs) {
  // Every write behind the refused one has come back (refused too: each expected its
  // predecessor's head). The live state falls back to what is stored, waiters for seqs that
  // were never stored learn it, and the requests of the refused chain are decided again first.
  cs.poisoned = false;
  cs.live = cs.committed;
  for (auto it = cs.waiters.begin(); it != cs.waiters.end();) {
    if (it->first > cs.committed_seq()) {
      auto fn = std::move(it->second);
      it = cs.waiters.erase(it);
      fn(false);
    } else {
      ++it;
    }
  }
  for (auto it = cs.redo.rbegin(); it != cs.redo.rend(); ++it) cs.write_queue.push_front(*it);
  cs.redo.clear();
}

void WritePipeline::done(const std::string& conv_id, std::shared_ptr<std::vector<Member>> members,
                         Conversation next, std::shared_ptr<std::vector<Event>> events, std::optional<Error> err) {
  ConvState* cs = convs_.find(conv_id);
  if (!cs) return;
  --cs->inflight;
  if (err) {
    ++counters_.failed_writes;
    for (Member& m : *members) {
      if (!m.decision.client_msg_id.empty()) cs->msg_ids.erase(m.decision.client_msg_id);
    }
    if (cs->poisoned) {
      // Decided on top of a write that was refused: nothing of it is stored; decide it again.
      for (Member& m : *members) {
        ++counters_.redecided;
        cs->redo.push_back(m.request);
      }
    } else if (is_duplicate(*err, "client_msg_id") && reader_) {
      // A client_msg_id the bounded window did not hold, already stored: answer that request as
      // a duplicate and decide the others again (each only once, so a broken op cannot loop).
      for (Member& m : *members) {
        const std::string& cmid = m.decision.client_msg_id;
        std::optional<MessageRef> hit;
        if (!cmid.empty()) {
          auto found = reader_->find_message_by_client_msg_id(cs->committed.tenant_id, cmid);
          if (found && found->has_value() && (*found)->conversation_id == conv_id) hit = **found;
        }
        if (hit) {
          cs->msg_ids.add(cmid, hit->seq);
          if (m.request->ack) m.request->ack(to_json(SendAck{conv_id, hit->seq, true, {}, {}}));
        } else if (!m.request->redecided) {
          m.request->redecided = true;
          ++counters_.redecided;
          cs->redo.push_back(m.request);
        } else if (m.request->ack) {
          m.request->ack(make_error(ErrorCode::internal, "could not store the change"));
        }
      }
    } else {
      const Error e = refusal(*err);
      if (e.code == ErrorCode::unavailable) {
        log::error("STORE FAILED: refusing every further write; fix the disk and restart the relay",
                   {{"conversation", conv_id}, {"error", err->message}});
      } else {
        log::warn("write refused", {{"conversation", conv_id}, {"code", to_string(e.code)}, {"error", err->message}});
      }
      for (Member& m : *members) {
        if (m.request->ack) m.request->ack(e);
      }
    }
    cs = convs_.find(conv_id);
    if (!cs) return;
    cs->poisoned = true;
    if (cs->inflight > 0) return;  // the writes behind it come back refused first
    recover(*cs);
    if (cs->committed_seq() == 0 && cs->write_queue.empty()) {
      convs_.drop_uncommitted(conv_id);  // its first write failed: it never existed
      return;
    }
    pump(conv_id);
    return;
  }

  convs_.set_committed(*cs, next);
  for (const Event& e : *events) ConversationRegistry::absorb(*cs, e);
  // Ack first, then broadcast (the sender also receives its own events), then the inbox.
  for (Member& m : *members) {
    if (m.request->ack && m.decision.ack_data) m.request->ack(m.decision.ack_data(*cs));
  }
  if (hooks_.committed) hooks_.committed(*cs, *events);
  if (after_commit_) after_commit_(*cs);
  while (!cs->waiters.empty() && cs->waiters.begin()->first <= cs->committed_seq()) {
    auto fn = std::move(cs->waiters.begin()->second);
    cs->waiters.erase(cs->waiters.begin());
    fn(true);
  }
  for (Member& m : *members) {
    if (m.decision.after) m.decision.after();
  }
  pump(conv_id);
  convs_.maybe_evict(conv_id);
}

}  // namespace parley::relay
