// text_layout.hpp: wrapped text with clickable links, measured once and drawn many times.
//
// Laying out is the expensive part (the browser measures and finds line breaks, text.hpp); a
// TextBlock keeps the result so a frame only draws it. Relayout when the text, the font or the
// wrap width changes. Lines are in logical order; each line is reordered and shaped by the
// browser when drawn. A right-to-left paragraph's lines are right-aligned in the block.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/linkify.hpp"
#include "common/text.hpp"
#include "imgui.h"

namespace parley::client {

struct TextBlock {
  struct Line {
    std::uint32_t begin = 0, end = 0;  // byte range in the text
    float width = 0;
  };
  // A piece of a link on one line (links can wrap), relative to the block's top-left. In a
  // right-to-left paragraph the whole line stands for the link (no positions inside bidi text).
  struct LinkBox {
    std::uint32_t line = 0;
    std::uint32_t begin = 0, end = 0;  // byte range
    float x0 = 0, x1 = 0;
    std::uint32_t link = 0;  // index into the links passed to layout()
  };
  std::vector<Line> lines;
  std::vector<LinkBox> link_boxes;
  float width = 0;  // widest line
  float height = 0;
  float line_height = 0;
  float wrap_width = -1;
  bool rtl = false;  // paragraph direction (first strong character)
  const ImFont* font = nullptr;
};

// Lays `text` out in `font`'s face (its own size) wrapped at `wrap_width` px. Newlines break
// lines; words longer than the width are broken between graphemes. `dir`: -1 from the text's
// first strong character (people's messages), 0 left to right (interface sentences holding a
// name), 1 right to left.
void layout_text(std::string_view text, const std::vector<LinkSpan>& links, const ImFont* font,
                 float wrap_width, TextBlock& out, int dir = -1);

// Draws a laid-out block at `origin`; link pieces in `link_color`, underlined.
void draw_text(ImDrawList* dl, const TextBlock& block, std::string_view text, ImVec2 origin, ImU32 color,
               ImU32 link_color);

// The link under `point` (absolute), or -1.
int link_at(const TextBlock& block, ImVec2 origin, ImVec2 point);

}  // namespace parley::client
