#include "common/text_layout.hpp"

#include <algorithm>
#include <cmath>

namespace parley::client {

namespace {
constexpr float kLineSpacing = 1.32f;  // line advance / font size, like CSS line-height
}  // namespace

void layout_text(std::string_view text, const std::vector<LinkSpan>& links, const ImFont* font,
                 float wrap_width, TextBlock& out, int dir) {
  out.lines.clear();
  out.link_boxes.clear();
  out.width = 0;
  out.font = font;
  out.wrap_width = wrap_width;
  out.line_height = std::round(font->FontSize * kLineSpacing);
  out.rtl = dir < 0 ? text::is_rtl(text) : dir == 1;
  const text::Face face = text::face_of(font);
  for (const text::WrappedLine& w : text::wrap(text, face, wrap_width, out.rtl)) {
    out.lines.push_back(TextBlock::Line{w.begin, w.end, w.width});
    out.width = std::max(out.width, w.width);
  }
  if (out.lines.empty()) out.lines.push_back(TextBlock::Line{});
  out.height = static_cast<float>(out.lines.size()) * out.line_height;

  // Link pieces per line.
  const char* base = text.data();
  for (std::uint32_t li = 0; li < out.lines.size(); ++li) {
    const TextBlock::Line& line = out.lines[li];
    for (std::uint32_t k = 0; k < links.size(); ++k) {
      const std::uint32_t b = std::max(line.begin, links[k].begin);
      const std::uint32_t e = std::min(line.end, links[k].end);
      if (b >= e) continue;
      TextBlock::LinkBox box;
      box.line = li;
      box.begin = b;
      box.end = e;
      if (out.rtl) {
        box.x0 = 0;
        box.x1 = line.width;
      } else {
        box.x0 = text::measure(std::string_view(base + line.begin, b - line.begin), face);
        box.x1 = box.x0 + text::measure(std::string_view(base + b, e - b), face);
      }
      box.link = k;
      out.link_boxes.push_back(box);
    }
  }
}

void draw_text(ImDrawList* dl, const TextBlock& block, std::string_view text, ImVec2 origin, ImU32 color,
               ImU32 link_color) {
  const char* base = text.data();
  const float size = block.font->FontSize;
  const text::Face face = text::face_of(block.font);
  const int dir = block.rtl ? 1 : 0;
  auto piece = [&](std::uint32_t b, std::uint32_t e) { return std::string_view(base + b, e - b); };
  std::size_t box = 0;
  for (std::uint32_t li = 0; li < block.lines.size(); ++li) {
    const TextBlock::Line& line = block.lines[li];
    const float lead = std::floor((block.line_height - size) / 2);
    const float x_line = origin.x + (block.rtl ? block.width - line.width : 0);
    const ImVec2 pos(x_line, origin.y + static_cast<float>(li) * block.line_height + lead);
    if (block.rtl) {
      // One run per line: the browser orders the mixed-direction text inside it.
      bool has_link = false;
      while (box < block.link_boxes.size() && block.link_boxes[box].line == li) {
        has_link = true;
        ++box;
      }
      text::draw(dl, piece(line.begin, line.end), face, pos, has_link ? link_color : color, dir);
      continue;
    }
    std::uint32_t cursor = line.begin;
    float x = pos.x;
    while (box < block.link_boxes.size() && block.link_boxes[box].line == li) {
      const TextBlock::LinkBox& b = block.link_boxes[box];
      if (b.begin > cursor) text::draw(dl, piece(cursor, b.begin), face, ImVec2(x, pos.y), color, dir);
      text::draw(dl, piece(b.begin, b.end), face, ImVec2(pos.x + b.x0, pos.y), link_color, dir);
      const float underline_y = std::floor(pos.y + size * 0.98f);
      dl->AddLine(ImVec2(pos.x + b.x0, underline_y), ImVec2(pos.x + b.x1, underline_y), link_color,
                  std::max(1.0f, size / 15.0f));
      cursor = b.end;
      x = pos.x + b.x1;
      ++box;
    }
    if (cursor < line.end) {
      // Leading spaces of a piece after a link are part of its advance: keep them.
      text::draw(dl, piece(cursor, line.end), face, ImVec2(x, pos.y), color, dir);
    }
  }
}

int link_at(const TextBlock& block, ImVec2 origin, ImVec2 point) {
  for (const TextBlock::LinkBox& b : block.link_boxes) {
    const float y0 = origin.y + static_cast<float>(b.line) * block.line_height;
    const float xl = origin.x + (block.rtl ? block.width - block.lines[b.line].width : 0);
    if (point.x >= xl + b.x0 && point.x < xl + b.x1 && point.y >= y0 && point.y < y0 + block.line_height) {
      return static_cast<int>(b.link);
    }
  }
  return -1;
}

}  // namespace parley::client
