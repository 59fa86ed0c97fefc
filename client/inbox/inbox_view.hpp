// inbox_view.hpp: the agent inbox's ImGui view. Reads the InboxModel, draws one frame and returns
// the agent's intents; it never changes the model itself.
//
// Layout (CSS px, times the shell's scale): a top bar (live counts, agent, mute, log out); a left
// column with the waiting queue and "my conversations" (clipped lists: only visible rows are
// drawn); the open conversation in the middle (header with Accept / Resolve, the transcript, the
// composer: a DOM <textarea> placed over the frame); a right panel with the contact's and the
// conversation's details (the assistant's hand-off summary is a card in the transcript); the resolve panel (issue types + a DOM <textarea> note) on
// top. The login screen places DOM <input>s in a real <form> (password managers).
// Text layout of the transcript is cached and redone only when the timeline or the width changes.
#pragma once

#include <optional>

#include <string>
#include <vector>

#include "common/thumbs.hpp"
#include "common/app_shell.hpp"
#include "common/dom.hpp"
#include "common/text_layout.hpp"
#include "inbox/inbox_model.hpp"

namespace parley::inbox {

struct Intents {
  std::string open, accept, take_over, retry, discard, issue_type, open_url;
  std::string copy;  // text to put on the clipboard (a message, the conversation id)
  int move_focus = 0;
  bool open_focused = false;
  bool send = false;
  bool focus_composer = false;
  bool open_resolve = false;
  bool close_resolve = false;
  bool submit_resolve = false;
  bool focus_note = false;
  bool close_conversation = false;
  bool toggle_mute = false;
  bool logout = false;
  bool login = false;
  bool focus_login = false;
  std::optional<AgentStatus> set_status;  // the status selector (status_view.hpp)
  // issue 9 (canned_view.hpp, transfer_view.hpp)
  int pick_canned = -1, select_canned = -1;
  int pick_article = -1, select_article = -1;
  bool toggle_note = false;
  bool attach = false;  // issue 9: "Attach a file" (the glue opens the file picker)
  bool open_transfer = false, close_transfer = false, submit_transfer = false;
  int transfer_choice = -1, transfer_move = 0;
  std::optional<Priority> set_priority;
  std::string set_issue_type;
  // issue 9, supervise (supervise_view.cpp)
  bool open_dashboard = false, open_conversations = false, close_supervise = false;
  bool run_search = false, focus_search = false, request_csat = false;
  std::string status_filter;  // "all" or a status
  std::string open_hit;       // a search result to open
  bool open_admin = false;    // issue 9, the Admin area (admin_view.hpp)
  // issue 9, sup2: the result's matching message (opened there); Reassign (listen in)
  Seq open_hit_seq = 0;
  bool open_reassign = false;
  bool open_tickets = false, open_customer = false;  // issue 9, the tickets UI (tickets_view.hpp, customer_view.hpp)
};

// The DOM fields the view places (ids in web/inbox.html).
struct Fields {
  client::dom::Field composer{"composer"};
  client::dom::Field note{"resolve-note"};
  client::dom::Field user{"login-user"};
  client::dom::Field password{"login-password"};
  client::dom::Field search{"search-query"};  // the conversations view's search
};

class InboxView {
 public:
  // Narrower than this (CSS px), the inbox shows one column at a time.
  static constexpr float kNarrowCss = 720;

  // Draws the frame. Returns true while something animates.
  bool draw(InboxModel& model, Fields& fields, double now_ms, Intents& out);

  void set_focused(const std::string& field, bool focused);
  void set_field_height(const std::string& field, float css_px);
  const std::string& focused_field() const { return focused_field_; }
  bool narrow() const { return narrow_; }
  // The transcript as last drawn: at the bottom (following new messages), and how many items
  // arrived below while the reader was scrolled up (the "new messages" marker shows then).
  bool transcript_at_bottom() const { return at_bottom_; }
  // issue 9: the header's "Customer" button (the keyboard returns there when its panel closes).
  ImGuiID customer_button() const { return customer_button_; }
  int transcript_new_below() const { return new_below_; }

