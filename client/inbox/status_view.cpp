// The agent's status selector (status_view.hpp).
#include "inbox/status_view.hpp"

#include <cmath>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/ui.hpp"

namespace parley::inbox {
namespace {

namespace a11y = client::a11y;
using namespace client::ui;

constexpr AgentStatus kAll[] = {AgentStatus::online, AgentStatus::away, AgentStatus::offline};
constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kMuted = IM_COL32(148, 163, 184, 255);

ImU32 dot_of(AgentStatus s) {
  switch (s) {
    case AgentStatus::online:
      return IM_COL32(22, 163, 74, 255);
    case AgentStatus::away:
      return IM_COL32(217, 119, 6, 255);
    case AgentStatus::offline:
      return kMuted;
  }
  return kMuted;
}

const char* id_of(AgentStatus s) {
  switch (s) {
    case AgentStatus::online:
      return "status-online";
    case AgentStatus::away:
      return "status-away";
    case AgentStatus::offline:
      return "status-offline";
  }
  return "status-offline";
}

void label_at(ImDrawList* dl, ImFont* font, ImVec2 pos, ImU32 col, const char* text) {
  dl->AddText(font, font->FontSize, ImVec2(std::round(pos.x), std::round(pos.y)), col, text);
}

}  // namespace

float draw_status_selector(const InboxModel& model, ImDrawList* dl, float right, float bar_h, float s,
                           bool narrow, std::optional<AgentStatus>& picked) {
  const AgentStatusModel& st = model.agent_status();
  if (!st.known()) return right;
  ImFont* font = client::AppShell::get().fonts().label;
  const float h = 28 * s, y = (bar_h - h) / 2, pad = 10 * s, dot = 4 * s;
  const AgentStatus selected = st.selected();
  // What the dot of the selected segment shows: what routing sees (amber when auto-away).
  const AgentStatus seen = st.pending() ? selected : st.status();

  if (narrow) {
    const std::string text(AgentStatusModel::label(selected));
    const float w = measure(font, text.c_str()).x + 2 * pad + 3 * dot;
    const ImVec2 a(right - w, y), b(right, y + h);
    bool hovered = false;
    const int next = (static_cast<int>(selected) + 1) % 3;
    if (hit("##status_cycle", a, ImVec2(w, h), &hovered)) picked = kAll[next];
    dl->AddRect(a, b, with_alpha(kWhite, hovered ? 0.5f : 0.25f), h / 2, 0, s);
    dl->AddCircleFilled(ImVec2(a.x + pad + dot, y + h / 2), dot, dot_of(seen), 12);
    label_at(dl, font, ImVec2(a.x + pad + 3 * dot, y + (h - font->FontSize) / 2), kWhite, text.c_str());
    expose("status-cycle", a, ImVec2(w, h));
    if (a11y::node("##status_cycle_a11y", a11y::Role::button,
                   "Your status: " + text + ". Press to change to " +
                       std::string(AgentStatusModel::label(kAll[next])),
                   a, b)) {
      picked = kAll[next];
    }
    if (hovered) ImGui::SetTooltip("%s", st.describe().c_str());
    return a.x;
  }

  float widths[3], total = 0;
  for (int i = 0; i < 3; ++i) {
    widths[i] = measure(font, AgentStatusModel::label(kAll[i]).data()).x + 2 * pad + 3 * dot;
    total += widths[i];
  }
  const float left = right - total;
  dl->AddRect(ImVec2(left, y), ImVec2(right, y + h), with_alpha(kWhite, 0.25f), h / 2, 0, s);
  a11y::push("##status_group", a11y::Role::radiogroup, "Your status. " + st.describe());
  float x = left;
  for (int i = 0; i < 3; ++i) {
    const AgentStatus option = kAll[i];
    const ImVec2 a(x, y), b(x + widths[i], y + h);
    bool hovered = false;
    ImGui::PushID(i);
    if (hit("##status_opt", a, ImVec2(widths[i], h), &hovered)) picked = option;
    ImGui::PopID();
    const bool on = option == selected;
    if (on) {
      dl->AddRectFilled(a, b, with_alpha(kWhite, 0.18f), h / 2);
    } else if (hovered) {
      dl->AddRectFilled(a, b, with_alpha(kWhite, 0.08f), h / 2);
    }
    dl->AddCircleFilled(ImVec2(x + pad + dot, y + h / 2), dot,
                        on ? dot_of(seen) : with_alpha(dot_of(option), 0.6f), 12);
    label_at(dl, font, ImVec2(x + pad + 3 * dot, y + (h - font->FontSize) / 2), on ? kWhite : kMuted,
             AgentStatusModel::label(option).data());
    expose(id_of(option), a, ImVec2(widths[i], h));
    a11y::State state;
    state.checked = on ? 1 : 0;
    if (a11y::node(id_of(option), a11y::Role::radio, std::string(AgentStatusModel::label(option)), a, b,
                   state)) {
      picked = option;
    }
    if (hovered) ImGui::SetTooltip("%s", st.describe().c_str());
    x += widths[i];
  }
  a11y::pop();
  return left;
}

}  // namespace parley::inbox
