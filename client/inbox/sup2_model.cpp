// issue 9, supervision (sup2): listen in, reassign, the waiting threshold and opening a
// conversation at a search match. InboxModel members declared in inbox_model.hpp's "sup2"
// section; the rules themselves are parley/supervision.hpp's (shared with the relay).
#include <utility>

#include "common/form_text.hpp"
#include "common/json_read.hpp"
#include "inbox/inbox_model.hpp"
#include "inbox/supervise_model.hpp"

namespace parley::inbox {

ViewMode InboxModel::open_view_mode() const {
  const Conversation* c = open_conversation();
  if (!c) return ViewMode::read_only;
  return view_mode(user_.role, *c, user_.id);
}

bool InboxModel::listening_in() const { return open_conversation() && open_view_mode() == ViewMode::listen_in; }

bool InboxModel::can_reassign() const {
  const Conversation* c = open_conversation();
  return c && session_.ready() && parley::can_reassign(user_.role, *c);
}

void InboxModel::open_reassign() {
  if (!can_reassign()) return;
  transfer_open_ = true;
  reassign_ = true;
  agents_requested_ = true;
  agents_loading_ = true;
  agents_.clear();  // the list differs from a transfer's (oneself included)
  transfer_choice_ = -1;
  touch();
}

bool InboxModel::submit_reassign() {
  if (!reassigning() || transfer_choice_ < 0 || transfer_choice_ >= static_cast<int>(agents_.size())) return false;
  const Agent& to = agents_[static_cast<std::size_t>(transfer_choice_)];
  assign_call_ = HttpCall{"POST", "/api/live-chat/" + url_encode(open_id_) + "/assign",
                          client::json_text(Json{{"agent_id", to.id}})};
  assign_pending_name_ = to.name;
  transfer_open_ = false;
  reassign_ = false;
  flash_ = "Reassigning to " + to.name + "\u2026";
  flash_at_ = now_;
  touch();
  return true;
}

void InboxModel::assign_answered(const HttpAnswer& a) {
  if (a.status >= 200 && a.status < 300) {
    flash_ = "Reassigned to " + assign_pending_name_ + ".";
  } else {
    const Json body = Json::parse(a.body, nullptr, false);
    std::string message;
    if (const Json* e = client::member(body, "error")) message = client::string_member(*e, "message");
    flash_ = "Could not reassign the chat" + (message.empty() ? std::string(".") : ": " + message);
  }
  flash_at_ = now_;
  touch();
}

bool InboxModel::over_threshold(const Row& r, Millis server_now) const {
  return r.status == Status::pending && over_wait_threshold(r.since, server_now, wait_threshold_ms_);
}

void InboxModel::open_at(const std::string& id, Seq seq, Millis now) {
  if (id.empty()) return;
  match_conv_ = id;
  match_seq_ = seq;
  open(id, now);
  touch();
}

}  // namespace parley::inbox
