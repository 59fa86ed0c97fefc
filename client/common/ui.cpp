// ui.cpp: see ui.hpp.
#include "common/ui.hpp"

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <cstdio>
#include <iterator>
#include <map>

#include "common/dom.hpp"
#include "common/script.hpp"

namespace parley::client::ui {

ImU32 with_alpha(ImU32 c, float a) {
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::clamp(a, 0.0f, 1.0f) * 255) << IM_COL32_A_SHIFT);
}

ImVec2 measure(ImFont* font, const char* begin, const char* end) {
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, begin, end);
}

bool hit(const char* id, ImVec2 pos, ImVec2 size, bool* hovered) {
  ImGui::SetCursorScreenPos(pos);
  const bool clicked = ImGui::InvisibleButton(id, ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)));
  const bool h = ImGui::IsItemHovered();
  if (hovered) *hovered = h;
  if (h) dom::set_cursor(dom::Cursor::hand);
  return clicked;
}

namespace {
struct Exposed {
  ImVec2 pos, size;
  unsigned frame = 0;
};
std::map<std::string, Exposed>& exposed() {
  static std::map<std::string, Exposed> m;
  return m;
}
unsigned g_frame = 0;
}  // namespace

void expose(const std::string& name, ImVec2 pos, ImVec2 size) {
  Exposed& e = exposed()[name];
  e.pos = pos;
  e.size = size;
  e.frame = g_frame;
}

void begin_exposed_frame() {
  ++g_frame;
  auto& m = exposed();
  for (auto it = m.begin(); it != m.end();) it = it->second.frame + 1 < g_frame ? m.erase(it) : std::next(it);
}

std::string exposed_json(float scale) {
  std::string out = "{";
  char buf[96];
  for (const auto& [name, e] : exposed()) {
    if (e.frame != g_frame) continue;  // drawn in the last frame
    if (out.size() > 1) out += ',';
    out += '"';
    for (char ch : name) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    std::snprintf(buf, sizeof buf, "\":[%.1f,%.1f,%.1f,%.1f]", e.pos.x / scale, e.pos.y / scale,
                  e.size.x / scale, e.size.y / scale);
    out += buf;
  }
  return out + "}";
}

std::string initial(const std::string& s) { return script::initial(s); }

void push_child_colors(ImU32 child_bg) {
  ImGui::PushStyleColor(ImGuiCol_ChildBg, child_bg);
  ImGui::PushStyleColor(ImGuiCol_ScrollbarBg, IM_COL32(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_ScrollbarGrab, IM_COL32(0, 0, 0, 40));
  ImGui::PushStyleColor(ImGuiCol_ScrollbarGrabHovered, IM_COL32(0, 0, 0, 70));
  ImGui::PushStyleColor(ImGuiCol_ScrollbarGrabActive, IM_COL32(0, 0, 0, 90));
}

void pop_child_colors() { ImGui::PopStyleColor(5); }

}  // namespace parley::client::ui
