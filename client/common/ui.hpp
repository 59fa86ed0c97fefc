// ui.hpp: small Dear ImGui drawing helpers both browser apps' views use (colours, text metrics,
// click regions). Browser only: links with parley_client_common.
#pragma once

#include <string>

#include "imgui.h"

namespace parley::client::ui {

// `c` with its alpha replaced by `a` (0..1, clamped).
ImU32 with_alpha(ImU32 c, float a);

// The size of the text [begin, end) in `font` at its own size, unwrapped.
ImVec2 measure(ImFont* font, const char* begin, const char* end = nullptr);

// A clickable region at `pos` (screen px). Returns clicked; `hovered` reports hover. Hovering it
// shows the hand cursor.
bool hit(const char* id, ImVec2 pos, ImVec2 size, bool* hovered = nullptr);

// The first grapheme of `s` (UTF-8) as its own string, upper-cased when ASCII; "?" for ""
// (script::initial). Draw it with text::draw: it may be any script or an emoji.
std::string initial(const std::string& s);

// A child window's background and a quiet scrollbar; pop with pop_child_colors().
void push_child_colors(ImU32 child_bg);
void pop_child_colors();

}  // namespace parley::client::ui
