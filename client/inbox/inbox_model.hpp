// inbox_model.hpp: the agent inbox's model (pure C++: no GL, no browser; tested natively).
//
// Holds the staff session (client/common/session.hpp: hello, resume, outbox, pings) with its
// SyncStore for the conversations the agent has opened, plus the inbox lists the relay pushes
// (inbox.snapshot on connect with the first page of each list, then the remaining pages fetched
// one inbox.list request after another, and inbox.changes live): the waiting queue and
// "mine" (assigned to this agent) in the shared orders of parley/queue.hpp, the live counts, the
// selection and the
// keyboard focus, unread badges (a conversation's cursor vs what the agent has seen), and the
// derived rows and timeline the view draws. Derived data is rebuilt only when its inputs changed
// (rows_version(), timeline_version()), so a frame over thousands of rows allocates nothing.
//
// The view reads it and calls the intent methods (open, accept, send, resolve, ...); they turn into
// protocol frames through the session's transport. The browser glue feeds it frames, HTTP answers
// (login, /api/me, settings) and DOM input.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "inbox/supervise_model.hpp"
#include "common/files.hpp"
#include "common/linkify.hpp"
#include "common/session.hpp"
#include "inbox/status_model.hpp"
#include "inbox/canned_model.hpp"
#include "parley/replies.hpp"
#include "parley/supervision.hpp"

namespace parley::inbox {

// Persistent key/value strings (localStorage in the browser; a map in tests).
class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::string get(const std::string& key) = 0;
  virtual void set(const std::string& key, const std::string& value) = 0;
};

enum class Screen : std::uint8_t { loading, login, inbox };
enum class LinkState : std::uint8_t { connecting, online, offline, retrying };

struct User {
  std::string id, name, username, role, tenant_id;
};

struct Counts {
  int active = 0, waiting = 0, resolved_today = 0, bot = 0;
  double avg_wait_s = 0;
};

// A conversation as the lists know it (the compact ConversationItem of inbox.snapshot,
// inbox.list and inbox.changes). `conversation` holds the item's members; the rest of it
// (issue type, summary, page, ...) comes from the conversation's chat.join.
struct ListItem {
  Conversation conversation;
  std::string contact_name, contact_email, preview;
  Seq last_customer_seq = 0;
};

// The contact of an opened conversation (its chat.join ack), for the details panel.
struct ContactDetails {
  std::string name, email, phone;
};

// One row of the queue or "mine" list: strings formatted once per change.
struct Row {
  std::string id;
  std::string name;     // contact name, or "Visitor" when unknown
  std::string topic;    // "" when none
  std::string preview;  // last customer-visible message, one line
  std::string initial;  // avatar letter
  Priority priority = Priority::normal;
  Status status = Status::pending;
  Millis since = 0;  // queue: handed_off_at; mine: updated_at (server clock)
  int unread = 0;
};

// One entry of the open conversation's timeline.
struct TimelineItem {
  enum class Kind : std::uint8_t {
    message,   // customer, assistant or agent text
    note,      // staff-only internal note
    takeover,  // "Sam took over here" divider (chat.session_assigned)
    system,    // small centred line: handed off, requeued, resolved, reopened, ...
    summary,   // the assistant's hand-off summary card (staff-only)
    outbox,    // own message not stored yet (sending / failed)
    day,       // date divider where the local day changes: "Today", "Yesterday", "Monday, 1 December 2025"
  };
  Kind kind = Kind::message;
  Role role = Role::customer;
  bool own = false;         // sent by this agent
  bool group_start = true;  // first of consecutive messages by the same sender
  Seq seq = 0;
  std::string name;  // sender name (assistant: its name)
  std::string text;
  std::string time;           // "14:05"
  std::string full_time;      // "Monday, 1 December 2025, 14:05" (hover and focus); "" for the outbox
  Millis at = 0;              // when it happened (server clock); 0 for the outbox
  std::string client_msg_id;  // outbox: key for retry / discard
  bool failed = false;        // outbox
  std::vector<client::LinkSpan> links;
  // issue 9, files: a file message's attachment (text = name + type and size, the name a link),
  // or (outbox) a pending/failed upload (client_msg_id = Uploads::key_of(id)).
  std::optional<AttachmentRef> attachment;
  bool upload = false;
  // issue 11: a staff message's furthest delivery state on its channel ("sent", "delivered",
  // "read", "failed", "unknown"; "" none reported: web chats), from its chat.delivery events.
  std::string delivery;
};

