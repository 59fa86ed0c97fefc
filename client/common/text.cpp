// text.cpp: see text.hpp. The atlas bookkeeping is RunCache (text_cache.hpp); the browser work is
// parley_text.js.
#include "common/text.hpp"

#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "common/app_shell.hpp"
#include "common/script.hpp"
#include "common/text_cache.hpp"

extern "C" {
void parley_text_init(const char* regular, int regular_len, const char* bold, int bold_len);
float parley_text_measure(const char* text, int bold, float px, const char* lang, int rtl);
int* parley_text_wrap(const char* text, int bold, float px, const char* lang, int rtl, float max_w);
void parley_text_draw(const char* text, int bold, float px, const char* lang, int rtl, unsigned rgba,
                      unsigned tex, int x, int y, int w, int h, float baseline, float pad);
int parley_text_missing(int* out, int cap);
int parley_text_checked();
char* parley_text_browser_lang();
}

namespace parley::client::text {
namespace {

constexpr int kPageW = 2048, kPageH = 1024, kMaxPages = 4;

struct State {
  RunCache cache{kPageW, kPageH, kMaxPages};
  std::vector<GLuint> textures;  // one per atlas page
  std::unordered_map<std::string, float> widths;
  std::string key;  // reused buffer
  std::string preferred;
  bool ready = false;
  void (*on_ready)() = nullptr;
  Stats stats;
  std::set<std::uint32_t> imgui_missing;
};

State& st() {
  static State s;
  return s;
}

bool bold(Face f) { return f == Face::title || f == Face::label; }

float px_of(Face f) {
  const ImFont* font = font_of(f);
  return font ? font->FontSize : 15;
}

// Line box: room above the ascent and below the descent for marks (Thai, Devanagari, Arabic)
// and emoji, and left/right for overhangs.
struct Box {
  float pad_top, baseline, pad_x;
  int h;
};
Box box_of(Face f) {
  const ImFont* font = font_of(f);
  const float px = px_of(f);
  Box b;
  b.pad_top = std::ceil(px * 0.45f);
  b.baseline = b.pad_top + (font ? font->Ascent : std::round(px * 0.8f));
  b.pad_x = std::ceil(px * 0.3f);
  b.h = static_cast<int>(b.pad_top + std::ceil(px * 1.55f));
  return b;
}

std::string lang_of(std::string_view s) { return script::lang_for(s, st().preferred); }

void compose_key(std::string& key, std::string_view s, Face f, ImU32 col, bool rtl, const std::string& lang) {
  key.assign(s.data(), s.size());
  key.push_back('\0');
  key.push_back(static_cast<char>('0' + static_cast<int>(f)));
  key.push_back(rtl ? 'r' : 'l');
  key.append(reinterpret_cast<const char*>(&col), sizeof col);
  key.append(lang);
}

GLuint new_texture() {
  GLint prev = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
  GLuint tex = 0;
  glGenTextures(1, &tex);
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, kPageW, kPageH, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(prev));
  return tex;
}

}  // namespace

bool is_rtl(std::string_view s, bool fallback_rtl) {
  const script::Direction d = script::first_strong(s);
  return d == script::Direction::neutral ? fallback_rtl : d == script::Direction::rtl;
}

void init(const std::string& regular_ttf, const std::string& bold_ttf, void (*ready)()) {
  st().on_ready = ready;
  parley_text_init(regular_ttf.empty() ? nullptr : regular_ttf.data(), static_cast<int>(regular_ttf.size()),
                   bold_ttf.empty() ? nullptr : bold_ttf.data(), static_cast<int>(bold_ttf.size()));
}

void begin_frame() { st().cache.begin_frame(); }

void reset() {
  State& s = st();
  s.cache.clear();
  s.widths.clear();
  // Pages keep their textures: new runs overwrite them.
}

void set_preferred_lang(std::string lang) { st().preferred = std::move(lang); }
const std::string& preferred_lang() { return st().preferred; }

Face face_of(const ImFont* font) {
  const Fonts& f = AppShell::get().fonts();
  if (font == f.small) return Face::small;
  if (font == f.title) return Face::title;
  if (font == f.label) return Face::label;
  return Face::body;
}

const ImFont* font_of(Face face) {
  const Fonts& f = AppShell::get().fonts();
  switch (face) {
    case Face::small:
      return f.small;
    case Face::title:
      return f.title;
    case Face::label:
      return f.label;
    case Face::body:
      break;
  }
  return f.body;
}

float measure(std::string_view s, Face f) {
  if (s.empty()) return 0;
  State& state = st();
  const std::string lang = lang_of(s);
  const bool rtl = is_rtl(s);  // the advance does not depend on it; it only keys the cache
  compose_key(state.key, s, f, 0, rtl, lang);
  if (auto it = state.widths.find(state.key); it != state.widths.end()) return it->second;
  if (state.widths.size() > 8192) state.widths.clear();
  const std::string z(s);
  const float w = parley_text_measure(z.c_str(), bold(f), px_of(f), lang.c_str(), rtl);
  state.widths.emplace(state.key, w);
  return w;
}

