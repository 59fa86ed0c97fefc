// widget_model.hpp: the customer widget's model (pure C++: no GL, no browser; tested natively).
//
// Holds the visitor's session (SyncStore + protocol flow, client/common/session.hpp), the tenant's
// settings, the pre-chat form, the draft and the connection state, and derives what the view
// draws: display items (day separators, bubbles grouped by sender, hand-off lines, delivery
// state), the header, the banner, the typing indicator. The view reads it and calls the intent
// methods (send, retry, request_human, ...); the browser glue feeds it frames and DOM input.
// Derived data is rebuilt only when something it depends on changed (items_version()).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/files.hpp"
#include "common/linkify.hpp"
#include "common/session.hpp"
#include "widget/offline_model.hpp"
#include "widget/reply_draft.hpp"
#include "parley/replies.hpp"
#include "widget/survey_model.hpp"

namespace parley::widget {

// Public settings of a tenant: GET /api/config?tenant=SLUG, or the `tenant` object of hello's ack
// (one shape, parley/replies.hpp).
using TenantConfig = PublicTenantConfig;
// Members present in `j` override `base`; `base` unchanged when `j` is not a valid tenant config.
TenantConfig tenant_config_from_json(const Json& j, TenantConfig base);

// Persistent key/value strings (the iframe's localStorage; a map in tests).
class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::string get(const std::string& key) = 0;
  virtual void set(const std::string& key, const std::string& value) = 0;
};

enum class LinkState { connecting, online, offline, retrying };

// One row of the transcript.
struct DisplayItem {
  enum class Kind : std::uint8_t { day, message, notice };
  Kind kind = Kind::message;
  Role role = Role::bot;       // message: who sent it
  bool own = false;            // message: sent by this visitor
  bool group_start = true;     // first of consecutive messages by the same sender
  bool group_end = true;       // last of them (shows the time)
  bool show_delivery = false;  // own: show the delivery state under it
  bool stored = false;         // own: the relay stored it (has a seq)
  Delivery delivery = Delivery::sent;
  Seq seq = 0;
  std::string client_msg_id;  // own, not yet stored: the outbox key (retry / discard)
  std::string name;           // sender name shown above a group from the other side
  std::string text;           // message text, day label, or notice text
  std::string time;           // "14:05" / "2:05 PM"
  std::string error;          // failed: why
  std::vector<client::LinkSpan> links;
  Millis at = 0;
  bool seen = false;  // own, the last one: staff have seen it (issue 9, read receipts)
  // issue 9, files: a file message's attachment (text = name + type and size, the name a link),
  // or a pending/failed upload (client_msg_id = Uploads::key_of(id)).
  std::optional<AttachmentRef> attachment;
  bool upload = false;
};

struct Header {
  std::string title;
  std::string subtitle;
  enum class Dot : std::uint8_t { online, waiting, offline } dot = Dot::online;
};

struct Banner {
  // blocked (issue 9): staff blocked this visitor; the relay refuses their messages.
  enum class Kind : std::uint8_t { none, connecting, retrying, offline, blocked } kind = Kind::none;
  std::string text;
};

// The customer's place in the queue (issue 9): from the relay's chat.queue_position events.
struct QueuePlaceShown {
  int position = 0;            // 0 = unknown / not waiting
  std::optional<int> minutes;  // nullopt = no estimate
};
// "You are number 3 in the queue, about 5 min" ("You are number 3 in the queue" without an
// estimate); "" when `p` has no position.
std::string queue_place_text(const QueuePlaceShown& p);

class WidgetModel : public client::SessionListener {
 public:
  struct Clock {
    int utc_offset_minutes = 0;  // local time = UTC + offset
    bool hour12 = false;
  };
  // REQUIRES: `transport` and `storage` outlive the model. `make_id` returns a new random id
  // (client_msg_ids).
  WidgetModel(client::Transport& transport, Storage& storage, std::function<std::string()> make_id,
              std::string tenant_slug);

  // ---- Inputs from the browser glue ----
  void set_tenant_config(const TenantConfig& config);
  void set_clock(Clock clock);
  void set_page(PageInfo page) { page_ = std::move(page); }
  void set_link(LinkState state, Millis retry_at);
  void connected(Millis now);  // the WebSocket opened
  void received(std::string_view frame, Millis now) {
    now_ = now;
    session_.received(frame, now);
  }
  void disconnected() { session_.disconnected(); }
  void tick(Millis now) { session_.tick(now); }
  // The panel is shown (the visitor opened the widget) or hidden.
  void set_panel_open(bool open);
  // The composer's text changed (DOM input event). Sends typing signals, rate-limited.
  void set_draft(std::string text, Millis now);

