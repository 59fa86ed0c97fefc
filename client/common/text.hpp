// text.hpp: text in every script for the browser apps (browser only; see docs/architecture.md,
// "Text in every script").
//
// Dear ImGui 1.86 cannot shape or reorder text, so anything people wrote (messages, names,
// topics, previews, summaries, avatar letters, tenant titles) is drawn by the browser: each line
// ("run") is measured, wrapped and rasterised with an OffscreenCanvas 2D context
// (parley_text.js) into a texture page of a packed atlas (text_cache.hpp), then drawn by ImGui as
// an image. The interface's own fixed English strings stay in ImGui's font atlas; both use the
// same typeface (the DejaVu subset, registered with the browser as "Parley Sans"), other scripts
// come from the browser's fonts.
//
// Coordinates are device pixels, like the rest of the views. A run's position is the top-left of
// its line box of FontSize height, as with ImDrawList::AddText, so the two mix on one line.
// Colour is part of a run's bitmap (colour emoji must not be tinted).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imgui.h"
#include "parley/model.hpp"  // Json

namespace parley::client::text {

enum class Face : std::uint8_t { body, small, title, label };

// A paragraph's direction for drawing: from its first strong character, else `fallback_rtl`.
bool is_rtl(std::string_view s, bool fallback_rtl = false);

// Called by AppShell: the font bytes (kept alive by the caller), then once per frame.
void init(const std::string& regular_ttf, const std::string& bold_ttf, void (*ready)());
void begin_frame();
// After the fonts' rebuild (scale change): sizes changed, every run and measurement is stale.
void reset();
// The WebGL context was lost and is back: every texture is gone; runs are drawn again.
void on_gl_restored();

// The face an ImGui font stands for (the AppShell's fonts), body when unknown.
Face face_of(const ImFont* font);
const ImFont* font_of(Face f);

// The language the app prefers for Han text without kana/Hangul (e.g. the browser's "ja").
void set_preferred_lang(std::string lang);
const std::string& preferred_lang();

// One line's advance width in px (cached).
float measure(std::string_view s, Face f);
// Draws one line at `pos`; `rtl` < 0 picks the direction from the text. Returns its width.
float draw(ImDrawList* dl, std::string_view s, Face f, ImVec2 pos, ImU32 col, int rtl = -1);
// Draws one line right-aligned so it ends at `right_x` (centred: `centre_x`).
float draw_right(ImDrawList* dl, std::string_view s, Face f, float right_x, float y, ImU32 col, int rtl = -1);
float draw_centred(ImDrawList* dl, std::string_view s, Face f, float centre_x, float y, ImU32 col,
                   int rtl = -1);

// `s` between U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE: a name or topic
// put into an interface sentence ("%s is typing") keeps its own direction and does not pull the
// punctuation and digits around it along. Draw the sentence with rtl = 0 (the interface is
// left to right).
std::string isolate(std::string_view s);

struct WrappedLine {
  std::uint32_t begin = 0, end = 0;  // bytes of the text
  float width = 0;
};
// Wraps `s` at `max_w` px (newlines break; words longer than a line break between graphemes).
std::vector<WrappedLine> wrap(std::string_view s, Face f, float max_w, bool rtl);

struct Stats {
  std::uint64_t runs_drawn = 0;  // runs rasterised (cache misses)
  std::size_t runs_cached = 0;
  int pages = 0;
  std::uint64_t evictions = 0;
  int checked = 0;                     // distinct characters checked for a glyph
  std::vector<std::uint32_t> missing;  // characters no font could draw (browser and ImGui paths)
  int context_restores = 0;
};
Stats stats();
// For window.parley.state(): {"missing_glyphs": N, "missing": ["U+4F60", ...], "checked": N,
// "runs_drawn": N, "runs_cached": N, "pages": N, "evictions": N, "context_restores": N}.
Json stats_json();

// navigator.language ("" when unknown).
std::string browser_language();

// For ImGui-drawn strings (the interface's own): counts characters the ImGui font lacks.
void check_imgui(const ImFont* font, const char* begin, const char* end = nullptr);

}  // namespace parley::client::text