float draw(ImDrawList* dl, std::string_view s, Face f, ImVec2 pos, ImU32 col, int rtl_arg) {
  if (s.empty() || (col & IM_COL32_A_MASK) == 0) return s.empty() ? 0 : measure(s, f);
  State& state = st();
  const bool rtl = rtl_arg < 0 ? is_rtl(s) : rtl_arg != 0;
  const float width = measure(s, f);
  const std::string lang = lang_of(s);
  compose_key(state.key, s, f, col, rtl, lang);
  const Box b = box_of(f);
  const RunCache::Slot* slot = state.cache.find(state.key);
  std::optional<RunCache::Slot> fresh;
  if (!slot) {
    const int w = static_cast<int>(std::ceil(width) + 2 * b.pad_x);
    bool new_page = false;
    fresh = state.cache.insert(state.key, w, b.h, &new_page);
    if (!fresh) {  // every page is in use by this frame: draw it the old way
      ImFont* font = const_cast<ImFont*>(font_of(f));
      dl->AddText(font, font->FontSize, pos, col, s.data(), s.data() + s.size());
      return width;
    }
    if (new_page || static_cast<int>(state.textures.size()) <= fresh->page) {
      state.textures.resize(static_cast<std::size_t>(fresh->page) + 1, 0);
      if (!state.textures[static_cast<std::size_t>(fresh->page)])
        state.textures[static_cast<std::size_t>(fresh->page)] = new_texture();
    }
    const std::string z(s);
    parley_text_draw(z.c_str(), bold(f), px_of(f), lang.c_str(), rtl, col,
                     state.textures[static_cast<std::size_t>(fresh->page)], fresh->x, fresh->y, fresh->w,
                     fresh->h, b.baseline, b.pad_x);
    ++state.stats.runs_drawn;
    slot = &*fresh;
  }
  const GLuint tex = state.textures[static_cast<std::size_t>(slot->page)];
  // Whole device pixels: the bitmap is drawn 1:1.
  // RTL runs are drawn right-aligned in their box (parley_text_draw): the text starts at
  // w - pad - width.
  const float x0 = std::round(pos.x - (rtl ? static_cast<float>(slot->w) - b.pad_x - width : b.pad_x));
  const float y0 = std::round(pos.y - b.pad_top);
  const ImVec2 uv0(static_cast<float>(slot->x) / kPageW, static_cast<float>(slot->y) / kPageH);
  const ImVec2 uv1(static_cast<float>(slot->x + slot->w) / kPageW,
                   static_cast<float>(slot->y + slot->h) / kPageH);
  dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(tex)), ImVec2(x0, y0),
               ImVec2(x0 + static_cast<float>(slot->w), y0 + static_cast<float>(slot->h)), uv0, uv1,
               IM_COL32_WHITE);
  return width;
}

float draw_right(ImDrawList* dl, std::string_view s, Face f, float right_x, float y, ImU32 col, int rtl) {
  const float w = measure(s, f);
  draw(dl, s, f, ImVec2(right_x - w, y), col, rtl);
  return w;
}

float draw_centred(ImDrawList* dl, std::string_view s, Face f, float centre_x, float y, ImU32 col, int rtl) {
  const float w = measure(s, f);
  draw(dl, s, f, ImVec2(centre_x - w / 2, y), col, rtl);
  return w;
}

std::string isolate(std::string_view s) {
  std::string out = "\u2068";
  out.append(s);
  out += "\u2069";
  return out;
}

std::vector<WrappedLine> wrap(std::string_view s, Face f, float max_w, bool rtl) {
  std::vector<WrappedLine> lines;
  const std::string z(s);
  const std::string lang = lang_of(s);
  int* r = parley_text_wrap(z.c_str(), bold(f), px_of(f), lang.c_str(), rtl, std::max(max_w, 1.0f));
  if (!r) return lines;
  const int n = r[0];
  lines.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    WrappedLine l;
    l.begin = static_cast<std::uint32_t>(r[1 + 3 * i]);
    l.end = static_cast<std::uint32_t>(r[2 + 3 * i]);
    l.width = static_cast<float>(r[3 + 3 * i]) / 64.0f;
    lines.push_back(l);
  }
  std::free(r);
  return lines;
}

void check_imgui(const ImFont* font, const char* begin, const char* end) {
  if (!font) return;
  const std::string_view s =
      end ? std::string_view(begin, static_cast<std::size_t>(end - begin)) : std::string_view(begin);
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII is in every font we build
      ++i;
      continue;
    }
    const char32_t c = script::next(s, i);
    if (c == '\n' || c == '\r' || script::is_extend(c)) continue;
    if (!font->FindGlyphNoFallback(static_cast<ImWchar>(c))) st().imgui_missing.insert(c);
  }
}

Stats stats() {
  State& s = st();
  Stats out = s.stats;
  out.runs_cached = s.cache.runs();
  out.pages = s.cache.pages();
  out.evictions = s.cache.evictions();
  out.checked = parley_text_checked();
  int buf[64];
  const int n = parley_text_missing(buf, 64);
  for (int i = 0; i < std::min(n, 64); ++i) out.missing.push_back(static_cast<std::uint32_t>(buf[i]));
  for (std::uint32_t c : s.imgui_missing) out.missing.push_back(c);
  return out;
}

Json stats_json() {
  const Stats s = stats();
  Json missing = Json::array();
  for (std::uint32_t c : s.missing) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    missing.push_back(buf);
  }
  return Json{{"missing_glyphs", s.missing.size()},
              {"missing", missing},
              {"checked", s.checked},
              {"runs_drawn", s.runs_drawn},
              {"runs_cached", s.runs_cached},
              {"pages", s.pages},
              {"evictions", s.evictions},
              {"context_restores", s.context_restores}};
}

std::string browser_language() {
  char* p = parley_text_browser_lang();
  std::string out = p ? p : "";
  std::free(p);
  return out;
}

void on_gl_restored() {
  State& s = st();
  s.cache.clear();
  s.textures.clear();  // the old names died with the context
  ++s.stats.context_restores;
}

}  // namespace parley::client::text

extern "C" {
EMSCRIPTEN_KEEPALIVE void parley_on_text_ready() {
  auto& s = parley::client::text::st();
  s.ready = true;
  s.widths.clear();
  if (s.on_ready) s.on_ready();
}
}
