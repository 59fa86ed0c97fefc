// text_cache.cpp: see text_cache.hpp.
#include "common/text_cache.hpp"

#include <algorithm>

namespace parley::client {

RunCache::RunCache(int page_w, int page_h, int max_pages)
    : page_w_(page_w), page_h_(page_h), max_pages_(max_pages) {}

const RunCache::Slot* RunCache::find(const std::string& key) {
  auto it = slots_.find(key);
  if (it == slots_.end()) return nullptr;
  pages_[static_cast<std::size_t>(it->second.slot.page)].used = frame_;
  return &it->second.slot;
}

bool RunCache::place(Page& page, int w, int h, int& x, int& y) const {
  // The best fitting shelf: tall enough, not much taller, with room left.
  Shelf* best = nullptr;
  for (Shelf& s : page.shelves) {
    if (s.h >= h && s.h <= h + h / 3 + 2 && s.x + w <= page_w_ && (!best || s.h < best->h)) best = &s;
  }
  if (!best) {
    const int sh = (h + 3) & ~3;  // rounded up so similar runs share shelves
    if (page.bottom + sh > page_h_) return false;
    page.shelves.push_back(Shelf{page.bottom, sh, 0});
    page.bottom += sh;
    best = &page.shelves.back();
  }
  x = best->x;
  y = best->y;
  best->x += w + 1;  // a texel of air: linear filtering never bleeds a neighbour in
  return true;
}

std::optional<RunCache::Slot> RunCache::insert(const std::string& key, int w, int h, bool* new_page,
                                               bool* reused_page) {
  if (new_page) *new_page = false;
  if (reused_page) *reused_page = false;
  w = std::clamp(w, 1, page_w_);
  h = std::clamp(h, 1, page_h_);
  if (auto it = slots_.find(key); it != slots_.end()) slots_.erase(it);
  int x = 0, y = 0;
  int page = -1;
  for (std::size_t i = 0; i < pages_.size() && page < 0; ++i) {
    if (place(pages_[i], w, h, x, y)) page = static_cast<int>(i);
  }
  if (page < 0 && static_cast<int>(pages_.size()) < max_pages_) {
    pages_.emplace_back();
    if (place(pages_.back(), w, h, x, y)) page = static_cast<int>(pages_.size()) - 1;
    if (new_page) *new_page = true;
  }
  if (page < 0) {
    // Empty the least recently used page that this frame has not drawn from.
    int victim = -1;
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      if (pages_[i].used == frame_) continue;
      if (victim < 0 || pages_[i].used < pages_[static_cast<std::size_t>(victim)].used)
        victim = static_cast<int>(i);
    }
    if (victim < 0) return std::nullopt;
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (it->second.slot.page == victim)
        it = slots_.erase(it);
      else
        ++it;
    }
    pages_[static_cast<std::size_t>(victim)] = Page{};
    ++evictions_;
    if (reused_page) *reused_page = true;
    if (!place(pages_[static_cast<std::size_t>(victim)], w, h, x, y)) return std::nullopt;
    page = victim;
  }
  pages_[static_cast<std::size_t>(page)].used = frame_;
  Slot slot{page, x, y, w, h};
  slots_.emplace(key, Entry{slot});
  return slot;
}

void RunCache::clear() {
  pages_.clear();
  slots_.clear();
}

}  // namespace parley::client
