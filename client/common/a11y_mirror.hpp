// a11y_mirror.hpp: the accessibility mirror of a canvas app (browser only; a11y_mirror.js is its
// DOM side).
//
// The ImGui frame is invisible to screen readers and to the browser's Tab order. While a view
// draws, it also declares what it draws here: containers (log, list box, dialog, menu, ...) and
// leaves (buttons, options, text) with a role, a name, states and the rectangle it drew them in.
// end_frame() compares the frame with the previous one and sends only the differences to
// a11y_mirror.js, which keeps a tree of real, transparent, positioned DOM elements in
// <div id="parley-a11y"> in the same order: screen readers read it, Tab walks it, and a focused
// element draws the focus ring over the control the canvas drew. The app's real DOM fields
// (composer, note, login form) are adopted into the tree at the place the view declares them,
// so they sit in the Tab order between the mirrored buttons.
//
// Ids: a node's id is ImGui's id of the item (GetItemID(), or GetID(str_id) in the current id
// stack), so it is stable across frames as long as the view's id stack is (use data ids such as
// a conversation id or a message seq, not list positions). DOM id: "pa-<8 hex digits>".
//
// Events from the DOM (activation by Enter/Space/click or a screen reader, focus, Esc on a
// node, the window losing focus) are queued and read by the view in the next frame: an item()
// or node() call returns true once when its node was activated.
//
// Contract: call begin_frame() before the view draws and end_frame() after, every drawn frame,
// on the main thread, inside the ImGui frame (ids need a current window). A frame that declares
// nothing removes every node.
#pragma once

#include <cstdint>
#include <string>

#include "imgui.h"

namespace parley::client::a11y {

enum class Role : std::uint8_t {
  text,        // plain text (a line, a status value)
  heading,     // level-2 heading
  button,
  option,      // in a listbox
  menuitem,    // in a menu
  radio,       // in a radiogroup
  log,         // container: a transcript (aria-live off: announcements go through announce())
  list,        // container
  listitem,    // container or leaf
  listbox,     // container: roving focus, Up/Down
  menu,        // container: roving focus, Up/Down, Esc
  radiogroup,  // container: roving focus, arrows select
  dialog,      // container: modal, focus stays inside
  group,       // container with a name (a message with its actions)
  status,      // leaf: polite live status line (connection state)
};

// Tri-state ARIA flags: -1 absent, 0 false, 1 true.
struct State {
  bool disabled = false;
  std::int8_t pressed = -1;   // aria-pressed (toggle buttons)
  std::int8_t expanded = -1;  // aria-expanded (menu buttons)
  std::int8_t selected = -1;  // aria-selected (options)
  std::int8_t checked = -1;   // aria-checked (radios)
  bool current = false;       // aria-current="true"
  bool haspopup = false;      // aria-haspopup="menu"
};

void begin_frame();
void end_frame();

// Containers. The id is GetID(str_id) in the current id stack. Declaring a container id a
// second time in a frame reopens it: children are appended in declaration order (a view may
// declare the transcript's place before it draws the footer, and fill it afterwards).
void push(const char* str_id, Role role, const std::string& name, State state = {});
void pop();
// A container whose children are costly to declare (thousands of list rows): returns true when
// the caller must declare them (the first time, or when `key` differs from the last frame's);
// false: the last frame's children are kept as they were, unchanged, and the caller declares
// none. `key` must change whenever a child's name, state or rectangle would (so cached children
// usually carry no rectangle: scrolling would change it). Call pop() after, either way.
bool push_cached(const char* str_id, Role role, const std::string& name, std::uint64_t key, State state = {});
// Reopens a container declared earlier in this frame (from another ImGui window, whose id stack
// differs): following declarations go into it until pop(). No-op (but pop() still due) when
// the container was not declared.
void reopen(ImGuiID id);

// A leaf for the last ImGui item (the InvisibleButton of ui::hit, a Selectable): its id and
// rectangle. Returns true once when the DOM activated it since the last frame.
bool item(Role role, const std::string& name, State state = {});
// A leaf with its own id and rectangle (screen px): text, or rows drawn by hand.
bool node(const char* str_id, Role role, const std::string& name, ImVec2 min, ImVec2 max, State state = {});
// The DOM element `element_id` (a data-parley-field input, or a form holding them) belongs here
// in the order. Adopted elements not declared in a frame stay where they are (fields hide
// themselves); an adopted element that is not a field (a form) is hidden.
void field(const char* element_id);

// The id the last item()/node()/push() call used.
ImGuiID last_id();

// Focus: move DOM focus to a node (applied after the frame's changes); the node that has DOM
// focus now (0: none, or a field).
void focus(ImGuiID id);
ImGuiID focused();
bool is_focused(ImGuiID id);
// The last ImGui item's node has DOM focus.
bool item_focused();

// Esc pressed on a mirror node since the last call (the app's "cancel/close").
bool take_escape();
// The page lost focus (a click outside the iframe) since the last call.
bool take_window_blur();

}  // namespace parley::client::a11y