// Something the glue should do even in a background tab (sound, screen reader).
struct Alert {
  // status: announced only (no sound), e.g. "Copied to the clipboard".
  enum class Kind : std::uint8_t { new_waiting, new_message, status } kind = Kind::new_waiting;
  std::string conversation_id;
  std::string text;  // for the screen reader
};

// The result of an HTTP login attempt, as the page's fetch saw it.
struct HttpAnswer {
  int status = 0;  // 0 = network error
  std::string body;
  int retry_after_s = 0;  // Retry-After header, when present
};

class InboxModel : public client::SessionListener {
 public:
  struct Clock {
    int utc_offset_minutes = 0;  // local time = UTC + offset
    bool hour12 = false;
  };

  // REQUIRES: `transport` and `storage` outlive the model. `make_id` returns a new random id.
  InboxModel(client::Transport& transport, Storage& storage, std::function<std::string()> make_id);

  // ---- Authentication (HTTP, driven by the glue) ----
  // GET /api/me answered: 200 -> inbox (connect), anything else -> login.
  void me_answered(const HttpAnswer& a);
  // POST /api/login answered. True when logged in (the glue then connects).
  bool login_answered(const HttpAnswer& a, Millis now);
  // The login form is being submitted; false (and an error) when a field is empty.
  bool begin_login(const std::string& username, const std::string& password, Millis now);
  bool login_busy() const { return login_busy_; }
  const std::string& login_error() const { return login_error_; }
  // Seconds left of a 429 lockout (0 when none).
  int login_wait_s(Millis now) const;
  // Session over (logout, 401, 1008, session.expired): back to the login form with `reason`.
  void logged_out(const std::string& reason);
  bool take_logout_request() { return std::exchange(logout_requested_, false); }
  // GET /api/v1/settings answered (issue types); other statuses keep the defaults. (The snapshot
  // and the hello ack carry the issue types too: agents may not read the settings.)
  void settings_answered(const HttpAnswer& a);

  // ---- Connection ----
  void set_clock(Clock clock) { clock_ = clock; }
  void set_link(LinkState state, Millis retry_at);
  void connected(Millis now);
  void received(std::string_view frame, Millis now);
  void disconnected();
  void tick(Millis now) { session_.tick(now); }
  // The tab is visible and focused on the open conversation (messages count as seen).
  void set_viewing(bool viewing, Millis now);

  // ---- Intents (from the view and the keyboard) ----
  void move_focus(int delta);                    // Up/Down over queue then mine
  void open_focused(Millis now);                 // Enter
  void open(const std::string& id, Millis now);  // click
  void close_conversation();                     // Esc with nothing else open
  void accept(const std::string& id);
  void take_over(const std::string& id);
  void set_draft(std::string text, Millis now);
  bool send_draft(Millis now);  // false when blank or not allowed
  void retry(const std::string& client_msg_id);
  void discard(const std::string& client_msg_id);
  void open_resolve();
  void close_resolve() {
    resolve_open_ = false;
    touch();
  }
  void set_issue_type(const std::string& t) {
    issue_type_ = t;
    touch();
  }
  void set_resolution(std::string text) { resolution_ = std::move(text); }
  bool submit_resolve();  // false when no conversation / not allowed
  void toggle_mute();
  // Something was put on the clipboard: a short "Copied" flash and a status alert.
  void copied(Millis now);
  void logout() { logout_requested_ = true; }
  // ---- issue 9, supervise (supervise_model.hpp) ----
  SuperviseModel& supervise() { return supervise_; }
  const SuperviseModel& supervise() const { return supervise_; }
  bool is_supervisor() const { return user_.role == "admin" || user_.role == "supervisor"; }
  // Opens or closes the dashboard panel (dashboard.watch on / off).
  void show_dashboard(bool show);
  // Sends the open conversation's satisfaction survey again (chat.request_csat).
  void request_csat();
  // The open conversation ended (not abandoned): staff may send the survey again.
  bool can_request_csat() const;

