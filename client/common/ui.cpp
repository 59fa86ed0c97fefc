// ui.cpp: see ui.hpp.
#include "common/ui.hpp"

#include <algorithm>
#include <cctype>
#include <cfloat>

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