  // ---- Intents (from the view) ----
  // Sends the draft; false when it is blank. Starts the conversation when there is none.
  bool send_draft(Millis now);
  // Pre-chat form: false (and error text) when invalid; otherwise starts the conversation.
  bool submit_prechat(const std::string& name, const std::string& email, const std::string& topic,
                      Millis now);
  void retry(const std::string& client_msg_id);
  void discard(const std::string& client_msg_id);
  void request_human();
  void end_chat();
  // After an ended conversation: the next message opens a new one.
  void start_new_conversation();
  // The satisfaction survey (survey_model.hpp): choose a star, then send it with the comment.
  SurveyModel& survey() { return survey_; }
  SurveyModel::Stage survey_stage() const { return survey_.stage(conversation()); }
  bool submit_survey(std::string comment);
  // issue 9, the offline form (offline_model.hpp): false (and offline().error()) when invalid.
  bool submit_offline(const std::string& email, const std::string& text);
  void dismiss_offline() {
    offline_.dismiss();
    touch();
  }
  // issue 9, files (client/common/files.hpp). The visitor may attach while a conversation is
  // open; attach() queues the chosen file (the glue then drives uploads()). retry()/discard()
  // with an upload's key act on the upload; a discarded upload's file handle is handed back by
  // take_released_files() for the glue to release.
  bool can_attach() const;
  int attach(int handle, std::string name, std::uint64_t size);
  client::files::Uploads& uploads() { return uploads_; }
  std::vector<int> take_released_files() { return std::exchange(released_files_, {}); }
  const std::string& visitor_token() const { return token_; }
  // The attachment of the stored message with this attachment id (downloads), or nullptr.
  const AttachmentRef* find_attachment(const std::string& id) const;
  // "Email me the transcript" of the current conversation.
  bool email_transcript(const std::string& email);

  // ---- Derived state (for the view and window.parley.state()) ----
  const TenantConfig& tenant() const { return tenant_; }
  const std::string& conversation_id() const { return conversation_id_; }
  const Conversation* conversation() const;
  // Rebuilt when the store, the conversation or the day changed. Stable between changes.
  const std::vector<DisplayItem>& items(Millis now);
  // Moves whenever items() would return something different.
  std::uint64_t items_version() const { return items_version_; }
  Header header() const;
  Banner banner(Millis now) const;
  LinkState link() const { return link_; }
  // The other side is typing (or the assistant is about to answer).
  bool others_typing(Millis now) const;
  // issue 10: the assistant's reply while it streams (drawn instead of the typing dots).
  const ReplyDraft& reply_draft() const { return reply_draft_; }
  bool show_prechat() const;
  // The offline form replaces the composer (and the pre-chat form).
  bool show_offline() const;
  const OfflineForm& offline() const { return offline_; }
  const std::string& prechat_error() const { return prechat_error_; }
  bool can_request_human() const;
  bool can_end() const;
  bool ended() const;
  const std::string& draft() const { return draft_; }
  int unread() const { return unread_; }
  // While waiting for a person: the place the relay last told (position 0 when none).
  const QueuePlaceShown& queue_place() const { return queue_place_; }
  // Texts for the screen reader live region, oldest first; taken once.
  std::vector<std::string> take_announcements() {
    for (std::string& a : uploads_.take_announcements()) announcements_.push_back(std::move(a));
    return std::exchange(announcements_, {});
  }
  // Monotonic counter of changes that need a redraw.
  std::uint64_t version() const { return session_.store().version() + local_version_ + uploads_.version(); }
  // Read-only JSON snapshot for tests (window.parley.state()).
  Json snapshot(Millis now) const;

  client::Session& session() { return session_; }

  // client::SessionListener
  void on_hello(const Json& data) override;
  void on_event(const Event& event, SyncStore::Applied applied) override;
  void on_notice(const std::string& type, const Json& data) override;
  void on_started(const std::string& conversation_id) override;
  void on_joined(const std::string& conversation_id) override;
  void on_command_error(std::string_view command, const std::string& key, const Error& error) override;
  void on_command_ack(std::string_view command, const std::string& key, const Json& data) override;

  // Formatting helpers (exposed for tests).
  static std::string format_time(Millis at, Clock clock);
  static std::string format_day(Millis at, Millis now, Clock clock);

  // issue 9: true once the relay refused a command because staff blocked this visitor
  // (ErrorCode::blocked); the banner then says so. Cleared when a message is accepted.
  bool blocked() const { return blocked_; }

 private:
  bool blocked_ = false;
  std::string token_key() const {
    return "parley.visitor." + (tenant_.slug.empty() ? "default" : tenant_.slug);
  }
  void rebuild_items(Millis now);
  void touch() { ++local_version_; }
  void send_typing(bool typing, Millis now);

  client::Session session_;
  Storage& storage_;
  std::function<std::string()> make_id_;
  TenantConfig tenant_;
  Clock clock_;
  PageInfo page_;
  std::string token_;
  std::string conversation_id_;
  LinkState link_ = LinkState::connecting;
  Millis retry_at_ = 0;
  bool panel_open_ = false;
  bool prechat_done_ = false;
  std::string prechat_name_, prechat_email_, prechat_topic_;
  std::string prechat_error_;
  std::string draft_;
  bool typing_sent_ = false;
  Millis typing_sent_at_ = 0;
  Millis last_own_message_at_ = 0;  // for the "assistant is answering" indicator
  Millis now_ = 0;                  // time of the frame being handled
  Millis typing_at_ = 0;            // the other side's last chat.typing (local time)
  Seq staff_seen_ = 0;              // issue 9: staff's last chat.seen (ephemeral; a reload forgets it)
  Millis others_message_at_ = 0;    // the other side's last message (local time)
  int unread_ = 0;
  QueuePlaceShown queue_place_;
  Seq seen_sent_ = 0;
  std::vector<std::string> announcements_;
  std::uint64_t local_version_ = 0;

  SurveyModel survey_;
  client::files::Uploads uploads_;
  std::vector<int> released_files_;

  OfflineForm offline_;
  ReplyDraft reply_draft_;  // issue 10: the assistant's streamed reply (chat.draft)
  std::vector<DisplayItem> items_;
  std::uint64_t items_version_ = 0;
  std::uint64_t items_built_for_ = ~std::uint64_t{0};
  std::int64_t items_day_ = 0;
};

}  // namespace parley::widget
