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

// Test hook: remembers where the control `name` was drawn this frame (screen px), so end-to-end
// tests can click it by name (exposed_json() in the apps' window.parley.state()). Entries of
// controls not drawn in the last frame are left out. Call begin_exposed_frame() first in a frame.
void expose(const std::string& name, ImVec2 pos, ImVec2 size);
void begin_exposed_frame();
// {"name": [x, y, w, h], ...} in CSS px (screen px divided by `scale`), as JSON text.
std::string exposed_json(float scale);

// The first grapheme of `s` (UTF-8) as its own string, upper-cased when ASCII; "?" for ""
// (script::initial). Draw it with text::draw: it may be any script or an emoji.
std::string initial(const std::string& s);

// A child window's background and a quiet scrollbar; pop with pop_child_colors().
void push_child_colors(ImU32 child_bg);
void pop_child_colors();

}  // namespace parley::client::ui
