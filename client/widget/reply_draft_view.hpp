// client/widget/reply_draft_view.hpp: draws the assistant's streamed reply (widget/reply_draft.hpp)
// as its bubble below the transcript, where the typing dots would be, with browser-shaped text
// (client/common/text_layout) and a node in the accessibility mirror ("<assistant> is writing: ...").
// Main thread only, like the rest of the view.
#pragma once

#include <imgui.h>

#include <string>

#include "common/text_layout.hpp"
#include "widget/reply_draft.hpp"

namespace parley::widget {

class ReplyDraftView {
 public:
  // Lays the text out (cached until the text, font or width changes); the bubble's height.
  float layout(const ReplyDraft& draft, const ImFont* font, float max_text_w, float s);
  float width(float s) const { return block_.width + 28 * s; }
  // Draws the bubble with its top-left at `at` (after layout), and its mirror node.
  void draw(ImDrawList* dl, ImVec2 at, float s, ImU32 bubble, ImU32 ink, const std::string& assistant_name);

 private:
  std::string text_;
  const ImFont* font_ = nullptr;
  float w_ = -1;
  client::TextBlock block_;
};

}  // namespace parley::widget