  // ---- Derived state ----
  Screen screen() const { return screen_; }
  LinkState link() const { return link_; }
  Millis retry_at() const { return retry_at_; }
  const User& user() const { return user_; }
  const Counts& counts() const { return counts_; }
  bool muted() const { return muted_; }
  const std::vector<Row>& queue_rows();
  const std::vector<Row>& mine_rows();
  std::uint64_t rows_version();                               // moves whenever the rows change
  int focus_index() const { return focus_index_; }            // into queue then mine; -1 = none
  std::uint64_t focus_moves() const { return focus_moves_; }  // bumped by keyboard moves
  const std::string& focus_id() const { return focus_id_; }
  const std::string& open_id() const { return open_id_; }
  const ListItem* open_item() const;              // list data of the open conversation
  const ContactDetails* open_contact() const;     // from the open conversation's chat.join
  const Conversation* open_conversation() const;  // freshest summary of the open conversation
  bool open_is_mine() const;
  bool can_accept() const;
  bool can_reply() const;
  bool can_resolve() const;
  bool can_take_over() const;
  bool customer_typing(Millis now) const;
  // The open conversation's customer: 1 connected (on a page of the site), 0 gone, -1 unknown or
  // not a web chat (WhatsApp and voice customers have no presence).
  int customer_online() const;
  const std::vector<TimelineItem>& timeline();
  std::uint64_t timeline_version();
  bool joined_open() const { return !open_id_.empty() && session_.joined(open_id_); }
  const std::string& draft() const { return draft_; }
  bool resolve_open() const { return resolve_open_; }
  const std::vector<std::string>& issue_types() const { return issue_types_; }
  const std::string& issue_type() const { return issue_type_; }
  const std::string& flash() const { return flash_; }
  Millis flash_at() const { return flash_at_; }
  // Server time now (the relay's clock, from the snapshot's server_time).
  Millis server_now(Millis local_now) const { return local_now + clock_skew_; }
  int waiting_count() const { return static_cast<int>(queue_ids_.size()); }
  // Totals the relay reported for the lists (they may be larger than what is loaded yet).
  std::size_t queue_total() const { return queue_total_; }
  std::size_t mine_total() const { return mine_total_; }
  // True while further pages of the lists are being fetched.
  bool lists_loading() const { return page_in_flight_ || !queue_done_ || !mine_done_; }
  std::string title() const;  // "(3) Parley Inbox"
  std::vector<Alert> take_alerts() {
    for (std::string& a : uploads_.take_announcements())
      alerts_.push_back({Alert::Kind::status, open_id_, std::move(a)});
    return std::exchange(alerts_, {});
  }
  // issue 9, files (client/common/files.hpp): the assignee may attach to the open conversation;
  // attach() queues the chosen file (the glue drives uploads()); retry()/discard() with an
  // upload's key act on it; discarded files' handles come back from take_released_files().
  bool can_attach() const { return can_reply(); }
  int attach(int handle, std::string name, std::uint64_t size);
  client::files::Uploads& uploads() { return uploads_; }
  std::vector<int> take_released_files() { return std::exchange(released_files_, {}); }
  // The attachment with this id in the open conversation, or nullptr.
  const AttachmentRef* find_attachment(const std::string& id) const;
  std::uint64_t version() const { return session_.store().version() + local_version_; }
  Json snapshot(Millis now);

  client::Session& session() { return session_; }
  const client::Session& session() const { return session_; }

  // The agent's own status (issue 9; status_model.hpp): the top bar's selector.
  const AgentStatusModel& agent_status() const { return agent_status_; }
  void choose_status(AgentStatus s);
  // ---- issue 9: working a conversation ----
  // Canned responses (canned_model.hpp): the glue fetches GET /api/v1/canned once logged in.
  CannedPicker& canned() { return canned_; }
  const CannedPicker& canned() const { return canned_; }
  void canned_answered(const HttpAnswer& a);
  // Picks a match of the open picker (-1: the selected one): the filled template becomes the
  // draft; take_draft_replaced() then tells the glue to put it into the DOM composer.
  bool pick_canned(int index);
  bool take_draft_replaced() { return std::exchange(draft_replaced_, false); }
  // What the last picked template could not fill ("" when everything was filled).
  const std::string& template_warning() const { return template_warning_; }
  // Private notes: the composer writes a staff-only note instead of a reply. Notes can be
  // written in any open or closed conversation the agent has open, also when it is not theirs.
  bool note_mode() const { return note_mode_; }
  void toggle_note();
  bool can_note() const;
  // Transfer: the assignee, or a supervisor/admin for any active or waiting chat.
  struct Agent {
    std::string id, name, role;
    bool online = false;
  };
  bool can_transfer() const;
  void open_transfer();
  void close_transfer();
  bool transfer_open() const { return transfer_open_; }
  // The glue fetches GET /api/live-chat/agents when this turns true.
  bool take_agents_request() { return std::exchange(agents_requested_, false); }
  void agents_answered(const HttpAnswer& a);
  // The agents one may transfer to (not oneself, not the current assignee).
  const std::vector<Agent>& transfer_agents() const { return agents_; }
  bool agents_loading() const { return agents_loading_; }
  int transfer_choice() const { return transfer_choice_; }
  void set_transfer_choice(int index);
  void move_transfer_choice(int delta);
  bool submit_transfer();
  // Knowledge-base articles: "#" at the start of the composer searches them (id, title); picking
  // one shares it into the conversation (chat.share_article). The glue fetches GET /api/v1/kb.
  CannedPicker& articles() { return articles_; }
  const CannedPicker& articles() const { return articles_; }
  void articles_answered(const HttpAnswer& a);
  bool pick_article(int index);
  // Priority and issue type of the open conversation (chat.set_priority, chat.set_issue_type).
  void change_priority(Priority p);
  void change_issue_type(const std::string& issue_type);

