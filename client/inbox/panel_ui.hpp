// panel_ui.hpp: drawing helpers of the inbox's issue-9 cards and side panels (the Tickets area,
// tickets_view.hpp; the Customer panel, customer_view.hpp): a button, radio chips, a labelled DOM
// input, a modal card frame. Each control is an ImGui hit area, a named node of the accessibility
// mirror (role, name, state) and an exposed rectangle for end-to-end tests. Browser main thread,
// inside an ImGui frame. (admin_view.cpp keeps its own copies of the first three: same look.)
#pragma once

#include <string>

#include "common/a11y_mirror.hpp"
#include "common/dom.hpp"
#include "imgui.h"

namespace parley::inbox::panel {

inline constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 kInk = IM_COL32(15, 23, 42, 255);
inline constexpr ImU32 kText = IM_COL32(30, 41, 59, 255);
inline constexpr ImU32 kMuted = IM_COL32(100, 116, 139, 255);
inline constexpr ImU32 kLine = IM_COL32(226, 232, 240, 255);
inline constexpr ImU32 kField = IM_COL32(203, 213, 225, 255);
inline constexpr ImU32 kHover = IM_COL32(241, 245, 249, 255);
inline constexpr ImU32 kAccent = IM_COL32(37, 99, 235, 255);
inline constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);
inline constexpr ImU32 kGreen = IM_COL32(22, 163, 74, 255);
inline constexpr ImU32 kAmber = IM_COL32(217, 119, 6, 255);
inline constexpr ImU32 kTopbarText = IM_COL32(226, 232, 240, 255);

// A button ("##name": exposed as "name"). `danger` draws a red primary. True when pressed by
// mouse or activated in the mirror (never while disabled).
bool button(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool primary, float s,
            client::a11y::State st = {}, ImU32 text_col = kText, bool danger = false);
// The width a button needs for `label`.
float label_w(const std::string& label, float s);
// Radio chips in a radiogroup `group_id` ("##name", exposed "name:<value>"); returns the chosen
// value or "". `enabled` per chip (nullptr: all).
std::string chips(const char* group_id, const std::string& group_name, const char* const* values,
                  const char* const* labels, int n, const std::string& current, ImVec2 p, float s,
                  const bool* enabled = nullptr);
// A labelled DOM input: caption above, box on the canvas, the field placed inside and adopted
// into the mirror here. A click on the box sets `focus_out` to the field's id.
void input(client::dom::Field& f, const std::string& caption, ImVec2 p, float w, const std::string& focused, float s,
           std::string& focus_out);
// A modal card centred over everything (a backdrop window); returns its rectangle. Pair with
// end_card(), which draws Close and takes Esc and a click outside as `close`.
void card(const char* window_id, const char* dialog_id, const std::string& title, float cw, float ch, float s,
          ImVec2& a, ImVec2& b);
// `focus_close`: the keyboard moves to Close (the card just opened).
void end_card(const char* close_id, ImVec2 a, ImVec2 b, float s, bool& close, bool take_escape = true,
              bool focus_close = false);
// Text clipped to `max_x`, drawn through client/common/text (any script); returns its width.
float text(const std::string& s, int face, ImVec2 p, float max_x, ImU32 col);

}  // namespace parley::inbox::panel
