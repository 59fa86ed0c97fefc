#include "inbox/inbox_model.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_set>
#include <utility>

#include "common/json_read.hpp"
#include "common/script.hpp"
#include "inbox/delivery_model.hpp"
#include "parley/delivery.hpp"
#include "parley/queue.hpp"
#include "parley/replies.hpp"
#include "parley/tickets.hpp"  // issue 9: kTicketCreatedEvent

namespace parley::inbox {
namespace {

constexpr Millis kTypingShowMs = 6000;    // the customer's typing indicator lasts this long
constexpr Millis kTypingResendMs = 3000;  // our typing=true is repeated at most this often
constexpr const char* kSeenKey = "parley.inbox.seen";
constexpr const char* kMuteKey = "parley.inbox.muted";
constexpr std::size_t kSeenKeep = 300;  // conversations remembered in storage

using client::member;
using client::string_member;

// The inbox's view of a staff user (the role as its wire name).
User user_of(const StaffUser& u) { return User{u.id, u.name, u.username, std::string(to_string(u.role)), u.tenant_id}; }

Counts counts_of(const TenantCounts& n) {
  Counts c;
  c.active = n.active;
  c.waiting = n.waiting;
  c.resolved_today = n.resolved_today;
  c.bot = n.bot;
  c.avg_wait_s = n.avg_wait_s;
  return c;
}

constexpr std::size_t kMaxAlertsPerBatch = 5;  // a reconnect to a long queue rings a few times, not 1000

// The list members of an item as a Conversation (what the rows and the rules read).
Conversation conversation_of(const ConversationItem& i) {
  Conversation c;
  c.id = i.id;
  c.status = i.status;
  c.priority = i.priority;
  c.channel = i.channel;
  c.topic = i.topic;
  c.handed_off_at = i.handed_off_at;
  c.created_at = i.created_at;
  c.updated_at = i.updated_at;
  c.assignee_id = i.assignee_id;
  c.assignee_name = i.assignee_name;
  c.head_seq = i.head_seq;
  return c;
}

// "queue:7" / "mine:7": the inbox.list request key (list and snapshot generation).
std::string page_key(InboxListName list, std::uint64_t generation) {
  return std::string(to_string(list)) + ":" + std::to_string(generation);
}
bool key_list_is_queue(const std::string& key) { return key.rfind("queue:", 0) == 0; }

// The first grapheme of `s` (UTF-8), upper-cased when ASCII.
std::string initial_of(const std::string& s) { return client::script::initial(s); }

// One line: newlines and tabs become spaces, runs of spaces collapse.
std::string one_line(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char ch : s) {
    const bool ws = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
    if (ws) {
      if (!space && !out.empty()) out.push_back(' ');
      space = true;
    } else {
      out.push_back(ch);
      space = false;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string handoff_reason_text(const std::string& reason) {
  if (reason == "customer_asked") return "Customer asked for a person";
  if (reason == "assistant_gave_up") return "The assistant could not help";
  if (reason == "staff_took_over") return "Staff took over from the assistant";
  if (reason == "mirror_handoff") return "Handed over by the external assistant";
  if (reason == "no_assistant") return "Queued for the team";
  return "Handed off to the team";
}

}  // namespace

const char* priority_word(Priority p) {
  switch (p) {
    case Priority::urgent:
      return "Urgent";
    case Priority::high:
      return "High";
    case Priority::normal:
      return "Normal";
    case Priority::low:
      return "Low";
  }
  return "";
}

InboxModel::InboxModel(client::Transport& transport, Storage& storage, std::function<std::string()> make_id)
    : session_(transport, *this), storage_(storage), make_id_(std::move(make_id)) {
  muted_ = storage_.get(kMuteKey) == "1";
}

// ---- Formatting ------------------------------------------------------------------------------

void InboxModel::format_wait(Millis ms, char* buf, std::size_t n) {
  if (n == 0) return;
  const long long s = std::max<Millis>(0, ms) / 1000;
  if (s < 60) {
    std::snprintf(buf, n, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, n, "%lldm", s / 60);
  } else if (s < 86400) {
    std::snprintf(buf, n, "%lldh %02lldm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buf, n, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
  }
}

bool InboxModel::row_shows_priority(const Row& r, bool queue) {
  return queue || r.priority == Priority::urgent || r.priority == Priority::high;
}

const std::string& InboxModel::row_detail(const Row& r, bool queue) {
  static const std::string kNoMessages = "No messages yet";
  if (!r.topic.empty() || queue) return r.topic;
  return r.preview.empty() ? kNoMessages : r.preview;
}

std::string InboxModel::row_line2(const Row& r, bool queue) {
  std::string out;
  if (row_shows_priority(r, queue)) out = priority_word(r.priority);
  const std::string& detail = row_detail(r, queue);
  if (!out.empty() && !detail.empty()) out += " \u00b7 ";
  return out + detail;
}

std::string InboxModel::format_time(Millis at, Clock clock) {
  const long long local_min = (at / 60000) + clock.utc_offset_minutes;
  long long m = local_min % (24 * 60);
  if (m < 0) m += 24 * 60;
  const int h = static_cast<int>(m / 60), mi = static_cast<int>(m % 60);
  char buf[16];
  if (clock.hour12) {
    std::snprintf(buf, sizeof buf, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, mi, h < 12 ? "AM" : "PM");
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d", h, mi);
  }
  return buf;
}

long long InboxModel::local_day(Millis at, Clock clock) {
  const long long local_min = at / 60000 + clock.utc_offset_minutes - (at % 60000 < 0 ? 1 : 0);
  return local_min >= 0 ? local_min / 1440 : -((-local_min + 1439) / 1440);
}

std::string InboxModel::format_date(Millis at, Clock clock) {
  // Civil date from a day number (H. Hinnant's days_from_civil inverse).
  const long long z = local_day(at, clock) + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const long long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  static constexpr const char* kDays[] = {"Thursday", "Friday", "Saturday", "Sunday",
                                          "Monday",   "Tuesday", "Wednesday"};  // 1970-01-01 was a Thursday
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  const long long day = local_day(at, clock);
  const int wd = static_cast<int>(((day % 7) + 7) % 7);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d %s %lld", kDays[wd], d, kMonths[m - 1], y);
  return buf;
}

std::string InboxModel::title() const {
  const int n = waiting_count();
  if (screen_ != Screen::inbox || n == 0) return "Parley Inbox";
  return "(" + std::to_string(n) + ") Parley Inbox";
}

// ---- Authentication ----------------------------------------------------------------------------

void InboxModel::me_answered(const HttpAnswer& a) {
  if (a.status == 200) {
    const Json body = Json::parse(a.body, nullptr, false);
    if (const Json* u = member(body, "user")) {
      if (Result<StaffUser> decoded = decode_staff_user(*u)) user_ = user_of(decoded.value());
    }
    screen_ = Screen::inbox;
    load_seen();
  } else {
    screen_ = Screen::login;
  }
  touch();
}

bool InboxModel::begin_login(const std::string& username, const std::string& password, Millis now) {
  now_ = now;
  if (login_busy_) return false;
  if (trimmed(username).empty()) {
    login_error_ = "Enter your username.";
  } else if (password.empty()) {
    login_error_ = "Enter your password.";
  } else if (login_locked_until_ > now_) {
    return false;  // the countdown is showing
  } else {
    login_error_.clear();
    login_busy_ = true;
    touch();
    return true;
  }
  touch();
  return false;
}

bool InboxModel::login_answered(const HttpAnswer& a, Millis now) {
  login_busy_ = false;
  now_ = now;
  touch();
  if (a.status == 200) {
    login_error_.clear();
    login_locked_until_ = 0;
    me_answered(a);
    return true;
  }
  const Json body = Json::parse(a.body, nullptr, false);
  std::string message;
  if (const Json* e = member(body, "error")) message = string_member(*e, "message");
  if (a.status == 429) {
    const int wait = a.retry_after_s > 0 ? a.retry_after_s : 60;
    login_locked_until_ = now + static_cast<Millis>(wait) * 1000;
    login_error_ = "Too many attempts, try again in " + std::to_string(wait) + " s.";
  } else if (a.status == 401 || a.status == 403) {
    login_error_ = a.status == 401 ? "Wrong username or password." : "Sign-in refused: " + message;
  } else if (a.status == 0) {
    login_error_ = "Cannot reach the server. Check your connection and try again.";
  } else if (a.status >= 500) {
    login_error_ = "The server could not sign you in right now. Try again shortly.";
  } else {
    login_error_ = message.empty() ? "Sign-in failed (" + std::to_string(a.status) + ")." : message;
  }
  return false;
}

int InboxModel::login_wait_s(Millis now) const {
  if (login_locked_until_ <= now) return 0;
  return static_cast<int>((login_locked_until_ - now + 999) / 1000);
}

void InboxModel::logged_out(const std::string& reason) {
  screen_ = Screen::login;
  login_error_ = reason;
  login_busy_ = false;
  reset_session_state();
  touch();
}

void InboxModel::reset_session_state() {
  session_.disconnected();
  items_.clear();
  contacts_.clear();
  queue_ids_.clear();
  mine_ids_.clear();
  queue_total_ = mine_total_ = 0;
  queue_done_ = mine_done_ = true;
  page_in_flight_ = false;
  ++snapshot_generation_;
  focus_id_.clear();
  focus_index_ = -1;
  open_id_.clear();
  resolve_open_ = false;
  draft_.clear();
  had_snapshot_ = false;
  counts_ = {};
  user_ = {};
  alerts_.clear();
  lists_changed();
}

void InboxModel::settings_answered(const HttpAnswer& a) {
  if (a.status != 200) return;
  const Json body = Json::parse(a.body, nullptr, false);
  const Json* settings = member(body, "settings");
  const Json* types = settings ? member(*settings, "issue_types") : nullptr;
  if (!types || !types->is_array()) return;
  std::vector<std::string> out;
  for (const Json& t : *types) {
    if (t.is_string()) out.push_back(t.get<std::string>());
  }
  apply_issue_types(out);
  touch();
}

// ---- Connection ----------------------------------------------------------------------------------

void InboxModel::set_link(LinkState state, Millis retry_at) {
  link_ = state;
  retry_at_ = retry_at;
  touch();
}

void InboxModel::connected(Millis now) {
  now_ = now;
  Hello hello;  // staff: the session cookie identifies us; tenant "" = ours
  session_.connected(hello, now);
  touch();
}

void InboxModel::received(std::string_view frame, Millis now) {
  now_ = now;
  session_.received(frame, now);
  if (viewing_) mark_seen(now);
}

void InboxModel::disconnected() {
  session_.disconnected();
  page_in_flight_ = false;  // its answer is lost with the connection; the next snapshot restarts
  typing_sent_ = false;
  touch();
}

void InboxModel::set_viewing(bool viewing, Millis now) {
  viewing_ = viewing;
  if (viewing) mark_seen(now);
}

// ---- Frames ----------------------------------------------------------------------------------------

void InboxModel::on_hello(const Json& data) {
  // Staff: {user, issue_types}; the lists came with inbox.snapshot on connect.
  if (Result<StaffHelloAck> ack = decode_staff_hello_ack(data)) {
    if (user_.id.empty()) {
      const std::string username = user_.username;
      user_ = user_of(ack->user);
      if (user_.username.empty()) user_.username = username;
    }
    apply_issue_types(ack->issue_types);
  }
  // The relay sends inbox.snapshot on connect, before it acknowledges hello; the session sends
  // nothing until then, so the snapshot's request for the next page was refused: ask again now.
  if (had_snapshot_) request_page();
  touch();
}

void InboxModel::apply_issue_types(const std::vector<std::string>& types) {
  std::vector<std::string> out;
  for (const std::string& t : types) {
    if (!t.empty()) out.push_back(t);
  }
  if (!out.empty()) issue_types_ = std::move(out);
}

void InboxModel::show_dashboard(bool show) {
  if (show) {
    supervise_.open(SuperviseModel::Panel::dashboard);
    session_.send(DashboardWatch{true}, "dashboard");
  } else {
    if (supervise_.panel() == SuperviseModel::Panel::dashboard) supervise_.close();
    session_.send(DashboardWatch{false}, "dashboard");
  }
}

void InboxModel::request_csat() {
  if (!can_request_csat()) return;
  session_.send(RequestCsat{open_id_}, open_id_);
}

bool InboxModel::can_request_csat() const {
  const Conversation* c = open_conversation();
  return c && c->status == Status::resolved && c->ending != Ending::abandoned && c->ending != Ending::none;
}

void InboxModel::on_notice(const std::string& type, const Json& data) {
  if (type == notice::dashboard_figures) {
    supervise_.set_dashboard(data);
    return;
  }
  if (type == notice::inbox_snapshot) {
    if (const std::int64_t t = snapshot_wait_threshold_s(data); t > 0) wait_threshold_ms_ = t * 1000;  // issue 9, sup2
    if (Result<InboxSnapshot> snapshot = decode_inbox_snapshot(data)) {
      apply_snapshot(snapshot.value(), !had_snapshot_);
    }
  } else if (type == notice::inbox_changes || type == notice::inbox_conversation) {
    // inbox.changes: {conversations:[item...], counts} (one per group commit on the relay);
    // inbox.conversation: {conversation:item, counts} from relays before the rename (the decoder
    // reads both).
    Result<InboxChanges> changes = decode_inbox_changes(data);
    if (!changes) return;
    for (const ConversationItem& item : changes->conversations) upsert(item, false);
    if (changes->counts) counts_ = counts_of(*changes->counts);
    touch();
  } else if (type == notice::session_expired) {
    logged_out("Your session has expired. Please sign in again.");
  } else if (type == "agent.status") {
    agent_status_.on_notice(data);
  } else if (type == notice::chat_transferred_to_you) {
    // Someone handed us a chat (issue 9): ring and say so; the list hears of it as usual.
    std::string by;
    if (const Json* b = member(data, "by")) by = string_member(*b, "name");
    const std::string note = string_member(data, "note");
    Alert a;
    a.kind = Alert::Kind::new_waiting;
    a.conversation_id = string_member(data, "conversation_id");
    a.text = (by.empty() ? std::string("A colleague") : by) + " transferred a chat to you" +
             (note.empty() ? std::string(".") : ": " + note);
    flash_ = a.text;
    flash_at_ = now_;
    alerts_.push_back(std::move(a));
    touch();
  }
}

void InboxModel::choose_status(AgentStatus s) {
  if (auto command = agent_status_.choose(s)) session_.send(*command);
  touch();
}

void InboxModel::apply_snapshot(const InboxSnapshot& data, bool first) {
  User nu = user_of(data.user);
  if (nu.username.empty()) nu.username = user_.username;
  user_ = nu;
  counts_ = counts_of(data.counts);
  apply_issue_types(data.issue_types);
  if (data.server_time > 0 && now_ > 0) clock_skew_ = data.server_time - now_;

  // Replace the lists: what the snapshot (and its further pages) does not name is gone (keep the
  // open conversation's data).
  queue_before_reconnect_ = first ? std::vector<std::string>() : queue_ids_;
  ring_new_ = !first;
  std::unordered_map<std::string, ListItem> keep;
  if (!open_id_.empty()) {
    if (auto it = items_.find(open_id_); it != items_.end()) keep.emplace(open_id_, std::move(it->second));
  }
  items_ = std::move(keep);
  ++snapshot_generation_;
  page_in_flight_ = false;
  std::vector<std::string> page_ids;
  for (const bool queue : {true, false}) {
    const std::vector<ConversationItem>& items = queue ? data.queue : data.mine;
    const std::size_t n = items.size();
    ListCursor cursor;
    for (const ConversationItem& item : items) {
      upsert(item, true);
      cursor = cursor_of(item);
      if (queue) page_ids.push_back(item.id);
    }
    (queue ? queue_total_ : mine_total_) = queue ? data.queue_total : data.mine_total;
    (queue ? queue_cursor_ : mine_cursor_) = cursor;
    // A relay without paging sends whole lists (no totals); an empty page ends the list too.
    (queue ? queue_done_ : mine_done_) = n == 0 || n >= (queue ? queue_total_ : mine_total_);
  }
  rebuild_lists();
  ring_new_waiting(page_ids);
  // Our own conversations are followed live (unread badges, new-message sounds).
  for (const std::string& id : mine_ids_) session_.resume(id);
  // First sight of a conversation: what is there now counts as seen.
  for (const std::string& id : mine_ids_) {
    if (!seen_.count(id)) seen_[id] = items_[id].conversation.head_seq;
  }
  had_snapshot_ = true;
  lists_changed();
  sync_focus();
  request_page();
}

// Chats that arrived while we were away ring too (not on the first load): those of `ids` that
// were not in the queue before the reconnect.
void InboxModel::ring_new_waiting(const std::vector<std::string>& ids) {
  if (!ring_new_ || ids.empty()) return;
  const std::unordered_set<std::string> before(queue_before_reconnect_.begin(),
                                               queue_before_reconnect_.end());
  std::size_t rung = 0;
  for (const std::string& id : ids) {
    if (before.count(id) || rung >= kMaxAlertsPerBatch) continue;
    const auto it = items_.find(id);
    if (it == items_.end() || it->second.conversation.status != Status::pending) continue;
    alerts_.push_back({Alert::Kind::new_waiting, id, "New chat waiting: " + it->second.contact_name});
    ++rung;
  }
}

void InboxModel::request_page() {
  if (page_in_flight_) return;
  InboxListName list;
  if (!queue_done_) {
    list = InboxListName::queue;
  } else if (!mine_done_) {
    list = InboxListName::mine;
  } else {
    queue_before_reconnect_.clear();
    ring_new_ = false;
    return;
  }
  InboxList request;
  request.list = list;
  request.limit = kInboxPageMax;
  request.after = list == InboxListName::queue ? queue_cursor_ : mine_cursor_;
  // One request at a time: each answer asks for the next page (natural flow control).
  if (session_.send(request, page_key(list, snapshot_generation_))) page_in_flight_ = true;
}

void InboxModel::page_answered(const InboxPage& page, InboxListName list) {
  page_in_flight_ = false;
  const bool queue = list == InboxListName::queue;
  const std::size_t n = page.items.size();
  std::vector<std::string> page_ids;
  for (const ConversationItem& item : page.items) {
    upsert(item, true);
    (queue ? queue_cursor_ : mine_cursor_) = cursor_of(item);
    page_ids.push_back(item.id);
  }
  (queue ? queue_total_ : mine_total_) = page.total;
  // A short page is the end of the list.
  if (n < kInboxPageMax) (queue ? queue_done_ : mine_done_) = true;
  rebuild_lists();
  if (queue) ring_new_waiting(page_ids);
  if (!queue) {
    for (const std::string& id : page_ids) {
      session_.resume(id);
      if (!seen_.count(id)) seen_[id] = items_[id].conversation.head_seq;
    }
  }
  lists_changed();
  sync_focus();
  request_page();
}

void InboxModel::on_command_ack(std::string_view command, const std::string& key, const Json& data) {
  if (command == "dashboard.watch") {
    if (data.is_object() && data.contains("dashboard")) supervise_.set_dashboard(data["dashboard"]);
    return;
  }
  if (command == "chat.request_csat") {
    flash_ = "Survey sent to the customer";
    flash_at_ = now_;
    touch();
    return;
  }
  if (command == "inbox.list") {
    const auto colon = key.find(':');
    if (colon == std::string::npos || key.substr(colon + 1) != std::to_string(snapshot_generation_)) return;
    const std::optional<InboxListName> list = parse_inbox_list_name(key.substr(0, colon));
    if (!list) return;
    if (Result<InboxPage> page = decode_inbox_page(data)) {
      page_answered(page.value(), *list);
    } else {
      // A malformed page ends that list's paging (as an empty one would).
      page_in_flight_ = false;
      (*list == InboxListName::queue ? queue_done_ : mine_done_) = true;
      request_page();
    }
  } else if (command == "chat.join") {
    // The full staff view: the contact's details for the side panel.
    const Result<JoinAck> ack = decode_join_ack(data);
    if (ack && ack->staff) {
      const ContactCard& k = ack->contact;
      contacts_[key] = ContactDetails{k.name, k.email, k.phone};
      // Whether the customer is connected (a page of the host site open); live changes come as
      // chat.customer_presence.
      if (const Json* online = member(data, "customer_online"); online && online->is_boolean()) {
        customer_online_[key] = online->get<bool>();
      }
      if (auto it = items_.find(key); it != items_.end()) {
        if (it->second.contact_name.empty()) it->second.contact_name = k.name;
        it->second.contact_email = k.email;
      }
      touch();
    }
  }
}

void InboxModel::upsert(const ConversationItem& ci, bool batch) {
  Conversation c = conversation_of(ci);
  const std::string id = c.id;
  const bool mine = c.status == Status::active && !user_.id.empty() && c.assignee_id == user_.id;
  const bool relevant = c.status == Status::pending || mine || id == open_id_;
  const bool was_queued = std::find(queue_ids_.begin(), queue_ids_.end(), id) != queue_ids_.end();
  const bool was_mine = std::find(mine_ids_.begin(), mine_ids_.end(), id) != mine_ids_.end();
  auto it = items_.find(id);
  if (!relevant) {
    if (it != items_.end()) items_.erase(it);
    if (!batch && (was_queued || was_mine)) {
      place(id);
      sort_lists();
      lists_changed();
      sync_focus();
    }
    return;
  }
  // A stale notice (older head) never overwrites a newer one.
  if (it != items_.end() && it->second.conversation.head_seq > c.head_seq &&
      it->second.conversation.updated_at > c.updated_at) {
    return;
  }
  ListItem& li = items_[id];
  // What lists do not carry (the summary, issue type, page, ...) stays from the full view.
  const Conversation old = li.conversation;
  li.conversation = std::move(c);
  Conversation& nc = li.conversation;
  nc.tenant_id = old.tenant_id;
  nc.contact_id = old.contact_id;
  nc.ending = old.ending;
  nc.answered_by = old.answered_by;
  nc.issue_type = old.issue_type;
  nc.previous_agent_id = old.previous_agent_id;
  nc.resolution = old.resolution;
  nc.handoff_summary = old.handoff_summary;
  nc.assigned_at = old.assigned_at;
  nc.first_agent_response_at = old.first_agent_response_at;
  nc.resolved_at = old.resolved_at;
  nc.page_url = old.page_url;
  nc.page_title = old.page_title;
  nc.page_referrer = old.page_referrer;
  li.contact_name = ci.contact_name;
  if (auto k = contacts_.find(id); k != contacts_.end()) {
    li.contact_email = k->second.email;
    if (li.contact_name.empty()) li.contact_name = k->second.name;
  }
  li.preview = one_line(ci.preview);
  li.last_customer_seq = ci.last_customer_seq;
  if (batch) return;
  place(id);
  sort_lists();
  if (li.conversation.status == Status::pending && !was_queued) {
    const std::string who = li.contact_name.empty() ? std::string("a visitor") : li.contact_name;
    alerts_.push_back({Alert::Kind::new_waiting, id, "New chat waiting from " + who});
  }
  if (mine) {
    session_.resume(id);
    if (!seen_.count(id)) seen_[id] = was_mine ? 0 : li.conversation.head_seq;
  }
  lists_changed();
  sync_focus();
}

void InboxModel::place(const std::string& id) {
  auto erase = [&id](std::vector<std::string>& v) { v.erase(std::remove(v.begin(), v.end(), id), v.end()); };
  erase(queue_ids_);
  erase(mine_ids_);
  const auto it = items_.find(id);
  if (it == items_.end()) return;
  const Conversation& c = it->second.conversation;
  if (c.status == Status::pending) queue_ids_.push_back(id);
  if (c.status == Status::active && !user_.id.empty() && c.assignee_id == user_.id) mine_ids_.push_back(id);
}

void InboxModel::rebuild_lists() {
  queue_ids_.clear();
  mine_ids_.clear();
  for (const auto& [id, li] : items_) {
    const Conversation& c = li.conversation;
    if (c.status == Status::pending) queue_ids_.push_back(id);
    if (c.status == Status::active && !user_.id.empty() && c.assignee_id == user_.id) mine_ids_.push_back(id);
  }
  sort_lists();
}

void InboxModel::sort_lists() {
  // The relay's orders (parley/queue.hpp), so pages and live changes line up.
  std::sort(queue_ids_.begin(), queue_ids_.end(), [this](const std::string& a, const std::string& b) {
    return queue_before(items_[a].conversation, items_[b].conversation);
  });
  std::sort(mine_ids_.begin(), mine_ids_.end(), [this](const std::string& a, const std::string& b) {
    return recent_before(items_[a].conversation, items_[b].conversation);
  });
}

void InboxModel::on_event(const Event& e, SyncStore::Applied applied) {
  if (e.type == ev::customer_presence) {
    customer_online_[e.conversation_id] = client::bool_member(e.data, "online", false);
    touch();
    return;
  }
  if (e.type == ev::typing) {
    if (e.actor.role == Role::customer) {
      const bool on = client::bool_member(e.data, "typing", false);
      if (on) {
        typing_at_[e.conversation_id] = now_;
      } else {
        typing_at_.erase(e.conversation_id);
      }
      touch();
    }
    return;
  }
  if (applied != SyncStore::Applied::added) return;
  if (e.type == ev::new_message) {
    if (e.actor.role == Role::customer) typing_at_.erase(e.conversation_id);
    // A customer wrote in one of our conversations while we look elsewhere: ring.
    const bool ours = std::find(mine_ids_.begin(), mine_ids_.end(), e.conversation_id) != mine_ids_.end();
    const bool looking = viewing_ && e.conversation_id == open_id_;
    if (ours && !looking && e.actor.role == Role::customer && session_.joined(e.conversation_id)) {
      const auto it = items_.find(e.conversation_id);
      const std::string who =
          it == items_.end() || it->second.contact_name.empty() ? "a customer" : it->second.contact_name;
      alerts_.push_back({Alert::Kind::new_message, e.conversation_id, "New message from " + who});
    }
  }
  // The store's summary is fresher than the list's for the open conversation.
  if (const ConversationView* v = session_.store().find(e.conversation_id)) {
    if (auto it = items_.find(e.conversation_id); it != items_.end()) {
      const Conversation& s = v->summary;
      Conversation& c = it->second.conversation;
      if (s.head_seq > c.head_seq) {
        c.status = s.status;
        c.assignee_id = s.assignee_id;
        c.assignee_name = s.assignee_name;
        c.priority = s.priority;
        c.head_seq = s.head_seq;
      }
      if (c.handoff_summary.empty()) c.handoff_summary = s.handoff_summary;
    }
  }
  if (e.type == ev::new_message) absorb_message(e);
  lists_changed();
}

// A joined conversation's list item follows its messages here: the relay sends no list item for
// a message alone to sockets that get its events (docs/protocol.md, inbox.changes). The same rule
// as the relay's previews: the customer's last message, else the last one the customer sees.
void InboxModel::absorb_message(const Event& e) {
  const auto it = items_.find(e.conversation_id);
  if (it == items_.end()) return;
  ListItem& li = it->second;
  const Json* m = e.data.is_object() && e.data.contains("message") ? &e.data["message"] : nullptr;
  const std::string text = m && m->is_object() ? client::string_member(*m, "text") : std::string();
  if (e.actor.role == Role::customer) {
    li.preview = one_line(item_preview(text));
    li.last_customer_seq = std::max(li.last_customer_seq, e.seq);
  } else if (visible_to_customer(e) && li.last_customer_seq == 0) {
    li.preview = one_line(item_preview(text));
  }
  Conversation& c = li.conversation;
  c.head_seq = std::max(c.head_seq, e.seq);
  if (e.at > c.updated_at) {
    c.updated_at = e.at;
    sort_lists();
  }
}

void InboxModel::on_joined(const std::string& conversation_id) {
  if (conversation_id == open_id_ && viewing_) mark_seen(now_);
  lists_changed();
}

void InboxModel::on_command_error(std::string_view command, const std::string& key, const Error& error) {
  if (command == "chat.accept" || command == "chat.handoff") {
    flash_ = error.code == ErrorCode::already_assigned ? error.message : "Could not accept: " + error.message;
    pending_accept_.clear();
  } else if (command == "agent.set_status") {
    agent_status_.on_error();
    flash_ = "Could not change your status: " + error.message;
  } else if (command == "chat.resolve") {
    flash_ = "Could not resolve: " + error.message;
  } else if (command == "chat.send_message") {
    flash_ = "Message not delivered: " + error.message;
  } else if (command == "chat.join") {
    flash_ = "Could not open the conversation: " + error.message;
  } else if (command == "chat.request_csat" || command == "dashboard.watch") {
    flash_ = (command == "dashboard.watch" ? "Could not open the dashboard: " : "Could not send the survey: ") +
             error.message;
  } else if (command == "inbox.list") {
    // Stop paging that list (no retry loop); the next snapshot starts over.
    page_in_flight_ = false;
    if (key_list_is_queue(key)) {
      queue_done_ = true;
    } else {
      mine_done_ = true;
    }
    request_page();
    flash_ = "Could not load the whole list: " + error.message;
  } else {
    return;
  }
  flash_at_ = now_;
  touch();
}

// ---- Unread and seen ---------------------------------------------------------------------------

int InboxModel::unread_of(const std::string& id) const {
  const auto s = seen_.find(id);
  const Seq seen = s == seen_.end() ? 0 : s->second;
  if (const ConversationView* v = session_.store().find(id)) {
    int n = 0;
    for (auto m = v->messages.rbegin(); m != v->messages.rend() && m->seq > seen; ++m) {
      if (m->sender_role == Role::customer) ++n;
    }
    return n;
  }
  // Not followed live: the list item says whether the customer wrote since.
  const auto it = items_.find(id);
  return it != items_.end() && it->second.last_customer_seq > seen ? 1 : 0;
}

void InboxModel::mark_seen(Millis now) {
  (void)now;
  if (open_id_.empty() || !session_.joined(open_id_)) return;
  const ConversationView* v = session_.store().find(open_id_);
  if (!v) return;
  const Seq cursor = v->cursor;
  Seq& seen = seen_[open_id_];
  if (cursor > seen) {
    seen = cursor;
    save_seen();
    lists_changed();
  }
  // Read receipt for the customer (ephemeral), once per new cursor.
  if (cursor > seen_sent_) {
    seen_sent_ = cursor;
    session_.send(Seen{open_id_, cursor});
  }
}

void InboxModel::load_seen() {
  const Json j = Json::parse(storage_.get(kSeenKey), nullptr, false);
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_number_unsigned()) seen_[it.key()] = it.value().get<Seq>();
  }
}

void InboxModel::save_seen() {
  Json j = Json::object();
  // Only what matters: our conversations and the open one (bounded).
  for (const std::string& id : mine_ids_) {
    if (auto it = seen_.find(id); it != seen_.end()) j[id] = it->second;
  }
  if (!open_id_.empty() && seen_.count(open_id_)) j[open_id_] = seen_[open_id_];
  if (j.size() > kSeenKeep) return;
  storage_.set(kSeenKey, j.dump());
}

// ---- Lists and focus -------------------------------------------------------------------------------

std::uint64_t InboxModel::rows_version() {
  rebuild_rows();
  return rows_version_;
}

const std::vector<Row>& InboxModel::queue_rows() {
  rebuild_rows();
  return queue_rows_;
}

const std::vector<Row>& InboxModel::mine_rows() {
  rebuild_rows();
  return mine_rows_;
}

void InboxModel::rebuild_rows() {
  // Unread counts depend on the store too.
  const std::uint64_t key = lists_version_ * 1000003u + session_.store().version();
  if (key == rows_built_for_) return;
  rows_built_for_ = key;
  ++rows_version_;
  auto fill = [this](const std::vector<std::string>& ids, std::vector<Row>& rows, bool queue) {
    rows.resize(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const ListItem& li = items_[ids[i]];
      Row& r = rows[i];
      const Conversation& c = li.conversation;
      if (r.id != c.id) r.id = c.id;
      const std::string& name = li.contact_name.empty()
                                    ? (li.contact_email.empty() ? std::string("Visitor") : li.contact_email)
                                    : li.contact_name;
      if (r.name != name) {
        r.name = name;
        r.initial = initial_of(name);
      }
      if (r.topic != c.topic) r.topic = c.topic;
      if (r.preview != li.preview) r.preview = li.preview;
      r.priority = c.priority;
      r.status = c.status;
      r.since = queue ? c.handed_off_at : c.updated_at;
      r.unread = queue ? 0 : unread_of(c.id);
    }
  };
  fill(queue_ids_, queue_rows_, true);
  fill(mine_ids_, mine_rows_, false);
}

void InboxModel::set_focus_index(int index) {
  const int total = static_cast<int>(queue_ids_.size() + mine_ids_.size());
  if (total == 0) {
    focus_index_ = -1;
    focus_id_.clear();
    touch();
    return;
  }
  focus_index_ = std::clamp(index, 0, total - 1);
  const std::size_t q = queue_ids_.size();
  focus_id_ = static_cast<std::size_t>(focus_index_) < q
                  ? queue_ids_[static_cast<std::size_t>(focus_index_)]
                  : mine_ids_[static_cast<std::size_t>(focus_index_) - q];
  touch();
}

// After the lists changed: the focus follows its conversation, or stays at its place.
void InboxModel::sync_focus() {
  if (focus_id_.empty()) {
    focus_index_ = -1;
    return;
  }
  const auto q = std::find(queue_ids_.begin(), queue_ids_.end(), focus_id_);
  if (q != queue_ids_.end()) {
    focus_index_ = static_cast<int>(q - queue_ids_.begin());
    return;
  }
  const auto m = std::find(mine_ids_.begin(), mine_ids_.end(), focus_id_);
  if (m != mine_ids_.end()) {
    focus_index_ = static_cast<int>(queue_ids_.size() + static_cast<std::size_t>(m - mine_ids_.begin()));
    return;
  }
  set_focus_index(focus_index_);
}

void InboxModel::move_focus(int delta) {
  ++focus_moves_;
  if (focus_index_ < 0) {
    // Start from the open conversation when it is listed, else from the top.
    focus_id_ = open_id_;
    sync_focus();
    if (focus_index_ < 0) {
      set_focus_index(delta > 0 ? 0 : static_cast<int>(queue_ids_.size() + mine_ids_.size()) - 1);
      return;
    }
  }
  set_focus_index(focus_index_ + delta);
}

void InboxModel::open_focused(Millis now) {
  if (!focus_id_.empty()) open(focus_id_, now);
}

void InboxModel::open(const std::string& id, Millis now) {
  if (id.empty()) return;
  if (id != open_id_) {
    if (typing_sent_ && !open_id_.empty()) send_typing(false, now);
    open_id_ = id;
    note_mode_ = false;  // a note is written on purpose, per conversation (issue 9)
    transfer_open_ = false;
    reassign_ = false;
    if (id != match_conv_) {  // a match belongs to the conversation opened at it (open_at)
      match_conv_.clear();
      match_seq_ = 0;
    }
    draft_.clear();
    resolve_open_ = false;
    seen_sent_ = 0;
    issue_type_.clear();
    resolution_.clear();
  }
  focus_id_ = id;
  sync_focus();
  session_.resume(id);
  if (viewing_) mark_seen(now);
  touch();
}

void InboxModel::close_conversation() {
  if (transfer_open_) {
    transfer_open_ = false;
  } else if (resolve_open_) {
    resolve_open_ = false;
  } else {
    open_id_.clear();
    draft_.clear();
  }
  touch();
}

// ---- The open conversation ----------------------------------------------------------------------

const ListItem* InboxModel::open_item() const {
  const auto it = items_.find(open_id_);
  return it == items_.end() ? nullptr : &it->second;
}

const ContactDetails* InboxModel::open_contact() const {
  const auto it = contacts_.find(open_id_);
  return it == contacts_.end() ? nullptr : &it->second;
}

const Conversation* InboxModel::open_conversation() const {
  if (open_id_.empty()) return nullptr;
  const ListItem* li = open_item();
  const ConversationView* v = session_.store().find(open_id_);
  // The store's summary is the full staff view (join ack + events); the list item only the
  // list members: prefer the store unless the list has heard of a later change.
  if (li && v) return v->summary.head_seq >= li->conversation.head_seq ? &v->summary : &li->conversation;
  if (li) return &li->conversation;
  return v ? &v->summary : nullptr;
}

bool InboxModel::open_is_mine() const {
  const Conversation* c = open_conversation();
  return c && c->status == Status::active && !user_.id.empty() && c->assignee_id == user_.id;
}

bool InboxModel::can_accept() const {
  const Conversation* c = open_conversation();
  return c && c->status == Status::pending && session_.ready();
}
bool InboxModel::can_take_over() const {
  const Conversation* c = open_conversation();
  return c && c->status == Status::bot && session_.ready();
}
bool InboxModel::can_reply() const { return open_is_mine(); }

int InboxModel::customer_online() const {
  // Presence is the widget's: a WhatsApp or voice customer never "left the site".
  if (const Conversation* c = open_conversation(); c && c->channel != Channel::web) return -1;
  const auto it = customer_online_.find(open_id_);
  return it == customer_online_.end() ? -1 : it->second ? 1 : 0;
}
bool InboxModel::can_resolve() const {
  const Conversation* c = open_conversation();
  if (!c || c->status != Status::active) return false;
  return open_is_mine() || user_.role == "admin" || user_.role == "supervisor";
}

bool InboxModel::customer_typing(Millis now) const {
  const auto it = typing_at_.find(open_id_);
  return it != typing_at_.end() && now - it->second < kTypingShowMs;
}

void InboxModel::accept(const std::string& id) {
  if (id.empty()) return;
  pending_accept_ = id;
  if (id != open_id_) open(id, now_);
  session_.send(Accept{id});
  touch();
}

void InboxModel::take_over(const std::string& id) {
  if (id.empty()) return;
  session_.send(Handoff{id, ""});
  touch();
}

void InboxModel::send_typing(bool typing, Millis now) {
  if (open_id_.empty() || !open_is_mine()) return;
  if (session_.send(Typing{open_id_, typing})) {
    typing_sent_ = typing;
    typing_sent_at_ = now;
  }
}

void InboxModel::set_draft(std::string text, Millis now) {
  draft_ = std::move(text);
  canned_.draft_changed(draft_);
  articles_.draft_changed(draft_);
  if (draft_.empty()) template_warning_.clear();
  const bool has = !trimmed(draft_).empty();
  if (has && (!typing_sent_ || now - typing_sent_at_ >= kTypingResendMs)) send_typing(true, now);
  if (!has && typing_sent_) send_typing(false, now);
  touch();
}

bool InboxModel::send_draft(Millis now) {
  const std::string text = trimmed(draft_);
  if (note_mode_) {  // a staff-only note (issue 9): straight to the relay, no outbox
    if (text.empty() || !can_note()) return false;
    if (!session_.send(SendMessage{open_id_, make_id_(), text, MessageKind::note})) {
      flash_ = "Not connected: the note was not saved.";
      flash_at_ = now;
      touch();
      return false;
    }
    draft_.clear();
    canned_.draft_changed(draft_);
    template_warning_.clear();
    touch();
    return true;
  }
  if (text.empty() || !can_reply()) return false;
  template_warning_.clear();
  session_.send_message(open_id_, make_id_(), text, now);
  draft_.clear();
  typing_sent_ = false;  // a message ends typing on the other side
  lists_changed();
  return true;
}

void InboxModel::retry(const std::string& client_msg_id) {
  if (const int up = client::files::Uploads::id_of(client_msg_id)) {
    uploads_.retry(up);
    return;
  }
  session_.retry(client_msg_id);
  lists_changed();
}

void InboxModel::discard(const std::string& client_msg_id) {
  if (const int up = client::files::Uploads::id_of(client_msg_id)) {
    if (const int handle = uploads_.discard(up)) released_files_.push_back(handle);
    return;
  }
  session_.discard(client_msg_id);
  lists_changed();
}

int InboxModel::attach(int handle, std::string name, std::uint64_t size) {
  if (!can_attach()) {
    released_files_.push_back(handle);
    return 0;
  }
  return uploads_.add(handle, open_id_, std::move(name), size, make_id_());
}

const AttachmentRef* InboxModel::find_attachment(const std::string& id) const {
  const ConversationView* v = open_id_.empty() ? nullptr : session_.store().find(open_id_);
  if (!v || id.empty()) return nullptr;
  for (const Message& m : v->messages)
    if (m.attachment && m.attachment->id == id) return &*m.attachment;
  return nullptr;
}

void InboxModel::open_resolve() {
  if (!can_resolve()) return;
  resolve_open_ = true;
  if (issue_type_.empty() && !issue_types_.empty()) {
    const Conversation* c = open_conversation();
    issue_type_ = c && !c->issue_type.empty() ? c->issue_type : issue_types_.front();
  }
  touch();
}

bool InboxModel::submit_resolve() {
  if (!resolve_open_ || !can_resolve()) return false;
  if (!session_.send(Resolve{open_id_, trimmed(resolution_), issue_type_})) {
    flash_ = "Not connected: the conversation was not resolved.";
    flash_at_ = now_;
    touch();
    return false;
  }
  resolve_open_ = false;
  resolution_.clear();
  touch();
  return true;
}

void InboxModel::toggle_mute() {
  muted_ = !muted_;
  storage_.set(kMuteKey, muted_ ? "1" : "0");
  touch();
}

std::uint64_t InboxModel::timeline_version() {
  rebuild_timeline();
  return timeline_version_;
}

const std::vector<TimelineItem>& InboxModel::timeline() {
  rebuild_timeline();
  return timeline_;
}

void InboxModel::rebuild_timeline() {
  // The day of "now" is part of the key: "Today" becomes "Yesterday" after midnight.
  const long long today = local_day(server_now(now_), clock_);
  const std::uint64_t key =
      ((session_.store().version() * 31 + lists_version_) * 131 + uploads_.version()) * 1000003u +
      static_cast<std::uint64_t>(today);
  if (key == timeline_built_for_ && timeline_built_id_ == open_id_) return;
  timeline_built_for_ = key;
  timeline_built_id_ = open_id_;
  ++timeline_version_;
  timeline_.clear();
  const ConversationView* v = open_id_.empty() ? nullptr : session_.store().find(open_id_);
  if (!v) return;
  std::size_t mi = 0;
  const Message* prev_msg = nullptr;
  bool summary_shown = false;
  auto push_system = [this](std::string text, Seq seq, Millis at) {
    TimelineItem t;
    t.kind = TimelineItem::Kind::system;
    t.role = Role::system;
    t.text = std::move(text);
    t.seq = seq;
    t.at = at;
    t.time = format_time(at, clock_);
    timeline_.push_back(std::move(t));
  };
  for (const Event& e : v->events) {
    if (e.type == ev::new_message) {
      while (mi < v->messages.size() && v->messages[mi].seq < e.seq) ++mi;
      if (mi >= v->messages.size() || v->messages[mi].seq != e.seq) continue;
      const Message& m = v->messages[mi];
      TimelineItem t;
      t.kind = m.kind == MessageKind::note ? TimelineItem::Kind::note : TimelineItem::Kind::message;
      t.role = m.sender_role;
      t.own = m.sender_role == Role::agent && m.sender_id == user_.id;
      t.seq = m.seq;
      t.name = m.sender_name;
      if (t.name.empty()) {
        t.name = m.sender_role == Role::bot        ? "Assistant"
                 : m.sender_role == Role::customer ? "Customer"
                                                   : "Agent";
      }
      t.text = m.text;
      t.links = client::find_links(m.text);
      if (m.kind == MessageKind::file && m.attachment) {  // issue 9: the name opens the file
        client::files::FileText ft = client::files::file_message_text(*m.attachment);
        t.text = std::move(ft.text);
        t.links = std::move(ft.links);
        t.attachment = m.attachment;
      }
      t.at = m.at;
      t.time = format_time(m.at, clock_);
      t.group_start = !prev_msg || prev_msg->sender_role != m.sender_role ||
                      prev_msg->sender_id != m.sender_id || prev_msg->kind != m.kind || timeline_.empty() ||
                      (timeline_.back().kind != TimelineItem::Kind::message &&
                       timeline_.back().kind != TimelineItem::Kind::note);
      prev_msg = &m;
      timeline_.push_back(std::move(t));
      continue;
    }
    prev_msg = nullptr;
    const std::string reason = string_member(e.data, "reason");
    if (e.type == ev::handed_off) {
      push_system(handoff_reason_text(reason), e.seq, e.at);
    } else if (e.type == ev::handoff_summary) {
      const std::string s = string_member(e.data, "summary");
      if (s.empty()) continue;
      TimelineItem t;
      t.kind = TimelineItem::Kind::summary;
      t.role = Role::bot;
      t.name = "Hand-off summary";
      t.text = s;
      t.seq = e.seq;
      t.at = e.at;
      t.time = format_time(e.at, clock_);
      timeline_.push_back(std::move(t));
      summary_shown = true;
    } else if (e.type == ev::assigned) {
      std::string name;
      if (const Json* a = member(e.data, "agent")) name = string_member(*a, "name");
      if (name.empty()) name = e.actor.name.empty() ? "Staff" : e.actor.name;
      TimelineItem t;
      t.kind = TimelineItem::Kind::takeover;
      t.role = Role::agent;
      t.name = name;
      t.text = name + " took over here";
      t.seq = e.seq;
      t.at = e.at;
      t.time = format_time(e.at, clock_);
      timeline_.push_back(std::move(t));
    } else if (e.type == ev::requeued) {
      push_system("Back in the queue (agent away)", e.seq, e.at);
    } else if (e.type == ev::resolved) {
      push_system("Resolved by " + (e.actor.name.empty() ? std::string("staff") : e.actor.name), e.seq, e.at);
    } else if (e.type == ev::resolution_note) {
      const std::string r = string_member(e.data, "resolution"), it = string_member(e.data, "issue_type");
      TimelineItem t;
      t.kind = TimelineItem::Kind::note;
      t.role = Role::agent;
      t.name = "Resolution" + (it.empty() ? std::string() : " \u00b7 " + it);
      t.text = r.empty() ? "(no note)" : r;
      t.seq = e.seq;
      t.at = e.at;
      t.time = format_time(e.at, clock_);
      timeline_.push_back(std::move(t));
    } else if (e.type == ev::ended) {
      push_system(string_member(e.data, "ending") == "abandoned" ? "The customer left while waiting"
                                                       : "The customer ended the chat",
                  e.seq, e.at);
    } else if (e.type == ev::reopened) {
      push_system("Reopened by the customer", e.seq, e.at);
    } else if (e.type == ev::priority_changed) {
      push_system("Priority set to " + string_member(e.data, "priority"), e.seq, e.at);
    } else if (e.type == ev::transferred) {
      const std::string who = e.actor.name.empty() ? std::string("Staff") : e.actor.name;
      std::string team = string_member(e.data, "team_name");  // relays before the team records: none
      if (team.empty()) team = string_member(e.data, "team");
      std::string to;
      if (const Json* t = member(e.data, "to")) to = string_member(*t, "name");
      push_system(!to.empty() ? who + " transferred the chat to " + to
                              : who + " sent the chat back to the queue for " + (team.empty() ? "the team" : team),
                  e.seq, e.at);
    } else if (e.type == ev::issue_type_changed) {
      push_system("Issue type set to " + string_member(e.data, "issue_type"), e.seq, e.at);
    } else if (e.type == kTicketCreatedEvent) {  // issue 9: converted to a ticket
      std::string by;
      if (const Json* b = member(e.data, "by")) by = string_member(*b, "name");
      push_system("Ticket " + string_member(e.data, "ticket_id") + " created" + (by.empty() ? "" : " by " + by), e.seq,
                  e.at);
    } else if (e.type == kDeliveryEvent) {
      // issue 11: a message to a WhatsApp customer that failed (with the reason) or may not
      // have arrived is said under it (delivery_model.hpp); fine states show no line.
      // The message itself carries the state (ticks); the relay sends the furthest state, so the
      // newest event wins.
      const Seq of = e.data.is_object() ? e.data.value("seq", Seq{0}) : 0;
      for (auto t = timeline_.rbegin(); of > 0 && t != timeline_.rend(); ++t) {
        if (t->kind == TimelineItem::Kind::message && t->seq == of) {
          t->delivery = string_member(e.data, "state");
          break;
        }
      }
      if (std::string line = delivery_line(e.data); !line.empty()) push_system(std::move(line), e.seq, e.at);
    }
  }
  (void)summary_shown;
  add_day_dividers(today);
  // Own messages the relay has not stored yet.
  for (const OutboxEntry& o : session_.store().outbox()) {
    if (o.conversation_id != open_id_) continue;
    TimelineItem t;
    t.kind = TimelineItem::Kind::outbox;
    t.role = Role::agent;
    t.own = true;
    t.name = user_.name;
    t.text = o.text;
    t.client_msg_id = o.client_msg_id;
    t.failed = o.state == Delivery::failed;
    t.time.clear();  // "Sending…" / "Not delivered" is drawn once, under the bubble
    t.links = client::find_links(o.text);
    t.group_start = timeline_.empty() || !timeline_.back().own;
    timeline_.push_back(std::move(t));
  }
  // Files this agent is uploading, or that were refused (with the reason, Retry and Delete).
  for (const client::files::Upload& u : uploads_.all()) {
    if (u.conversation_id != open_id_) continue;
    TimelineItem t;
    t.kind = TimelineItem::Kind::outbox;
    t.role = Role::agent;
    t.own = true;
    t.upload = true;
    t.name = user_.name;
    t.text = client::files::Uploads::item_text(u);
    t.client_msg_id = client::files::Uploads::key_of(u.id);
    t.failed = u.state == client::files::Upload::State::failed;
    t.group_start = timeline_.empty() || !timeline_.back().own;
    timeline_.push_back(std::move(t));
  }
}

// A "day" item before the first item of each local day, and full dates for hover and focus.
// An item after a divider starts a new group (its name line is drawn again).
void InboxModel::add_day_dividers(long long today) {
  std::vector<TimelineItem> out;
  out.reserve(timeline_.size() + 4);
  long long day = 0;
  bool first = true;
  for (TimelineItem& t : timeline_) {
    if (t.at > 0) {
      const long long d = local_day(t.at, clock_);
      t.full_time = format_date(t.at, clock_) + ", " + t.time;
      if (first || d != day) {
        TimelineItem div;
        div.kind = TimelineItem::Kind::day;
        div.role = Role::system;
        div.seq = t.seq;
        div.at = t.at;
        div.text = d == today ? "Today" : d == today - 1 ? "Yesterday" : format_date(t.at, clock_);
        div.full_time = format_date(t.at, clock_);
        out.push_back(std::move(div));
        t.group_start = true;
        day = d;
        first = false;
      }
    }
    out.push_back(std::move(t));
  }
  timeline_ = std::move(out);
}

void InboxModel::copied(Millis now) {
  say("Copied to the clipboard", now);
  alerts_.push_back({Alert::Kind::status, open_id_, "Copied to the clipboard"});
}

void InboxModel::say(std::string text, Millis now) {
  flash_ = std::move(text);
  flash_at_ = now;
  touch();
}

// ---- Snapshot for tests ------------------------------------------------------------------------------

Json InboxModel::snapshot(Millis now) {
  Json j;
  j["supervise"] = supervise_.snapshot();
  j["screen"] = screen_ == Screen::inbox ? "inbox" : screen_ == Screen::login ? "login" : "loading";
  j["connection"] = link_ == LinkState::online     ? (session_.ready() ? "online" : "connecting")
                    : link_ == LinkState::retrying ? "retrying"
                    : link_ == LinkState::offline  ? "offline"
                                                   : "connecting";
  j["user"] =
      user_.id.empty() ? Json(nullptr) : Json{{"id", user_.id}, {"name", user_.name}, {"role", user_.role}};
  j["counts"] = Json{{"active", counts_.active},
                     {"waiting", counts_.waiting},
                     {"resolved_today", counts_.resolved_today},
                     {"avg_wait_s", counts_.avg_wait_s}};
  j["login_error"] = login_error_;
  j["muted"] = muted_;
  j["agent_status"] = agent_status_.snapshot();
  const Millis server_now = now + clock_skew_;
  Json q = Json::array();
  for (const Row& r : queue_rows()) {
    q.push_back(Json{{"id", r.id},
                     {"name", r.name},
                     {"topic", r.topic},
                     {"priority", to_string(r.priority)},
                     {"waiting_s", std::max<Millis>(0, server_now - r.since) / 1000},
                     {"preview", r.preview}});
  }
  j["queue"] = std::move(q);
  Json m = Json::array();
  for (const Row& r : mine_rows()) {
    m.push_back(Json{{"id", r.id},
                     {"name", r.name},
                     {"topic", r.topic},
                     {"status", to_string(r.status)},
                     {"unread", r.unread},
                     {"waiting_s", std::max<Millis>(0, server_now - r.since) / 1000},
                     {"line2", row_line2(r, false)},
                     {"preview", r.preview}});
  }
  j["mine"] = std::move(m);
  j["focus"] = focus_id_;
  j["can_attach"] = can_attach();
  Json uploads = Json::array();
  for (const client::files::Upload& u : uploads_.all()) {
    uploads.push_back(Json{{"name", u.name},
                           {"conversation_id", u.conversation_id},
                           {"state", u.state == client::files::Upload::State::failed      ? "failed"
                                     : u.state == client::files::Upload::State::uploading ? "uploading"
                                                                                          : "queued"},
                           {"error", u.error}});
  }
  j["uploads"] = std::move(uploads);
  if (const Conversation* c = open_conversation()) {
    Json msgs = Json::array();
    for (const TimelineItem& t : timeline()) {
      if (t.kind != TimelineItem::Kind::message && t.kind != TimelineItem::Kind::note &&
          t.kind != TimelineItem::Kind::outbox) {
        continue;
      }
      msgs.push_back(
          Json{{"seq", t.seq},
               {"role", t.kind == TimelineItem::Kind::note ? "note" : std::string(to_string(t.role))},
               {"name", t.name},
               {"text", t.text},
               {"time", t.time},
               {"full_time", t.full_time},
               {"pending", t.kind == TimelineItem::Kind::outbox}});
      if (t.attachment) msgs.back()["attachment"] = to_json(*t.attachment);
      if (t.upload) msgs.back()["upload"] = t.failed ? "failed" : "uploading";
      if (!t.delivery.empty()) msgs.back()["delivery"] = t.delivery;
    }
    Json days = Json::array();
    for (const TimelineItem& t : timeline()) {
      if (t.kind == TimelineItem::Kind::day) days.push_back(Json{{"seq", t.seq}, {"text", t.text}});
    }
    Json markers = Json::array();
    for (const TimelineItem& t : timeline()) {
      if (t.kind == TimelineItem::Kind::takeover) markers.push_back(Json{{"seq", t.seq}, {"text", t.text}});
    }
    j["selected"] = Json{{"id", c->id},
                         {"status", to_string(c->status)},
                         {"assignee", c->assignee_name},
                         {"joined", session_.joined(c->id)},
                         {"messages", std::move(msgs)},
                         {"takeovers", std::move(markers)},
                         {"days", std::move(days)},
                         {"customer_online", customer_online() < 0 ? Json(nullptr) : Json(customer_online() == 1)},
                         {"summary", c->handoff_summary},
                         {"resolve_open", resolve_open_},
                         {"priority", to_string(c->priority)},
                         {"conversation_issue_type", c->issue_type},
                         {"issue_type", issue_type_},
                         {"view_mode", to_string(open_view_mode())},  // issue 9, sup2
                         {"can_reassign", can_reassign()},
                         {"match_seq", match_seq()}};
  } else {
    j["selected"] = nullptr;
  }
  j["issue_types"] = issue_types_;
  {
    Json matches = Json::array();
    for (std::size_t i : canned_.matches()) matches.push_back(canned_.items()[i].shortcut);
    Json kb_matches = Json::array();
    for (std::size_t i : articles_.matches()) kb_matches.push_back(articles_.items()[i].id);
    j["composer"] = Json{{"draft", draft_},
                         {"articles_open", articles_.open()},
                         {"articles_matches", std::move(kb_matches)},
                         {"note_mode", note_mode_},
                         {"canned_loaded", canned_.loaded()},
                         {"canned_open", canned_.open()},
                         {"canned_matches", std::move(matches)},
                         {"canned_selected", canned_.selected()},
                         {"warning", template_warning_}};
    Json agents = Json::array();
    for (const Agent& a : agents_) agents.push_back(Json{{"id", a.id}, {"name", a.name}, {"online", a.online}});
    j["transfer"] = Json{{"open", transfer_open_}, {"can", can_transfer()}, {"agents", std::move(agents)},
                         {"choice", transfer_choice_}, {"loading", agents_loading_},
                         {"reassign", reassigning()}};
    j["wait_threshold_s"] = wait_threshold_ms_ / 1000;
  }
  j["flash"] = flash_;
  j["title"] = title();
  return j;
}

// ---- issue 9: working a conversation ----

void InboxModel::canned_answered(const HttpAnswer& a) {
  if (a.status == 200 && canned_.load_json(a.body)) {
    canned_.draft_changed(draft_);
    touch();
  }
}

bool InboxModel::pick_canned(int index) {
  const std::optional<CannedItem> item = canned_.pick(index);
  if (!item) return false;
  const Conversation* c = open_conversation();
  const ListItem* li = open_item();
  const ContactDetails* k = open_contact();
  const std::string name = k && !k->name.empty() ? k->name : li ? li->contact_name : std::string();
  const std::string email = k ? k->email : std::string();
  const Filled f =
      fill_template(item->body, conversation_values(c ? *c : Conversation{}, name, email, user_.name));
  draft_ = f.text;
  canned_.draft_changed(draft_);
  template_warning_ = CannedPicker::warning(f);
  draft_replaced_ = true;
  touch();
  return true;
}

bool InboxModel::can_note() const {
  const Conversation* c = open_conversation();
  return c && session_.ready();
}

void InboxModel::toggle_note() {
  note_mode_ = !note_mode_ && can_note();
  touch();
}

bool InboxModel::can_transfer() const {
  const Conversation* c = open_conversation();
  if (!c || !session_.ready()) return false;
  if (open_is_mine()) return true;
  const bool lead = user_.role == "admin" || user_.role == "supervisor";
  return lead && (c->status == Status::active || c->status == Status::pending);
}

void InboxModel::open_transfer() {
  if (!can_transfer()) return;
  transfer_open_ = true;
  reassign_ = false;
  agents_requested_ = true;
  agents_loading_ = true;
  transfer_choice_ = agents_.empty() ? -1 : 0;
  touch();
}

void InboxModel::close_transfer() {
  transfer_open_ = false;
  touch();
}

void InboxModel::agents_answered(const HttpAnswer& a) {
  agents_loading_ = false;
  const Json j = Json::parse(a.body, nullptr, false);
  if (a.status != 200 || !j.is_object() || !j.contains("agents") || !j["agents"].is_array()) {
    flash_ = "Could not load the list of agents.";
    flash_at_ = now_;
    touch();
    return;
  }
  const Conversation* c = open_conversation();
  agents_.clear();
  for (const Json& r : j["agents"]) {
    if (!r.is_object()) continue;
    Agent ag;
    ag.id = string_member(r, "id");
    ag.name = string_member(r, "name");
    ag.role = string_member(r, "role");
    const auto on = r.find("online");
    ag.online = on != r.end() && on->is_boolean() && on->get<bool>();
    // A reassignment may go to oneself (a lead taking the chat over); a transfer never.
    if (ag.id.empty() || (ag.id == user_.id && !reassign_) || (c && ag.id == c->assignee_id)) continue;
    agents_.push_back(std::move(ag));
  }
  transfer_choice_ = agents_.empty() ? -1 : 0;
  touch();
}

void InboxModel::set_transfer_choice(int index) {
  if (index < 0 || index >= static_cast<int>(agents_.size())) return;
  transfer_choice_ = index;
  touch();
}

void InboxModel::move_transfer_choice(int delta) {
  if (agents_.empty()) return;
  const int n = static_cast<int>(agents_.size());
  transfer_choice_ = ((transfer_choice_ < 0 ? 0 : transfer_choice_) + delta % n + n) % n;
  touch();
}

bool InboxModel::submit_transfer() {
  if (reassign_) return submit_reassign();  // issue 9, sup2: the same dialog, assigned over REST
  if (!transfer_open_ || transfer_choice_ < 0 || transfer_choice_ >= static_cast<int>(agents_.size())) return false;
  const Agent& to = agents_[static_cast<std::size_t>(transfer_choice_)];
  if (!session_.send(ChatTransfer{open_id_, to.id, "", ""})) {
    flash_ = "Not connected: the chat was not transferred.";
    flash_at_ = now_;
    touch();
    return false;
  }
  flash_ = "Transferred to " + to.name + ".";
  flash_at_ = now_;
  transfer_open_ = false;
  note_mode_ = false;
  touch();
  return true;
}

void InboxModel::change_priority(Priority p) {
  if (open_id_.empty() || !session_.send(SetPriority{open_id_, p})) return;
  touch();
}

void InboxModel::change_issue_type(const std::string& issue_type) {
  if (open_id_.empty() || issue_type.empty() || !session_.send(SetIssueType{open_id_, issue_type})) return;
  touch();
}

void InboxModel::articles_answered(const HttpAnswer& a) {
  if (a.status == 200 && articles_.load_kb_json(a.body)) {
    articles_.draft_changed(draft_);
    touch();
  }
}

bool InboxModel::pick_article(int index) {
  if (!can_reply()) return false;
  const std::optional<CannedItem> item = articles_.pick(index);
  if (!item) return false;
  if (!session_.send(ShareArticle{open_id_, make_id_(), item->id})) {
    flash_ = "Not connected: the article was not shared.";
    flash_at_ = now_;
    touch();
    return false;
  }
  draft_.clear();
  canned_.draft_changed(draft_);
  articles_.draft_changed(draft_);
  draft_replaced_ = true;
  touch();
  return true;
}

}  // namespace parley::inbox
