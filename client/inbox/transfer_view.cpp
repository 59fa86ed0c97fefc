// The Transfer dialog (transfer_view.hpp).
#include "inbox/transfer_view.hpp"

#include <algorithm>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"

namespace parley::inbox {

namespace a11y = client::a11y;
using client::AppShell;
using client::text::Face;

namespace {
constexpr ImGuiWindowFlags kModal = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                    ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollWithMouse;

// A plain button: drawn, clickable, exposed for tests, in the mirror.
bool action(const char* id, const char* label, ImVec2 pos, ImVec2 size, bool primary, bool enabled, float s) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bool hovered = false;
  bool clicked = client::ui::hit(id, pos, size, &hovered) && enabled;
  client::ui::expose(id + 2, pos, size);
  a11y::State st;
  st.disabled = !enabled;
  if (a11y::item(a11y::Role::button, label, st) && enabled) clicked = true;
  const ImVec2 b(pos.x + size.x, pos.y + size.y);
  if (primary) {
    dl->AddRectFilled(pos, b, !enabled ? IM_COL32(147, 197, 253, 255) : hovered ? IM_COL32(29, 78, 216, 255)
                                                                                 : IM_COL32(37, 99, 235, 255),
                      8 * s);
  } else {
    dl->AddRectFilled(pos, b, hovered ? IM_COL32(241, 245, 249, 255) : IM_COL32(255, 255, 255, 255), 8 * s);
    dl->AddRect(pos, b, IM_COL32(203, 213, 225, 255), 8 * s, 0, s);
  }
  client::text::draw_centred(dl, label, Face::label, pos.x + size.x / 2, pos.y + (size.y - 16 * s) / 2,
                             primary ? IM_COL32(255, 255, 255, 255) : IM_COL32(30, 41, 59, 255), 0);
  return clicked;
}
}  // namespace

void draw_transfer_dialog(const InboxModel& model, float s, TransferIntents& out) {
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(15, 23, 42, 90));
  ImGui::Begin("##transfer_modal", nullptr, kModal);
  ImGui::PopStyleColor();
  ImGui::SetWindowFocus();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const auto& agents = model.transfer_agents();
  const float cw = std::min(440 * s, w - 32 * s), pad = 24 * s, row_h = 44 * s;
  const float list_h = std::max<float>(1, static_cast<float>(std::min<std::size_t>(agents.size(), 8))) * row_h;
  const float ch = pad + 24 * s + 28 * s + list_h + 24 * s + 38 * s + pad;
  const ImVec2 a((w - cw) / 2, std::max(16 * s, (h - ch) / 2)), b(a.x + cw, a.y + ch);
  dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 255), 14 * s);
  // issue 9, sup2: a lead's reassignment uses the same dialog (POST /api/live-chat/{id}/assign).
  const bool re = model.reassigning();
  const char* title = re ? "Reassign conversation" : "Transfer conversation";
  a11y::push("##dialog", a11y::Role::dialog, title);
  float y = a.y + pad;
  client::text::draw(dl, title, Face::title, ImVec2(a.x + pad, y), IM_COL32(15, 23, 42, 255), 0);
  a11y::node("##title", a11y::Role::heading, title, ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + 22 * s));
  y += 24 * s;
  const char* hint = re ? "Arrows choose, Enter reassigns, Esc cancels." : "Arrows choose, Enter transfers, Esc cancels.";
  client::text::draw(dl, hint, Face::small, ImVec2(a.x + pad, y), IM_COL32(100, 116, 139, 255), 0);
  y += 28 * s;
  a11y::push("##agents", a11y::Role::radiogroup, re ? "Reassign to" : "Transfer to");
  if (agents.empty()) {
    const char* none = model.agents_loading() ? "Loading agents\u2026" : "No other agent in this team.";
    client::text::draw(dl, none, Face::body, ImVec2(a.x + pad, y + 12 * s), IM_COL32(100, 116, 139, 255), 0);
    a11y::node("##none", a11y::Role::text, none, ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + row_h));
  }
  for (std::size_t i = 0; i < agents.size() && i < 8; ++i) {
    const InboxModel::Agent& ag = agents[i];
    const bool on = static_cast<int>(i) == model.transfer_choice();
    const ImVec2 ra(a.x + pad, y), rs(cw - 2 * pad, row_h - 4 * s);
    ImGui::PushID(static_cast<int>(i));
    bool hovered = false;
    if (client::ui::hit("##agent", ra, rs, &hovered)) out.choose = static_cast<int>(i);
    a11y::State st;
    st.checked = on ? 1 : 0;
    const bool me = ag.id == model.user().id;
    const std::string label = ag.name + (me ? " (you)" : "") + (ag.online ? ", online" : ", offline");
    if (a11y::item(a11y::Role::radio, label, st)) out.choose = static_cast<int>(i);
    ImGui::PopID();
    client::ui::expose("agent:" + ag.id, ra, rs);
    dl->AddRectFilled(ra, ImVec2(ra.x + rs.x, ra.y + rs.y),
                      on ? IM_COL32(232, 240, 254, 255) : hovered ? IM_COL32(241, 245, 249, 255) : IM_COL32(255, 255, 255, 255),
                      8 * s);
    if (on) dl->AddRect(ra, ImVec2(ra.x + rs.x, ra.y + rs.y), IM_COL32(37, 99, 235, 255), 8 * s, 0, s);
    dl->AddCircleFilled(ImVec2(ra.x + 14 * s, ra.y + rs.y / 2), 4 * s,
                        ag.online ? IM_COL32(22, 163, 74, 255) : IM_COL32(148, 163, 184, 255), 12);
    client::text::draw(dl, me ? ag.name + " (you)" : ag.name, Face::body, ImVec2(ra.x + 28 * s, ra.y + (rs.y - 18 * s) / 2), IM_COL32(30, 41, 59, 255));
    client::text::draw_right(dl, ag.online ? "online" : "offline", Face::small, ra.x + rs.x - 10 * s,
                             ra.y + (rs.y - 14 * s) / 2, IM_COL32(100, 116, 139, 255), 0);
    y += row_h;
  }
  a11y::pop();
  if (agents.empty()) y += row_h;
  y += 24 * s;
  const float bw = 120 * s;
  if (action("##cancel_transfer", "Cancel", ImVec2(b.x - pad - 2 * bw - 10 * s, y), ImVec2(bw, 38 * s), false, true, s))
    out.cancel = true;
  if (action("##do_transfer", re ? "Reassign" : "Transfer", ImVec2(b.x - pad - bw, y), ImVec2(bw, 38 * s), true,
             model.transfer_choice() >= 0, s))
    out.submit = true;
  a11y::pop();
  // The backdrop after the card's controls (the first submitted item takes the mouse).
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  const bool outside = ImGui::InvisibleButton("##transfer_backdrop", ImVec2(w, h));
  const ImVec2 mp = ImGui::GetIO().MousePos;
  if (outside && (mp.x < a.x || mp.x > b.x || mp.y < a.y || mp.y > b.y)) out.cancel = true;
  ImGui::End();
}

}  // namespace parley::inbox