  // ---- issue 9, supervision (sup2: sup2_model.cpp; rules in parley/supervision.hpp) ----
  // How the open conversation is seen: own, listen_in (a lead on anyone else's live chat: every
  // message arrives live, the composer is replaced by a bar that says why), or read_only.
  ViewMode open_view_mode() const;
  bool listening_in() const;
  // Reassign: a lead hands the open waiting/active chat to any agent (themselves included)
  // through POST /api/live-chat/{id}/assign. It reuses the Transfer dialog's list and keys.
  bool can_reassign() const;
  void open_reassign();
  bool reassigning() const { return transfer_open_ && reassign_; }
  bool submit_reassign();
  struct HttpCall {
    std::string method, url, body;
  };
  // The glue sends it and feeds the answer to assign_answered.
  std::optional<HttpCall> take_assign_call() { return std::exchange(assign_call_, std::nullopt); }
  void assign_answered(const HttpAnswer& a);
  // The tenant's waiting threshold (inbox.snapshot's wait_threshold_s; 5 minutes until known).
  Millis wait_threshold_ms() const { return wait_threshold_ms_; }
  bool over_threshold(const Row& r, Millis server_now) const;
  // Opens a conversation at a message (a search result's match.seq): the view scrolls to it once
  // and highlights it while this conversation stays open.
  void open_at(const std::string& id, Seq seq, Millis now);
  Seq match_seq() const { return open_id_ == match_conv_ ? match_seq_ : 0; }

  // client::SessionListener
  void on_hello(const Json& data) override;
  void on_event(const Event& event, SyncStore::Applied applied) override;
  void on_notice(const std::string& type, const Json& data) override;
  void on_started(const std::string&) override {}
  void on_joined(const std::string& conversation_id) override;
  void on_command_error(std::string_view command, const std::string& key, const Error& error) override;
  void on_command_ack(std::string_view command, const std::string& key, const Json& data) override;

 private:
  SuperviseModel supervise_;

 public:

  // A list row's second line, as the view draws it: the priority (always in the queue, in
  // "mine" only when urgent or high) and, after a " · ", the topic, or in "mine" the last
  // message when there is no topic. "Urgent · I need help", never "UrgentI need help".
  static bool row_shows_priority(const Row& r, bool queue);
  static const std::string& row_detail(const Row& r, bool queue);  // "" when none
  static std::string row_line2(const Row& r, bool queue);

  // Formatting helpers (exposed for tests). Both write into `buf` (no allocation).
  static void format_wait(Millis ms, char* buf, std::size_t n);  // "45s", "3m", "1h 04m"
  static std::string format_time(Millis at, Clock clock);
  static std::string format_date(Millis at, Clock clock);  // "Monday, 1 December 2025"
  // The local day number of `at` (days since 1970-01-01 in the clock's time zone).
  static long long local_day(Millis at, Clock clock);

 private:
  void apply_snapshot(const InboxSnapshot& data, bool first);
  void apply_issue_types(const std::vector<std::string>& types);  // empty names are skipped
  // One list item. `batch`: only items_ changes (the caller calls rebuild_lists once after).
  void upsert(const ConversationItem& item, bool batch);
  void place(const std::string& id);  // puts `id` into queue_/mine_ per its status
  // Preview, unread seq and order of a listed conversation from its chat.new_message.
  void absorb_message(const Event& e);
  void rebuild_lists();               // queue_/mine_ from items_, sorted
  void sort_lists();
  // Paging: asks for the next page of the first unfinished list (one request at a time).
  void request_page();
  void page_answered(const InboxPage& page, InboxListName list);
  void ring_new_waiting(const std::vector<std::string>& before);
  void rebuild_rows();
  void rebuild_timeline();
  void add_day_dividers(long long today);
  int unread_of(const std::string& id) const;
  void mark_seen(Millis now);
  void load_seen();
  void save_seen();
  void set_focus_index(int index);
  void sync_focus();
  void reset_session_state();
  void touch() { ++local_version_; }
  void lists_changed() {
    ++lists_version_;
    touch();
  }
  void say(std::string text, Millis now);
  void send_typing(bool typing, Millis now);

