// Drawing helpers of the inbox's issue-9 panels (panel_ui.hpp).
#include "inbox/panel_ui.hpp"

#include <algorithm>

#include "common/app_shell.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"

namespace parley::inbox::panel {
namespace a11y = client::a11y;
using client::AppShell;
using client::text::Face;
using client::ui::expose;
using client::ui::hit;
using client::ui::with_alpha;

bool button(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool primary, float s, a11y::State st,
            ImU32 text_col, bool danger) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bool hovered = false;
  bool pressed = hit(id, p, size, &hovered) && !st.disabled;
  if (a11y::item(a11y::Role::button, label, st) && !st.disabled) pressed = true;
  expose(id + 2, p, size);
  const ImVec2 q(p.x + size.x, p.y + size.y);
  const bool on = primary || st.pressed == 1;
  if (on) {
    const ImU32 base = danger ? kDanger : kAccent;
    const ImU32 over = danger ? IM_COL32(185, 28, 28, 255) : IM_COL32(29, 78, 216, 255);
    dl->AddRectFilled(p, q, st.disabled ? kField : hovered ? over : base, 8 * s);
  } else {
    dl->AddRectFilled(p, q, hovered ? kHover : with_alpha(kWhite, 0.0f), 8 * s);
    dl->AddRect(p, q, hovered ? kAccent : kLine, 8 * s, 0, s);
  }
  client::text::draw_centred(dl, label, Face::label, p.x + size.x / 2,
                             p.y + (size.y - client::text::font_of(Face::label)->FontSize) / 2 - 1 * s,
                             on ? kWhite : st.disabled ? kMuted : text_col);
  return pressed;
}

float label_w(const std::string& label, float s) { return client::text::measure(label, Face::label) + 24 * s; }

std::string chips(const char* group_id, const std::string& group_name, const char* const* values,
                  const char* const* labels, int n, const std::string& current, ImVec2 p, float s,
                  const bool* enabled) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::string chosen;
  a11y::push(group_id, a11y::Role::radiogroup, group_name);
  ImGui::PushID(group_id);  // chips of two groups may share a value ("any")
  float cx = p.x;
  for (int i = 0; i < n; ++i) {
    const bool on = current == values[i];
    const bool en = !enabled || enabled[i];
    const float pw = client::text::measure(labels[i], Face::small) + 26 * s;
    ImGui::PushID(values[i]);
    bool hovered = false;
    const ImVec2 size(pw, 28 * s);
    if (hit("##chip", ImVec2(cx, p.y), size, &hovered) && en) chosen = values[i];
    expose(std::string(group_id + 2) + ":" + values[i], ImVec2(cx, p.y), size);
    a11y::State st;
    st.checked = on ? 1 : 0;
    st.disabled = !en;
    if (a11y::item(a11y::Role::radio, labels[i], st) && en) chosen = values[i];
    ImGui::PopID();
    dl->AddRectFilled(ImVec2(cx, p.y), ImVec2(cx + pw, p.y + 28 * s), on ? kAccent : hovered && en ? kHover : kWhite,
                      14 * s);
    if (!on) dl->AddRect(ImVec2(cx, p.y), ImVec2(cx + pw, p.y + 28 * s), kLine, 14 * s, 0, s);
    client::text::draw(dl, labels[i], Face::small, ImVec2(cx + 13 * s, p.y + 6 * s),
                       on ? kWhite : en ? kText : kField);
    cx += pw + 8 * s;
  }
  ImGui::PopID();
  a11y::pop();
  return chosen;
}

void input(client::dom::Field& f, const std::string& caption, ImVec2 p, float w, const std::string& focused, float s,
           std::string& focus_out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  client::text::draw(dl, caption, Face::small, p, kMuted);
  const ImVec2 a(p.x, p.y + 18 * s), b(p.x + w, p.y + 18 * s + 34 * s);
  dl->AddRect(a, b, focused == f.id() ? kAccent : kField, 8 * s, 0, s);
  ImGui::PushID(f.id());
  if (hit("##box", a, ImVec2(b.x - a.x, b.y - a.y))) focus_out = f.id();
  ImGui::PopID();
  f.place({(a.x + 10 * s) / s, (a.y + 5 * s) / s, (w - 20 * s) / s, 24});
  a11y::field(f.id());
}

void card(const char* window_id, const char* dialog_id, const std::string& title, float cw, float ch, float s,
          ImVec2& a, ImVec2& b) {
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(15, 23, 42, 90));
  ImGui::Begin(window_id, nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor();
  ImGui::SetWindowFocus();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  cw = std::min(cw, w - 24 * s);
  ch = std::min(ch, h - 24 * s);
  a = ImVec2((w - cw) / 2, std::max(12 * s, (h - ch) / 2));
  b = ImVec2(a.x + cw, a.y + ch);
  dl->AddRectFilled(a, b, kWhite, 14 * s);
  a11y::push(dialog_id, a11y::Role::dialog, title);
  client::text::draw(dl, title, Face::title, ImVec2(a.x + 24 * s, a.y + 20 * s), kInk);
  ImGui::PushID(dialog_id);
  a11y::node("##title", a11y::Role::heading, title, ImVec2(a.x + 24 * s, a.y + 20 * s),
             ImVec2(a.x + 24 * s + client::text::measure(title, Face::title), a.y + 44 * s));
  ImGui::PopID();
}

void end_card(const char* close_id, ImVec2 a, ImVec2 b, float s, bool& close, bool take_escape, bool focus_close) {
  const float bw = 84 * s;
  if (button(close_id, "Close", ImVec2(b.x - 24 * s - bw, a.y + 16 * s), ImVec2(bw, 32 * s), false, s)) close = true;
  if (focus_close) a11y::focus(a11y::last_id());
  a11y::pop();
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  const bool outside = ImGui::InvisibleButton("##backdrop", ImVec2(w, h));
  const ImVec2 mp = ImGui::GetIO().MousePos;
  if (outside && (mp.x < a.x || mp.x > b.x || mp.y < a.y || mp.y > b.y)) close = true;
  if (take_escape && (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)) || a11y::take_escape())) close = true;
  ImGui::End();
}

float text(const std::string& s, int face, ImVec2 p, float max_x, ImU32 col) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Face f = static_cast<Face>(face);
  dl->PushClipRect(ImVec2(p.x, p.y - 2), ImVec2(std::max(p.x, max_x), p.y + 40), true);
  const float w = client::text::draw(dl, s, f, p, col);
  dl->PopClipRect();
  return w;
}

}  // namespace parley::inbox::panel
