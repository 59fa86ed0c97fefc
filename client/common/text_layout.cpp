#include "common/text_layout.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "imgui_internal.h"

namespace parley::client {

namespace {
constexpr float kLineSpacing = 1.32f;  // line advance / font size, like CSS line-height
}  // namespace

void layout_text(std::string_view text, const std::vector<LinkSpan>& links, const ImFont* font,
                 float wrap_width, TextBlock& out) {
  out.lines.clear();
  out.link_boxes.clear();
  out.width = 0;
  out.font = font;
  out.wrap_width = wrap_width;
  out.line_height = std::round(font->FontSize * kLineSpacing);
  const char* base = text.data();
  const char* end = base + text.size();
  const float scale = 1.0f;
  const char* p = base;
  while (p <= end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* para_end = nl ? nl : end;
    // Wrap one paragraph.
    const char* s = p;
    do {
      const char* brk = s == para_end ? s : font->CalcWordWrapPositionA(scale, s, para_end, wrap_width);
      if (brk == s && s < para_end) {  // not even one character fits: take one anyway
        unsigned int c = 0;
        brk = s + ImTextCharFromUtf8(&c, s, para_end);
      }
      TextBlock::Line line;
      line.begin = static_cast<std::uint32_t>(s - base);
      // Trailing spaces do not count towards the width.
      const char* visible_end = brk;
      while (visible_end > s && (visible_end[-1] == ' ' || visible_end[-1] == '\r')) --visible_end;
      line.end = static_cast<std::uint32_t>(visible_end - base);
      line.width = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, s, visible_end).x;
      out.width = std::max(out.width, line.width);
      out.lines.push_back(line);
      s = brk;
      while (s < para_end && *s == ' ') ++s;
    } while (s < para_end);
    if (!nl) break;
    p = nl + 1;
  }
  out.height = static_cast<float>(out.lines.size()) * out.line_height;

  // Link pieces per line.
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
      box.x0 = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, base + line.begin, base + b).x;
      box.x1 = box.x0 + font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, base + b, base + e).x;
      box.link = k;
      out.link_boxes.push_back(box);
    }
  }
}

void draw_text(ImDrawList* dl, const TextBlock& block, std::string_view text, ImVec2 origin, ImU32 color,
               ImU32 link_color) {
  const char* base = text.data();
  ImFont* font = const_cast<ImFont*>(block.font);
  const float size = font->FontSize;
  std::size_t box = 0;
  for (std::uint32_t li = 0; li < block.lines.size(); ++li) {
    const TextBlock::Line& line = block.lines[li];
    const float lead = std::floor((block.line_height - size) / 2);
    const ImVec2 pos(origin.x, origin.y + static_cast<float>(li) * block.line_height + lead);
    std::uint32_t cursor = line.begin;
    float x = pos.x;
    while (box < block.link_boxes.size() && block.link_boxes[box].line == li) {
      const TextBlock::LinkBox& b = block.link_boxes[box];
      if (b.begin > cursor) dl->AddText(font, size, ImVec2(x, pos.y), color, base + cursor, base + b.begin);
      dl->AddText(font, size, ImVec2(pos.x + b.x0, pos.y), link_color, base + b.begin, base + b.end);
      const float underline_y = std::floor(pos.y + size * 0.98f);
      dl->AddLine(ImVec2(pos.x + b.x0, underline_y), ImVec2(pos.x + b.x1, underline_y), link_color,
                  std::max(1.0f, size / 15.0f));
      cursor = b.end;
      x = pos.x + b.x1;
      ++box;
    }
    if (cursor < line.end) dl->AddText(font, size, ImVec2(x, pos.y), color, base + cursor, base + line.end);
  }
}

int link_at(const TextBlock& block, ImVec2 origin, ImVec2 point) {
  for (const TextBlock::LinkBox& b : block.link_boxes) {
    const float y0 = origin.y + static_cast<float>(b.line) * block.line_height;
    if (point.x >= origin.x + b.x0 && point.x < origin.x + b.x1 && point.y >= y0 &&
        point.y < y0 + block.line_height) {
      return static_cast<int>(b.link);
    }
  }
  return -1;
}

}  // namespace parley::client
