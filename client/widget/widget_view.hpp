// widget_view.hpp: the customer widget's ImGui view. Reads the WidgetModel, draws one frame and
// returns the visitor's intents; it never changes the model itself.
//
// Layout (CSS px, times the shell's scale): header (brand colour, title, status, menu, close),
// connection banner, the transcript (bubbles, day separators, hand-off lines, typing indicator,
// "new messages" pill), and at the bottom either the composer (a DOM <textarea> placed over the
// drawn frame) or the pre-chat form (DOM inputs). Text layout is cached per item and redone only
// when the model's items or the width change. People's text (messages, names, the title, avatar
// letters) is drawn by the browser (common/text.hpp). For a right-to-left visitor the bubbles,
// avatars, typing indicator and composer are mirrored (see set_page_rtl).
#pragma once

#include <string>
#include <vector>

#include "common/app_shell.hpp"
#include "common/dom.hpp"
#include "common/text_layout.hpp"
#include "common/thumbs.hpp"
#include "widget/reply_draft_view.hpp"
#include "widget/widget_model.hpp"

namespace parley::widget {

struct Intents {
  bool send = false;
  bool close = false;
  bool request_human = false;
  bool end_chat = false;
  bool new_conversation = false;
  bool submit_prechat = false;
  bool submit_offline = false;   // issue 9: the offline form (offline_view.cpp)
  bool dismiss_offline = false;
  bool focus_composer = false;
  bool attach = false;  // issue 9: "Attach a file" (the glue opens the file picker)
  std::string retry, discard, copy, open_url;
  std::string announce;  // for the screen reader (e.g. "Copied")
  int rate = 0;                // survey: a star was chosen (1..5)
  bool submit_survey = false;  // survey: send the rating
};

// The DOM fields the view places (ids in web/widget.html).
struct Fields {
  client::dom::Field composer{"composer"};
  client::dom::Field name{"prechat-name"};
  client::dom::Field email{"prechat-email"};
  client::dom::Field topic{"prechat-topic"};
  client::dom::Field csat_comment{"csat-comment"};  // the survey's optional comment
  client::dom::Field offline_email{"offline-email"};
  client::dom::Field offline_text{"offline-text"};
};

// The offline panel's height (offline_view.cpp).
float offline_panel_height(const WidgetModel& model, float s);

class WidgetView {
 public:
  // `embedded`: inside the host page's iframe (shows the close button).
  explicit WidgetView(bool embedded) : embedded_(embedded) {}

  // Draws the frame. Returns true while something animates.
  bool draw(WidgetModel& model, Fields& fields, double now_ms, Intents& out);

  // DOM state the view reflects.
  void set_focused(const std::string& field, bool focused);
  void set_composer_height(float css_px) { composer_text_css_ = css_px; }
  // The visitor's language is written right to left: bubbles and composer are mirrored always
  // (otherwise they mirror when the visitor's own last message, or draft, is right to left).
  void set_page_rtl(bool rtl);
  bool is_mirrored() const { return mirror_; }
  // The "..." menu: open now; close it on the next frame (Esc, typing, a click outside).
  bool menu_open() const { return menu_open_; }
  void close_menu() { close_menu_ = menu_open_; }

 private:
  struct ItemLayout {
    float y = 0, h = 0;  // in the transcript's content space
    float bubble_w = 0, bubble_h = 0;
    client::TextBlock block;
    std::string meta;  // "14:05 · Sent ✓"
    const client::thumbs::Thumb* thumb = nullptr;  // issue 9: an image attachment, once loaded
  };

  void relayout(const std::vector<DisplayItem>& items, float width);
  void draw_header(WidgetModel& model, float w, Intents& out);
  float draw_banner(const Banner& banner, float y, float w);
  bool draw_transcript(WidgetModel& model, const std::vector<DisplayItem>& items, float top, float bottom,
                       float w, double now, Intents& out);
  void draw_message(const DisplayItem& item, const ItemLayout& l, ImVec2 origin, float w, int index,
                    Intents& out);
  void mirror_transcript(WidgetModel& model, const std::vector<DisplayItem>& items, ImVec2 origin, float cw,
                         float top, float bottom, Intents& out);
  float draw_composer(WidgetModel& model, Fields& fields, float w, float h, Intents& out);
  float draw_prechat(WidgetModel& model, Fields& fields, float w, float h, Intents& out);
  // The satisfaction survey above the composer (survey_view.cpp); 0 high when hidden.
  float survey_height(WidgetModel& model) const;
  void draw_survey(WidgetModel& model, Fields& fields, float w, float y0, Intents& out);
  float draw_offline(WidgetModel& model, Fields& fields, float w, float h, Intents& out);  // offline_view.cpp
  void apply_brand(const std::string& hex);
  bool mirrored(WidgetModel& model, double now_ms) const;

  bool embedded_;
  float s_ = 1;  // device px per CSS px

  // Colours.
  ImU32 brand_ = IM_COL32(37, 99, 235, 255);
  ImU32 brand_dark_ = IM_COL32(29, 78, 216, 255);
  ImU32 on_brand_ = IM_COL32_WHITE;
  std::string brand_hex_;

  // Layout cache.
  std::vector<ItemLayout> layout_;
  std::uint64_t layout_items_version_ = ~std::uint64_t{0};
  float layout_width_ = -1;
  const ImFont* layout_font_ = nullptr;
  float content_height_ = 0;
  std::uint64_t layout_thumbs_version_ = 0;
  std::string thumb_headers_;  // the visitor token for image thumbnails

  // Scrolling.
  float last_content_height_ = -1;
  bool at_bottom_ = true;
  bool stick_to_bottom_ = true;
  std::size_t seen_items_ = 0;  // items present when the visitor last was at the bottom
  int unseen_ = 0;              // others' messages below the visible part
  bool force_bottom_ = true;

  int selected_ = -1;  // bubble showing its "Copy" action
  static constexpr double kCopiedShowMs = 2000;
  int copied_index_ = -1;  // bubble whose text was just copied ("Copied ✓")
  double copied_at_ = 0;
  double now_ = 0;  // of the frame being drawn

  // DOM.
  float composer_text_css_ = 20;
  bool composer_focused_ = false;
  std::string focused_field_;
  // The offline form's message, wrapped (offline_view.cpp): laid out again when it or the width changes.
  client::TextBlock offline_block_;
  std::string offline_block_text_;
  float layout_offline_message(const WidgetModel& model, float w);  // returns its height
  bool menu_open_ = false;

  // Right-to-left layout.
  bool page_rtl_ = false;
  bool mirror_ = false;
  bool composer_mirrored_ = false;

  // Accessibility mirror (client/common/a11y_mirror.hpp).
  std::vector<ImVec4> drawn_;  // bubble rectangles drawn this frame, by item index
  ReplyDraftView reply_draft_view_;  // issue 10: the assistant's streamed reply
  ImGuiID menu_button_ = 0;
  ImVec4 close_rect_;
  bool close_menu_ = false;
  bool menu_from_keys_ = false;
};

}  // namespace parley::widget
