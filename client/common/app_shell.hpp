// app_shell.hpp: the browser app frame (browser only): a GLFW window on the page's canvas,
// Dear ImGui with the GLFW + OpenGL ES 3 backends, fonts, HiDPI and a frame loop that draws only
// when something changed.
//
// Coordinates: ImGui works in device pixels (canvas backing store = CSS size x devicePixelRatio)
// and the UI is scaled by scale() (fonts rasterised at that size, style sizes scaled), so text is
// crisp on HiDPI screens. Divide by scale() for CSS pixels (DOM fields).
//
// Frames: the loop runs on requestAnimationFrame but draws only after invalidate() (input, a
// network event, a resize) for a few frames (ImGui needs them to settle hover/active state), or
// while the view says it animates; otherwise the loop pauses and costs nothing.
#pragma once

#include <functional>
#include <string>

#include "common/dom.hpp"

struct GLFWwindow;
struct ImFont;

namespace parley::client {

struct Fonts {
  ImFont* body = nullptr;   // regular, 15 px
  ImFont* small = nullptr;  // regular, 12.5 px
  ImFont* title = nullptr;  // bold, 16 px (bold Latin, other scripts regular)
  ImFont* label = nullptr;  // bold, 12.5 px
};

struct FontSources {
  const char* regular_url = nullptr;  // fetched (the page may prefetch them)
  const char* bold_url = nullptr;
};

class AppShell {
 public:
  // Draws one frame (between ImGui::NewFrame and Render). Returns true while animating.
  using DrawFn = std::function<bool(double now_ms)>;

  static AppShell& get();

  // Sets up the DOM bridge (before GLFW, see dom.hpp), the window and ImGui. False on failure
  // (no WebGL 2).
  bool init(dom::Handler& handler, const FontSources& fonts);
  // Starts the frame loop; drawing begins once the fonts are loaded. Returns immediately.
  void run(DrawFn draw);

  // Something changed: draw the next few frames.
  void invalidate();
  // Draw once more at or after `ms` (e.g. a countdown); earlier invalidations take precedence.
  void invalidate_at(double ms);

  float scale() const { return scale_; }
  float width() const { return width_px_; }
  float height() const { return height_px_; }
  float css_width() const { return width_px_ / scale_; }
  const Fonts& fonts() const { return fonts_; }
  bool touch_input() const { return touch_seen_; }

  // From the JS bridge.
  void on_touch(int kind, float x, float y, double t_ms);
  void on_wheel(float dx, float dy, float x, float y);
  void on_resize() {
    resize_pending_ = true;
    invalidate();
  }

 private:
  AppShell() = default;
  static void frame_thunk();
  void frame();
  void apply_size();
  void build_fonts();
  void apply_touch(double now_ms);

  GLFWwindow* window_ = nullptr;
  DrawFn draw_;
  FontSources font_sources_;
  std::string regular_ttf_, bold_ttf_;
  int fonts_loaded_ = 0;
  bool fonts_dirty_ = true;
  Fonts fonts_;
  float scale_ = 1;
  float width_px_ = 0, height_px_ = 0;
  bool resize_pending_ = true;
  int frames_left_ = 0;
  bool animating_ = false;
  bool paused_ = false;
  bool first_frame_drawn_ = false;
  double wake_at_ = 0;

  // Touch: taps become a press and a release on consecutive frames; drags scroll (with momentum).
  enum class Tap { none, press, release, leave } tap_ = Tap::none;
  bool touch_seen_ = false;
  bool touch_down_ = false;
  bool dragging_ = false;
  float touch_x_ = 0, touch_y_ = 0, start_x_ = 0, start_y_ = 0;
  double last_touch_t_ = 0;
  float velocity_ = 0;        // px/s, drag direction
  float pending_scroll_ = 0;  // px the content should follow the finger by
  double last_frame_t_ = 0;
  float wheel_px_x_ = 0, wheel_px_y_ = 0;
};

}  // namespace parley::client
