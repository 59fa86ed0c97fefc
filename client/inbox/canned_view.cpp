// The composer's canned-response picker (canned_view.hpp).
#include "inbox/canned_view.hpp"

#include <algorithm>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "imgui_internal.h"

namespace parley::inbox {

namespace a11y = client::a11y;
using client::text::Face;

namespace {
void draw_picker(const CannedPicker& p, const char* what, const char* expose_prefix, ImVec2 anchor, float width,
                 float s, CannedIntents& out) {
  if (!p.open()) return;
  const float row_h = 40 * s, pad = 6 * s;
  const std::size_t n = p.matches().size();
  const float h = (n == 0 ? 40 * s : static_cast<float>(n) * row_h) + 2 * pad + 24 * s;
  const ImVec2 a(anchor.x, anchor.y - h - 6 * s), b(anchor.x + width, anchor.y - 6 * s);
  // Its own window, in front: the transcript below is a child window, which would otherwise take
  // the mouse over the rows.
  ImGui::SetNextWindowPos(ImVec2(a.x, a.y - 4 * s));
  ImGui::SetNextWindowSize(ImVec2(b.x - a.x, b.y - a.y + 10 * s));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(0, 0, 0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
  ImGui::Begin("##canned_popup", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
  ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(a.x, a.y + 3 * s), ImVec2(b.x, b.y + 5 * s), IM_COL32(15, 23, 42, 30), 10 * s);
  dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 255), 10 * s);
  dl->AddRect(a, b, IM_COL32(203, 213, 225, 255), 10 * s, 0, s);
  const std::string heading =
      p.query().empty() ? std::string(what) : std::string(what) + " matching " + p.trigger() + p.query();
  client::text::draw(dl, heading, Face::small, ImVec2(a.x + 12 * s, a.y + pad + 4 * s), IM_COL32(100, 116, 139, 255));
  a11y::push("##canned", a11y::Role::listbox, heading);
  float y = a.y + pad + 24 * s;
  if (n == 0) {
    const char* none = p.loaded() ? "Nothing matches." : "Loading\u2026";
    client::text::draw(dl, none, Face::body, ImVec2(a.x + 12 * s, y + 10 * s), IM_COL32(100, 116, 139, 255));
    a11y::node("##canned_none", a11y::Role::text, none, ImVec2(a.x, y), ImVec2(b.x, y + 40 * s));
  }
  for (std::size_t k = 0; k < n; ++k) {
    const CannedItem& it = p.items()[p.matches()[k]];
    const bool on = static_cast<int>(k) == p.selected();
    const ImVec2 ra(a.x + pad, y), rs(width - 2 * pad, row_h - 2 * s);
    ImGui::PushID(static_cast<int>(k));
    bool hovered = false;
    if (client::ui::hit("##canned_row", ra, rs, &hovered)) out.pick = static_cast<int>(k);
    if (hovered && !on) out.select = static_cast<int>(k);
    a11y::State st;
    st.selected = on ? 1 : 0;
    const std::string label = p.trigger() + it.shortcut + (it.title.empty() ? "" : ", " + it.title) + (it.personal ? ", personal" : "");
    if (a11y::item(a11y::Role::option, label, st)) out.pick = static_cast<int>(k);
    ImGui::PopID();
    client::ui::expose(expose_prefix + it.shortcut, ra, rs);
    if (on) dl->AddRectFilled(ra, ImVec2(ra.x + rs.x, ra.y + rs.y), IM_COL32(232, 240, 254, 255), 8 * s);
    const float w1 = client::text::draw(dl, p.trigger() + it.shortcut, Face::label, ImVec2(ra.x + 8 * s, ra.y + 4 * s),
                                        IM_COL32(37, 99, 235, 255));
    if (!it.title.empty())
      client::text::draw(dl, it.title, Face::label, ImVec2(ra.x + 16 * s + w1, ra.y + 4 * s), IM_COL32(30, 41, 59, 255));
    std::string preview = it.body.substr(0, 160);
    std::replace(preview.begin(), preview.end(), '\n', ' ');
    dl->PushClipRect(ra, ImVec2(ra.x + rs.x - 8 * s, ra.y + rs.y), true);
    client::text::draw(dl, preview, Face::small, ImVec2(ra.x + 8 * s, ra.y + 21 * s), IM_COL32(100, 116, 139, 255));
    dl->PopClipRect();
    y += row_h;
  }
  a11y::pop();
  client::ui::expose(std::string(expose_prefix) + "picker", a, ImVec2(b.x - a.x, b.y - a.y));
  ImGui::End();
}
}  // namespace

void draw_canned_picker(const InboxModel& model, ImVec2 anchor, float width, float s, CannedIntents& out) {
  draw_picker(model.canned(), "Canned responses", "canned:", anchor, width, s, out);
}

void draw_article_picker(const InboxModel& model, ImVec2 anchor, float width, float s, CannedIntents& out) {
  draw_picker(model.articles(), "Knowledge-base articles to share", "article:", anchor, width, s, out);
}

}  // namespace parley::inbox
