// The streamed reply's bubble (reply_draft_view.hpp).
#include "widget/reply_draft_view.hpp"

#include "common/a11y_mirror.hpp"

namespace parley::widget {

float ReplyDraftView::layout(const ReplyDraft& draft, const ImFont* font, float max_text_w, float s) {
  if (draft.text() != text_ || font != font_ || max_text_w != w_) {
    text_ = draft.text();
    font_ = font;
    w_ = max_text_w;
    client::layout_text(text_, {}, font, max_text_w, block_);
  }
  return block_.height + 16 * s;
}

void ReplyDraftView::draw(ImDrawList* dl, ImVec2 at, float s, ImU32 bubble, ImU32 ink,
                          const std::string& assistant_name) {
  const ImVec2 end(at.x + block_.width + 28 * s, at.y + block_.height + 16 * s);
  dl->AddRectFilled(at, end, bubble, 18 * s);
  client::draw_text(dl, block_, text_, ImVec2(at.x + 14 * s, at.y + 8 * s), ink, ink);
  client::a11y::node("##reply_draft", client::a11y::Role::text, assistant_name + " is writing: " + text_, at, end);
}

}  // namespace parley::widget
