#include "widget/widget_model.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "common/json_read.hpp"
#include "parley/text.hpp"

namespace parley::widget {
namespace {

constexpr Millis kDayMs = 86'400'000;
constexpr Millis kGroupGapMs = 3 * 60'000;    // bubbles closer than this form one group
constexpr Millis kAwaitAssistantMs = 12'000;  // "assistant is typing" after a customer message
constexpr Millis kTypingResendMs = 4'000;     // typing=true is repeated at most this often
constexpr Millis kTypingStaleMs = 10'000;     // a typing signal without follow-up expires

using client::member;
using client::string_member;

std::int64_t local_day(Millis at, int offset_minutes) {
  const Millis local = at + Millis{offset_minutes} * 60'000;
  return local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
}

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

std::string notice_text(const Event& e) {
  if (e.type == ev::handed_off) return "Waiting for the next available agent";
  if (e.type == ev::assigned) {
    const Json* agent = member(e.data, "agent");
    const std::string name = agent ? string_member(*agent, "name") : std::string();
    return "You're now chatting with " + (name.empty() ? std::string("an agent") : name);
  }
  if (e.type == ev::requeued) return "Your agent had to leave. Finding someone else for you\u2026";
  if (e.type == ev::resolved) {
    return e.actor.name.empty() ? "This conversation was closed" : "Conversation closed by " + e.actor.name;
  }
  if (e.type == ev::ended) {
    return string_member(e.data, "ending") == "abandoned" ? "Chat ended" : "You ended the chat";
  }
  if (e.type == ev::reopened) return "Conversation reopened";
  if (e.type == ev::transferred) {  // issue 9
    const Json* to = member(e.data, "to");
    const std::string name = to ? string_member(*to, "name") : std::string();
    if (!name.empty()) return "You're now chatting with " + name;
    return "Transferred to a colleague. Please wait a moment\u2026";
  }
  if (e.type == ev::csat_requested) return "How did we do? Please rate this conversation below";
  return {};
}

const char* delivery_name(Delivery d) {
  switch (d) {
    case Delivery::sending:
      return "sending";
    case Delivery::sent:
      return "sent";
    case Delivery::failed:
      return "failed";
  }
  return "sent";
}

const char* link_name(LinkState s) {
  switch (s) {
    case LinkState::connecting:
      return "connecting";
    case LinkState::online:
      return "online";
    case LinkState::offline:
      return "offline";
    case LinkState::retrying:
      return "retrying";
  }
  return "connecting";
}

}  // namespace

TenantConfig tenant_config_from_json(const Json& j, TenantConfig base) {
  Result<PublicTenantConfig> decoded = decode_public_tenant_config(j, base);
  return decoded ? std::move(decoded).value() : base;
}

WidgetModel::WidgetModel(client::Transport& transport, Storage& storage, std::function<std::string()> make_id,
                         std::string tenant_slug)
    : session_(transport, *this), storage_(storage), make_id_(std::move(make_id)) {
  tenant_.slug = std::move(tenant_slug);
  token_ = storage_.get(token_key());
}

void WidgetModel::set_tenant_config(const TenantConfig& config) {
  const std::string slug = tenant_.slug;
  tenant_ = config;
  if (tenant_.slug.empty()) tenant_.slug = slug;
  touch();
}

void WidgetModel::set_clock(Clock clock) {
  clock_ = clock;
  touch();
}

void WidgetModel::set_link(LinkState state, Millis retry_at) {
  if (state == link_ && retry_at == retry_at_) return;
  link_ = state;
  retry_at_ = retry_at;
  touch();
}

void WidgetModel::connected(Millis now) {
  Hello hello;
  hello.tenant = tenant_.slug;
  if (!token_.empty()) hello.token = token_;
  session_.connected(hello, now);
}

void WidgetModel::set_panel_open(bool open) {
  if (open == panel_open_) return;
  panel_open_ = open;
  if (open) {
    unread_ = 0;
    if (const Conversation* c = conversation(); c && c->head_seq > seen_sent_ && session_.joined(c->id)) {
      seen_sent_ = c->head_seq;
      session_.send(Seen{c->id, c->head_seq});
    }
  }
  touch();
}

void WidgetModel::send_typing(bool typing, Millis now) {
  if (conversation_id_.empty() || !session_.joined(conversation_id_)) return;
  if (session_.send(Typing{conversation_id_, typing})) {
    typing_sent_ = typing;
    typing_sent_at_ = now;
  }
}

void WidgetModel::set_draft(std::string text, Millis now) {
  draft_ = std::move(text);
  const bool has_text = !trim(draft_).empty();
  if (has_text && (!typing_sent_ || now - typing_sent_at_ >= kTypingResendMs)) {
    send_typing(true, now);
  } else if (!has_text && typing_sent_) {
    send_typing(false, now);
  }
  touch();
}

bool WidgetModel::send_draft(Millis now) {
  const std::string text(trim(draft_));
  if (text.empty()) return false;
  const std::string client_msg_id = make_id_();
  if (!conversation_id_.empty()) {
    session_.send_message(conversation_id_, client_msg_id, text, now);
  } else if (session_.start_pending()) {
    session_.send_message("", client_msg_id, text, now);  // joins the start's conversation
  } else {
    ChatStart start;
    start.name = prechat_name_;
    start.email = prechat_email_;
    start.topic = prechat_topic_;
    start.page = page_;
    start.client_msg_id = client_msg_id;
    start.text = text;
    session_.start(std::move(start), now);
  }
  last_own_message_at_ = now;
  draft_.clear();
  if (typing_sent_) send_typing(false, now);
  typing_sent_ = false;
  touch();
  return true;
}

bool WidgetModel::submit_prechat(const std::string& name, const std::string& email, const std::string& topic,
                                 Millis now) {
  const std::string n(trim(name)), e(trim(email)), t(trim(topic));
  const auto at = e.find('@');
  if (n.empty()) {
    prechat_error_ = "Please tell us your name.";
  } else if (e.empty() || at == std::string::npos || at == 0 || e.find('.', at) == std::string::npos ||
             e.back() == '.' || e.find(' ') != std::string::npos) {
    prechat_error_ = "Please enter a valid email address.";
  } else {
    prechat_error_.clear();
  }
  touch();
  if (!prechat_error_.empty()) return false;
  prechat_name_ = n;
  prechat_email_ = e;
  prechat_topic_ = t;
  prechat_done_ = true;
  ChatStart start;
  start.name = n;
  start.email = e;
  start.topic = t;
  start.page = page_;
  session_.start(std::move(start), now);
  return true;
}

void WidgetModel::retry(const std::string& client_msg_id) {
  if (const int up = client::files::Uploads::id_of(client_msg_id)) {
    uploads_.retry(up);
    return;
  }
  session_.retry(client_msg_id);
  touch();
}

void WidgetModel::discard(const std::string& client_msg_id) {
  if (const int up = client::files::Uploads::id_of(client_msg_id)) {
    if (const int handle = uploads_.discard(up)) released_files_.push_back(handle);
    return;
  }
  session_.discard(client_msg_id);
  touch();
}

bool WidgetModel::can_attach() const {
  return !conversation_id_.empty() && !token_.empty() && !ended() && !show_prechat() && !show_offline();
}

int WidgetModel::attach(int handle, std::string name, std::uint64_t size) {
  if (!can_attach()) {
    released_files_.push_back(handle);
    return 0;
  }
  return uploads_.add(handle, conversation_id_, std::move(name), size, make_id_());
}

const AttachmentRef* WidgetModel::find_attachment(const std::string& id) const {
  const ConversationView* v = conversation_id_.empty() ? nullptr : session_.store().find(conversation_id_);
  if (!v || id.empty()) return nullptr;
  for (const Message& m : v->messages)
    if (m.attachment && m.attachment->id == id) return &*m.attachment;
  return nullptr;
}

void WidgetModel::request_human() {
  if (can_request_human()) session_.send(RequestHuman{conversation_id_});
}

void WidgetModel::end_chat() {
  if (can_end()) session_.send(ChatEnd{conversation_id_});
}

bool WidgetModel::submit_survey(std::string comment) {
  const Conversation* c = conversation();
  if (!c) return false;
  std::optional<Rate> rate = survey_.submit(*c, std::move(comment));
  if (!rate) return false;
  const std::string id = rate->conversation_id;
  if (!session_.send(*rate, id)) survey_.refused(id, "Not connected; try again in a moment.");
  touch();
  return true;
}

void WidgetModel::on_command_ack(std::string_view command, const std::string& key, const Json& data) {
  if (command == "chat.send_message" || command == "chat.start") blocked_ = false;  // lifted (issue 9)
  if (command == "chat.rate") {
    survey_.stored(key);
    announcements_.push_back("Thank you for your feedback");
    touch();
  } else if (command == "chat.send_message" && data.is_object() && data.contains("previous_conversation_id")) {
    // After the reopen window the message started a new conversation, linked to the old one:
    // continue there (the relay subscribed this connection already; the join makes it ours).
    const std::string next = string_member(data, "conversation_id");
    if (!next.empty() && next != conversation_id_) {
      conversation_id_ = next;
      session_.store().track(next);
      session_.resume(next);
      survey_.reset();
      touch();
    }
  } else if (command == "chat.leave_message") {
    offline_.on_ack();
    const std::string id = data.value("conversation_id", std::string());
    if (!id.empty() && id != conversation_id_) {
      conversation_id_ = id;
      session_.resume(id);
    }
    announcements_.push_back(offline_.confirmation());
    touch();
  } else if (command == "chat.email_transcript") {
    offline_.transcript_ack();
    announcements_.push_back("The transcript is on its way to your inbox.");
    touch();
  }
}

void WidgetModel::start_new_conversation() {
  if (!ended()) return;
  survey_.reset();
  session_.send(Leave{conversation_id_});
  conversation_id_.clear();
  prechat_done_ = false;
  offline_.reset();
  touch();
}

const Conversation* WidgetModel::conversation() const {
  if (conversation_id_.empty()) return nullptr;
  const ConversationView* v = session_.store().find(conversation_id_);
  return v ? &v->summary : nullptr;
}

bool WidgetModel::show_prechat() const {
  return !show_offline() && tenant_.prechat_form && conversation_id_.empty() && !prechat_done_ && !session_.start_pending();
}

bool WidgetModel::ended() const {
  const Conversation* c = conversation();
  return c && c->status == Status::resolved;
}

bool WidgetModel::can_request_human() const {
  const Conversation* c = conversation();
  return c && c->status == Status::bot && session_.ready();
}

bool WidgetModel::can_end() const {
  const Conversation* c = conversation();
  return c && c->status != Status::resolved && session_.ready();
}

std::string queue_place_text(const QueuePlaceShown& p) {
  if (p.position <= 0) return "";
  std::string s = "You are number " + std::to_string(p.position) + " in the queue";
  if (p.minutes) s += ", about " + std::to_string(*p.minutes) + " min";
  return s;
}

Header WidgetModel::header() const {
  Header h;
  h.title = tenant_.title;
  const Conversation* c = conversation();
  if (link_ == LinkState::offline || link_ == LinkState::retrying) {
    h.subtitle = link_ == LinkState::offline ? "Offline" : "Reconnecting\u2026";
    h.dot = Header::Dot::offline;
    return h;
  }
  const Status status = c ? c->status : Status::bot;
  switch (status) {
    case Status::bot:
      h.subtitle = tenant_.assistant_name + " \u00b7 replies instantly";
      break;
    case Status::pending:
      // The header has room for the place only; the transcript's last line has the estimate too.
      h.subtitle = queue_place_.position > 0 ? "Number " + std::to_string(queue_place_.position) + " in the queue"
                                             : "Waiting for an agent\u2026";
      h.dot = Header::Dot::waiting;
      break;
    case Status::active:
      h.subtitle = "Chatting with " + (c->assignee_name.empty() ? std::string("an agent") : c->assignee_name);
      break;
    case Status::resolved:
      h.subtitle = "Conversation ended";
      h.dot = Header::Dot::offline;
      break;
  }
  return h;
}

Banner WidgetModel::banner(Millis now) const {
  Banner b;
  switch (link_) {
    case LinkState::online:
      if (!session_.ready()) {
        b.kind = Banner::Kind::connecting;
      } else if (blocked_) {  // issue 9
        b.kind = Banner::Kind::blocked;
        b.text = "You can no longer send messages here.";
        return b;
      }
      break;
    case LinkState::connecting:
      b.kind = Banner::Kind::connecting;
      break;
    case LinkState::retrying: {
      b.kind = Banner::Kind::retrying;
      const Millis left = retry_at_ > now ? retry_at_ - now : 0;
      const long seconds = static_cast<long>((left + 999) / 1000);
      b.text = seconds > 0 ? "Connection lost. Reconnecting in " + std::to_string(seconds) + " s\u2026"
                           : "Connection lost. Reconnecting\u2026";
      return b;
    }
    case LinkState::offline:
      b.kind = Banner::Kind::offline;
      b.text = "You're offline. Messages will be sent when you're back.";
      return b;
  }
  if (b.kind == Banner::Kind::connecting) b.text = "Connecting\u2026";
  return b;
}

bool WidgetModel::others_typing(Millis now) const {
  const ConversationView* v = conversation_id_.empty() ? nullptr : session_.store().find(conversation_id_);
  // A typing signal counts until the other side's next message, and not forever (tab closed).
  if (v && v->typing && typing_at_ > others_message_at_ && now - typing_at_ < kTypingStaleMs) return true;
  // The assistant answers within moments: show it "typing" while its answer is on the way.
  const Status status = v ? v->summary.status : Status::bot;
  if (status != Status::bot || last_own_message_at_ == 0 || now - last_own_message_at_ > kAwaitAssistantMs) {
    return false;
  }
  if (!v || v->messages.empty()) return true;
  return v->messages.back().sender_role == Role::customer;
}

std::string WidgetModel::format_time(Millis at, Clock clock) {
  const Millis local = at + Millis{clock.utc_offset_minutes} * 60'000;
  const std::int64_t in_day = ((local % kDayMs) + kDayMs) % kDayMs;
  const int h = static_cast<int>(in_day / 3'600'000);
  const int m = static_cast<int>(in_day / 60'000 % 60);
  char buf[16];
  if (clock.hour12) {
    std::snprintf(buf, sizeof buf, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d", h, m);
  }
  return buf;
}

std::string WidgetModel::format_day(Millis at, Millis now, Clock clock) {
  static constexpr std::array<const char*, 7> kWeekdays = {"Thursday", "Friday",  "Saturday", "Sunday",
                                                           "Monday",   "Tuesday", "Wednesday"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t day = local_day(at, clock.utc_offset_minutes);
  const std::int64_t today = local_day(now, clock.utc_offset_minutes);
  if (day == today) return "Today";
  if (day == today - 1) return "Yesterday";
  if (day < today && day > today - 7) return kWeekdays[static_cast<std::size_t>(((day % 7) + 7) % 7)];
  int y = 0, ty = 0;
  unsigned m = 0, d = 0, tm = 0, td = 0;
  civil_from_days(day, y, m, d);
  civil_from_days(today, ty, tm, td);
  std::string s = std::to_string(d) + " " + kMonths[m - 1];
  if (y != ty) s += " " + std::to_string(y);
  return s;
}

const std::vector<DisplayItem>& WidgetModel::items(Millis now) {
  const std::int64_t day = local_day(now, clock_.utc_offset_minutes);
  if (version() != items_built_for_ || day != items_day_) {
    items_day_ = day;
    items_built_for_ = version();
    rebuild_items(now);
  }
  return items_;
}

void WidgetModel::rebuild_items(Millis now) {
  ++items_version_;
  items_.clear();
  const ConversationView* v = conversation_id_.empty() ? nullptr : session_.store().find(conversation_id_);
  // The tenant's welcome opens the transcript, unless the assistant already said it (it greets a
  // conversation started without a message with the same text).
  bool welcomed = false;
  if (v) {
    for (const Message& m : v->messages)
      welcomed = welcomed || (m.sender_role == Role::bot && m.text == tenant_.welcome);
  }
  if (!tenant_.welcome.empty() && !welcomed) {
    DisplayItem w;
    w.role = Role::bot;
    w.name = tenant_.assistant_name;
    w.text = tenant_.welcome;
    w.links = client::find_links(w.text);
    items_.push_back(std::move(w));
  }

  std::int64_t last_day = INT64_MIN;
  auto add_day = [&](Millis at) {
    const std::int64_t d = local_day(at, clock_.utc_offset_minutes);
    if (d == last_day) return;
    last_day = d;
    DisplayItem sep;
    sep.kind = DisplayItem::Kind::day;
    sep.text = format_day(at, now, clock_);
    sep.at = at;
    items_.push_back(std::move(sep));
  };

  if (v) {
    std::size_t mi = 0;
    for (const Event& e : v->events) {
      if (e.type == ev::new_message) {
        while (mi < v->messages.size() && v->messages[mi].seq < e.seq) ++mi;
        if (mi == v->messages.size() || v->messages[mi].seq != e.seq) continue;
        const Message& m = v->messages[mi];
        if (m.kind == MessageKind::note) continue;
        add_day(m.at);
        DisplayItem item;
        item.role = m.sender_role;
        item.own = m.sender_role == Role::customer;
        item.stored = true;
        item.seq = m.seq;
        item.name = m.sender_name;
        if (item.name.empty() && m.sender_role == Role::bot) item.name = tenant_.assistant_name;
        if (m.sender_role == Role::system) {
          item.kind = DisplayItem::Kind::notice;
        }
        item.text = m.text;
        item.time = format_time(m.at, clock_);
        item.at = m.at;
        item.links = client::find_links(item.text);
        if (m.kind == MessageKind::file && m.attachment) {  // issue 9: the name opens the file
          client::files::FileText ft = client::files::file_message_text(*m.attachment);
          item.text = std::move(ft.text);
          item.links = std::move(ft.links);
          item.attachment = m.attachment;
        }
        items_.push_back(std::move(item));
      } else if (std::string text = notice_text(e); !text.empty()) {
        add_day(e.at);
        DisplayItem item;
        item.kind = DisplayItem::Kind::notice;
        item.seq = e.seq;
        item.text = std::move(text);
        item.at = e.at;
        items_.push_back(std::move(item));
      }
    }
  }

  // While waiting: the place in the queue as the transcript's last line (issue 9).
  if (v && v->summary.status == Status::pending && queue_place_.position > 0) {
    DisplayItem item;
    item.kind = DisplayItem::Kind::notice;
    item.text = queue_place_text(queue_place_);
    item.at = now;
    items_.push_back(std::move(item));
  }

  for (const OutboxEntry& o : session_.store().outbox()) {
    const bool mine =
        o.conversation_id == conversation_id_ || (o.conversation_id.empty() && conversation_id_.empty());
    if (!mine) continue;
    add_day(o.queued_at);
    DisplayItem item;
    item.role = Role::customer;
    item.own = true;
    item.delivery = o.state;
    item.client_msg_id = o.client_msg_id;
    item.text = o.text;
    item.time = format_time(o.queued_at, clock_);
    item.error = o.error;
    item.at = o.queued_at;
    item.links = client::find_links(item.text);
    items_.push_back(std::move(item));
  }

  // Files being uploaded or refused (issue 9): own bubbles at the end, with Retry/Delete.
  for (const client::files::Upload& u : uploads_.all()) {
    if (u.conversation_id != conversation_id_) continue;
    DisplayItem item;
    item.role = Role::customer;
    item.own = true;
    item.upload = true;
    item.delivery = u.state == client::files::Upload::State::failed ? Delivery::failed : Delivery::sending;
    item.client_msg_id = client::files::Uploads::key_of(u.id);
    item.text = client::files::Uploads::item_text(u);
    item.error = u.error;
    items_.push_back(std::move(item));
  }

  // Group consecutive bubbles of one sender; the delivery state shows under the last own bubble
  // and under every failed one.
  DisplayItem* prev = nullptr;
  DisplayItem* last_own = nullptr;
  for (DisplayItem& item : items_) {
    if (item.kind != DisplayItem::Kind::message) {
      prev = nullptr;
      continue;
    }
    const bool continues = prev && prev->own == item.own && prev->role == item.role &&
                           prev->name == item.name && item.at - prev->at < kGroupGapMs &&
                           (prev->at != 0 || item.at == 0);
    item.group_start = !continues;
    if (prev) prev->group_end = !continues;
    item.group_end = true;
    if (item.own) last_own = &item;
    if (item.own && item.delivery == Delivery::failed) item.show_delivery = true;
    prev = &item;
  }
  if (last_own) last_own->show_delivery = true;
  // Issue 9: "Seen" under the customer's last message once staff saw it (chat.seen up to its seq).
  if (last_own && last_own->stored && last_own->seq > 0 && last_own->seq <= staff_seen_) last_own->seen = true;
}

void WidgetModel::on_hello(const Json& data) {
  Result<HelloAck> decoded = decode_hello_ack(data, tenant_);
  if (!decoded) {
    touch();  // a hello ack this widget cannot read: stay as we are (no conversation to resume)
    return;
  }
  const HelloAck& hello = decoded.value();
  if (auto it = data.find("availability"); it != data.end()) {  // issue 9
    if (auto a = decode_availability(*it)) offline_.set_availability(*a);
  }
  if (hello.visitor_token != token_) {
    token_ = hello.visitor_token;
    storage_.set(token_key(), token_);
  }
  if (hello.tenant) set_tenant_config(*hello.tenant);
  if (conversation_id_.empty()) {
    // Newest first: the open one if there is one, else the latest (its history stays visible).
    std::string open_id, latest_id;
    for (const Conversation& c : hello.conversations) {
      if (latest_id.empty()) latest_id = c.id;
      if (open_id.empty() && c.status != Status::resolved) open_id = c.id;
    }
    if (session_.start_pending()) {
      if (!open_id.empty()) {
        conversation_id_ = open_id;
        session_.adopt_pending_start(open_id);
      }
    } else if (!prechat_done_ || !open_id.empty()) {
      conversation_id_ = !open_id.empty() ? open_id : latest_id;
      session_.resume(conversation_id_);
    }
  }
  touch();
}

void WidgetModel::on_event(const Event& event, SyncStore::Applied applied) {
  if (conversation_id_.empty() && event.type == ev::new_session) conversation_id_ = event.conversation_id;
  if (event.conversation_id != conversation_id_) return;
  if (applied == SyncStore::Applied::ephemeral) {
    if (event.type == ev::typing) {
      typing_at_ = now_;
      touch();
    } else if (event.type == "chat.draft") {  // issue 10: widget/reply_draft.hpp
      if (reply_draft_.on_draft(event.data)) touch();
    } else if (event.type == ev::queue_position) {
      const Json* p = member(event.data, "position");
      const Json* m = member(event.data, "minutes");
      QueuePlaceShown next;
      if (p && p->is_number_integer() && p->get<std::int64_t>() > 0 && p->get<std::int64_t>() < 1'000'000) {
        next.position = static_cast<int>(p->get<std::int64_t>());
        if (m && m->is_number_integer() && m->get<std::int64_t>() > 0 && m->get<std::int64_t>() < 1'000'000) {
          next.minutes = static_cast<int>(m->get<std::int64_t>());
        }
      }
      if (next.position != queue_place_.position && next.position > 0) {
        announcements_.push_back(queue_place_text(next));  // the screen reader hears the place fall
      }
      queue_place_ = next;
      touch();
    } else if (event.type == ev::seen && event.actor.role == Role::agent) {  // issue 9: read receipts
      const auto it = event.data.is_object() ? event.data.find("seq") : event.data.end();
      if (it != event.data.end() && it->is_number_unsigned() && it->get<Seq>() > staff_seen_) {
        staff_seen_ = it->get<Seq>();
        touch();
      }
    }
    return;
  }
  // Any stored change but a message moves the chat (assigned, requeued, ended): the place the
  // relay told before no longer holds; a new one follows while it still waits.
  if (event.type != ev::new_message && queue_place_.position > 0) {
    queue_place_ = {};
    touch();
  }
  if (applied != SyncStore::Applied::added) return;
  if (event.type == ev::csat_requested || event.type == ev::reopened) survey_.ask_again(event.conversation_id);
  if (event.type == ev::new_message && event.actor.role != Role::customer) others_message_at_ = now_;
  if (event.type == ev::new_message && reply_draft_.on_message(event.actor.role, event.data)) touch();
  // Live events only: a resume replay (before the join is acknowledged) is history.
  if (!session_.joined(event.conversation_id)) return;
  std::string announce;
  if (event.type == ev::new_message) {
    if (event.actor.role == Role::customer) return;
    const Json* m = member(event.data, "message");
    const std::string text = m ? string_member(*m, "text") : std::string();
    const std::string name = event.actor.name.empty() ? tenant_.assistant_name : event.actor.name;
    announce = name + ": " + text;
    if (!panel_open_) {
      ++unread_;
    } else if (event.seq > seen_sent_) {
      seen_sent_ = event.seq;
      session_.send(Seen{event.conversation_id, event.seq});
    }
  } else {
    announce = notice_text(event);
  }
  if (!announce.empty()) announcements_.push_back(std::move(announce));
  touch();
}

void WidgetModel::on_notice(const std::string&, const Json&) {}

void WidgetModel::on_started(const std::string& conversation_id) {
  blocked_ = false;  // the relay accepted a new chat: no (longer a) block (issue 9)
  conversation_id_ = conversation_id;
  touch();
}

void WidgetModel::on_joined(const std::string&) { touch(); }

// ---- issue 9: the offline form and the transcript by email ----

bool WidgetModel::show_offline() const {
  const Conversation* c = conversation();
  const bool open = c && c->status != Status::resolved;
  // Only when the visitor needs a person: the tenant has no assistant, or the chat waits for one.
  const bool wants_person = !tenant_.assistant_enabled || (c && c->status == Status::pending);
  return offline_.visible(wants_person, open && !c->assignee_id.empty());
}

bool WidgetModel::submit_offline(const std::string& email, const std::string& text) {
  const Conversation* c = conversation();
  const std::string conv = c && c->status != Status::resolved ? conversation_id_ : std::string();
  auto cmd = offline_.submit(email, text, conv, make_id_());
  touch();
  if (!cmd) return false;
  if (!session_.send(*cmd, "offline")) {
    offline_.on_error(make_error(ErrorCode::unavailable, "not connected"));
    return false;
  }
  return true;
}

bool WidgetModel::email_transcript(const std::string& email) {
  auto cmd = offline_.request_transcript(conversation_id_, email);
  touch();
  if (!cmd) return false;
  if (!session_.send(*cmd, "transcript")) {
    offline_.transcript_error(make_error(ErrorCode::unavailable, "not connected"));
    return false;
  }
  return true;
}

void WidgetModel::on_command_error(std::string_view command, const std::string& key, const Error& error) {
  if (error.code == ErrorCode::blocked) blocked_ = true;  // issue 9
  if (command == "chat.rate") survey_.refused(key, error.message);
  if (command == "chat.leave_message") offline_.on_error(error);
  if (command == "chat.email_transcript") offline_.transcript_error(error);
  // A conversation we remembered is gone (or not ours): start afresh.
  if (command == "chat.join" && key == conversation_id_ && error.code == ErrorCode::not_found) {
    conversation_id_.clear();
  }
  touch();
}

Json WidgetModel::snapshot(Millis now) const {
  Json j = Json::object();
  j["tenant"] = tenant_.slug;
  j["connection"] = link_name(link_);
  j["ready"] = session_.ready();
  const Banner b = banner(now);
  j["banner"] = b.text;
  j["blocked"] = blocked_;
  const Header h = header();
  j["header"] = Json{{"title", h.title}, {"subtitle", h.subtitle}};
  j["panel_open"] = panel_open_;
  j["prechat"] = show_prechat();
  j["prechat_error"] = prechat_error_;
  j["survey"] = survey_.snapshot(conversation());
  j["offline"] = Json{{"shown", show_offline()},
                      {"available", offline_.availability().available()},
                      {"message", offline_.availability().offline_message},
                      {"state", offline_.state() == OfflineForm::State::editing   ? "editing"
                                : offline_.state() == OfflineForm::State::sending ? "sending"
                                                                                  : "sent"},
                      {"error", offline_.error()},
                      {"confirmation", offline_.confirmation()},
                      {"transcript", offline_.transcript_state() == OfflineForm::Transcript::idle      ? "idle"
                                     : offline_.transcript_state() == OfflineForm::Transcript::sending ? "sending"
                                                                                                       : "sent"},
                      {"transcript_error", offline_.transcript_error_text()}};
  j["unread"] = unread_;
  j["queue"] = queue_place_.position > 0
                   ? Json{{"position", queue_place_.position},
                          {"minutes", queue_place_.minutes ? Json(*queue_place_.minutes) : Json(nullptr)},
                          {"text", queue_place_text(queue_place_)}}
                   : Json(nullptr);
  j["typing"] = others_typing(now);
  j["reply_draft"] = reply_draft_.text();  // issue 10: the assistant's streamed reply ("" = none)
  j["has_token"] = !token_.empty();
  j["conversation_id"] = conversation_id_;
  const ConversationView* v = conversation_id_.empty() ? nullptr : session_.store().find(conversation_id_);
  if (v) {
    j["status"] = to_string(v->summary.status);
    j["agent"] = v->summary.assignee_name;
    j["cursor"] = v->cursor;
  } else {
    j["status"] = nullptr;
  }
  Json messages = Json::array();
  if (v) {
    for (const Message& m : v->messages) {
      if (m.kind == MessageKind::note) continue;
      messages.push_back(Json{{"seq", m.seq},
                              {"role", to_string(m.sender_role)},
                              {"name", m.sender_name},
                              {"text", m.text},
                              {"client_msg_id", m.client_msg_id},
                              {"delivery", "stored"},
                              {"seen", m.sender_role == Role::customer && m.seq <= staff_seen_}});
      if (m.attachment) messages.back()["attachment"] = to_json(*m.attachment);
    }
  }
  for (const OutboxEntry& o : session_.store().outbox()) {
    messages.push_back(Json{{"seq", 0},
                            {"role", "customer"},
                            {"name", ""},
                            {"text", o.text},
                            {"client_msg_id", o.client_msg_id},
                            {"delivery", delivery_name(o.state)},
                            {"error", o.error}});
  }
  j["messages"] = std::move(messages);
  Json uploads = Json::array();
  for (const client::files::Upload& u : uploads_.all()) {
    uploads.push_back(Json{{"name", u.name},
                           {"size", u.size},
                           {"state", u.state == client::files::Upload::State::failed      ? "failed"
                                     : u.state == client::files::Upload::State::uploading ? "uploading"
                                                                                          : "queued"},
                           {"error", u.error}});
  }
  j["uploads"] = std::move(uploads);
  j["can_attach"] = can_attach();
  Json notices = Json::array();
  if (v) {
    for (const Event& e : v->events) {
      if (std::string t = notice_text(e); !t.empty()) notices.push_back(std::move(t));
    }
  }
  j["notices"] = std::move(notices);
  return j;
}

}  // namespace parley::widget
