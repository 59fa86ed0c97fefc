// a11y_mirror.cpp: see a11y_mirror.hpp.
#include "common/a11y_mirror.hpp"

#include <emscripten/emscripten.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/app_shell.hpp"
#include "imgui_internal.h"
#include "parley/model.hpp"

extern "C" {
void parley_a11y_init();
void parley_a11y_apply(const char* json);
}

namespace parley::client::a11y {
namespace {

const char* role_name(Role r) {
  switch (r) {
    case Role::text: return "text";
    case Role::heading: return "heading";
    case Role::button: return "button";
    case Role::option: return "option";
    case Role::menuitem: return "menuitem";
    case Role::radio: return "radio";
    case Role::log: return "log";
    case Role::list: return "list";
    case Role::listitem: return "listitem";
    case Role::listbox: return "listbox";
    case Role::menu: return "menu";
    case Role::radiogroup: return "radiogroup";
    case Role::dialog: return "dialog";
    case Role::group: return "group";
    case Role::status: return "status";
  }
  return "text";
}

struct Node {
  std::string key;     // DOM id
  std::string parent;  // DOM id of the parent, "" = the root
  std::string field;   // adopted element: its id (== key)
  Role role = Role::text;
  bool container = false;
  std::string name;
  State state;
  int x = 0, y = 0, w = 0, h = 0;  // CSS px; w == 0: not on screen
  std::string sig;                 // everything above, for the diff
};

struct Subtree {  // the descendants of a cached container (push_cached)
  std::uint64_t key = 0;
  std::vector<Node> nodes;
  std::unordered_map<std::string, std::size_t> index;
};

struct Frame {
  std::vector<Node> nodes;
  std::unordered_map<std::string, std::size_t> index;  // key -> nodes[i]
  std::unordered_map<std::string, std::shared_ptr<Subtree>> subtrees;  // by container key
};

Frame g_frame, g_prev;
struct Open {
  std::string key;
  Subtree* into;  // where declarations inside go (nullptr: the frame)
};
std::vector<Open> g_stack;  // open containers
Subtree g_discard;          // declarations inside an unchanged cached container
std::unordered_set<ImGuiID> g_activated;
ImGuiID g_focused = 0;
ImGuiID g_focus_request = 0;
ImGuiID g_last = 0;
bool g_escape = false;
bool g_window_blur = false;
bool g_in_frame = false;

std::string dom_id(ImGuiID id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "pa-%08x", static_cast<unsigned>(id));
  return buf;
}

void signature(Node& n) {
  char buf[96];
  const State& s = n.state;
  std::snprintf(buf, sizeof buf, "|%d|%d%d%d%d%d%d%d|%d,%d,%d,%d|", static_cast<int>(n.role), s.disabled,
                s.pressed, s.expanded, s.selected, s.checked, s.current, s.haspopup, n.x, n.y, n.w, n.h);
  n.sig = n.parent;
  n.sig += buf;
  n.sig += n.name;
}

Node& add(const std::string& key, Role role, const std::string& name, State state, ImVec2 min, ImVec2 max,
          bool container) {
  Subtree* into = g_stack.empty() ? nullptr : g_stack.back().into;
  auto& nodes = into ? into->nodes : g_frame.nodes;
  auto& index = into ? into->index : g_frame.index;
  const auto found = index.find(key);
  if (found != index.end()) return nodes[found->second];  // reopened container
  Node n;
  n.key = key;
  n.parent = g_stack.empty() ? std::string() : g_stack.back().key;
  n.role = role;
  n.container = container;
  n.name = name;
  n.state = state;
  const float s = AppShell::get().scale();
  if (max.x > min.x && max.y > min.y) {
    n.x = static_cast<int>(std::floor(min.x / s));
    n.y = static_cast<int>(std::floor(min.y / s));
    n.w = std::max(1, static_cast<int>(std::ceil(max.x / s)) - n.x);
    n.h = std::max(1, static_cast<int>(std::ceil(max.y / s)) - n.y);
  }
  index.emplace(key, nodes.size());
  nodes.push_back(std::move(n));
  return nodes.back();
}

bool take_activation(ImGuiID id) { return g_activated.erase(id) > 0; }

Json state_json(const State& s) {
  Json j = Json::object();
  if (s.disabled) j["disabled"] = true;
  if (s.pressed >= 0) j["pressed"] = s.pressed == 1;
  if (s.expanded >= 0) j["expanded"] = s.expanded == 1;
  if (s.selected >= 0) j["selected"] = s.selected == 1;
  if (s.checked >= 0) j["checked"] = s.checked == 1;
  if (s.current) j["current"] = true;
  if (s.haspopup) j["haspopup"] = true;
  return j;
}

}  // namespace

void begin_frame() {
  g_discard.nodes.clear();
  g_discard.index.clear();
  static bool started = false;
  if (!started) {
    started = true;
    parley_a11y_init();
  }
  g_frame.nodes.clear();
  g_frame.index.clear();
  g_frame.subtrees.clear();
  g_stack.clear();
  g_in_frame = true;
}