  client::Session session_;
  AgentStatusModel agent_status_;
  Storage& storage_;
  std::function<std::string()> make_id_;
  Clock clock_;

  Screen screen_ = Screen::loading;
  LinkState link_ = LinkState::connecting;
  Millis retry_at_ = 0;
  User user_;
  Counts counts_;
  bool had_snapshot_ = false;
  Millis clock_skew_ = 0;
  bool muted_ = false;

  // Login.
  bool login_busy_ = false;
  std::string login_error_;
  Millis login_locked_until_ = 0;
  bool logout_requested_ = false;

  // Lists.
  std::unordered_map<std::string, ListItem> items_;
  std::unordered_map<std::string, ContactDetails> contacts_;  // by conversation (chat.join acks)
  std::size_t queue_total_ = 0, mine_total_ = 0;
  // Paging after a snapshot: the position after the last item of the last page of each list
  // (keyset paging stays exact while the lists change), whether the list is complete, the
  // snapshot generation (answers of an older one are ignored).
  ListCursor queue_cursor_, mine_cursor_;
  bool queue_done_ = true, mine_done_ = true;
  bool page_in_flight_ = false;
  std::uint64_t snapshot_generation_ = 0;
  std::vector<std::string> queue_before_reconnect_;  // for "new chat waiting" alerts of later pages
  bool ring_new_ = false;                            // this snapshot is a reconnect: ring new chats
  std::vector<std::string> queue_ids_, mine_ids_;
  std::uint64_t lists_version_ = 0;
  std::vector<Row> queue_rows_, mine_rows_;
  std::uint64_t rows_built_for_ = ~std::uint64_t{0};
  std::uint64_t rows_version_ = 0;

  // Selection.
  std::string focus_id_;
  int focus_index_ = -1;
  std::uint64_t focus_moves_ = 0;
  std::string open_id_;
  bool viewing_ = false;
  std::map<std::string, Seq> seen_;  // conversation -> highest seq the agent has seen
  Seq seen_sent_ = 0;                // chat.seen sent for the open conversation

  // Timeline of the open conversation.
  std::vector<TimelineItem> timeline_;
  std::uint64_t timeline_built_for_ = ~std::uint64_t{0};
  std::string timeline_built_id_;
  std::uint64_t timeline_version_ = 0;
  std::unordered_map<std::string, Millis> typing_at_;  // customer typing (local ms)
  std::unordered_map<std::string, bool> customer_online_;  // by conversation (join ack + presence events)

  // Composer and resolve panel.
  std::string draft_;
  bool typing_sent_ = false;
  Millis typing_sent_at_ = 0;
  bool resolve_open_ = false;
  std::vector<std::string> issue_types_{"general", "billing", "technical", "account", "other"};
  std::string issue_type_;
  std::string resolution_;
  std::string pending_accept_;

  // issue 9
  CannedPicker canned_;
  CannedPicker articles_{'#'};
  bool draft_replaced_ = false;
  std::string template_warning_;
  bool note_mode_ = false;
  bool transfer_open_ = false;
  bool agents_requested_ = false;
  bool agents_loading_ = false;
  std::vector<Agent> agents_;
  int transfer_choice_ = -1;
  // issue 9, sup2
  bool reassign_ = false;
  std::optional<HttpCall> assign_call_;
  std::string assign_pending_name_;
  Millis wait_threshold_ms_ = 5 * 60 * 1000;
  std::string match_conv_;
  Seq match_seq_ = 0;

  std::string flash_;
  Millis flash_at_ = 0;
  std::vector<Alert> alerts_;
  client::files::Uploads uploads_;
  std::vector<int> released_files_;
  std::uint64_t local_version_ = 0;
  Millis now_ = 0;
};

// "Urgent", "High", "Normal", "Low": the priority as the inbox shows it (rows, pills, details).
const char* priority_word(Priority p);

}  // namespace parley::inbox