 private:
  struct ItemLayout {
    float y = 0, h = 0;
    float bubble_w = 0, bubble_h = 0;
    float head_h = 0;  // name line above a group
    client::TextBlock block;
    const client::thumbs::Thumb* thumb = nullptr;  // issue 9: an image attachment, once loaded
  };
  std::uint64_t layout_thumbs_version_ = 0;

  void draw_login(InboxModel& model, Fields& fields, double now, Intents& out);
  // issue 9, supervise (supervise_view.cpp): the top bar's buttons (returns the new right edge)
  // and the open panel, drawn over everything.
  float draw_supervise_buttons(InboxModel& model, float right, float hh, Intents& out);
  void draw_supervise(InboxModel& model, Fields& fields, Intents& out);
  void draw_topbar(InboxModel& model, float w, Intents& out);
  void draw_lists(InboxModel& model, float x, float y, float w, float h, double now, Intents& out);
  float draw_list(InboxModel& model, const char* id, const char* title, const std::vector<Row>& rows,
                  bool queue, int focus_offset, float x, float y, float w, float h, double now, Intents& out);
  void mirror_list(InboxModel& model, const char* id, const char* title, const std::vector<Row>& rows, bool queue,
                   int focus, ImVec2 origin, float cw, float row_h, float list_y, float list_h, Millis server_now,
                   Intents& out);
  void mirror_transcript(const std::vector<TimelineItem>& items, ImVec2 origin, float cw, float top, float bottom,
                         Intents& out);
  void draw_conversation(InboxModel& model, Fields& fields, float x, float y, float w, float h, double now,
                         Intents& out);
  void draw_empty(InboxModel& model, float x, float y, float w, float h);
  void draw_transcript(InboxModel& model, float x, float y, float w, float h, double now, Intents& out);
  // issue 9, sup2: the search match of the open conversation (scrolled to once, highlighted).
  Seq match_seq_ = 0;
  std::string jumped_for_;
  void draw_item(const TimelineItem& item, const ItemLayout& l, ImVec2 origin, float w, int index,
                 Intents& out);
  void relayout(const std::vector<TimelineItem>& items, float width);
  float draw_footer(InboxModel& model, Fields& fields, float x, float bottom, float w, Intents& out);
  void draw_details(InboxModel& model, float x, float y, float w, float h, double now, Intents& out);
  void draw_resolve(InboxModel& model, Fields& fields, Intents& out);
  void draw_flash(InboxModel& model, double now);
  ImGuiID transfer_button_ = 0;
  ImGuiID customer_button_ = 0;  // issue 9
  bool was_transfer_open_ = false;

  float s_ = 1;
  bool narrow_ = false;  // one column: the lists, or the open conversation

  // Transcript layout cache.
  std::vector<ItemLayout> layout_;
  std::uint64_t layout_version_ = ~std::uint64_t{0};
  float layout_width_ = -1;
  const ImFont* layout_font_ = nullptr;
  float content_h_ = 0;
  std::string layout_conv_;
  bool stick_bottom_ = true;
  float last_total_ = -1;
  float last_scroll_y_ = -1;
  bool force_bottom_ = true;
  std::size_t last_items_ = 0;   // timeline items in the previous frame
  std::size_t unseen_from_ = 0;  // items from this index on arrived while the reader was up
  bool at_bottom_ = true;
  int new_below_ = 0;
  ImVec2 marker_a_, marker_b_;  // the "new messages" marker as drawn (screen px; empty when none)

  // List scrolling follows the keyboard focus.
  std::uint64_t last_focus_moves_ = 0;

  // DOM state.
  std::string focused_field_;
  float composer_css_ = 20;
  float note_css_ = 60;
  bool was_resolve_open_ = false;
  bool was_login_ = false;

  // Accessibility mirror (client/common/a11y_mirror.hpp).
  bool dom_row_focus_ = false;  // a list row has the mirror's focus (it draws the ring)
  bool dom_row_next_ = false;
  ImGuiID last_dom_row_ = 0;
  ImGuiID focused_row_[2] = {0, 0};  // per list: its row with the mirror's focus
  std::uint64_t timeline_mirror_version_ = 0;
  std::uint64_t mirror_frame_ = 0;
  ImGuiID resolve_button_ = 0;
  ImGuiID transcript_log_ = 0;
};

}  // namespace parley::inbox
