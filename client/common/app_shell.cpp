#include "common/app_shell.hpp"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>

#include <cfloat>
#include <cmath>
#include <string>

#include "common/text.hpp"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"

namespace parley::client {
namespace {

constexpr int kSettleFrames = 3;     // frames drawn after an input so hover/active settle
constexpr float kTapSlopCss = 8;     // a touch moving less than this is a tap
constexpr float kMomentumStop = 30;  // px/s (device) below which a fling stops
constexpr float kFriction = 4.0f;    // 1/s, exponential decay of a fling

// Glyphs in the regular subset (client/CMakeLists.txt, PARLEY_FONT_UNICODES).
constexpr ImWchar kRegularRanges[] = {0x0020, 0x007E, 0x00A0, 0x024F, 0x0300, 0x036F, 0x0370, 0x03FF,
                                      0x0400, 0x045F, 0x0490, 0x0491, 0x2000, 0x206F, 0x20A0, 0x20CF,
                                      0x2100, 0x2122, 0x2190, 0x21FF, 0x2212, 0x2212, 0x2713, 0x2717,
                                      0x25A1, 0x25A1, 0x25CF, 0x25CF, 0xFFFD, 0xFFFD, 0};
constexpr ImWchar kBoldRanges[] = {0x0020, 0x007E, 0x00A0, 0x017F, 0x2010, 0x2027, 0x20AC, 0x20AC, 0};

void mark_input(GLFWwindow*) { AppShell::get().invalidate(); }
void on_mouse_button(GLFWwindow* w, int, int, int) { mark_input(w); }
void on_cursor_pos(GLFWwindow* w, double, double) { mark_input(w); }
void on_key(GLFWwindow* w, int, int, int, int) { mark_input(w); }
void on_char(GLFWwindow* w, unsigned int) { mark_input(w); }
void on_cursor_enter(GLFWwindow* w, int) { mark_input(w); }
void on_wake(void*) { AppShell::get().invalidate(); }

std::string g_clipboard;
void set_clipboard(void*, const char* text) {
  g_clipboard = text ? text : "";
  dom::copy_to_clipboard(g_clipboard);
}
const char* get_clipboard(void*) { return g_clipboard.c_str(); }

}  // namespace

AppShell& AppShell::get() {
  static AppShell shell;
  return shell;
}

bool AppShell::init(dom::Handler& handler, const FontSources& fonts) {
  font_sources_ = fonts;
  dom::init(handler);  // before glfwInit: its capture listeners must come first
  if (!glfwInit()) return false;
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  window_ = glfwCreateWindow(static_cast<int>(std::max(css_w, 1.0)), static_cast<int>(std::max(css_h, 1.0)),
                             "Parley", nullptr, nullptr);
  if (!window_) return false;
  glfwMakeContextCurrent(window_);

  // Ours first: ImGui's backend chains the callbacks it finds.
  glfwSetMouseButtonCallback(window_, on_mouse_button);
  glfwSetCursorPosCallback(window_, on_cursor_pos);
  glfwSetKeyCallback(window_, on_key);
  glfwSetCharCallback(window_, on_char);
  glfwSetCursorEnterCallback(window_, on_cursor_enter);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  glfwSetScrollCallback(window_, nullptr);  // wheel comes from parley_dom.js, in real pixels
  ImGui_ImplOpenGL3_Init("#version 300 es");
  io.SetClipboardTextFn = set_clipboard;
  io.GetClipboardTextFn = get_clipboard;

  auto load = [this](const char* url, std::string* into) {
    dom::fetch(url, [this, into](bool ok, std::string body) {
      if (ok) *into = std::move(body);
      ++fonts_loaded_;  // a missing font falls back to ImGui's built-in one
      fonts_dirty_ = true;
      // Both downloads done: the browser's text path registers the same bytes as its font
      // (text.hpp); it counts as the third font once the browser can use it.
      if (fonts_loaded_ == 2)
        text::init(regular_ttf_, bold_ttf_, [] {
          AppShell& shell = AppShell::get();
          ++shell.fonts_loaded_;
          shell.invalidate();
        });
      invalidate();
    });
  };
  load(font_sources_.regular_url, &regular_ttf_);
  load(font_sources_.bold_url, &bold_ttf_);
  return true;
}

void AppShell::run(DrawFn draw) {
  draw_ = std::move(draw);
  emscripten_set_main_loop(frame_thunk, 0, false);
}

void AppShell::invalidate() {
  frames_left_ = kSettleFrames;
  if (paused_) {
    paused_ = false;
    emscripten_resume_main_loop();
  }
}

void AppShell::invalidate_at(double ms) {
  const double now = emscripten_date_now();
  if (wake_at_ > now && wake_at_ <= ms) return;  // an earlier wake-up is already set
  wake_at_ = ms;
  emscripten_set_timeout(on_wake, std::max(0.0, ms - now), nullptr);
}

void AppShell::frame_thunk() { get().frame(); }

void AppShell::apply_size() {
  resize_pending_ = false;
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  const float dpr = static_cast<float>(std::max(1.0, std::min(emscripten_get_device_pixel_ratio(), 4.0)));
  const int w = std::max(1, static_cast<int>(std::lround(css_w * dpr)));
  const int h = std::max(1, static_cast<int>(std::lround(css_h * dpr)));
  // The backing store directly: glfwSetWindowSize would ask for fullscreen when the size happens
  // to equal the screen's (Emscripten 3.1.6's GLFW).
  if (w != static_cast<int>(width_px_) || h != static_cast<int>(height_px_)) {
    emscripten_set_canvas_element_size("#canvas", w, h);
  }
  width_px_ = static_cast<float>(w);
  height_px_ = static_cast<float>(h);
  if (dpr != scale_) {
    scale_ = dpr;
    fonts_dirty_ = true;
  }
}

void AppShell::build_fonts() {
  fonts_dirty_ = false;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;  // we keep the bytes for rebuilds (zoom, screen change)
  cfg.OversampleH = scale_ >= 2 ? 1 : 2;
  cfg.OversampleV = 1;
  auto* regular = regular_ttf_.empty() ? nullptr : regular_ttf_.data();
  auto* bold = bold_ttf_.empty() ? nullptr : bold_ttf_.data();
  const int regular_size = static_cast<int>(regular_ttf_.size());
  const int bold_size = static_cast<int>(bold_ttf_.size());
  auto add_regular = [&](float px) -> ImFont* {
    if (!regular) {
      ImFontConfig d;
      d.SizePixels = std::round(13 * scale_);
      return io.Fonts->AddFontDefault(&d);
    }
    return io.Fonts->AddFontFromMemoryTTF(regular, regular_size, std::round(px * scale_), &cfg,
                                          kRegularRanges);
  };
  auto add_bold = [&](float px) -> ImFont* {
    if (!bold) return add_regular(px);
    ImFont* f = io.Fonts->AddFontFromMemoryTTF(bold, bold_size, std::round(px * scale_), &cfg, kBoldRanges);
    if (regular) {  // other scripts from the regular face
      ImFontConfig merge = cfg;
      merge.MergeMode = true;
      io.Fonts->AddFontFromMemoryTTF(regular, regular_size, std::round(px * scale_), &merge, kRegularRanges);
    }
    return f;
  };
  fonts_.body = add_regular(15);
  fonts_.small = add_regular(12.5f);
  fonts_.title = add_bold(16);
  fonts_.label = add_bold(12.5f);
  // Missing glyphs (emoji, scripts outside the subset) show as a visible box.
  for (ImFont* f : {fonts_.body, fonts_.small, fonts_.title, fonts_.label}) f->FallbackChar = 0x25A1;
  io.Fonts->Build();
  io.FontDefault = fonts_.body;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  text::reset();  // sizes changed: runs and measurements are stale

  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  style.WindowPadding = ImVec2(0, 0);
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.WindowRounding = 0;
  style.FrameRounding = 8;
  style.PopupRounding = 10;
  style.PopupBorderSize = 1;
  style.ScrollbarSize = 6;
  style.ScrollbarRounding = 3;
  style.ItemSpacing = ImVec2(8, 6);
  style.FramePadding = ImVec2(12, 8);
  style.ScaleAllSizes(scale_);
}

void AppShell::on_touch(int kind, float x, float y, double t_ms) {
  touch_seen_ = true;
  const float slop = kTapSlopCss * scale_;
  switch (kind) {
    case 0:  // start
      touch_down_ = true;
      dragging_ = false;
      velocity_ = 0;
      start_x_ = touch_x_ = x;
      start_y_ = touch_y_ = y;
      last_touch_t_ = t_ms;
      break;
    case 1: {  // move
      if (!touch_down_) break;
      const float dy = y - touch_y_;
      if (!dragging_ && std::hypot(x - start_x_, y - start_y_) > slop) dragging_ = true;
      if (dragging_) {
        pending_scroll_ += dy;
        const double dt = std::max(1.0, t_ms - last_touch_t_) / 1000.0;
        velocity_ = 0.8f * static_cast<float>(dy / dt) + 0.2f * velocity_;
      }
      touch_x_ = x;
      touch_y_ = y;
      last_touch_t_ = t_ms;
      break;
    }
    case 2:  // end
      if (touch_down_ && !dragging_) {
        tap_ = Tap::press;
        touch_x_ = x;
        touch_y_ = y;
      }
      if (t_ms - last_touch_t_ > 100) velocity_ = 0;  // the finger rested before lifting
      touch_down_ = false;
      break;
    default:  // cancel
      touch_down_ = false;
      dragging_ = false;
      velocity_ = 0;
      break;
  }
  invalidate();
}

void AppShell::on_wheel(float dx, float dy, float, float) {
  wheel_px_x_ += dx;
  wheel_px_y_ += dy;
  invalidate();
}

void AppShell::apply_touch(double now_ms) {
  ImGuiIO& io = ImGui::GetIO();
  // ImGui scrolls the hovered window by MouseWheel * 5 * font size: convert pixels into that.
  const float step = 5 * (fonts_.body ? fonts_.body->FontSize : 13 * scale_);
  if (wheel_px_x_ != 0 || wheel_px_y_ != 0) {
    io.MouseWheel -= wheel_px_y_ / step;
    io.MouseWheelH -= wheel_px_x_ / step;
    wheel_px_x_ = wheel_px_y_ = 0;
  }
  if (!touch_seen_) return;
  const float dt =
      last_frame_t_ > 0 ? static_cast<float>(std::min(0.1, (now_ms - last_frame_t_) / 1000.0)) : 0;
  if (!touch_down_ && velocity_ != 0) {  // fling
    pending_scroll_ += velocity_ * dt;
    velocity_ *= std::exp(-kFriction * dt);
    if (std::fabs(velocity_) < kMomentumStop) velocity_ = 0;
  }
  const bool scrolling = pending_scroll_ != 0 || velocity_ != 0;
  if (pending_scroll_ != 0) {
    io.MouseWheel += pending_scroll_ / step;
    pending_scroll_ = 0;
  }
  switch (tap_) {
    case Tap::press:
      io.MousePos = ImVec2(touch_x_, touch_y_);
      io.MouseDown[0] = true;
      tap_ = Tap::release;
      frames_left_ = std::max(frames_left_, kSettleFrames);
      return;
    case Tap::release:
      io.MousePos = ImVec2(touch_x_, touch_y_);
      io.MouseDown[0] = false;
      tap_ = Tap::leave;
      frames_left_ = std::max(frames_left_, kSettleFrames);
      return;
    case Tap::leave:
      tap_ = Tap::none;
      break;
    case Tap::none:
      break;
  }
  // The wheel goes to the window under the finger; no hover is left behind after it lifts.
  io.MousePos = (touch_down_ || scrolling) ? ImVec2(touch_x_, touch_y_) : ImVec2(-FLT_MAX, -FLT_MAX);
  io.MouseDown[0] = false;
  if (scrolling) frames_left_ = std::max(frames_left_, 1);
}

void AppShell::frame() {
  const bool fonts_ready = fonts_loaded_ >= 3;
  if (!fonts_ready || (frames_left_ <= 0 && !animating_ && velocity_ == 0)) {
    paused_ = true;
    emscripten_pause_main_loop();
    return;
  }
  if (frames_left_ > 0) --frames_left_;
  const double now = emscripten_date_now();
  if (resize_pending_) apply_size();
  if (fonts_dirty_) build_fonts();

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(width_px_, height_px_);  // device pixels (see the header)
  io.DisplayFramebufferScale = ImVec2(1, 1);
  apply_touch(now);
  last_frame_t_ = now;
  ImGui::NewFrame();
  text::begin_frame();
  animating_ = draw_ ? draw_(now) : false;
  ImGui::Render();

  glViewport(0, 0, static_cast<int>(width_px_), static_cast<int>(height_px_));
  glClearColor(1, 1, 1, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!first_frame_drawn_) {
    first_frame_drawn_ = true;
    dom::mark_ready();
  }
}

}  // namespace parley::client

extern "C" {
EMSCRIPTEN_KEEPALIVE void parley_on_touch(int kind, float x, float y, double t_ms) {
  parley::client::AppShell::get().on_touch(kind, x, y, t_ms);
}
EMSCRIPTEN_KEEPALIVE void parley_on_wheel(float dx, float dy, float x, float y) {
  parley::client::AppShell::get().on_wheel(dx, dy, x, y);
}
EMSCRIPTEN_KEEPALIVE void parley_on_resize() { parley::client::AppShell::get().on_resize(); }
// parley_text.js: the WebGL context is back after a loss; every GL object must be made again.
EMSCRIPTEN_KEEPALIVE void parley_on_gl_restored() {
  parley::client::text::on_gl_restored();
  // A new renderer backend rather than DestroyDeviceObjects/CreateDeviceObjects: ImGui 1.86's
  // backend keeps its old buffer sizes across those and then overflows the new buffers. The
  // device objects (and the font texture) are made again at the next NewFrame.
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplOpenGL3_Init("#version 300 es");
  parley::client::AppShell::get().invalidate();
}
}
