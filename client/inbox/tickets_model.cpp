// The inbox's Tickets area (tickets_model.hpp).
#include "inbox/tickets_model.hpp"

#include <algorithm>

#include "common/form_text.hpp"
#include "common/json_read.hpp"
#include "inbox/supervise_model.hpp"  // url_encode
#include "parley/tickets.hpp"

namespace parley::inbox {
namespace {

using client::json_text;
using client::int_member;
using client::member;
using client::string_member;

const Json* array_member(const Json& j, const char* key) {
  const Json* v = member(j, key);
  return v && v->is_array() ? v : nullptr;
}

bool one_of(const std::string& s, const char* const* values, int n) {
  for (int i = 0; i < n; ++i)
    if (s == values[i]) return true;
  return false;
}

}  // namespace

std::string http_refusal(int status, const std::string& body) {
  if (status == 0) return "The relay did not answer; try again.";
  const Json j = Json::parse(body, nullptr, false);
  if (const Json* e = member(j, "error"); e && e->is_object()) {
    std::string m = string_member(*e, "message");
    if (!m.empty()) return m;
    m = string_member(*e, "code");
    if (!m.empty()) return m;
  }
  if (status == 401) return "You are signed out.";
  if (status == 403) return "You may not do this.";
  if (status == 404) return "Not found.";
  return "The request failed (HTTP " + std::to_string(status) + ").";
}

TicketRow ticket_of(const Json& t) {
  TicketRow r;
  r.id = string_member(t, "id");
  r.conversation_id = string_member(t, "conversation_id");
  r.contact_id = string_member(t, "contact_id");
  r.title = string_member(t, "title");
  r.description = string_member(t, "description");
  r.status = string_member(t, "status");
  r.priority = string_member(t, "priority");
  r.assignee_id = string_member(t, "assignee_id");  // null reads as ""
  r.created_at = int_member(t, "created_at");
  r.updated_at = int_member(t, "updated_at");
  return r;
}

void TicketsModel::queue(std::string method, std::string url, std::string body, What what, std::string ref) {
  queue_.push_back({std::move(method), std::move(url), std::move(body), what, std::move(ref)});
}

std::vector<TicketsModel::Request> TicketsModel::take_requests() {
  in_flight_ += static_cast<int>(queue_.size());
  std::vector<Request> out;
  out.swap(queue_);
  return out;
}

void TicketsModel::say(std::string text, bool error) {
  status_ = std::move(text);
  status_error_ = error;
  ++status_no_;
}

void TicketsModel::open(Tab t) {
  open_ = true;
  status_.clear();
  status_error_ = false;
  tab_ = can_supervise() ? t : Tab::tickets;
  // The staff names are wanted everywhere (assignees, blocks); the agents tab asks itself.
  if (tab_ != Tab::agents) queue("GET", "/api/live-chat/agents", "", What::agents);
  load_tab();
}

void TicketsModel::close() {
  open_ = false;
  selected_.clear();
  detail_loaded_ = false;
  lines_.clear();
}

void TicketsModel::set_tab(Tab t) {
  if (!open_ || (t != Tab::tickets && !can_supervise()) || t == tab_) return;
  tab_ = t;
  status_.clear();  // the last outcome belonged to the other tab
  status_error_ = false;
  load_tab();
}

void TicketsModel::refresh() {
  if (!open_) return;
  load_tab();
}

void TicketsModel::load_tab() {
  switch (tab_) {
    case Tab::tickets: {
      std::string url = "/api/v1/tickets?limit=200";
      if (!status_filter_.empty()) url += "&status=" + url_encode(status_filter_);
      queue("GET", url, "", What::list, std::to_string(++list_no_));
      if (!selected_.empty()) queue("GET", "/api/v1/tickets/" + url_encode(selected_), "", What::detail, selected_);
      break;
    }
    case Tab::blocked:
      queue("GET", "/api/v1/blocks?active=1&limit=200", "", What::blocks);
      break;
    case Tab::agents:
      // The list again (who is online now); the workloads follow its answer (answered()).
      queue("GET", "/api/live-chat/agents", "", What::agents);
      break;
  }
}

void TicketsModel::set_status_filter(const std::string& s) {
  if (!s.empty() && !one_of(s, kStatuses, 4)) return;
  if (s == status_filter_) return;
  status_filter_ = s;
  tickets_loaded_ = false;
  if (open_ && tab_ == Tab::tickets) {
    std::string url = "/api/v1/tickets?limit=200";
    if (!status_filter_.empty()) url += "&status=" + url_encode(status_filter_);
    queue("GET", url, "", What::list, std::to_string(++list_no_));
  }
}

void TicketsModel::set_priority_filter(const std::string& p) {
  if (!p.empty() && !one_of(p, kPriorities, 4)) return;
  priority_filter_ = p;
}

std::vector<const TicketRow*> TicketsModel::visible_tickets() const {
  std::vector<const TicketRow*> out;
  for (const TicketRow& t : tickets_)
    if (priority_filter_.empty() || t.priority == priority_filter_) out.push_back(&t);
  return out;
}

void TicketsModel::select_ticket(const std::string& id) {
  selected_ = id;
  detail_loaded_ = false;
  lines_.clear();
  customer_.clear();
  if (!id.empty()) {
    // The list's row shows at once; the transcript follows.
    for (const TicketRow& t : tickets_)
      if (t.id == id) detail_ = t, detail_loaded_ = true;
    queue("GET", "/api/v1/tickets/" + url_encode(id), "", What::detail, id);
  }
}

const TicketRow* TicketsModel::selected() const {
  return !selected_.empty() && detail_loaded_ && detail_.id == selected_ ? &detail_ : nullptr;
}

bool TicketsModel::can_move_to(const std::string& status) const {
  const TicketRow* t = selected();
  if (!t) return false;
  const auto from = parse_ticket_status(t->status), to = parse_ticket_status(status);
  return from && to && *from != *to && ticket_transition_allowed(*from, *to);
}

bool TicketsModel::patch(const Json& body, const std::string& done_words) {
  const TicketRow* t = selected();
  if (!t) return false;
  patch_words_ = done_words;
  queue("PATCH", "/api/v1/tickets/" + url_encode(t->id), json_text(body), What::patch, t->id);
  return true;
}

bool TicketsModel::set_status(const std::string& status) {
  const TicketRow* t = selected();
  if (!t || t->status == status) return false;
  if (!can_move_to(status)) {
    say("A " + t->status + " ticket cannot become " + status + ".", true);
    return false;
  }
  return patch(Json{{"status", status}}, "Ticket " + status + ".");
}

bool TicketsModel::set_priority(const std::string& priority) {
  const TicketRow* t = selected();
  if (!t || t->priority == priority || !one_of(priority, kPriorities, 4)) return false;
  if (t->status == "closed") {
    say("A closed ticket cannot be changed.", true);
    return false;
  }
  return patch(Json{{"priority", priority}}, "Priority " + priority + ".");
}

bool TicketsModel::set_assignee(const std::string& user_id) {
  const TicketRow* t = selected();
  if (!t || t->assignee_id == user_id) return false;
  if (t->status == "closed") {
    say("A closed ticket cannot be changed.", true);
    return false;
  }
  return patch(Json{{"assignee_id", user_id.empty() ? Json(nullptr) : Json(user_id)}},
               user_id.empty() ? std::string("Nobody is assigned now.") : "Assigned to " + name_of(user_id) + ".");
}

std::string TicketsModel::name_of(const std::string& user_id) const {
  if (user_id.empty()) return "Nobody";
  for (const Agent& a : agents_)
    if (a.id == user_id) return a.name.empty() ? a.id : a.name;
  return user_id;
}

bool TicketsModel::lift(const std::string& block_id) {
  if (!can_supervise()) return false;
  for (const BlockRow& b : blocks_) {
    if (b.id != block_id) continue;
    if (!b.active) return false;
    queue("DELETE", "/api/v1/blocks/" + url_encode(block_id), "", What::lift, block_id);
    return true;
  }
  return false;
}

void TicketsModel::answered(const Request& r, int status, const std::string& body) {
  in_flight_ = std::max(0, in_flight_ - 1);
  const bool ok = status >= 200 && status < 300;
  if (!ok) {
    if (r.what == What::workload) {
      for (Agent& a : agents_)
        if (a.id == r.ref) a.loaded = true, a.status = "unknown";
    }
    if (r.what == What::list && r.ref != std::to_string(list_no_)) return;
    say(http_refusal(status, body), true);
    return;
  }
  const Json j = Json::parse(body, nullptr, false);
  switch (r.what) {
    case What::list: {
      if (r.ref != std::to_string(list_no_)) return;  // an older filter's answer
      tickets_.clear();
      if (const Json* a = array_member(j, "tickets"))
        for (const Json& t : *a) tickets_.push_back(ticket_of(t));
      total_ = int_member(j, "total");
      tickets_loaded_ = true;
      break;
    }
    case What::detail: {
      if (r.ref != selected_) return;
      detail_ = ticket_of(j);
      detail_loaded_ = true;
      lines_.clear();
      if (const Json* a = array_member(j, "messages")) {
        for (const Json& m : *a) {
          Line l;
          if (const Json* s = member(m, "sender")) {
            l.who = string_member(*s, "name");
            l.role = string_member(*s, "role");
          }
          l.kind = string_member(m, "kind");
          l.text = string_member(m, "text");
          if (const Json* att = member(m, "attachment"); att && l.text.empty())
            l.text = "File: " + string_member(*att, "name");
          lines_.push_back(std::move(l));
        }
      }
      if (const Json* c = member(j, "conversation"))
        if (const Json* k = member(*c, "contact")) customer_ = string_member(*k, "name");
      break;
    }
    case What::patch: {
      const TicketRow t = ticket_of(j);
      for (TicketRow& x : tickets_)
        if (x.id == t.id) x = t;
      if (t.id == selected_) detail_ = t, detail_loaded_ = true;
      say(patch_words_.empty() ? std::string("Saved.") : patch_words_, false);
      break;
    }
    case What::agents: {
      std::vector<Agent> fresh;
      if (const Json* a = array_member(j, "agents")) {
        for (const Json& x : *a) {
          Agent g;
          g.id = string_member(x, "id");
          g.name = string_member(x, "name");
          if (g.name.empty()) g.name = string_member(x, "username");
          g.role = string_member(x, "role");
          g.online = client::bool_member(x, "online", false);
          g.status = g.online ? "online" : "offline";
          for (const Agent& old : agents_)  // keep a known workload until the new one comes
            if (old.id == g.id && old.loaded) {
              g.loaded = true, g.status = old.status, g.active = old.active, g.capacity = old.capacity;
              g.free_slots = old.free_slots, g.conversation_ids = old.conversation_ids;
            }
          if (!g.id.empty()) fresh.push_back(std::move(g));
        }
      }
      agents_ = std::move(fresh);
      agents_loaded_ = true;
      if (can_supervise() && tab_ == Tab::agents) {
        std::size_t n = 0;
        for (const Agent& g : agents_) {
          if (++n > 100) break;  // a page's worth; the dashboard has every agent's figures
          queue("GET", "/api/live-chat/agent/" + url_encode(g.id) + "/workload", "", What::workload, g.id);
        }
      }
      break;
    }
    case What::workload: {
      for (Agent& a : agents_) {
        if (a.id != r.ref) continue;
        a.loaded = true;
        a.status = string_member(j, "status");
        if (a.status.empty()) a.status = "offline";
        a.active = static_cast<int>(int_member(j, "active"));
        a.capacity = static_cast<int>(int_member(j, "capacity"));
        a.free_slots = static_cast<int>(int_member(j, "free_slots"));
        a.conversation_ids.clear();
        if (const Json* ids = array_member(j, "conversation_ids"))
          for (const Json& c : *ids)
            if (c.is_string()) a.conversation_ids.push_back(c.get<std::string>());
      }
      break;
    }
    case What::blocks: {
      blocks_.clear();
      if (const Json* a = array_member(j, "blocks")) {
        for (const Json& x : *a) {
          BlockRow b;
          b.id = string_member(x, "id");
          b.kind = string_member(x, "kind");
          b.contact_id = string_member(x, "contact_id");
          b.reason = string_member(x, "reason");
          b.created_by = string_member(x, "created_by");
          b.created_at = int_member(x, "created_at");
          b.expires_at = int_member(x, "expires_at");
          b.active = client::bool_member(x, "active", true);
          if (!b.id.empty()) blocks_.push_back(std::move(b));
        }
      }
      blocks_loaded_ = true;
      break;
    }
    case What::lift: {
      for (BlockRow& b : blocks_)
        if (b.id == r.ref) b.active = false;
      blocks_.erase(std::remove_if(blocks_.begin(), blocks_.end(), [](const BlockRow& b) { return !b.active; }),
                    blocks_.end());
      say("Block lifted: the visitor can write again.", false);
      break;
    }
  }
}

Json TicketsModel::snapshot() const {
  static const char* const kTabs[] = {"tickets", "blocked", "agents"};
  Json tickets = Json::array();
  for (const TicketRow* t : visible_tickets())
    tickets.push_back(Json{{"id", t->id}, {"conversation_id", t->conversation_id}, {"title", t->title},
                           {"status", t->status}, {"priority", t->priority}, {"assignee_id", t->assignee_id}});
  Json blocks = Json::array();
  for (const BlockRow& b : blocks_)
    blocks.push_back(Json{{"id", b.id}, {"kind", b.kind}, {"contact_id", b.contact_id}, {"reason", b.reason},
                          {"active", b.active}});
  Json agents = Json::array();
  for (const Agent& a : agents_)
    agents.push_back(Json{{"id", a.id}, {"name", a.name}, {"status", a.status}, {"loaded", a.loaded},
                          {"active", a.active}, {"capacity", a.capacity}, {"free_slots", a.free_slots},
                          {"conversations", a.conversation_ids}});
  Json j{{"open", open_},
         {"tab", kTabs[static_cast<int>(tab_)]},
         {"status_filter", status_filter_},
         {"priority_filter", priority_filter_},
         {"tickets", std::move(tickets)},
         {"tickets_loaded", tickets_loaded_},
         {"selected", selected_},
         {"blocks", std::move(blocks)},
         {"blocks_loaded", blocks_loaded_},
         {"agents", std::move(agents)},
         {"status", status_},
         {"status_error", status_error_},
         {"busy", busy()}};
  if (const TicketRow* t = selected()) {
    j["ticket"] = Json{{"id", t->id}, {"title", t->title}, {"status", t->status}, {"priority", t->priority},
                       {"assignee_id", t->assignee_id}, {"customer", customer_}, {"lines", lines_.size()}};
  }
  return j;
}

}  // namespace parley::inbox
