// The conversation state machine (parley/conversation.hpp).
//
// Every transition copies the conversation, changes the copy and appends the events it causes
// through emit(), which numbers them (head_seq + 1, ...) and stamps updated_at. A refused
// transition returns an Error and nothing else.
#include "parley/conversation.hpp"

#include <utility>

#include "parley/text.hpp"

namespace parley {
namespace {

const Actor kSystem{Role::system, "system", ""};

// Events addressed to staff only (notes, summaries, resolution notes) carry Audience::staff.
void emit(Transition& t, std::string_view type, Audience audience, const Actor& actor, Millis now,
          Json data) {
  t.next.head_seq += 1;
  t.next.updated_at = now;
  Event e;
  e.conversation_id = t.next.id;
  e.seq = t.next.head_seq;
  e.type = std::string(type);
  e.audience = audience;
  e.at = now;
  e.actor = actor;
  e.data = std::move(data);
  t.events.push_back(std::move(e));
}

Transition begin(const Conversation& c) { return Transition{c, {}}; }

// Appends the second of two chained transitions to the first.
void chain(Transition& first, Transition&& second) {
  first.next = std::move(second.next);
  for (Event& e : second.events) first.events.push_back(std::move(e));
}

Error refused(ErrorCode code, std::string_view what, const Conversation& c) {
  return make_error(code, std::string(what) + " (conversation is " + std::string(to_string(c.status)) + ")");
}

// Leaves `active` (or any status with an assignee): the agent becomes the routing hint.
void release_assignee(Conversation& c) {
  if (!c.assignee_id.empty()) c.previous_agent_id = c.assignee_id;
  c.assignee_id.clear();
  c.assignee_name.clear();
}

// Enters `pending` (the queue).
void enter_queue(Conversation& c, Millis now) {
  c.status = Status::pending;
  c.handed_off_at = now;
  c.unanswered_turns = 0;
}

// What metrics need of an ending (parley/metrics.hpp), measured before the assignee is released:
// "open_ms" since the conversation began, and for a handled one "agent_id" and "handle_ms" since
// it was assigned.
void add_ending_figures(Json& data, const Conversation& before, Millis now) {
  if (before.created_at > 0 && now >= before.created_at) data["open_ms"] = now - before.created_at;
  if (!before.assignee_id.empty()) {
    data["agent_id"] = before.assignee_id;
    if (before.assigned_at > 0 && now >= before.assigned_at) data["handle_ms"] = now - before.assigned_at;
  }
}

void close(Transition& t, Ending ending, const Actor& actor, Millis now) {
  Json data{{"ending", to_string(ending)}};
  add_ending_figures(data, t.next, now);
  release_assignee(t.next);
  t.next.status = Status::resolved;
  t.next.ending = ending;
  t.next.resolved_at = now;
  emit(t, ev::ended, Audience::everyone, actor, now, std::move(data));
}

// resolved -> bot (pending without an assistant), keeping the last agent as routing hint.
void reopen(Transition& t, const Actor& customer, Millis now, const ConversationPolicy& policy) {
  Conversation& c = t.next;
  release_assignee(c);
  if (policy.assistant_enabled) {
    c.status = Status::bot;
    c.unanswered_turns = 0;
  } else {
    enter_queue(c, now);
  }
  c.ending = Ending::none;
  c.resolution.clear();
  c.resolved_at = 0;
  c.assigned_at = 0;
  c.first_agent_response_at = 0;  // response times are measured per round
  emit(t, ev::reopened, Audience::everyone, customer, now,
       Json{{"status", to_string(c.status)}, {"previous_agent_id", c.previous_agent_id}});
}

bool is_staff_note(const Message& m) { return m.kind == MessageKind::note; }

// Who may post what in which status; see post_message() in the header.
std::optional<Error> check_sender(const Conversation& c, const Actor& from, const Message& m) {
  switch (from.role) {
    case Role::customer:
      if (m.kind != MessageKind::text && m.kind != MessageKind::file && m.kind != MessageKind::voice) {
        return make_error(ErrorCode::forbidden, "customers post text, file or voice messages only", "kind");
      }
      return std::nullopt;
    case Role::bot:
      if (c.status != Status::bot)
        return refused(ErrorCode::invalid_transition, "the assistant answers only in bot", c);
      return std::nullopt;
    case Role::agent:
      if (is_staff_note(m)) return std::nullopt;
      if (c.status != Status::active || c.assignee_id != from.id) {
        return refused(ErrorCode::not_assigned, "only the assigned agent may answer", c);
      }
      return std::nullopt;
    case Role::system:
      return std::nullopt;
  }
  return make_error(ErrorCode::internal, "unknown sender role");
}

}  // namespace

Transition start_conversation(const Conversation& initial, const Actor& customer, Millis now,
                              const ConversationPolicy& policy) {
  Transition t = begin(initial);
  Conversation& c = t.next;
  c.created_at = now;
  c.ending = Ending::none;
  const bool staff_answer_first = !policy.assistant_enabled && c.answered_by != Answerer::external;
  if (staff_answer_first) {
    c.answered_by = Answerer::none;
    enter_queue(c, now);
  } else {
    c.status = Status::bot;
  }
  emit(t, ev::new_session, Audience::everyone, customer, now, Json::object());
  if (staff_answer_first) {
    emit(t, ev::handed_off, Audience::everyone, kSystem, now, Json{{"reason", "no_assistant"}});
  }
  // The snapshot in chat.new_session is the conversation as this start leaves it.
  t.events.front().data = Json{{"conversation", to_json(t.next, /*staff=*/false)}};
  return t;
}

CustomerReturn on_customer_return(const Conversation& c, Millis now, const ConversationPolicy& policy) {
  if (c.status != Status::resolved) return CustomerReturn::post;
  if (policy.reopen_window_ms <= 0) return CustomerReturn::reopen;
  return now - c.resolved_at <= policy.reopen_window_ms ? CustomerReturn::reopen : CustomerReturn::start_new;
}

Conversation follow_up_of(const Conversation& old, std::string id) {
  Conversation c;
  c.id = std::move(id);
  c.tenant_id = old.tenant_id;
  c.contact_id = old.contact_id;
  c.channel = old.channel;
  c.priority = old.priority;
  c.topic = old.topic;
  c.answered_by = old.answered_by;
  c.previous_agent_id = !old.assignee_id.empty() ? old.assignee_id : old.previous_agent_id;
  c.previous_conversation_id = old.id;
  c.page_url = old.page_url;
  c.page_title = old.page_title;
  c.page_referrer = old.page_referrer;
  return c;
}

void append_event(Transition& t, std::string_view type, Audience audience, const Actor& actor, Millis now,
                  Json data) {
  emit(t, type, audience, actor, now, std::move(data));
}

Result<Transition> post_message(const Conversation& c, const Actor& from, Message m, Millis now,
                                const ConversationPolicy& policy) {
  if (std::optional<Error> refusal = check_sender(c, from, m)) return *std::move(refusal);
  if (from.role == Role::customer && on_customer_return(c, now, policy) == CustomerReturn::start_new) {
    return make_error(ErrorCode::invalid_transition,
                      "the conversation was resolved longer ago than the reopen window; start a new one",
                      "reopen_window");
  }
  Transition t = begin(c);
  if (from.role == Role::customer && c.status == Status::resolved) reopen(t, from, now, policy);
  Json first_response;  // metrics (parley/metrics.hpp): the first agent answer of this round
  if (from.role == Role::agent && !is_staff_note(m) && t.next.first_agent_response_at == 0) {
    t.next.first_agent_response_at = now;
    if (t.next.handed_off_at > 0 && now >= t.next.handed_off_at) first_response = now - t.next.handed_off_at;
  }
  m.conversation_id = c.id;
  m.seq = t.next.head_seq + 1;
  m.at = now;
  m.sender_role = from.role;
  m.sender_id = from.id;
  m.sender_name = from.name;
  const Audience audience = is_staff_note(m) ? Audience::staff : Audience::everyone;
  Json data{{"message", to_json(m)}};
  if (!first_response.is_null()) data["first_response_ms"] = first_response;
  emit(t, ev::new_message, audience, from, now, std::move(data));
  return t;
}

Result<Transition> hand_off(const Conversation& c, const Actor& by, const std::string& reason,
                            const std::string& summary, Millis now) {
  if (c.status != Status::bot)
    return refused(ErrorCode::invalid_transition, "only bot conversations are handed off", c);
  Transition t = begin(c);
  enter_queue(t.next, now);
  emit(t, ev::handed_off, Audience::everyone, by, now, Json{{"reason", reason}});
  if (!summary.empty()) {
    t.next.handoff_summary = summary;
    emit(t, ev::handoff_summary, Audience::staff, by, now, Json{{"summary", summary}});
  }
  return t;
}

Result<Transition> accept(const Conversation& c, const Actor& agent, Millis now) {
  if (agent.role != Role::agent) return make_error(ErrorCode::forbidden, "only staff accept conversations");
  if (c.status == Status::active) {
    if (c.assignee_id == agent.id) return begin(c);  // the same agent twice: nothing to do
    return make_error(ErrorCode::already_assigned, "another agent accepted this conversation first");
  }
  if (c.status != Status::pending)
    return refused(ErrorCode::invalid_transition, "only queued conversations are accepted", c);
  Transition t = begin(c);
  t.next.status = Status::active;
  t.next.assignee_id = agent.id;
  t.next.assignee_name = agent.name;
  t.next.assigned_at = now;
  Json data{{"agent", {{"id", agent.id}, {"name", agent.name}}}};
  if (c.handed_off_at > 0 && now >= c.handed_off_at) data["waited_ms"] = now - c.handed_off_at;
  emit(t, ev::assigned, Audience::everyone, agent, now, std::move(data));
  return t;
}

Result<Transition> take_over(const Conversation& c, const Actor& agent, const std::string& reason,
                             Millis now) {
  Transition t = begin(c);
  if (c.status == Status::bot) {
    const std::string why = !reason.empty()                       ? reason
                            : c.answered_by == Answerer::external ? "mirror_handoff"
                                                                  : "staff_took_over";
    Result<Transition> queued = hand_off(c, agent, why, /*summary=*/"", now);
    if (!queued) return queued.error();
    t = std::move(queued).value();
  }
  Result<Transition> accepted = accept(t.next, agent, now);
  if (!accepted) return accepted.error();
  chain(t, std::move(accepted).value());
  return t;
}

Result<Transition> resolve(const Conversation& c, const Actor& agent, bool may_override,
                           const std::string& resolution, const std::string& issue_type, Millis now) {
  if (agent.role != Role::agent) return make_error(ErrorCode::forbidden, "only staff resolve conversations");
  if (c.status == Status::resolved) return refused(ErrorCode::invalid_transition, "already closed", c);
  if (c.status == Status::active && c.assignee_id != agent.id && !may_override) {
    return make_error(ErrorCode::not_assigned, "only the assigned agent or a supervisor may resolve");
  }
  if (c.status != Status::active && !may_override) {
    return refused(ErrorCode::invalid_transition, "only a supervisor may resolve an unassigned conversation",
                   c);
  }
  Transition t = begin(c);
  Json data{{"ending", to_string(Ending::resolved_by_staff)}};
  add_ending_figures(data, c, now);
  release_assignee(t.next);
  t.next.status = Status::resolved;
  t.next.ending = Ending::resolved_by_staff;
  t.next.resolution = resolution;
  t.next.issue_type = issue_type;
  t.next.resolved_at = now;
  emit(t, ev::resolved, Audience::everyone, agent, now, std::move(data));
  emit(t, ev::resolution_note, Audience::staff, agent, now,
       Json{{"resolution", resolution}, {"issue_type", issue_type}});
  return t;
}

Result<Transition> customer_end(const Conversation& c, const Actor& customer, Millis now) {
  if (c.status == Status::resolved) return refused(ErrorCode::invalid_transition, "already closed", c);
  Transition t = begin(c);
  close(t, c.status == Status::pending ? Ending::abandoned : Ending::ended_by_customer, customer, now);
  return t;
}

Result<Transition> abandon(const Conversation& c, Millis now) {
  if (c.status != Status::pending)
    return refused(ErrorCode::invalid_transition, "only queued conversations are abandoned", c);
  Transition t = begin(c);
  close(t, Ending::abandoned, kSystem, now);
  return t;
}

Result<Transition> agent_gone(const Conversation& c, Millis now) {
  if (c.status != Status::active)
    return refused(ErrorCode::invalid_transition, "only active conversations are requeued", c);
  Transition t = begin(c);
  release_assignee(t.next);
  t.next.assigned_at = 0;
  enter_queue(t.next, now);
  emit(t, ev::requeued, Audience::everyone, kSystem, now,
       Json{{"reason", "agent_gone"}, {"previous_agent_id", t.next.previous_agent_id}});
  return t;
}

Result<Transition> set_priority(const Conversation& c, const Actor& by, Priority p, Millis now) {
  if (c.status == Status::resolved)
    return refused(ErrorCode::invalid_transition, "closed conversations keep their priority", c);
  Transition t = begin(c);
  if (c.priority == p) return t;
  t.next.priority = p;
  emit(t, ev::priority_changed, Audience::everyone, by, now, Json{{"priority", to_string(p)}});
  return t;
}

// ---- issue 9: working a conversation ----

namespace {
Json person(const std::string& id, const std::string& name) {
  if (id.empty()) return nullptr;
  return Json{{"id", id}, {"name", name}};
}
}  // namespace

Result<Transition> transfer(const Conversation& c, const Actor& by, bool may_override, const TransferTarget& to,
                            const std::string& note, Millis now) {
  if (by.role != Role::agent) return make_error(ErrorCode::forbidden, "only staff transfer conversations");
  if (to.agent_id.empty() && to.team.empty())
    return make_error(ErrorCode::missing_field, "name an agent or a team to transfer to", "to");
  if (!to.agent_id.empty() && !to.team.empty())
    return make_error(ErrorCode::bad_field, "transfer to an agent or to a team, not both", "to");
  if (c.status != Status::active && c.status != Status::pending)
    return refused(ErrorCode::invalid_transition, "only open conversations with a person are transferred", c);
  const bool own = c.status == Status::active && c.assignee_id == by.id;
  if (!own && !may_override) {
    return make_error(ErrorCode::not_assigned, "only the assigned agent or a supervisor may transfer this chat");
  }
  if (!to.agent_id.empty() && c.status == Status::active && to.agent_id == c.assignee_id)
    return make_error(ErrorCode::bad_field, "the chat is already assigned to that agent", "agent_id");
  Transition t = begin(c);
  Conversation& n = t.next;
  const Json from = c.status == Status::active ? person(c.assignee_id, c.assignee_name) : Json(nullptr);
  release_assignee(n);
  if (!to.agent_id.empty()) {
    n.status = Status::active;
    n.assignee_id = to.agent_id;
    n.assignee_name = to.agent_name;
    n.assigned_at = now;
  } else {
    n.assigned_at = 0;
    n.team = to.team;
    enter_queue(n, now);
  }
  emit(t, ev::transferred, Audience::everyone, by, now,
       Json{{"from", from}, {"to", person(to.agent_id, to.agent_name)}, {"team", to.team},
            {"team_name", to.team_name.empty() ? to.team : to.team_name}});
  if (!trim(note).empty()) {
    Message m;
    m.conversation_id = c.id;
    m.seq = n.head_seq + 1;
    m.at = now;
    m.sender_role = by.role;
    m.sender_id = by.id;
    m.sender_name = by.name;
    m.kind = MessageKind::note;
    m.text = note;
    emit(t, ev::new_message, Audience::staff, by, now, Json{{"message", to_json(m)}});
  }
  return t;
}

Result<Transition> set_issue_type(const Conversation& c, const Actor& by, const std::string& issue_type, Millis now) {
  if (by.role != Role::agent) return make_error(ErrorCode::forbidden, "only staff set the issue type");
  Transition t = begin(c);
  if (c.issue_type == issue_type) return t;
  t.next.issue_type = issue_type;
  emit(t, ev::issue_type_changed, Audience::staff, by, now, Json{{"issue_type", issue_type}});
  return t;
}

}  // namespace parley
