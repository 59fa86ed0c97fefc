// The client-side model of conversations (parley/sync_store.hpp).
#include "parley/sync_store.hpp"

#include <algorithm>

namespace parley {
namespace {

// Reads a string member of an event's data; `fallback` when absent or not a string.
std::string data_text(const Json& data, const char* key, std::string fallback = {}) {
  if (!data.is_object()) return fallback;
  const auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : fallback;
}

const Json* data_object(const Json& data, const char* key) {
  if (!data.is_object()) return nullptr;
  const auto it = data.find(key);
  return it != data.end() && it->is_object() ? &*it : nullptr;
}

void close_summary(Conversation& s, const Event& e, Ending fallback) {
  if (!s.assignee_id.empty()) s.previous_agent_id = s.assignee_id;
  s.assignee_id.clear();
  s.assignee_name.clear();
  s.status = Status::resolved;
  s.ending = parse_ending(data_text(e.data, "ending")).value_or(fallback);
  s.resolved_at = e.at;
}

// Brings the summary up to date with one sequenced event (the relay's own rules, as seen from
// the event stream). Unknown types change nothing but the head.
void update_summary(Conversation& s, const Event& e) {
  const Json& d = e.data;
  if (e.type == ev::new_session) {
    if (const Json* snapshot = data_object(d, "conversation")) {
      if (Result<Conversation> c = conversation_from_json(*snapshot)) s = std::move(c).value();
    }
  } else if (e.type == ev::assigned) {
    s.status = Status::active;
    if (const Json* agent = data_object(d, "agent")) {
      s.assignee_id = data_text(*agent, "id");
      s.assignee_name = data_text(*agent, "name");
    }
    s.assigned_at = e.at;
  } else if (e.type == ev::handed_off) {
    s.status = Status::pending;
    s.handed_off_at = e.at;
  } else if (e.type == ev::requeued) {
    s.previous_agent_id = data_text(d, "previous_agent_id", s.assignee_id);
    s.assignee_id.clear();
    s.assignee_name.clear();
    s.status = Status::pending;
    s.handed_off_at = e.at;
  } else if (e.type == ev::resolved) {
    close_summary(s, e, Ending::resolved_by_staff);
  } else if (e.type == ev::ended) {
    close_summary(s, e, Ending::ended_by_customer);
  } else if (e.type == ev::reopened) {
    s.status = parse_status(data_text(d, "status")).value_or(Status::bot);
    s.ending = Ending::none;
    s.previous_agent_id = data_text(d, "previous_agent_id", s.previous_agent_id);
    s.resolved_at = 0;
  } else if (e.type == ev::csat_requested) {
    s.csat_requested_at = e.at;
  } else if (e.type == ev::rated) {  // staff only
    const auto r = d.is_object() ? d.find("rating") : d.end();
    if (r != d.end() && r->is_number_integer()) s.csat_rating = r->get<int>();
    s.csat_comment = data_text(d, "comment");
    s.csat_at = e.at;
  } else if (e.type == ev::priority_changed) {
    s.priority = parse_priority(data_text(d, "priority")).value_or(s.priority);
  } else if (e.type == ev::handoff_summary) {
    s.handoff_summary = data_text(d, "summary");
  } else if (e.type == ev::transferred) {
    s.previous_agent_id = s.assignee_id.empty() ? s.previous_agent_id : s.assignee_id;
    if (const Json* to = data_object(d, "to")) {
      s.status = Status::active;
      s.assignee_id = data_text(*to, "id");
      s.assignee_name = data_text(*to, "name");
      s.assigned_at = e.at;
    } else {
      s.assignee_id.clear();
      s.assignee_name.clear();
      s.status = Status::pending;
      s.handed_off_at = e.at;
      s.team = data_text(d, "team");
    }
  } else if (e.type == ev::issue_type_changed) {
    s.issue_type = data_text(d, "issue_type");
  } else if (e.type == ev::resolution_note) {
    s.resolution = data_text(d, "resolution");
    s.issue_type = data_text(d, "issue_type");
  }
  if (s.id.empty()) s.id = e.conversation_id;
  s.head_seq = std::max(s.head_seq, e.seq);
  s.updated_at = std::max(s.updated_at, e.at);
}

OutboxEntry* find_entry(std::vector<OutboxEntry>& outbox, const std::string& client_msg_id) {
  const auto it = std::find_if(outbox.begin(), outbox.end(),
                               [&](const OutboxEntry& e) { return e.client_msg_id == client_msg_id; });
  return it == outbox.end() ? nullptr : &*it;
}

// The message event of an outbox entry arrived: it is delivered, the entry goes.
// Returns whether an entry was removed.
bool settle(std::vector<OutboxEntry>& outbox, const Message& m) {
  if (m.client_msg_id.empty()) return false;
  return std::erase_if(outbox, [&](const OutboxEntry& e) {
           return e.client_msg_id == m.client_msg_id &&
                  (e.conversation_id.empty() || e.conversation_id == m.conversation_id);
         }) > 0;
}

}  // namespace

SyncStore::Applied SyncStore::apply(const Event& e) {
  if (e.seq == 0) {
    // Ephemeral: only typing has a lasting (until the next one) effect, on known conversations.
    const auto it = conversations_.find(e.conversation_id);
    if (e.type == ev::typing && it != conversations_.end()) {
      const auto flag = e.data.is_object() ? e.data.find("typing") : e.data.end();
      it->second.typing = flag == e.data.end() || !flag->is_boolean() || flag->get<bool>();
      ++version_;
    }
    return Applied::ephemeral;
  }
  ConversationView& view = conversations_[e.conversation_id];
  if (e.seq <= view.cursor) return Applied::duplicate;

  view.events.push_back(e);
  view.cursor = e.seq;
  view.head = std::max(view.head, e.seq);
  update_summary(view.summary, e);
  if (const Json* payload = e.type == ev::new_message ? data_object(e.data, "message") : nullptr) {
    if (Result<Message> m = message_from_json(*payload)) {
      settle(outbox_, *m);
      view.messages.push_back(std::move(m).value());
    }
  }
  ++version_;
  return Applied::added;
}

void SyncStore::set_head(const std::string& conversation_id, Seq head) {
  ConversationView& view = conversations_[conversation_id];
  if (head <= view.head && view.head != 0) return;  // heads only move forward
  view.head = std::max(view.head, head);
  ++version_;
}

void SyncStore::track(const std::string& conversation_id) {
  const auto [it, added] = conversations_.try_emplace(conversation_id);
  if (!added) return;
  it->second.summary.id = conversation_id;
  ++version_;
}

void SyncStore::upsert_summary(const Conversation& c) {
  // The snapshot's head_seq is not taken as `head`: events this store never loaded would be
  // skipped on the next resume.
  conversations_[c.id].summary = c;
  ++version_;
}

Seq SyncStore::resume_from(const std::string& conversation_id) const {
  const ConversationView* view = find(conversation_id);
  return view ? std::max(view->cursor, view->head) : 0;
}

const ConversationView* SyncStore::find(const std::string& conversation_id) const {
  const auto it = conversations_.find(conversation_id);
  return it == conversations_.end() ? nullptr : &it->second;
}

// ---- Outbox ---------------------------------------------------------------------------------

void SyncStore::enqueue(OutboxEntry entry) {
  if (find_entry(outbox_, entry.client_msg_id) != nullptr) return;  // the same message twice: keep the first
  outbox_.push_back(std::move(entry));
  ++version_;
}

void SyncStore::acknowledged(const std::string& client_msg_id, Seq /*seq*/) {
  // Kept as `sent` until its chat.new_message arrives (apply() removes it then).
  if (OutboxEntry* entry = find_entry(outbox_, client_msg_id)) {
    entry->state = Delivery::sent;
    entry->error.clear();
    ++version_;
  }
}

void SyncStore::failed(const std::string& client_msg_id, const std::string& message) {
  if (OutboxEntry* entry = find_entry(outbox_, client_msg_id)) {
    entry->state = Delivery::failed;
    entry->error = message;
    ++version_;
  }
}

const OutboxEntry* SyncStore::retry(const std::string& client_msg_id) {
  OutboxEntry* entry = find_entry(outbox_, client_msg_id);
  if (entry == nullptr || entry->state != Delivery::failed) return entry;
  entry->state = Delivery::sending;
  entry->error.clear();
  ++entry->attempts;
  ++version_;
  return entry;
}

void SyncStore::discard(const std::string& client_msg_id) {
  if (std::erase_if(outbox_, [&](const OutboxEntry& e) { return e.client_msg_id == client_msg_id; }) > 0) {
    ++version_;
  }
}

std::vector<OutboxEntry> SyncStore::to_send() const {
  std::vector<OutboxEntry> pending;
  std::copy_if(outbox_.begin(), outbox_.end(), std::back_inserter(pending),
               [](const OutboxEntry& e) { return e.state == Delivery::sending; });
  std::stable_sort(pending.begin(), pending.end(),
                   [](const OutboxEntry& a, const OutboxEntry& b) { return a.queued_at < b.queued_at; });
  return pending;
}

void SyncStore::assign_conversation(const std::string& conversation_id) {
  bool changed = false;
  for (OutboxEntry& entry : outbox_) {
    if (entry.conversation_id.empty()) {
      entry.conversation_id = conversation_id;
      changed = true;
    }
  }
  if (changed) ++version_;
}

}  // namespace parley
