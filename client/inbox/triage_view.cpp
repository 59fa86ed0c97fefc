// Priority and issue type chips (triage_view.hpp).
#include "inbox/triage_view.hpp"

#include <vector>

#include "common/a11y_mirror.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"

namespace parley::inbox {

namespace a11y = client::a11y;
using client::text::Face;

namespace {
// A row of chips, flowing over lines; returns the height used. `on` is the chosen index.
template <class Pick>
float chips(const char* id, const char* label, const std::vector<std::string>& names, int on, float x, float y,
            float width, float s, Pick pick) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  client::text::draw(dl, label, Face::small, ImVec2(x, y), IM_COL32(100, 116, 139, 255), 0);
  float yy = y + 20 * s, cx = x;
  a11y::push(id, a11y::Role::radiogroup, label);
  ImGui::PushID(id);  // the chips' ids are per group
  for (std::size_t i = 0; i < names.size(); ++i) {
    const float pw = client::text::measure(names[i], Face::small) + 20 * s;
    if (cx + pw > x + width && cx > x) {
      cx = x;
      yy += 30 * s;
    }
    const bool chosen = static_cast<int>(i) == on;
    ImGui::PushID(static_cast<int>(i));
    bool hovered = false;
    if (client::ui::hit("##chip", ImVec2(cx, yy), ImVec2(pw, 24 * s), &hovered) && !chosen) pick(i);
    a11y::State st;
    st.checked = chosen ? 1 : 0;
    if (a11y::item(a11y::Role::radio, names[i], st) && !chosen) pick(i);
    ImGui::PopID();
    client::ui::expose(std::string(id + 2) + ":" + names[i], ImVec2(cx, yy), ImVec2(pw, 24 * s));
    const ImVec2 b(cx + pw, yy + 24 * s);
    dl->AddRectFilled(ImVec2(cx, yy), b,
                      chosen ? IM_COL32(37, 99, 235, 255) : hovered ? IM_COL32(241, 245, 249, 255) : IM_COL32(255, 255, 255, 255),
                      12 * s);
    if (!chosen) dl->AddRect(ImVec2(cx, yy), b, IM_COL32(203, 213, 225, 255), 12 * s, 0, s);
    client::text::draw(dl, names[i], Face::small, ImVec2(cx + 10 * s, yy + 4 * s),
                       chosen ? IM_COL32(255, 255, 255, 255) : IM_COL32(30, 41, 59, 255));
    cx += pw + 6 * s;
  }
  ImGui::PopID();
  a11y::pop();
  return yy + 30 * s - y;
}
}  // namespace

float draw_triage(const InboxModel& model, float x, float y, float width, float s, TriageIntents& out) {
  const Conversation* c = model.open_conversation();
  if (!c || c->status == Status::resolved || !model.session().ready()) return 0;
  static const std::vector<std::string> kPriorities = {"Urgent", "High", "Normal", "Low"};
  static const Priority kValues[] = {Priority::urgent, Priority::high, Priority::normal, Priority::low};
  int on = 2;
  for (int i = 0; i < 4; ++i)
    if (kValues[i] == c->priority) on = i;
  float h = chips("##set_priority", "Set priority", kPriorities, on, x, y, width, s,
                  [&](std::size_t i) { out.priority = kValues[i]; });
  const std::vector<std::string>& types = model.issue_types();
  int t_on = -1;
  for (std::size_t i = 0; i < types.size(); ++i)
    if (types[i] == c->issue_type) t_on = static_cast<int>(i);
  h += 6 * s;
  h += chips("##set_issue_type", "Issue type", types, t_on, x, y + h, width, s,
             [&](std::size_t i) { out.issue_type = types[i]; });
  return h;
}

}  // namespace parley::inbox