void end_frame() {
  g_in_frame = false;
  g_stack.clear();
  Json up = Json::array(), rm = Json::array(), order = Json::object();
  std::unordered_map<std::string, std::vector<std::string>> kids, prev_kids;
  // Diffs `now` against `before` (same place: the frame, or one cached container's subtree).
  auto diff = [&](std::vector<Node>& now, const std::unordered_map<std::string, std::size_t>& now_index,
                  const std::vector<Node>* before, const std::unordered_map<std::string, std::size_t>* before_index) {
    for (Node& n : now) {
      signature(n);
      kids[n.parent].push_back(n.key);
      if (before) {
        const auto p = before_index->find(n.key);
        if (p != before_index->end() && (*before)[p->second].sig == n.sig) continue;
      }
      Json j{{"id", n.key}, {"p", n.parent}, {"r", role_name(n.role)}, {"n", n.name}, {"s", state_json(n.state)},
             {"x", n.x}, {"y", n.y}, {"w", n.w}, {"h", n.h}};
      if (n.container) j["c"] = true;
      if (!n.field.empty()) j["f"] = n.field;
      up.push_back(std::move(j));
    }
    if (!before) return;
    for (const Node& n : *before) {
      prev_kids[n.parent].push_back(n.key);
      if (!now_index.count(n.key)) rm.push_back(n.key);
    }
  };
  diff(g_frame.nodes, g_frame.index, &g_prev.nodes, &g_prev.index);
  for (auto& [key, tree] : g_frame.subtrees) {
    const auto p = g_prev.subtrees.find(key);
    if (p != g_prev.subtrees.end() && p->second == tree) continue;  // kept as it was
    const Subtree* old = p != g_prev.subtrees.end() ? p->second.get() : nullptr;
    diff(tree->nodes, tree->index, old ? &old->nodes : nullptr, old ? &old->index : nullptr);
  }
  for (auto& [parent, list] : kids) {
    const auto p = prev_kids.find(parent);
    if (p == prev_kids.end() || p->second != list) order[parent] = list;
  }
  // Activations of nodes no longer drawn are dropped.
  g_activated.clear();
  const bool changed = !up.empty() || !rm.empty() || !order.empty() || g_focus_request != 0;
  if (changed) {
    Json msg{{"up", std::move(up)}, {"rm", std::move(rm)}, {"ord", std::move(order)}};
    if (g_focus_request != 0) msg["focus"] = dom_id(g_focus_request);
    g_focus_request = 0;
    const std::string text = msg.dump(-1, ' ', false, Json::error_handler_t::replace);
    parley_a11y_apply(text.c_str());
  }
  std::swap(g_prev, g_frame);
}

void push(const char* str_id, Role role, const std::string& name, State state) {
  const ImGuiID id = ImGui::GetID(str_id);
  g_last = id;
  const std::string key = dom_id(id);
  add(key, role, name, state, ImVec2(0, 0), ImVec2(0, 0), true);
  g_stack.push_back({key, g_stack.empty() ? nullptr : g_stack.back().into});
}

bool push_cached(const char* str_id, Role role, const std::string& name, std::uint64_t key, State state) {
  const ImGuiID id = ImGui::GetID(str_id);
  g_last = id;
  const std::string dkey = dom_id(id);
  add(dkey, role, name, state, ImVec2(0, 0), ImVec2(0, 0), true);
  const auto p = g_prev.subtrees.find(dkey);
  // A pending activation may be for one of its nodes: declare them so it is seen.
  if (p != g_prev.subtrees.end() && p->second->key == key && g_activated.empty()) {
    g_frame.subtrees[dkey] = p->second;
    g_stack.push_back({dkey, &g_discard});
    return false;
  }
  auto tree = std::make_shared<Subtree>();
  tree->key = key;
  Subtree* into = tree.get();
  g_frame.subtrees[dkey] = std::move(tree);
  g_stack.push_back({dkey, into});
  return true;
}

void reopen(ImGuiID id) {
  const std::string key = dom_id(id);
  if (g_frame.index.count(key))
    g_stack.push_back({key, nullptr});
  else
    g_stack.push_back(g_stack.empty() ? Open{std::string(), nullptr} : g_stack.back());
}

void pop() {
  if (!g_stack.empty()) g_stack.pop_back();
}

bool item(Role role, const std::string& name, State state) {
  const ImGuiID id = ImGui::GetItemID();
  g_last = id;
  add(dom_id(id), role, name, state, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), false);
  return take_activation(id);
}

bool node(const char* str_id, Role role, const std::string& name, ImVec2 min, ImVec2 max, State state) {
  const ImGuiID id = ImGui::GetID(str_id);
  g_last = id;
  add(dom_id(id), role, name, state, min, max, false);
  return take_activation(id);
}

void field(const char* element_id) {
  Node& n = add(element_id, Role::text, std::string(), State{}, ImVec2(0, 0), ImVec2(0, 0), false);
  n.field = element_id;
}

ImGuiID last_id() { return g_last; }

void focus(ImGuiID id) {
  g_focus_request = id;
  AppShell::get().invalidate();
}
ImGuiID focused() { return g_focused; }
bool is_focused(ImGuiID id) { return id != 0 && id == g_focused; }
bool item_focused() { return is_focused(ImGui::GetItemID()); }

bool take_escape() { return std::exchange(g_escape, false); }
bool take_window_blur() { return std::exchange(g_window_blur, false); }

}  // namespace parley::client::a11y

// ---- Entry point called from a11y_mirror.js ----
extern "C" {
// kind: 1 activate, 2 focus, 3 blur, 4 Esc on the node, 5 the window lost focus.
EMSCRIPTEN_KEEPALIVE void parley_a11y_event(int kind, unsigned id) {
  using namespace parley::client::a11y;
  switch (kind) {
    case 1: g_activated.insert(id); break;
    case 2: g_focused = id; break;
    case 3: if (g_focused == id) g_focused = 0; break;
    case 4: g_escape = true; break;
    case 5: g_window_blur = true; break;
    default: break;
  }
  parley::client::AppShell::get().invalidate();
}
}
