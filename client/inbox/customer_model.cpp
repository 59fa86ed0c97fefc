// The open conversation's Customer panel (customer_model.hpp).
#include "inbox/customer_model.hpp"

#include <algorithm>

#include "common/form_text.hpp"
#include "common/json_read.hpp"
#include "inbox/supervise_model.hpp"  // url_encode
#include "parley/tickets.hpp"

namespace parley::inbox {
namespace {

using client::json_text;
using client::int_member;
using client::code_points;
using client::trimmed;
using client::member;
using client::string_member;

}  // namespace

void CustomerModel::queue(std::string method, std::string url, std::string body, What what) {
  queue_.push_back({std::move(method), std::move(url), std::move(body), what, conv_});
}

std::vector<CustomerModel::Request> CustomerModel::take_requests() {
  in_flight_ += static_cast<int>(queue_.size());
  std::vector<Request> out;
  out.swap(queue_);
  return out;
}

void CustomerModel::say(std::string text, bool error) {
  status_ = std::move(text);
  status_error_ = error;
  ++status_no_;
}

void CustomerModel::open(const std::string& conversation_id, const std::string& customer_name,
                         const std::string& topic, const std::string& chat_priority) {
  if (conversation_id.empty()) return;
  const bool same = open_ && conv_ == conversation_id;
  open_ = true;
  if (same) return;
  conv_ = conversation_id;
  topic_ = trimmed(topic);
  chat_priority_ = chat_priority.empty() ? std::string("normal") : chat_priority;
  name = customer_name;
  email.clear(), phone.clear(), channel.clear(), contact_id.clear();
  page_url.clear(), page_title.clear(), page_referrer.clear();
  verified = blocked = false;
  since = 0;
  previous_.clear();
  tickets_.clear();
  count_conversations = count_resolved = count_tickets = count_open_tickets = 0;
  loaded_ = false;
  load_error_.clear();
  status_.clear();
  status_error_ = false;
  form_ = Form::none;
  ticket_id_.clear();
  reload();
}

void CustomerModel::close() {
  open_ = false;
  form_ = Form::none;
}

void CustomerModel::reload() {
  if (!open_ || conv_.empty()) return;
  queue("GET", "/api/live-chat/" + url_encode(conv_) + "/customer-context", "", What::context);
}

double CustomerModel::csat_average() const {
  int n = 0, sum = 0;
  for (const Previous& p : previous_)
    if (p.csat_rating > 0) ++n, sum += p.csat_rating;
  return n ? static_cast<double>(sum) / n : 0.0;
}

int CustomerModel::csat_count() const {
  int n = 0;
  for (const Previous& p : previous_) n += p.csat_rating > 0 ? 1 : 0;
  return n;
}

void CustomerModel::cancel_form() { form_ = Form::none; }

void CustomerModel::open_convert() {
  if (!open_) return;
  form_ = Form::convert;
  // The relay's default title: the topic, else "Chat with <name>".
  title = !topic_.empty() ? topic_ : "Chat with " + (name.empty() ? std::string("the visitor") : name);
  priority = chat_priority_;
}

bool CustomerModel::submit_convert() {
  if (form_ != Form::convert) return false;
  if (!ticket_id_.empty()) {
    say("This chat already has a ticket (" + ticket_id_ + ").", true);
    return false;
  }
  const std::string t = trimmed(title);
  if (code_points(t) > kTicketTitleMaxChars) {
    say("The title is too long (at most " + std::to_string(kTicketTitleMaxChars) + " characters).", true);
    return false;
  }
  Json body{{"priority", priority}};
  if (!t.empty()) body["title"] = t;  // empty: the relay's default
  queue("POST", "/api/live-chat/" + url_encode(conv_) + "/convert-to-ticket", json_text(body), What::convert);
  say("Converting\u2026", false);
  return true;
}

void CustomerModel::open_block() {
  if (!open_) return;
  form_ = Form::block;
  reason.clear();
  block_kind = "contact";
  duration = "forever";
}

void CustomerModel::set_block_kind(const std::string& k) {
  if (k != "contact" && k != "address") return;
  block_kind = k;
  if (k == "address" && duration == "forever") duration = "86400";  // addresses are shared
}

const CustomerModel::Duration* CustomerModel::chosen_duration() const {
  for (const Duration& d : kDurations)
    if (duration == d.value) return &d;
  return nullptr;
}

bool CustomerModel::ask_block() {
  if (form_ != Form::block) return false;
  const Result<std::string> r = block_reason(reason);
  if (!r) {
    say(trimmed(reason).empty() ? std::string("Give a reason for the block.") : r.error().message, true);
    return false;
  }
  const Duration* d = chosen_duration();
  if (!d || (block_kind == "address" && d->seconds == 0)) {
    say("A block by address needs a duration.", true);
    return false;
  }
  form_ = Form::confirm_block;
  status_.clear();
  return true;
}

std::string CustomerModel::confirm_words() const {
  const Duration* d = chosen_duration();
  const std::string who = name.empty() ? std::string("this visitor") : name;
  const std::string how = block_kind == "address" ? "the address " + who + " writes from" : who;
  const std::string when = !d || d->seconds == 0 ? std::string("until lifted") : std::string("for ") + d->label;
  return "Block " + how + " " + when + "? Their new chats and messages will be refused.";
}

bool CustomerModel::confirm_block() {
  if (form_ != Form::confirm_block) return false;
  const Duration* d = chosen_duration();
  Json body{{"kind", block_kind}, {"conversation_id", conv_}, {"reason", trimmed(reason)}};
  if (d && d->seconds > 0) body["duration_s"] = d->seconds;
  queue("POST", "/api/v1/blocks", json_text(body), What::block);
  say("Blocking\u2026", false);
  return true;
}

void CustomerModel::answered(const Request& r, int status, const std::string& body) {
  in_flight_ = std::max(0, in_flight_ - 1);
  if (r.ref != conv_) return;  // the panel moved on to another conversation
  const bool ok = status >= 200 && status < 300;
  const Json j = Json::parse(body, nullptr, false);
  switch (r.what) {
    case What::context: {
      if (!ok) {
        load_error_ = http_refusal(status, body);
        say(load_error_, true);
        return;
      }
      load_error_.clear();
      if (const Json* k = member(j, "contact")) {
        const std::string n = string_member(*k, "name");
        if (!n.empty()) name = n;
        email = string_member(*k, "email");
        phone = string_member(*k, "phone");
        channel = string_member(*k, "channel");
        contact_id = string_member(*k, "id");
        verified = client::bool_member(*k, "verified", false);
        since = int_member(*k, "created_at");
      }
      if (const Json* p = member(j, "page")) {
        page_url = string_member(*p, "url");
        page_title = string_member(*p, "title");
        page_referrer = string_member(*p, "referrer");
      }
      previous_.clear();
      if (const Json* a = member(j, "conversations"); a && a->is_array()) {
        for (const Json& c : *a) {
          Previous p;
          p.id = string_member(c, "id");
          p.status = string_member(c, "status");
          p.channel = string_member(c, "channel");
          p.topic = string_member(c, "topic");
          p.priority = string_member(c, "priority");
          p.issue_type = string_member(c, "issue_type");
          p.created_at = int_member(c, "created_at");
          p.resolved_at = int_member(c, "resolved_at");
          p.csat_rating = static_cast<int>(int_member(c, "csat_rating"));
          if (!p.id.empty()) previous_.push_back(std::move(p));
        }
      }
      tickets_.clear();
      if (const Json* a = member(j, "tickets"); a && a->is_array()) {
        for (const Json& t : *a) {
          tickets_.push_back(ticket_of(t));
          if (tickets_.back().conversation_id == conv_) ticket_id_ = tickets_.back().id;
        }
      }
      if (const Json* n = member(j, "counts")) {
        count_conversations = int_member(*n, "conversations");
        count_resolved = int_member(*n, "resolved");
        count_tickets = int_member(*n, "tickets");
        count_open_tickets = int_member(*n, "open_tickets");
      }
      blocked = client::bool_member(j, "blocked", false);
      loaded_ = true;
      break;
    }
    case What::convert: {
      if (!ok) {
        std::string why = http_refusal(status, body);
        if (status == 409) {
          const std::string existing = string_member(j, "ticket_id");
          if (!existing.empty()) ticket_id_ = existing;
          why = "This chat already has a ticket" + (existing.empty() ? std::string(".") : " (" + existing + ").");
        }
        say("Not converted: " + why, true);
        return;
      }
      ticket_id_ = string_member(j, "id");
      form_ = Form::none;
      say("Ticket " + ticket_id_ + " created.", false);
      reload();  // the customer's tickets
      break;
    }
    case What::block: {
      if (!ok) {
        form_ = Form::block;  // back to the form, to change what was refused
        say("Not blocked: " + http_refusal(status, body), true);
        return;
      }
      form_ = Form::none;
      blocked = true;
      say(block_kind == "address" ? std::string("The visitor's address is blocked.")
                                  : std::string("The visitor is blocked."),
          false);
      reload();
      break;
    }
  }
}

Json CustomerModel::snapshot() const {
  static const char* const kForms[] = {"none", "convert", "block", "confirm_block"};
  Json prev = Json::array();
  for (const Previous& p : previous_)
    prev.push_back(Json{{"id", p.id}, {"status", p.status}, {"topic", p.topic}, {"csat", p.csat_rating}});
  Json tickets = Json::array();
  for (const TicketRow& t : tickets_) tickets.push_back(Json{{"id", t.id}, {"status", t.status}, {"title", t.title}});
  return Json{{"open", open_},
              {"conversation_id", conv_},
              {"loaded", loaded_},
              {"name", name},
              {"email", email},
              {"blocked", blocked},
              {"previous", std::move(prev)},
              {"tickets", std::move(tickets)},
              {"form", kForms[static_cast<int>(form_)]},
              {"title", title},
              {"priority", priority},
              {"ticket_id", ticket_id_},
              {"block_kind", block_kind},
              {"duration", duration},
              {"status", status_},
              {"status_error", status_error_}};
}

}  // namespace parley::inbox
